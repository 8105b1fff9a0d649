"""The national analysis of one edition: who took part, maturity, use, outcomes, barriers.

:func:`analyse` turns a validated responses table into one JSON-ready document, the input
of the national report, the organisation reports and ``ismonitor analyse --json``. The
statistics themselves come from this package (reliability, correlation, compare,
rankings); this module only chooses what to compute on which organisations. Relations
are correlations: the report says "samenhang" / "is related to", never "causes".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..instrument import FACTORS, Instrument, ItemType
from ..maturity import STAGES, score, scores_frame
from ..study.synthetic import is_synthetic
from .compare import compare_means, compare_proportions
from .correlation import usage_outcome_table
from .rankings import friedman, rank_summary
from .reliability import alpha, item_stats, scale_scores

USAGE_SHARES = ("active_share", "passive_share")
USAGE_FREQUENCIES = ("active_frequency", "passive_frequency")
PURPOSE_PREFIX = "purpose_"
DUTCH_PLATFORMS = ("embrace", "plek", "viadesk", "synigo")
"""Platforms made in the Netherlands (seed 000: popular and used more intensively)."""

TREND_SHARES = {
    "adopter_share": ("uses_ism", "yes"),
    "goals_contribution_share": ("pu_goals", "contribution"),
    "kpis_share": ("pu_kpis", "yes"),
    "targets_share": ("pu_targets", "yes"),
    "job_description_share": ("or_job_description", "yes"),
}
"""Shares of organisations compared between editions: (item, answer that counts)."""


def analyse(
    table: pd.DataFrame,
    instrument: Instrument,
    previous: pd.DataFrame | None = None,
    previous_instrument: Instrument | None = None,
) -> dict[str, Any]:
    """Analyse an edition (and compare it with the previous one when given).

    Parameters
    ----------
    table : pandas.DataFrame
        A validated responses table (:func:`ismonitor.study.load_responses`).
    instrument : Instrument
        The questionnaire it answers.
    previous, previous_instrument : optional
        The previous edition's responses and questionnaire, for the trends.

    Returns
    -------
    dict
        ``participants``, ``maturity``, ``usage``, ``reliability``, ``correlations``,
        ``barriers``, ``barriers_test``, ``platforms`` and, with ``previous``, ``trends``;
        documented in ``docs/analysis.md``. Numbers are floats or ints; missing ones ``None``.
    """
    scores = scores_frame(score(table, instrument))
    adopters = table[table.get("uses_ism") == "yes"] if "uses_ism" in table else table
    derived = derive(adopters, instrument)
    result: dict[str, Any] = {
        "instrument": {"name": instrument.name, "version": instrument.version},
        "editions": sorted({str(e) for e in table.get("edition", pd.Series(dtype=str)).dropna()}),
        "synthetic": is_synthetic(table),
        "participants": _participants(table),
        "maturity": _maturity(scores, table),
        "usage": _usage(adopters, derived, instrument),
        "reliability": _reliability(adopters, instrument),
        "correlations": _correlations(derived, instrument),
        "barriers": _barriers(table, instrument),
        "barriers_test": _barrier_test(table, instrument),
        "platforms": _platforms(table, scores, instrument),
    }
    if previous is not None:
        result["trends"] = _trends(table, previous, instrument, previous_instrument or instrument)
    return _clean(result)


# -- derived variables --------------------------------------------------------------------------


def usage_variables(instrument: Instrument) -> list[str]:
    """The use measures related to outcomes: shares, frequencies and every purpose."""
    names = [key for key in (*USAGE_SHARES, *USAGE_FREQUENCIES) if _has(instrument, key)]
    if _has(instrument, "purposes"):
        names += [
            f"{PURPOSE_PREFIX}{option.key}"
            for option in instrument.choice_list(instrument.item("purposes"))
        ]
    return names


def derive(adopters: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Use measures and outcome scale scores per organisation, as numbers.

    Frequencies become their position in the answer list (1 = least often); each purpose
    a 0/1 column ``purpose_<key>``; each construct the mean of its answered items (reverse
    items reversed), empty when fewer than half are answered.
    """
    out = pd.DataFrame(index=adopters.index)
    for key in USAGE_SHARES:
        if key in adopters:
            out[key] = adopters[key].astype(float)
    for key in USAGE_FREQUENCIES:
        if key in adopters and _has(instrument, key):
            order = [o.key for o in instrument.choice_list(instrument.item(key))]
            out[key] = adopters[key].map(lambda v, o=order: o.index(v) + 1 if v in o else np.nan)
            out[key] = out[key].astype(float)
    if _has(instrument, "purposes"):
        for option in instrument.choice_list(instrument.item("purposes")):
            column = f"purposes__{option.key}"
            if column in adopters:
                out[f"{PURPOSE_PREFIX}{option.key}"] = adopters[column].astype(float)
    for construct in instrument.constructs:
        items = instrument.construct_items(construct)
        present = [item.key for item in items if item.key in adopters]
        if len(present) < 2:
            continue
        scale = instrument.likert(items[0])
        reverse = [item.key for item in items if item.reverse and item.key in present]
        out[construct] = scale_scores(
            adopters, present, reverse=reverse, min=scale.min, max=scale.max
        )["score"]
    return out


