"""The organisation report: scores against the benchmark, advice, and what to steer on."""

from __future__ import annotations

import re
from html import unescape

import pytest

from ismonitor.reports import organisation


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _adopter_with_effect(edition, effect):
    rows = edition[(edition["uses_ism"] == "yes") & (edition[f"intended_effects__{effect}"] == 1)]
    return rows["org_id"].iloc[0]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_it_places_the_organisation_against_the_benchmark(edition, ism, analysis, lang):
    org = _adopter_with_effect(edition, "alignment")
    html = organisation.build(edition, ism, org, lang, analysis=analysis)
    text = _text(html)
    assert edition.set_index("org_id").loc[org, "org_name"] in text
    assert len(re.findall(r"<svg", html)) == 2  # the radar and the strip
    assert not re.search(r"\bNone\b|\bnan\b|%\(", text)


def test_it_advises_what_to_steer_on_for_the_chosen_effect(edition, ism, analysis):
    org = _adopter_with_effect(edition, "alignment")
    effects = organisation.effect_advice(edition.set_index("org_id").loc[org], analysis, ism, "en")
    alignment = next(e for e in effects if e["effect"].startswith("Alignment"))
    # the seeds: for alignment, steer on active use
    assert "the share of active users" in alignment["text"]
    assert "does not prove" in alignment["text"]


def test_it_lists_unmet_preconditions_with_advice(edition, ism, analysis):
    org = _adopter_with_effect(edition, "engagement")
    text = _text(organisation.build(edition, ism, org, "en", analysis=analysis))
    assert "What to work on" in text
    from ismonitor.maturity import score

    me = next(r for r in score(edition, ism) if r.org_id == org)
    assert me.advice, "the synthetic organisation meets every precondition"
    for advice in me.advice:
        assert advice.text.en in text


def test_a_non_adopter_sees_its_reasons_against_the_others(edition, ism, analysis):
    org = edition[edition["uses_ism"] == "no"]["org_id"].iloc[0]
    text = _text(organisation.build(edition, ism, org, "en", analysis=analysis))
    assert "does not use internal social media (yet)" in text
    assert "Employees have no need for it" in text


def test_an_unknown_organisation_is_refused(edition, ism, analysis):
    with pytest.raises(organisation.UnknownOrganisation, match="no organisation 'NOPE'"):
        organisation.build(edition, ism, "NOPE", "en", analysis=analysis)
