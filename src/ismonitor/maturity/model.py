"""The maturity model: factor scores, overall score, stage, benchmark position and advice.

The model does not measure current success but the extent to which the preconditions
for success are in place ("de mate waarin de randvoorwaarden om tot dat succes te komen
zijn ingevuld"). ``docs/maturity-model.md`` states every rule below with a worked example.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy import stats

from ..instrument import FACTORS, Instrument, Item, ItemType, Text
from ..study.validate import answers_of, visible_items

FACTOR_LABELS = {
    "adoption": Text(nl="Adoptie", en="Adoption"),
    "purposefulness": Text(nl="Doelmatigheid", en="Purposefulness"),
    "organisation": Text(nl="Organisatie", en="Organisation"),
    "integration": Text(nl="Integratie", en="Integration"),
}

FACTOR_WEIGHTS = {factor: 0.25 for factor in FACTORS}
"""Each factor counts for a fixed share of the overall score; the study does not publish its
weights, so ismonitor gives the four factors equal shares."""

MIN_ANSWERED = 0.5
"""A factor is scored when at least this share of its items' weight is answered."""


@dataclass(frozen=True)
class Stage:
    key: str
    label: Text
    lower: float  # the stage starts at this overall score (inclusive)
    description: Text


STAGES = (
    Stage(
        "starting",
        Text(nl="Beginnend", en="Starting"),
        0,
        Text(
            nl="Enkele randvoorwaarden zijn ingevuld; het platform draait op losse initiatieven.",
            en="A few preconditions are in place; the platform runs mostly on single initiatives.",
        ),
    ),
    Stage(
        "developing",
        Text(nl="In ontwikkeling", en="Developing"),
        40,
        Text(
            nl="Een deel van de randvoorwaarden is ingevuld, maar nog niet in samenhang.",
            en="Part of the preconditions are in place, but not yet as a whole.",
        ),
    ),
    Stage(
        "advanced",
        Text(nl="Gevorderd", en="Advanced"),
        60,
        Text(
            nl="De meeste randvoorwaarden zijn ingevuld; doelen, organisatie en adoptie staan.",
            en="Most preconditions are in place; goals, organisation and adoption are arranged.",
        ),
    ),
    Stage(
        "mature",
        Text(nl="Volwassen", en="Mature"),
        80,
        Text(
            nl="Vrijwel alle randvoorwaarden zijn ingevuld en het platform is deel van het werk.",
            en="Nearly all preconditions are in place and the platform is part of the work.",
        ),
    ),
)


def stage_of(overall: float | None) -> Stage | None:
    """The stage whose range holds ``overall`` (0–100)."""
    if overall is None or math.isnan(overall):
        return None
    current = STAGES[0]
    for stage in STAGES:
        if overall >= stage.lower:
            current = stage
    return current


def item_score(item: Item, answers: dict[str, Any], instrument: Instrument) -> float | None:
    """What an answer is worth on the model, from 0 (not in place) to 1 (fully in place).

    - yes/no: yes = 1, no = 0;
    - Likert: ``(x - min) / (max - min)``;
    - single choice: the chosen option's ``score``;
    - multiple choice: the sum of the chosen options' ``score``, at most 1 (without scores,
      the share of options chosen);
    - percentage: ``x / 100``.
    ``None`` when the item is not answered.
    """
    value = answers.get(item.key)
    if value is None:
        return None
    if item.type == ItemType.YES_NO:
        return 1.0 if value == "yes" else 0.0
    if item.type == ItemType.LIKERT:
        scale = instrument.likert(item)
        return (float(value) - scale.min) / (scale.max - scale.min)
    if item.type == ItemType.SINGLE_CHOICE:
        for option in instrument.choice_list(item):
            if option.key == value:
                return option.score if option.score is not None else None
        return 0.0  # "other": not a precondition the model knows
    if item.type == ItemType.MULTIPLE_CHOICE:
        options = instrument.choice_list(item)
        if all(option.score is None for option in options):
            return len(value) / len(options)
        return min(1.0, sum(option.score or 0 for option in options if option.key in value))
    if item.type == ItemType.PERCENTAGE:
        return float(value) / 100
    raise ValueError(f"item {item.key}: a {item.type.value} item cannot be scored")


@dataclass
class Advice:
    item: str
    element: str
    factor: str
    score: float
    text: Text


@dataclass
class OrganisationScore:
    org_id: str
    name: str | None
    sector: str | None
    size_class: str | None
    adopter: bool
    factors: dict[str, float | None] | None
    overall: float | None
    stage: Stage | None
    item_scores: dict[str, float | None] = field(default_factory=dict)
    advice: list[Advice] = field(default_factory=list)
    percentiles: dict[str, dict[str, float | int | None]] = field(default_factory=dict)


