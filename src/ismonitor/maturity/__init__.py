"""The maturity model: factor scores, stage, benchmark position and advice."""

from .model import (
    FACTOR_LABELS,
    FACTOR_WEIGHTS,
    MIN_ANSWERED,
    STAGES,
    Advice,
    OrganisationScore,
    Stage,
    item_score,
    percentile_rank,
    score,
    score_organisation,
    scores_frame,
    stage_of,
    to_dict,
)

__all__ = [
    "FACTOR_LABELS",
    "FACTOR_WEIGHTS",
    "MIN_ANSWERED",
    "STAGES",
    "Advice",
    "OrganisationScore",
    "Stage",
    "item_score",
    "percentile_rank",
    "score",
    "score_organisation",
    "scores_frame",
    "stage_of",
    "to_dict",
]
