"""The national report: the study's chapters, with charts, in Dutch or English."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from babel.lists import format_list
from markupsafe import Markup

from ..i18n import gettext as _
from ..instrument import FACTORS, Instrument
from ..maturity import score, scores_frame
from ..stats.edition import analyse
from . import charts, labels
from .render import correlation, number, percent, render

SIGNIFICANT = 0.05


def build(
    table: pd.DataFrame,
    instrument: Instrument,
    lang: str,
    previous: pd.DataFrame | None = None,
    previous_instrument: Instrument | None = None,
    analysis: dict | None = None,
) -> str:
    """The national report as one HTML document (print it to PDF with ``render.write``)."""
    result = analysis or analyse(table, instrument, previous, previous_instrument)
    scores = scores_frame(score(table, instrument))
    context = {
        "title": _("Internal social media in the Netherlands", lang),
        "subtitle": _("National report, edition %(edition)s", lang)
        % {"edition": _edition(result, lang)},
        "today": date.today().isoformat(),
        "synthetic": result["synthetic"],
        "result": result,
        "instrument": instrument,
        "findings": findings(result, instrument, lang),
        "participants": _participants(result, instrument, lang),
        "maturity": _maturity(result, scores, instrument, lang),
        "usage": _usage(result, table, instrument, lang),
        "relations": _relations(result, instrument, lang),
        "barriers": _barriers(result, instrument, lang),
        "trends": _trends(result, lang),
        "platforms": _platforms(result, instrument, lang),
        "method": _method(result, instrument, lang),
        "group_label": lambda group, key: labels.option(
            instrument, {"by_sector": "sectors", "by_size_class": "size_classes"}[group], key, lang
        ),
    }
    return render("national.html", lang, **context)


def _edition(result: dict, lang: str) -> str:
    editions = result.get("editions") or []
    text = ", ".join(e.removeprefix("synthetic-") for e in editions) or "–"
    return text + (" (" + _("synthetic", lang) + ")" if result["synthetic"] else "")


def _svg(chart, lang: str) -> Markup:
    return Markup(charts.svg(chart, lang))  # noqa: S704 - vl-convert's own SVG, no user HTML


# -- key findings -------------------------------------------------------------------------------


def findings(result: dict, instrument: Instrument, lang: str) -> list[str]:
    """The report's main findings as whole sentences."""
    out = []
    p = result["participants"]
    out.append(
        _("%(organisations)s organisations took part; %(adopters)s of them (%(share)s) use "
          "internal social media.", lang)
        % {"organisations": p["organisations"], "adopters": p["adopters"],
           "share": percent(p["adopter_share"], lang)}
    )  # fmt: skip
    m = result["maturity"]
    if m["overall"].get("n"):
        means = {f: m[f]["mean"] for f in FACTORS if m[f].get("mean") is not None}
        strong, weak = max(means, key=means.get), min(means, key=means.get)
        most = max(m["stages"], key=m["stages"].get)
        out.append(
            _("The average maturity score is %(score)s out of 100; most organisations are in "
              "the stage “%(stage)s”.", lang)
            % {"score": number(m["overall"]["mean"], lang), "stage": labels.stage(most, lang)}
        )  # fmt: skip
        out.append(
            _("%(strong)s is the strongest factor (%(strong_score)s), %(weak)s the weakest "
              "(%(weak_score)s).", lang)
            % {"strong": labels.factor(strong, lang), "weak": labels.factor(weak, lang),
               "strong_score": number(means[strong], lang),
               "weak_score": number(means[weak], lang)}
        )  # fmt: skip
    u = result["usage"]
    if u.get("active_share_mean") is not None:
        out.append(
            _("On average %(active)s of the intended target group is active (posts or "
              "responds) and %(passive)s only reads.", lang)
            % {"active": percent(u["active_share_mean"] / 100, lang),
               "passive": percent(u["passive_share_mean"] / 100, lang)}
        )  # fmt: skip
    out += relation_sentences(result, instrument, lang)
    if result["barriers"]:
        first, last = result["barriers"][0], result["barriers"][-1]
        out.append(
            _("Organisations that do not use internal social media most often name “%(first)s” "
              "as the main reason; “%(last)s” matters least.", lang)
            % {"first": labels.option(instrument, "barrier_reasons", first["reason"], lang),
               "last": labels.option(instrument, "barrier_reasons", last["reason"], lang)}
        )  # fmt: skip
    return out