def _has(instrument: Instrument, key: str) -> bool:
    try:
        instrument.item(key)
    except KeyError:
        return False
    return True


# -- the parts ---------------------------------------------------------------------------------


def _participants(table: pd.DataFrame) -> dict:
    adopter = table.get("uses_ism") == "yes"
    result = {
        "organisations": int(len(table)),
        "adopters": int(adopter.sum()),
        "non_adopters": int((table.get("uses_ism") == "no").sum()),
    }
    result["adopter_share"] = result["adopters"] / result["organisations"] if len(table) else None
    for group in ("sector", "size_class"):
        if group in table:
            counts = table.groupby(group, observed=True).agg(
                organisations=("org_id", "size"),
                adopters=("uses_ism", lambda s: (s == "yes").sum()),
            )
            result[f"by_{group}"] = {
                str(k): {"organisations": int(v.organisations), "adopters": int(v.adopters)}
                for k, v in counts.iterrows()
            }
    return result


def _describe(values: pd.Series) -> dict:
    values = values.dropna().astype(float)
    if values.empty:
        return {"n": 0}
    return {
        "n": int(values.size),
        "mean": float(values.mean()),
        "sd": float(values.std(ddof=1)) if values.size > 1 else None,
        "median": float(values.median()),
        "p25": float(values.quantile(0.25)),
        "p75": float(values.quantile(0.75)),
        "min": float(values.min()),
        "max": float(values.max()),
    }


def _maturity(scores: pd.DataFrame, table: pd.DataFrame) -> dict:
    adopters = scores[scores["adopter"]].copy()
    result: dict[str, Any] = {key: _describe(adopters[key]) for key in (*FACTORS, "overall")}
    result["stages"] = {stage.key: int((adopters["stage"] == stage.key).sum()) for stage in STAGES}
    if "main_platform" in table:
        adopters["main_platform"] = table.loc[adopters.index, "main_platform"].to_numpy()
    for group in ("sector", "size_class", "main_platform"):
        if group not in adopters:
            continue
        grouped = adopters.groupby(group, observed=True)
        result[f"by_{group}"] = {
            str(name): {"n": int(len(frame)), **{k: _mean(frame[k]) for k in (*FACTORS, "overall")}}
            for name, frame in grouped
        }
    return result


def _mean(values: pd.Series) -> float | None:
    values = values.dropna().astype(float)
    return float(values.mean()) if len(values) else None


