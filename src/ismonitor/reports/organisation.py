"""The organisation report: one organisation's maturity against the benchmark, with advice."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from markupsafe import Markup

from ..i18n import gettext as _
from ..instrument import FACTORS, Instrument
from ..maturity import percentile_rank, score, scores_frame
from ..stats.edition import analyse
from . import charts, labels
from .national import SIGNIFICANT
from .render import correlation, number, percent, render


class UnknownOrganisation(KeyError):
    """No organisation with that id in the responses."""

    def __str__(self) -> str:
        return str(self.args[0])


def build(
    table: pd.DataFrame,
    instrument: Instrument,
    org_id: str,
    lang: str,
    analysis: dict | None = None,
) -> str:
    """One organisation's report as HTML (print it to PDF with ``render.write``)."""
    results = score(table, instrument)
    by_id = {r.org_id: r for r in results}
    if org_id not in by_id:
        known = ", ".join(list(by_id)[:5])
        raise UnknownOrganisation(
            f"no organisation {org_id!r} in the responses; ids look like {known}, ..."
        )
    result = analysis or analyse(table, instrument)
    me = by_id[org_id]
    row = table[table["org_id"].astype(str) == org_id].iloc[0]
    scores = scores_frame(results)
    adopters = scores[scores["adopter"]]
    context: dict[str, Any] = {
        "title": _("Organisation report", lang),
        "organisation": me.name or me.org_id,
        "org_id": me.org_id,
        "edition": ", ".join(e.removeprefix("synthetic-") for e in result.get("editions", [])),
        "today": date.today().isoformat(),
        "synthetic": result["synthetic"],
        "me": me,
        "sector": labels.option(instrument, "sectors", me.sector, lang),
        "size_class": labels.option(instrument, "size_classes", me.size_class, lang),
        "participants": result["participants"],
    }
    if not me.adopter:
        context["barriers"] = _own_barriers(row, result, instrument, lang)
        return render("organisation.html", lang, **context)
    groups = {
        "all": adopters,
        "sector": adopters[adopters["sector"] == me.sector],
        "size_class": adopters[adopters["size_class"] == me.size_class],
    }
    context.update(
        summary=_summary(me, lang),
        table=_table(me, groups, lang),
        radar=Markup(
            charts.svg(
                charts.radar(  # noqa: S704 - vl-convert's SVG
                    {
                        _("Your organisation", lang): me.factors,
                        _("All organisations", lang): {f: groups["all"][f].mean() for f in FACTORS},
                        _("Your sector", lang): {f: groups["sector"][f].mean() for f in FACTORS},
                    },
                    labels.factors(lang),
                    lang,
                ),
                lang,
            )
        ),  # fmt: skip
        strip=Markup(
            charts.svg(
                charts.position_strip(  # noqa: S704
                    adopters,
                    me.org_id,
                    groups["sector"]["org_id"].tolist(),
                    lang,
                    {
                        "all": _("Other organisations", lang),
                        "peers": _("Your sector", lang),
                        "self": _("Your organisation", lang),
                    },
                ),
                lang,
            )
        ),  # fmt: skip
        advice=_advice(me, instrument, lang),
        effects=effect_advice(row, result, instrument, lang),
        usage=_usage(row, result, lang),
    )
    return render("organisation.html", lang, **context)


def _summary(me, lang: str) -> list[str]:
    out = []
    if me.overall is not None:
        out.append(
            _("Your overall maturity score is %(score)s out of 100: the stage “%(stage)s”.", lang)
            % {"score": number(me.overall, lang), "stage": me.stage.label.get(lang)}
        )
        out.append(me.stage.description.get(lang))
        p = me.percentiles
        out.append(
            _("That is higher than %(all)s of all organisations (n = %(n_all)s), %(sector)s of "
              "your sector (n = %(n_sector)s) and %(size)s of your size class (n = %(n_size)s).",
              lang)
            % {"all": percent(p["all"]["percentile"] / 100, lang), "n_all": p["all"]["n"],
               "sector": percent(p["sector"]["percentile"] / 100, lang),
               "n_sector": p["sector"]["n"],
               "size": percent(p["size_class"]["percentile"] / 100, lang),
               "n_size": p["size_class"]["n"]}
        )  # fmt: skip
    factors = {f: v for f, v in (me.factors or {}).items() if v is not None}
    if factors:
        strong, weak = max(factors, key=factors.get), min(factors, key=factors.get)
        out.append(
            _("Your strongest factor is %(strong)s (%(strong_score)s), your weakest "
              "%(weak)s (%(weak_score)s): that is where the advice below starts.", lang)
            % {"strong": labels.factor(strong, lang), "weak": labels.factor(weak, lang),
               "strong_score": number(factors[strong], lang),
               "weak_score": number(factors[weak], lang)}
        )  # fmt: skip
    return out