def relation_sentences(result: dict, instrument: Instrument, lang: str) -> list[str]:
    """Per outcome, the kinds of use it is related to, in words that claim no cause."""
    out = []
    for outcome in instrument.constructs:
        pairs = [c for c in result["correlations"] if c["outcome"] == outcome]
        positive = sorted(
            (
                c
                for c in pairs
                if c["p_adj"] is not None and c["p_adj"] < SIGNIFICANT and c["r"] > 0
            ),
            key=lambda c: -c["r"],
        )
        negative = [c for c in pairs if c["p_adj"] is not None and c["p_adj"] < SIGNIFICANT
                    and c["r"] < 0]  # fmt: skip
        name = labels.lower_first(labels.outcome(instrument, outcome, lang))
        if positive:
            uses = format_list(
                [f"{labels.usage(instrument, c['usage'], lang)} (r = {correlation(c['r'], lang)})"
                 for c in positive],
                locale="nl_NL" if lang == "nl" else "en_GB",
            )  # fmt: skip
            out.append(
                _("%(outcome)s is positively related to %(uses)s.", lang)
                % {"outcome": name[:1].upper() + name[1:], "uses": uses}
            )
        if negative:
            uses = format_list(
                [labels.usage(instrument, c["usage"], lang) for c in negative],
                locale="nl_NL" if lang == "nl" else "en_GB",
            )
            out.append(
                _("%(outcome)s is negatively related to %(uses)s.", lang)
                % {"outcome": name[:1].upper() + name[1:], "uses": uses}
            )
        if pairs and not positive and not negative:
            out.append(
                _("%(outcome)s is not clearly related to any kind of use.", lang)
                % {"outcome": name[:1].upper() + name[1:]}
            )
    return out


# -- chapters -----------------------------------------------------------------------------------


def _participants(result: dict, instrument: Instrument, lang: str) -> dict:
    p = result["participants"]
    rows = []
    for key, counts in sorted(
        p.get("by_sector", {}).items(), key=lambda kv: -kv[1]["organisations"]
    ):
        rows.append({"label": labels.option(instrument, "sectors", key, lang), **counts})
    sizes = []
    for option in instrument.choices.get("size_classes", []):
        counts = p.get("by_size_class", {}).get(option.key)
        if counts:
            sizes.append({"label": option.label.get(lang), **counts})
    frame = pd.DataFrame(
        [{"label": r["label"], "part": _("Uses internal social media", lang), "n": r["adopters"]}
         for r in rows]
        + [{"label": r["label"], "part": _("Does not use it", lang),
            "n": r["organisations"] - r["adopters"]} for r in rows]
    )  # fmt: skip
    chart = None
    if not frame.empty:
        import altair as alt

        chart = _svg(
            alt.Chart(frame).mark_bar().encode(
                y=alt.Y("label:N", sort=[r["label"] for r in rows], title=None),
                x=alt.X("n:Q", stack="zero", title=_("Organisations", lang)),
                color=alt.Color("part:N", title=None, scale=alt.Scale(
                    domain=[_("Uses internal social media", lang), _("Does not use it", lang)],
                    range=[charts.BLUE, charts.GREY])),
            ).properties(width=380, height=20 * len(rows)), lang)  # fmt: skip
    return {"sectors": rows, "sizes": sizes, "chart": chart}


def _maturity(result: dict, scores: pd.DataFrame, instrument: Instrument, lang: str) -> dict:
    m = result["maturity"]
    adopters = scores[scores["adopter"]]
    names = labels.factors(lang)
    rows = [{"label": labels.factor(k, lang), **m[k]} for k in (*FACTORS, "overall")]
    groups = {}
    for group, title in (
        ("by_sector", _("Sector", lang)),
        ("by_size_class", _("Size class", lang)),
    ):
        data = m.get(group) or {}
        groups[group] = {"title": title, "rows": data}
    return {
        "rows": rows,
        "distribution": _svg(charts.factor_distribution(adopters, names, lang), lang)
        if len(adopters)
        else None,
        "stages": _svg(charts.stage_bars(m["stages"], labels.stages(lang), lang), lang),
        "stage_counts": [{"label": labels.stage(k, lang), "n": n} for k, n in m["stages"].items()],
        "groups": groups,
        "factor_labels": [names[f] for f in FACTORS],
    }