def _usage(adopters: pd.DataFrame, derived: pd.DataFrame, instrument: Instrument) -> dict:
    result: dict[str, Any] = {"organisations": int(len(adopters))}
    for key in USAGE_SHARES:
        if key in derived:
            description = _describe(derived[key])
            result[f"{key}_mean"] = description.get("mean")
            result[key] = description
    if {"active_share", "passive_share"} <= set(derived):
        both = derived[["active_share", "passive_share"]].dropna()
        inactive = 100 - both["active_share"] - both["passive_share"]
        result["inactive_share_mean"] = _mean(inactive)
        result["reached_n"] = int(len(both))
    for key in USAGE_FREQUENCIES:
        if key in adopters and _has(instrument, key):
            options = [o.key for o in instrument.choice_list(instrument.item(key))]
            counts = adopters[key].value_counts()
            result[key] = {option: int(counts.get(option, 0)) for option in options}
    if _has(instrument, "purposes"):
        purposes = {}
        for option in instrument.choice_list(instrument.item("purposes")):
            column = f"purposes__{option.key}"
            if column in adopters:
                answered = adopters[column].dropna()
                purposes[option.key] = {
                    "share": float(answered.mean()) if len(answered) else None,
                    "n": int(len(answered)),
                }
        result["purposes"] = dict(sorted(purposes.items(), key=lambda kv: -(kv[1]["share"] or 0)))
    return result


def _reliability(adopters: pd.DataFrame, instrument: Instrument) -> dict:
    result = {}
    for construct in instrument.constructs:
        items = [item for item in instrument.construct_items(construct) if item.key in adopters]
        if len(items) < 2:
            continue
        scale = instrument.likert(items[0])
        keys = [item.key for item in items]
        reverse = [item.key for item in items if item.reverse]
        summary = alpha(adopters, keys, reverse=reverse, min=scale.min, max=scale.max).iloc[0]
        per_item = item_stats(adopters, keys, reverse=reverse, min=scale.min, max=scale.max)
        result[construct] = {
            "n": int(summary["n"]),
            "k": int(summary["k"]),
            "alpha": float(summary["alpha"]),
            "alpha_std": float(summary["alpha_std"]),
            "omega_total": float(summary["omega_total"]),
            "items": {
                row["item"]: {
                    "r_drop": float(row["r_drop"]),
                    "alpha_if_deleted": float(row["alpha_if_deleted"]),
                    "reversed": bool(row["reversed"]),
                }
                for _, row in per_item.iterrows()
            },
        }
    return result


def _correlations(derived: pd.DataFrame, instrument: Instrument) -> list[dict]:
    usage = [v for v in usage_variables(instrument) if v in derived and derived[v].nunique() > 1]
    outcomes = [c for c in instrument.constructs if c in derived]
    if not usage or not outcomes:
        return []
    table = usage_outcome_table(derived, usage, outcomes, method="pearson", adjust="holm")
    return [
        {key: row[key] for key in ("usage", "outcome", "r", "n", "p", "p_adj", "ci_low", "ci_high")}
        for row in table.to_dict("records")
    ]


def complete_rankings(data: pd.DataFrame) -> pd.DataFrame:
    """Rankings with the unranked options of a partial ranking tied for the remaining places.

    A respondent who ranks only their top three of six reasons gives the other three the
    mean of ranks 4, 5 and 6 (5.0 each): they are less important than the three ranked, and
    no more is known. Rows without any rank stay empty. Without this, a reason that
    partial rankers leave out would be averaged over fewer, more complete rankers.
    """
    k = data.shape[1]
    filled = data.astype(float).copy()
    for index, row in filled.iterrows():
        ranked = row.dropna()
        if ranked.empty or len(ranked) == k:
            continue
        remaining = [r for r in range(1, k + 1) if r not in set(ranked.astype(int))]
        filled.loc[index, row.isna()] = float(np.mean(remaining))
    return filled


def _barrier_data(table: pd.DataFrame, instrument: Instrument) -> pd.DataFrame | None:
    if not _has(instrument, "barriers"):
        return None
    item = instrument.item("barriers")
    if item.type != ItemType.RANKING:
        return None
    non_adopters = table[table.get("uses_ism") == "no"]
    options = [o.key for o in instrument.choice_list(item)]
    columns = [f"barriers__{o}" for o in options]
    if not set(columns) <= set(non_adopters) or non_adopters[columns].notna().sum().sum() == 0:
        return None
    data = non_adopters[columns].astype(float)
    data.columns = options
    data = data[data.notna().any(axis=1)]
    return complete_rankings(data)