def _table(me, groups: dict[str, pd.DataFrame], lang: str) -> list[dict]:
    rows = []
    for key in (*FACTORS, "overall"):
        mine = me.overall if key == "overall" else (me.factors or {}).get(key)
        values = groups["all"][key].dropna().tolist()
        rows.append({
            "label": labels.factor(key, lang),
            "mine": mine,
            "all": groups["all"][key].mean(),
            "sector": groups["sector"][key].mean(),
            "size_class": groups["size_class"][key].mean(),
            "percentile": percentile_rank(values, mine) if mine is not None and values else None,
        })  # fmt: skip
    return rows


def _advice(me, instrument: Instrument, lang: str) -> list[dict]:
    """Unmet elements grouped by factor, the weakest factor first (the model's order)."""
    grouped: dict[str, dict] = {}
    for advice in me.advice:
        group = grouped.setdefault(advice.factor, {
            "factor": labels.factor(advice.factor, lang),
            "score": (me.factors or {}).get(advice.factor),
            "items": [],
        })  # fmt: skip
        item = instrument.item(advice.item)
        group["items"].append({
            "element": instrument.elements[advice.element].label.get(lang),
            "question": item.label.get(lang),
            "score": advice.score,
            "advice": advice.text.get(lang),
        })  # fmt: skip
    return list(grouped.values())


def effect_advice(row: pd.Series, result: dict, instrument: Instrument, lang: str) -> list[dict]:
    """For each effect the organisation chose, the use this edition relates it to most.

    Drawn from the edition's own correlations (Holm-adjusted); a relation is a reason to
    steer on that use first, not proof that more use brings the effect.
    """
    if "effects" not in instrument.choices:
        return []
    chosen = [
        option for option in instrument.choices["effects"]
        if row.get(f"intended_effects__{option.key}") == 1
    ]  # fmt: skip
    out = []
    for option in chosen:
        if option.key not in instrument.constructs:
            continue
        related = sorted(
            (c for c in result["correlations"]
             if c["outcome"] == option.key and c["p_adj"] is not None
             and c["p_adj"] < SIGNIFICANT and c["r"] > 0),
            key=lambda c: -c["r"],
        )  # fmt: skip
        name = labels.lower_first(labels.outcome(instrument, option.key, lang))
        if related:
            best = related[0]
            text = _(
                "In this edition, organisations with more %(outcome)s are those that score "
                "higher on %(usage)s (r = %(r)s). That makes it the first thing to steer on for "
                "%(outcome)s; the relation does not prove that more of it brings more "
                "%(outcome)s.", lang,
            ) % {"outcome": name, "usage": labels.usage(instrument, best["usage"], lang),
                 "r": correlation(best["r"], lang)}  # fmt: skip
            also = [labels.usage(instrument, c["usage"], lang) for c in related[1:3]]
        else:
            text = _(
                "In this edition no kind of use is clearly related to %(outcome)s, so the data "
                "give no reason to steer on one kind of use rather than another.", lang,
            ) % {"outcome": name}  # fmt: skip
            also = []
        out.append({"effect": option.label.get(lang), "text": text, "also": also})
    return out


def _usage(row: pd.Series, result: dict, lang: str) -> list[dict]:
    rows = []
    names = {
        "active_share": _("Active share of the target group", lang),
        "passive_share": _("Passive share of the target group", lang),
    }
    for key, label in names.items():
        mine = row.get(key)
        mean = result["usage"].get(f"{key}_mean")
        rows.append({
            "label": label,
            "mine": None if mine is None or pd.isna(mine) else float(mine) / 100,
            "mean": None if mean is None else mean / 100,
        })  # fmt: skip
    return rows


def _own_barriers(row: pd.Series, result: dict, instrument: Instrument, lang: str) -> list[dict]:
    national = {b["reason"]: b for b in result["barriers"]}
    rows = []
    for option in instrument.choices.get("barrier_reasons", []):
        rank = row.get(f"barriers__{option.key}")
        rows.append({
            "label": option.label.get(lang),
            "rank": None if rank is None or pd.isna(rank) else int(rank),
            "mean_rank": national.get(option.key, {}).get("mean_rank"),
        })  # fmt: skip
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))
