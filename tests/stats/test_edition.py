"""The national analysis on five synthetic editions finds what the study found, and no more.

The synthetic editions plant the study's relations (docs/demo-data.md); the analysis must
find active use related to alignment, communication satisfaction unrelated to every kind
of use, and the barriers in the study's order with costs last, in at least four of five.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ismonitor.instrument import get
from ismonitor.stats.edition import analyse, complete_rankings, usage_variables
from ismonitor.study.synthetic import generate

SEEDS = (11, 12, 13, 14, 15)
ORDER = [
    "no_employee_need",
    "unclear_purpose",
    "it_not_ready",
    "no_management_support",
    "no_starting_point",
    "costs",
]


@pytest.fixture(scope="module")
def instrument():
    return get("ism-2018")


@pytest.fixture(scope="module")
def analyses(instrument):
    return [analyse(generate(instrument, seed=seed), instrument) for seed in SEEDS]


def _pair(result, usage, outcome):
    return next(
        c for c in result["correlations"] if c["usage"] == usage and c["outcome"] == outcome
    )


def test_active_use_is_related_to_alignment(analyses):
    found = [_pair(a, "active_share", "alignment") for a in analyses]
    assert sum(c["r"] > 0 and c["p_adj"] < 0.05 for c in found) >= 4, found


def test_communication_satisfaction_is_unrelated_to_every_kind_of_use(analyses):
    def unrelated(result):
        pairs = [c for c in result["correlations"] if c["outcome"] == "communication_satisfaction"]
        return all(c["p_adj"] >= 0.05 for c in pairs)

    assert sum(unrelated(a) for a in analyses) >= 4


def test_barriers_come_in_the_study_order_with_costs_last(analyses):
    orders = [[b["reason"] for b in a["barriers"]] for a in analyses]
    assert all(order[-1] == "costs" for order in orders), orders
    assert sum(order == ORDER for order in orders) >= 4, orders


def test_the_correlation_table_covers_every_use_and_outcome(analyses, instrument):
    result = analyses[0]
    usage = usage_variables(instrument)
    assert "purpose_ideas" in usage and "active_frequency" in usage
    pairs = {(c["usage"], c["outcome"]) for c in result["correlations"]}
    assert pairs == {(u, o) for u in usage for o in instrument.constructs}
    for c in result["correlations"]:
        assert set(c) == {"usage", "outcome", "r", "n", "p", "p_adj", "ci_low", "ci_high"}
        assert c["p_adj"] >= c["p"]
        assert c["ci_low"] <= c["r"] <= c["ci_high"]


def test_it_reports_participants_usage_and_reliability(analyses, instrument):
    result = analyses[0]
    participants = result["participants"]
    assert participants["organisations"] == 139
    assert participants["adopters"] + participants["non_adopters"] == 139
    assert 20 < result["usage"]["active_share_mean"] < 35
    assert 48 < result["usage"]["passive_share_mean"] < 62
    assert set(result["reliability"]) == set(instrument.constructs)
    assert all(r["alpha"] > 0.7 for r in result["reliability"].values())
    assert set(result["maturity"]["stages"]) == {"starting", "developing", "advanced", "mature"}
    assert sum(result["maturity"]["stages"].values()) == participants["adopters"]
    assert result["barriers_test"]["p"] < 0.001
    json.dumps(result, allow_nan=False)  # plain JSON: no NaN, no numpy


def test_trends_compare_with_the_previous_edition(instrument):
    now = generate(instrument, seed=1)
    before = generate(instrument, seed=2, year=2016)
    result = analyse(now, instrument, previous=before)
    adopters = result["trends"]["shares"]["adopter_share"]
    assert adopters["current"] == pytest.approx((now["uses_ism"] == "yes").mean())
    assert adopters["previous"] == pytest.approx((before["uses_ism"] == "yes").mean())
    assert adopters["diff"] == pytest.approx(adopters["current"] - adopters["previous"])
    overall = result["trends"]["means"]["overall"]
    assert overall["ci_low"] < overall["diff"] < overall["ci_high"]


def test_partial_rankings_tie_the_unranked_for_the_remaining_places():
    data = pd.DataFrame({"a": [1, 2, None], "b": [2, 1, None], "c": [None, 3, None],
                         "d": [None, 4, None]})  # fmt: skip
    filled = complete_rankings(data)
    assert filled.iloc[0].tolist() == [1, 2, 3.5, 3.5]  # ranks 3 and 4 shared
    assert filled.iloc[1].tolist() == [2, 1, 3, 4]
    assert filled.iloc[2].isna().all()