def _barriers(table: pd.DataFrame, instrument: Instrument) -> list[dict]:
    data = _barrier_data(table, instrument)
    if data is None:
        return []
    summary = rank_summary(data, list(data.columns))
    return [
        {
            "reason": row["reason"],
            "mean_rank": float(row["mean_rank"]),
            "share_first": float(row["share_first"]),
            "n": int(row["n"]),
        }
        for row in summary.to_dict("records")
    ]


def _barrier_test(table: pd.DataFrame, instrument: Instrument) -> dict | None:
    """Friedman's test and Kendall's W over the (completed) rankings of the barriers."""
    data = _barrier_data(table, instrument)
    if data is None or len(data) < 3:
        return None
    return {key: float(value) for key, value in friedman(data, list(data.columns)).iloc[0].items()}


def _platforms(table: pd.DataFrame, scores: pd.DataFrame, instrument: Instrument) -> dict:
    if not _has(instrument, "platforms"):
        return {}
    adopters = table[table.get("uses_ism") == "yes"]
    overall = scores.set_index("org_id")["overall"]
    result: dict[str, Any] = {"platforms": {}}
    for option in instrument.choice_list(instrument.item("platforms")):
        used = adopters.get(f"platforms__{option.key}")
        main = adopters.get("main_platform")
        entry = {
            "used_by": int((used == 1).sum()) if used is not None else 0,
            "main_for": int((main == option.key).sum()) if main is not None else 0,
        }
        if main is not None:
            mine = adopters[main == option.key]
            entry["active_share_mean"] = (
                _mean(mine["active_share"]) if "active_share" in mine else None
            )
            entry["overall_mean"] = _mean(overall.reindex(mine["org_id"].astype(str)))
        result["platforms"][option.key] = entry
    if "main_platform" in adopters and "active_share" in adopters:
        dutch = adopters["main_platform"].isin(DUTCH_PLATFORMS)
        a = adopters.loc[dutch, "active_share"].dropna()
        b = adopters.loc[~dutch, "active_share"].dropna()
        if len(a) >= 2 and len(b) >= 2:
            test = compare_means(a, b).iloc[0].to_dict()
            result["dutch_vs_other_active_share"] = {
                "dutch_n": int(len(a)),
                "other_n": int(len(b)),
                **{k: _num(v) for k, v in test.items()},
            }
    return result


def _trends(table, previous, instrument, previous_instrument) -> dict:
    """Indicators of this edition against the previous one, each with its test."""
    result: dict[str, Any] = {"shares": {}, "means": {}}
    for name, (key, answer) in TREND_SHARES.items():
        if key not in table or key not in previous:
            continue
        now, before = table[key].dropna(), previous[key].dropna()
        if now.empty or before.empty:
            continue
        # a = this edition, b = the previous one: diff is the change since then
        test = compare_proportions(now == answer, before == answer).iloc[0].to_dict()
        result["shares"][name] = {
            "previous": float((before == answer).mean()),
            "current": float((now == answer).mean()),
            "previous_n": int(len(before)),
            "current_n": int(len(now)),
            **{k: _num(test[k]) for k in ("diff", "ci_low", "ci_high", "chi2", "p", "cramers_v")},
        }
    current_scores = scores_frame(score(table, instrument))
    previous_scores = scores_frame(score(previous, previous_instrument))
    pairs = {key: (current_scores[key], previous_scores[key]) for key in (*FACTORS, "overall")}
    for key in USAGE_SHARES:
        if key in table and key in previous:
            pairs[key] = (table[key], previous[key])
    for name, (now, before) in pairs.items():
        now, before = now.dropna().astype(float), before.dropna().astype(float)
        if len(now) < 2 or len(before) < 2:
            continue
        test = compare_means(now, before).iloc[0].to_dict()
        result["means"][name] = {
            "previous": float(before.mean()),
            "current": float(now.mean()),
            "previous_n": int(len(before)),
            "current_n": int(len(now)),
            **{
                k: _num(test[k])
                for k in ("diff", "ci_low", "ci_high", "t", "df", "p", "hedges_g", "p_mwu")
            },
        }
    return result


def _num(value):
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _clean(value):
    """NaN to None and numpy scalars to Python, all the way down."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return _num(value)