def _usage(result: dict, table: pd.DataFrame, instrument: Instrument, lang: str) -> dict:
    u = result["usage"]
    out: dict[str, Any] = {"summary": u}
    if u.get("active_share_mean") is None:
        return out
    active, passive = u["active_share_mean"], u["passive_share_mean"]
    out["pyramid"] = _svg(charts.pyramid(
        {"active": active, "passive": passive, "inactive": max(0.0, 100 - active - passive)},
        lang), lang)  # fmt: skip
    adopters = table[table["uses_ism"] == "yes"]
    long = pd.concat([
        pd.DataFrame({"part": _("Active", lang), "share": adopters["active_share"]}),
        pd.DataFrame({"part": _("Passive", lang), "share": adopters["passive_share"]}),
    ]).dropna()  # fmt: skip
    out["histogram"] = _svg(charts.share_histogram(long, lang), lang)
    frequencies = []
    order = [o.label.get(lang) for o in instrument.choices.get("frequency", [])]
    for key, group in (("active_frequency", _("Active users", lang)),
                       ("passive_frequency", _("Passive users", lang))):  # fmt: skip
        for rank, (option, count) in enumerate((u.get(key) or {}).items()):
            frequencies.append({
                "group": group, "rank": rank, "share": count,
                "frequency": labels.option(instrument, "frequency", option, lang),
            })  # fmt: skip
    if frequencies:
        out["frequencies"] = _svg(
            charts.frequency_bars(pd.DataFrame(frequencies), order, lang), lang
        )
    purposes = [
        {"label": labels.option(instrument, "purposes", key, lang), "value": value["share"]}
        for key, value in (u.get("purposes") or {}).items()
        if value["share"] is not None
    ]
    out["purposes"] = purposes
    if purposes:
        chart = charts.horizontal_bars(
            pd.DataFrame(purposes), _("Share of organisations", lang), ".0%", (0, 1)
        )
        out["purposes_chart"] = _svg(chart, lang)
    return out


def _relations(result: dict, instrument: Instrument, lang: str) -> dict:
    rows = []
    for c in result["correlations"]:
        rows.append({
            **c,
            "usage_label": labels.usage_short(instrument, c["usage"], lang),
            "outcome_label": labels.outcome(instrument, c["outcome"], lang),
            "significant": c["p_adj"] is not None and c["p_adj"] < SIGNIFICANT,
        })  # fmt: skip
    heatmap = _svg(charts.correlation_heatmap(pd.DataFrame(rows), lang), lang) if rows else None
    return {
        "rows": [r for r in rows if r["significant"]],
        "all": rows,
        "heatmap": heatmap,
        "sentences": relation_sentences(result, instrument, lang),
        "tests": len(rows),
    }


def _barriers(result: dict, instrument: Instrument, lang: str) -> dict:
    rows = [
        {**b, "label": labels.option(instrument, "barrier_reasons", b["reason"], lang)}
        for b in result["barriers"]
    ]
    chart = _svg(charts.barrier_bars(pd.DataFrame(rows), lang), lang) if rows else None
    return {"rows": rows, "chart": chart, "test": result.get("barriers_test")}


def _trends(result: dict, lang: str) -> dict | None:
    trends = result.get("trends")
    if not trends:
        return None
    share_names = {
        "adopter_share": _("Organisations using internal social media", lang),
        "goals_contribution_share": _("Goals on the platform's contribution", lang),
        "kpis_share": _("Goals translated into KPIs", lang),
        "targets_share": _("Targets set for the KPIs", lang),
        "job_description_share": _("Community management in job descriptions", lang),
    }
    mean_names = {
        **{f: labels.factor(f, lang) for f in (*FACTORS, "overall")},
        "active_share": _("Active share (percentage of the target group)", lang),
        "passive_share": _("Passive share (percentage of the target group)", lang),
    }
    shares = [{**v, "label": share_names.get(k, k)} for k, v in trends["shares"].items()]
    means = [{**v, "label": mean_names.get(k, k)} for k, v in trends["means"].items()]
    frame = pd.DataFrame(
        [{"label": s["label"], "edition": _("Previous edition", lang), "value": 100 * s["previous"]}
         for s in shares]
        + [{"label": s["label"], "edition": _("This edition", lang), "value": 100 * s["current"]}
           for s in shares]
    )  # fmt: skip
    chart = _svg(charts.trend_bars(frame, lang), lang) if not frame.empty else None
    return {"shares": shares, "means": means, "chart": chart}


def _platforms(result: dict, instrument: Instrument, lang: str) -> dict:
    data = result.get("platforms") or {}
    rows = [
        {**v, "label": labels.option(instrument, "platforms", k, lang)}
        for k, v in sorted((data.get("platforms") or {}).items(), key=lambda kv: -kv[1]["main_for"])
    ]
    chart = None
    if rows:
        frame = pd.DataFrame([{"label": r["label"], "value": r["main_for"]} for r in rows])
        chart = _svg(
            charts.horizontal_bars(frame, _("Organisations (main platform)", lang), "d"), lang
        )
    return {"rows": rows, "chart": chart, "dutch": data.get("dutch_vs_other_active_share")}


def _method(result: dict, instrument: Instrument, lang: str) -> dict:
    rows = [
        {"label": labels.outcome(instrument, k, lang), "n_items": len(v["items"]),
         "reversed": sum(1 for i in v["items"].values() if i["reversed"]), **v}
        for k, v in result["reliability"].items()
    ]  # fmt: skip
    return {"scales": rows, "instrument": f"{instrument.name} {instrument.version}"}


__all__ = ["build", "findings", "relation_sentences"]
