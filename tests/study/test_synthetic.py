"""The synthetic edition: labelled, valid, and calibrated to the figures of the seeds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ismonitor.instrument import get
from ismonitor.study import validate
from ismonitor.study.synthetic import generate, is_synthetic

SEEDS = (1, 2, 3, 4, 5)


@pytest.fixture(scope="module")
def instrument():
    return get("ism-2018")


@pytest.fixture(scope="module")
def editions(instrument):
    return {seed: generate(instrument, seed=seed) for seed in SEEDS}


def _scale(table, instrument, construct):
    items = instrument.construct_items(construct)
    values = []
    for item in items:
        scale = instrument.likert(item)
        column = table[item.key].astype(float)
        values.append(scale.min + scale.max - column if item.reverse else column)
    return np.nanmean(np.column_stack(values), axis=1)


def test_it_has_139_labelled_synthetic_organisations(editions):
    table = editions[1]
    assert len(table) == 139
    assert is_synthetic(table)
    assert table["edition"].eq("synthetic-2018").all()
    assert table["org_name"].str.startswith("Synthetische organisatie").all()
    assert table["org_id"].is_unique


def test_every_edition_is_valid_against_the_instrument(editions, instrument):
    for table in editions.values():
        assert validate(table, instrument).problems == []


def test_about_a_fifth_does_not_use_internal_social_media(editions):
    # 2016: 26 of 117 organisations (22%) did not use internal social media
    shares = [(t["uses_ism"] == "no").mean() for t in editions.values()]
    assert all(0.12 <= s <= 0.32 for s in shares), shares
    assert 0.17 <= np.mean(shares) <= 0.27


def test_mean_active_and_passive_share_match_2018(editions):
    # 2018: at most 55% of the target group passive users, 27% active
    active = [t["active_share"].mean() for t in editions.values()]
    passive = [t["passive_share"].mean() for t in editions.values()]
    assert all(23 <= a <= 31 for a in active), active
    assert all(50 <= p <= 60 for p in passive), passive
    assert abs(np.mean(active) - 27) < 2
    assert abs(np.mean(passive) - 55) < 2.5
    for table in editions.values():
        total = table["active_share"] + table["passive_share"]
        assert (total.dropna() <= 100).all()


def test_barriers_follow_the_order_of_the_study_with_costs_last(editions, instrument):
    order = [option.key for option in instrument.choices["barrier_reasons"]]
    in_order = 0
    for table in editions.values():
        ranks = {key: table[f"barriers__{key}"].mean() for key in order}
        assert max(ranks, key=ranks.get) == "costs"
        in_order += sorted(order, key=ranks.get) == order
    assert in_order >= 4


def test_active_use_is_related_to_alignment(editions, instrument):
    for table in editions.values():
        adopters = table[table["uses_ism"] == "yes"]
        alignment = _scale(adopters, instrument, "alignment")
        ok = ~np.isnan(alignment) & adopters["active_share"].notna().to_numpy()
        r, p = stats.pearsonr(adopters["active_share"][ok], alignment[ok])
        assert r > 0.3 and p < 0.001, (r, p)


def test_communication_satisfaction_is_unrelated_to_use(editions, instrument):
    unrelated = 0
    for table in editions.values():
        adopters = table[table["uses_ism"] == "yes"]
        satisfaction = _scale(adopters, instrument, "communication_satisfaction")
        ps = []
        for usage in ("active_share", "passive_share"):
            ok = ~np.isnan(satisfaction) & adopters[usage].notna().to_numpy()
            ps.append(stats.pearsonr(adopters[usage][ok], satisfaction[ok])[1])
        unrelated += min(ps) > 0.01
    assert unrelated >= 4


def test_the_outcome_scales_are_reliable(editions, instrument):
    # Cronbach's alpha of each construct's four items (one reverse-keyed) above .7
    import pingouin

    table = editions[1][editions[1]["uses_ism"] == "yes"]
    for construct in instrument.constructs:
        items = instrument.construct_items(construct)
        data = table[[item.key for item in items]].astype(float).copy()
        for item in items:
            if item.reverse:
                data[item.key] = 6 - data[item.key]
        alpha, _ = pingouin.cronbach_alpha(data)
        assert alpha > 0.7, (construct, alpha)