def score_organisation(row: dict[str, Any], instrument: Instrument) -> OrganisationScore:
    """Score one organisation's answers (a row of a validated responses table)."""
    answers = answers_of(row, instrument)
    adopter = answers.get("uses_ism") != "no"
    base = {
        "org_id": str(row.get("org_id")),
        "name": _text(row.get("org_name")),
        "sector": _text(answers.get("sector")),
        "size_class": _text(answers.get("size_class")),
    }
    if not adopter:
        return OrganisationScore(**base, adopter=False, factors=None, overall=None, stage=None)
    shown = visible_items(answers, instrument)
    item_scores: dict[str, float | None] = {}
    sums = {factor: 0.0 for factor in FACTORS}
    weights = {factor: 0.0 for factor in FACTORS}
    totals = {factor: 0.0 for factor in FACTORS}
    for item in instrument.maturity_items():
        factor = instrument.elements[item.element].factor
        if item.key not in shown:
            continue
        totals[factor] += item.weight
        score = item_score(item, answers, instrument)
        item_scores[item.key] = score
        if score is not None:
            sums[factor] += item.weight * score
            weights[factor] += item.weight
    factors: dict[str, float | None] = {}
    for factor in FACTORS:
        enough = totals[factor] > 0 and weights[factor] >= MIN_ANSWERED * totals[factor]
        factors[factor] = round(100 * sums[factor] / weights[factor], 1) if enough else None
    if any(value is None for value in factors.values()):
        overall = None
    else:
        overall = round(sum(FACTOR_WEIGHTS[f] * factors[f] for f in FACTORS), 1)
    advice = _advice(instrument, item_scores, factors)
    return OrganisationScore(
        **base,
        adopter=True,
        factors=factors,
        overall=overall,
        stage=stage_of(overall),
        item_scores=item_scores,
        advice=advice,
    )


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _advice(instrument: Instrument, item_scores, factors) -> list[Advice]:
    """Unmet elements, the weakest factor first, then the largest gap within it."""
    unmet = []
    for item in instrument.maturity_items():
        score = item_scores.get(item.key)
        if score is None or score >= item.meets_at:
            continue
        factor = instrument.elements[item.element].factor
        unmet.append(Advice(item.key, item.element, factor, round(score, 3), item.advice))
    order = {item.key: index for index, item in enumerate(instrument.items())}

    def priority(advice: Advice):
        item = instrument.item(advice.item)
        factor_score = factors.get(advice.factor)
        return (
            factor_score if factor_score is not None else 100.0,
            -item.weight * (item.meets_at - advice.score),
            order[advice.item],
        )

    return sorted(unmet, key=priority)


def percentile_rank(values: list[float], value: float) -> float:
    """The share of ``values`` below ``value``, counting ties as half (0–100)."""
    return round(float(stats.percentileofscore(values, value, kind="mean")), 1)


def score(table: pd.DataFrame, instrument: Instrument) -> list[OrganisationScore]:
    """Score every organisation and place each against all, its sector and its size class."""
    rows = table.to_dict("records")
    results = [score_organisation(row, instrument) for row in rows]
    scored = [r for r in results if r.overall is not None]
    for result in scored:
        for group, attribute in (("all", None), ("sector", "sector"), ("size_class", "size_class")):
            peers = [
                r.overall
                for r in scored
                if attribute is None or getattr(r, attribute) == getattr(result, attribute)
            ]
            result.percentiles[group] = {
                "percentile": percentile_rank(peers, result.overall),
                "n": len(peers),
            }
    return results


def to_dict(result: OrganisationScore, lang: str = "en") -> dict[str, Any]:
    """The JSON shape of one organisation's scores (``ismonitor score --json``)."""
    return {
        "id": result.org_id,
        "name": result.name,
        "sector": result.sector,
        "size_class": result.size_class,
        "adopter": result.adopter,
        "factors": result.factors,
        "overall": result.overall,
        "stage": result.stage.key if result.stage else None,
        "stage_label": result.stage.label.get(lang) if result.stage else None,
        "percentiles": result.percentiles or None,
        "advice": [
            {
                "item": a.item,
                "element": a.element,
                "factor": a.factor,
                "score": a.score,
                "advice": a.text.get(lang),
            }
            for a in result.advice
        ],
    }


def scores_frame(results: list[OrganisationScore]) -> pd.DataFrame:
    """One row per organisation: id, sector, size class, the four factors, overall and stage."""
    records = []
    for r in results:
        record = {
            "org_id": r.org_id,
            "org_name": r.name,
            "sector": r.sector,
            "size_class": r.size_class,
            "adopter": r.adopter,
        }
        for factor in FACTORS:
            record[factor] = (r.factors or {}).get(factor)
        record["overall"] = r.overall
        record["stage"] = r.stage.key if r.stage else None
        records.append(record)
    return pd.DataFrame.from_records(records)
