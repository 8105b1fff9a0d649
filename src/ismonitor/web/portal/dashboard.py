"""What an organisation's dashboard shows, from the library's scores, analysis and charts.

Nothing is computed here: the scores and percentiles come from ``ismonitor.maturity``, the
benchmark means from ``ismonitor.stats.edition.analyse`` and the charts from
``ismonitor.reports.charts``; this module picks out one organisation and caches the
edition's results until its answers change.
"""

from __future__ import annotations

import tempfile
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from ismonitor.instrument import FACTORS
from ismonitor.maturity import OrganisationScore, score, scores_frame
from ismonitor.reports import charts, labels
from ismonitor.stats.edition import analyse

from ..editions.actions import data_version, responses_table
from ..editions.models import Edition, Participation


@dataclass
class EditionResults:
    """An edition's responses table, every organisation's scores and the analysis."""

    table: pd.DataFrame
    scores: dict[str, OrganisationScore]
    frame: pd.DataFrame
    analysis: dict[str, Any]


_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 64


def _cached(key: tuple, build):
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = build()
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _SIZE:
            _CACHE.popitem(last=False)
    return value


def results(edition: Edition) -> EditionResults:
    """The edition's results over its submitted answers, cached until they change."""

    def build() -> EditionResults:
        instrument = edition.instrument()
        table = responses_table(edition).table
        scored = score(table, instrument)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small groups: the analysis says so in its n
            analysis = analyse(table, instrument)
        return EditionResults(
            table=table,
            scores={result.org_id: result for result in scored},
            frame=scores_frame(scored),
            analysis=analysis,
        )

    return _cached(("results", edition.pk, data_version(edition)), build)


def _mean(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def benchmark(me: OrganisationScore, analysis: dict) -> list[dict[str, Any]]:
    """Per factor and overall: this organisation, and the means of all, sector, size class."""
    maturity = analysis["maturity"]
    sector = maturity.get("by_sector", {}).get(me.sector or "", {})
    size = maturity.get("by_size_class", {}).get(me.size_class or "", {})
    rows = []
    for key in (*FACTORS, "overall"):
        mine = me.overall if key == "overall" else (me.factors or {}).get(key)
        rows.append(
            {
                "key": key,
                "mine": mine,
                "all": _mean((maturity.get(key) or {}).get("mean")),
                "sector": _mean(sector.get(key)),
                "size_class": _mean(size.get(key)),
            }
        )
    return rows


def chart_svgs(edition: Edition, me: OrganisationScore, found: EditionResults, lang: str):
    """The radar, the position among all organisations and the factor distributions, as SVG."""

    def build() -> dict[str, str]:
        factor_labels = labels.factors(lang)
        rows = {row["key"]: row for row in benchmark(me, found.analysis)}
        series = {
            _("Your organisation"): me.factors or {},
            _("All organisations"): {f: rows[f]["all"] for f in FACTORS},
            _("Your sector"): {f: rows[f]["sector"] for f in FACTORS},
            _("Your size class"): {f: rows[f]["size_class"] for f in FACTORS},
        }
        adopters = found.frame[found.frame["adopter"]]
        peers = adopters[adopters["sector"] == me.sector]["org_id"].tolist()
        strip_labels = {
            "all": _("Other organisations"),
            "peers": _("Your sector"),
            "self": _("Your organisation"),
        }
        phone = charts.PHONE_FONT_SIZE  # a second drawing of each, narrower, for a phone
        return {
            "radar": charts.svg(charts.radar(series, factor_labels, lang), lang),
            "radar_phone": charts.svg(
                charts.radar(
                    series, factor_labels, lang, 330, phone, reach=200, label_x=106, height=250
                ),
                lang,
                phone,
            ),
            "position": charts.svg(
                charts.position_strip(adopters, me.org_id, peers, lang, strip_labels), lang
            ),
            "position_phone": charts.svg(
                charts.position_strip(
                    adopters, me.org_id, peers, lang, strip_labels, width=290, tick_step=20
                ),
                lang,
                phone,
            ),
            "distribution": charts.svg(
                charts.factor_distribution(adopters, factor_labels, lang), lang
            ),
            "distribution_phone": charts.svg(
                charts.factor_distribution(adopters, factor_labels, lang, width=190), lang, phone
            ),
        }

    key = ("charts", edition.pk, data_version(edition), me.org_id, lang)
    return _cached(key, build)


def history(participation: Participation) -> list[dict[str, Any]]:
    """This organisation's scores in every edition whose dashboard it may see, oldest first."""
    others = (
        Participation.objects.filter(organisation=participation.organisation)
        .exclude(submitted_at=None)
        .select_related("edition", "organisation")
        .order_by("edition__year", "edition__created_at")
    )
    out = []
    for other in others:
        if not other.dashboard_open:
            continue
        found = results(other.edition)
        me = found.scores.get(other.organisation.org_id)
        if me is None:
            continue
        out.append({"participation": other, "edition": other.edition, "score": me})
    return out


def organisation_pdf(participation: Participation, lang: str) -> bytes:
    """The organisation's own report as PDF (the library's report, as ``ismonitor report``)."""
    from ismonitor.reports import organisation, render

    found = results(participation.edition)
    instrument = participation.edition.instrument()
    html = organisation.build(
        found.table,
        instrument,
        participation.organisation.org_id,
        lang,
        analysis=found.analysis,
    )
    with tempfile.TemporaryDirectory(prefix="ismonitor-report-") as folder:
        path = render.write(html, Path(folder) / "report.pdf")
        return path.read_bytes()
