"""The national report: every chapter, in both languages, with charts and careful words."""

from __future__ import annotations

import re
from html import unescape

import pytest

from ismonitor.reports import national
from ismonitor.study.synthetic import generate

CAUSAL = re.compile(r"\b(causes?|caused|leads? to|results? in|leidt tot|leiden tot|"
                    r"veroorzaakt|zorgt voor|zorgen voor)\b", re.I)  # fmt: skip

CHAPTERS = {
    "en": ["Key findings", "1. Who took part", "2. The maturity model",
           "3. Active and passive use", "4. What the platform is used for",
           "5. Use and outcomes", "6. Why organisations do not use internal social media",
           "7. Trends since the previous edition", "8. Platforms", "9. Method"],
}  # fmt: skip


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module", params=["nl", "en"])
def report(request, edition, ism, analysis):
    return request.param, national.build(edition, ism, request.param, analysis=analysis)


def test_it_has_every_chapter(report):
    lang, html = report
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert len(headings) == 10
    if lang in CHAPTERS:
        assert headings == CHAPTERS[lang]


def test_it_says_the_data_are_synthetic(report):
    lang, html = report
    assert ("SYNTHETIC" if lang == "en" else "SYNTHETISCH") in html.upper()


def test_it_shows_charts_as_vector_graphics(report):
    _, html = report
    assert len(re.findall(r"<svg", html)) >= 10


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_its_findings_never_claim_a_cause(ism, analysis, lang):
    sentences = national.findings(analysis, ism, lang)
    assert len(sentences) >= 8
    for sentence in sentences:
        assert not CAUSAL.findall(sentence), sentence


def test_it_warns_that_relations_are_not_causes(report):
    lang, html = report
    text = _text(html)
    warning = {"en": "not what causes what", "nl": "niet wat de oorzaak"}[lang]
    assert warning in text or lang == "nl" and "samenhang" in text.lower()


def test_it_leaves_nothing_unfilled(report):
    _, html = report
    text = _text(html)
    for bad in (r"\bNone\b", r"\bnan\b", r"\bNaN\b", r"%\(", r"\{\{", "Undefined"):
        assert not re.search(bad, text), bad


def test_dutch_is_dutch(report):
    lang, html = report
    text = _text(html)
    if lang == "nl":
        assert "Belangrijkste bevindingen" in text or "Kernbevindingen" in text
        assert "samenhang" in text.lower()
        assert "The maturity model" not in text
        assert re.search(r"\d,\d", text)  # decimal commas


def test_it_finds_the_planted_relations(edition, ism, analysis):
    sentences = national.relation_sentences(analysis, ism, "en")
    alignment = next(s for s in sentences if s.startswith("Alignment"))
    assert "the share of active users" in alignment
    assert "Communication satisfaction is not clearly related to any kind of use." in sentences


def test_it_shows_trends_when_given_the_previous_edition(edition, ism):
    previous = generate(ism, seed=22, year=2016)
    html = national.build(edition, ism, "en", previous=previous)
    text = _text(html)
    assert "No previous edition was given" not in text
    assert "Goals translated into KPIs" in text
