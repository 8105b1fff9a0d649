"""The maturity model's rules, on the small test instrument where every number is by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from ismonitor.maturity import STAGES, percentile_rank, score, score_organisation, stage_of
from ismonitor.study import row_from_answers, validate


def _score(mini, **answers):
    row = row_from_answers(
        {"org_id": "X", "sector": "government", "uses_ism": "yes", **answers}, mini
    )
    checked = validate(pd.DataFrame([row]), mini)
    assert checked.problems == []
    return score_organisation(checked.table.to_dict("records")[0], mini)


FULL = dict(devices=["desktop", "mobile"], goals_set="yes", cm_support="full", part_of_work=5)


def test_all_preconditions_in_place_scores_100(mini):
    result = _score(mini, **FULL)
    assert result.factors == {
        "adoption": 100.0,
        "purposefulness": 100.0,
        "organisation": 100.0,
        "integration": 100.0,
    }
    assert result.overall == 100.0
    assert result.stage.key == "mature"
    assert result.advice == []


def test_each_item_type_is_scored_by_its_rule(mini):
    # devices: desktop only = 0.5; goals: no = 0; support: some = 0.5; likert 2 of 1-5 = 0.25
    result = _score(mini, devices=["desktop"], goals_set="no", cm_support="some", part_of_work=2)
    assert result.factors == {
        "adoption": 50.0,
        "purposefulness": 0.0,
        "organisation": 50.0,
        "integration": 25.0,
    }
    assert result.overall == pytest.approx(31.2)  # 0.25 * 125 = 31.25, rounded half to even
    assert result.stage.key == "starting"


def test_advice_puts_the_weakest_factor_first(mini):
    result = _score(mini, devices=["desktop"], goals_set="no", cm_support="some", part_of_work=2)
    # purposefulness 0, integration 25, then adoption and organisation tie at 50: the larger
    # weighted gap first (cm_support: 2 x 0.25 = 0.5 before devices: 1 x 0.25)
    assert [a.item for a in result.advice] == ["goals_set", "part_of_work", "cm_support", "devices"]
    assert result.advice[0].text.en == "Set goals."


def test_a_factor_without_answers_has_no_score(mini):
    result = _score(mini, devices=["desktop"], goals_set="yes", cm_support="some")
    assert result.factors["integration"] is None
    assert result.overall is None
    assert result.stage is None


def test_a_non_adopter_has_no_factors(mini):
    row = row_from_answers({"org_id": "N", "sector": "business", "uses_ism": "no"}, mini)
    result = score_organisation(row, mini)
    assert result.adopter is False
    assert result.factors is None


@pytest.mark.parametrize(
    ("overall", "stage"),
    [
        (0, "starting"),
        (39.9, "starting"),
        (40, "developing"),
        (59.9, "developing"),
        (60, "advanced"),
        (80, "mature"),
        (100, "mature"),
    ],
)
def test_stage_cut_offs(overall, stage):
    assert stage_of(overall).key == stage


def test_stages_are_named_in_both_languages():
    assert [s.label.nl for s in STAGES] == [
        "Beginnend",
        "In ontwikkeling",
        "Gevorderd",
        "Volwassen",
    ]
    assert [s.label.en for s in STAGES] == ["Starting", "Developing", "Advanced", "Mature"]


def test_percentile_rank_counts_ties_as_half():
    # Reference: R, mean(x < 3) * 100 + mean(x == 3) * 50 for x = c(1, 2, 3, 3, 5) -> 60
    assert percentile_rank([1, 2, 3, 3, 5], 3) == 60.0
    assert percentile_rank([1, 2, 3, 3, 5], 5) == 90.0


def test_organisations_are_placed_against_all_their_sector_and_size_class(mini):
    answers = [
        ("A", "government", "small", dict(FULL)),
        ("B", "government", "large", dict(FULL, goals_set="no")),
        ("C", "business", "small", dict(FULL, part_of_work=1, goals_set="no")),
    ]
    rows = [
        row_from_answers({"org_id": i, "sector": s, "size_class": c, "uses_ism": "yes", **a}, mini)
        for i, s, c, a in answers
    ]
    checked = validate(pd.DataFrame(rows), mini)
    results = {r.org_id: r for r in score(checked.table, mini)}
    assert [results[k].overall for k in "ABC"] == [100.0, 75.0, 50.0]
    assert results["A"].percentiles["all"] == {"percentile": pytest.approx(83.3), "n": 3}
    assert results["A"].percentiles["sector"] == {"percentile": 75.0, "n": 2}
    assert results["C"].percentiles["sector"] == {"percentile": 50.0, "n": 1}
    assert results["C"].percentiles["size_class"] == {"percentile": 25.0, "n": 2}
