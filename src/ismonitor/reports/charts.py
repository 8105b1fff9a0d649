"""Charts for the reports and the portal: Vega-Lite specs (Altair) rendered to SVG offline.

Every function takes plain data and a language and returns an Altair chart; :func:`svg`
renders one with vl-convert. Texts on a chart go through gettext like every other text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import pandas as pd

from ..i18n import gettext as _

FONT = "Liberation Sans"
"""A font that vl-convert (measuring) and WeasyPrint (drawing) both find on the system."""

BLUE = "#1f5a96"
LIGHT = "#9dbfe0"
ORANGE = "#e07b39"
GREY = "#b8b8b8"
DIVERGING = "redblue"

CONFIG = {
    "font": FONT,
    "padding": 12,
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "labelLimit": 260,
        "grid": True,
        "gridColor": "#e6e6e6",
        "domainColor": "#888888",
        "tickColor": "#888888",
    },
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 260, "orient": "bottom"},
    "title": {"fontSize": 13, "anchor": "start", "fontWeight": "bold"},
    "header": {"labelFontSize": 11, "titleFontSize": 11},
}


def _themed(chart: alt.TopLevelMixin, font_size: int | None = None) -> alt.TopLevelMixin:
    axis, legend, header = CONFIG["axis"], CONFIG["legend"], CONFIG["header"]
    if font_size is not None:  # larger texts, and legends in two columns, for a phone
        sizes = {"labelFontSize": font_size, "titleFontSize": font_size}
        axis, header = {**axis, **sizes}, {**header, **sizes}
        legend = {**legend, **sizes, "columns": 2}
    return (
        chart.configure(
            **{
                k: v
                for k, v in CONFIG.items()
                if k not in ("axis", "legend", "title", "view", "header")
            }
        )
        .configure_axis(**axis)
        .configure_legend(**legend)
        .configure_title(**CONFIG["title"])
        .configure_view(**CONFIG["view"])
        .configure_header(**header)
    )


PHONE_FONT_SIZE = 13
"""The size of the texts of a chart drawn for a phone (at its own width, about 330 px)."""


def svg(chart: alt.TopLevelMixin, lang: str = "en", font_size: int | None = None) -> str:
    """The chart as an SVG document (no network: vl-convert bundles Vega).

    Numbers on the axes follow the language: ``0,5`` in Dutch, ``0.5`` in English.
    ``font_size`` sets the size of the axes' and legends' texts (11 by default).
    """
    import vl_convert

    spec = _themed(chart, font_size).to_dict()
    text = vl_convert.vegalite_to_svg(spec, format_locale="nl-NL" if lang == "nl" else "en-GB")
    # an <svg> element to place inline in HTML: drop the XML declaration if any
    return text[text.index("<svg") :]


# -- the maturity model ---------------------------------------------------------------------


def factor_distribution(
    scores: pd.DataFrame, factors: dict[str, str], lang: str, width: int = 420
) -> alt.Chart:
    """Box plots of the factor scores (0-100), one row per factor, the median in white."""
    long = scores.melt(value_vars=list(factors), var_name="factor", value_name="score").dropna()
    long["label"] = long["factor"].map(factors)
    return (
        alt.Chart(long)
        .mark_boxplot(
            extent="min-max",
            size=20,
            color=BLUE,
            median={"color": "white", "strokeWidth": 2},
            rule={"color": "#555555"},
            ticks={"color": "#555555", "size": 10},
        )
        .encode(
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title=_("Score (0-100)", lang)),
            y=alt.Y("label:N", sort=list(factors.values()), title=None),
        )
        .properties(width=width, height=36 * len(factors))
    )


def stage_bars(counts: dict[str, int], labels: dict[str, str], lang: str) -> alt.Chart:
    """The number of organisations per stage."""
    frame = pd.DataFrame({"stage": [labels[k] for k in counts], "n": list(counts.values())})
    return alt.Chart(frame).mark_bar(color=BLUE).encode(
        x=alt.X("stage:N", sort=list(labels.values()), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("n:Q", title=_("Organisations", lang)),
        tooltip=["stage", "n"],
    ).properties(width=360, height=180) + alt.Chart(frame).mark_text(dy=-7, font=FONT).encode(
        x=alt.X("stage:N", sort=list(labels.values())), y="n:Q", text="n:Q"
    )


def radar(
    series: dict[str, dict[str, float]],
    factors: dict[str, str],
    lang: str,
    size: int = 440,
    font_size: int = 11,
    reach: int = 183,
    label_x: int = 106,
    height: int | None = 300,
) -> alt.LayerChart:
    """A radar of the four factors (0-100) for one or more series (organisation, benchmarks),
    ``size`` pixels wide, the factors' names in ``font_size``; it spans -reach to reach
    across (100 is the outer ring), with room for the names, placed ``label_x`` from the
    centre across (starting there) and 112 up and down; ``height`` (default ``size``)
    crops it vertically, keeping the units of both directions the same.

    Vega-Lite has no polar line, so the points are placed by their angle and radius here.
    """
    keys = list(factors)
    angle = {k: math.pi / 2 - 2 * math.pi * i / len(keys) for i, k in enumerate(keys)}
    grid = []
    for level in (25, 50, 75, 100):
        for i, k in enumerate([*keys, keys[0]]):
            grid.append(
                {
                    "level": level,
                    "order": i,
                    "x": level * math.cos(angle[k]),
                    "y": level * math.sin(angle[k]),
                }
            )
    rows = []
    for name, values in series.items():
        for i, k in enumerate([*keys, keys[0]]):
            value = values.get(k)
            value = 0.0 if value is None else float(value)
            rows.append(
                {
                    "series": name,
                    "order": i,
                    "x": value * math.cos(angle[k]),
                    "y": value * math.sin(angle[k]),
                    "factor": factors[k],
                    "score": value,
                }
            )
    spokes = [
        {"x": 0, "y": 0, "x2": 100 * math.cos(angle[k]), "y2": 100 * math.sin(angle[k])}
        for k in keys
    ]

    # A name left or right of the radar starts (or ends) beside its ring, never across it.
    def align(k: str) -> str:
        across = math.cos(angle[k])
        return "left" if across > 0.5 else "right" if across < -0.5 else "center"

    labels = [
        {
            "x": label_x * math.cos(angle[k]),
            "y": 112 * math.sin(angle[k]),
            "text": factors[k],
            "align": align(k),
        }
        for k in keys
    ]
    scale = alt.Scale(domain=[-reach, reach])
    height = height or size
    y_scale = alt.Scale(domain=[-reach * height / size, reach * height / size])  # same units
    axis = None
    names = list(series)
    colors = [BLUE, ORANGE, GREY, "#6a9f58"][: len(names)]
    rings = (
        alt.Chart(pd.DataFrame(grid))
        .mark_line(color="#dddddd", strokeWidth=1)
        .encode(
            x=alt.X("x:Q", scale=scale, axis=axis),
            y=alt.Y("y:Q", scale=y_scale, axis=axis),
            detail="level:N",
            order="order:Q",
        )
    )
    rays = (
        alt.Chart(pd.DataFrame(spokes))
        .mark_rule(color="#dddddd")
        .encode(
            x=alt.X("x:Q", scale=scale, axis=axis),
            y=alt.Y("y:Q", scale=y_scale, axis=axis),
            x2="x2:Q",
            y2="y2:Q",
        )
    )
    text = alt.layer(
        *(
            alt.Chart(pd.DataFrame([label for label in labels if label["align"] == side]))
            .mark_text(font=FONT, fontSize=font_size, align=side)
            .encode(
                x=alt.X("x:Q", scale=scale, axis=axis),
                y=alt.Y("y:Q", scale=y_scale, axis=axis),
                text="text:N",
            )
            for side in ("left", "right", "center")
            if any(label["align"] == side for label in labels)
        )
    )
    color = alt.Color("series:N", scale=alt.Scale(domain=names, range=colors), title=None)
    lines = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("x:Q", scale=scale, axis=axis),
            y=alt.Y("y:Q", scale=y_scale, axis=axis),
            color=color,
            order="order:Q",
            tooltip=["series", "factor", "score"],
        )
    )
    return (rings + rays + text + lines).properties(width=size, height=height)


def position_strip(
    scores: pd.DataFrame,
    highlight: str,
    peers: Sequence[str],
    lang: str,
    labels: dict[str, str],
    width: int = 460,
    tick_step: int = 10,
) -> alt.LayerChart:
    """Every organisation's overall score as a dot; the organisation and its peers stand out.

    ``scores`` has ``org_id`` and ``overall``; ``labels`` names the three groups.
    """
    frame = scores[["org_id", "overall"]].dropna().copy()
    frame["group"] = labels["all"]
    frame.loc[frame["org_id"].isin(peers), "group"] = labels["peers"]
    frame.loc[frame["org_id"] == highlight, "group"] = labels["self"]
    domain = [labels["all"], labels["peers"], labels["self"]]
    base = alt.Chart(frame).encode(
        x=alt.X(
            "overall:Q",
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(values=list(range(0, 101, tick_step))),
            title=_("Overall maturity score (0-100)", lang),
        ),
        color=alt.Color(
            "group:N", scale=alt.Scale(domain=domain, range=[GREY, LIGHT, ORANGE]), title=None
        ),
    )
    dots = base.mark_tick(thickness=2, size=22).encode(
        opacity=alt.condition(alt.datum.group == labels["self"], alt.value(1), alt.value(0.7)),
        strokeWidth=alt.condition(alt.datum.group == labels["self"], alt.value(4), alt.value(1)),
    )
    return dots.properties(width=width, height=40)


# -- use ----------------------------------------------------------------------------------------


def pyramid(shares: dict[str, float], lang: str) -> alt.Chart:
    """The target group as creators/contributors/consumers against the 90-9-1 norm.

    ``shares``: ``active``, ``passive`` and ``inactive`` as percentages of the target group.
    """
    rows = [
        {"bar": _("90-9-1 norm", lang), "part": _("Active", lang), "share": 10, "o": 0},
        {"bar": _("90-9-1 norm", lang), "part": _("Passive", lang), "share": 90, "o": 1},
        {"bar": _("90-9-1 norm", lang), "part": _("Not reached", lang), "share": 0, "o": 2},
        {
            "bar": _("This edition", lang),
            "part": _("Active", lang),
            "share": shares["active"],
            "o": 0,
        },
        {
            "bar": _("This edition", lang),
            "part": _("Passive", lang),
            "share": shares["passive"],
            "o": 1,
        },
        {
            "bar": _("This edition", lang),
            "part": _("Not reached", lang),
            "share": shares["inactive"],
            "o": 2,
        },
    ]
    frame = pd.DataFrame(rows)
    frame["ink"] = ["white" if o == 0 else "black" for o in frame["o"]]
    domain = [_("Active", lang), _("Passive", lang), _("Not reached", lang)]
    base = alt.Chart(frame).encode(
        y=alt.Y("bar:N", title=None, sort=[_("This edition", lang), _("90-9-1 norm", lang)]),
        x=alt.X(
            "share:Q",
            stack="zero",
            scale=alt.Scale(domain=[0, 100]),
            title=_("Share of the intended target group (%)", lang),
        ),
        order="o:Q",
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "part:N", scale=alt.Scale(domain=domain, range=[BLUE, LIGHT, "#eeeeee"]), title=None
        )
    )
    text = (
        base.mark_text(font=FONT, fontSize=11, dx=-4, align="right")
        .encode(text=alt.Text("share:Q", format=".0f"), color=alt.Color("ink:N", scale=None))
        .transform_filter(alt.datum.share >= 6)
    )
    return (bars + text).properties(width=440, height=80)


def share_histogram(values: pd.DataFrame, lang: str) -> alt.Chart:
    """Histograms of the reported active and passive shares (``part``, ``share`` columns)."""
    return (
        alt.Chart(values)
        .mark_bar(color=BLUE, opacity=0.85)
        .encode(
            x=alt.X(
                "share:Q",
                bin=alt.Bin(step=10, extent=[0, 100]),
                title=_("Share of the intended target group (%)", lang),
            ),
            y=alt.Y("count():Q", title=_("Organisations", lang)),
            column=alt.Column("part:N", title=None, sort="ascending"),
        )
        .properties(width=210, height=130)
    )


def frequency_bars(frame: pd.DataFrame, order: list[str], lang: str) -> alt.Chart:
    """How often active and passive users use the platform (``group``, ``frequency``, ``share``)."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None),
            x=alt.X(
                "share:Q",
                stack="normalize",
                title=_("Share of organisations", lang),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("frequency:N", sort=order, scale=alt.Scale(scheme="blues"), title=None),
            order=alt.Order("rank:Q"),
        )
        .properties(width=440, height=70)
    )


def horizontal_bars(
    frame: pd.DataFrame,
    value_title: str,
    fmt: str = ".0%",
    domain: tuple[float, float] | None = None,
) -> alt.LayerChart:
    """Sorted horizontal bars with their value (``label``, ``value`` columns)."""
    x = alt.X(
        "value:Q",
        title=value_title,
        axis=alt.Axis(format=fmt),
        scale=alt.Scale(domain=list(domain)) if domain else alt.Undefined,
    )
    y = alt.Y("label:N", sort="-x", title=None)
    bars = alt.Chart(frame).mark_bar(color=BLUE).encode(x=x, y=y)
    text = (
        alt.Chart(frame)
        .mark_text(font=FONT, fontSize=11, align="left", dx=3)
        .encode(x=x, y=y, text=alt.Text("value:Q", format=fmt))
    )
    return (bars + text).properties(width=380, height=22 * len(frame))


def correlation_heatmap(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """r between each use (rows) and outcome (columns); * marks p_adj < .05.

    ``frame`` has ``usage_label``, ``outcome_label``, ``r`` and ``p_adj``.
    """
    frame = frame.copy()
    decimal = "," if lang == "nl" else "."
    frame["text"] = [
        ""
        if pd.isna(r)
        else ("−" if r < 0 else "")
        + f"{abs(r):.2f}".replace("0.", decimal, 1)
        + ("*" if p < 0.05 else "")
        for r, p in zip(frame["r"], frame["p_adj"], strict=True)
    ]
    frame["strong"] = frame["r"].abs() >= 0.35
    base = alt.Chart(frame).encode(
        x=alt.X(
            "outcome_label:N",
            title=None,
            sort=None,
            axis=alt.Axis(labelAngle=-30, orient="top", labelAlign="left", grid=False),
        ),
        y=alt.Y("usage_label:N", title=None, sort=None, axis=alt.Axis(grid=False)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "r:Q",
            scale=alt.Scale(domain=[-0.6, 0.6], scheme=DIVERGING),
            legend=alt.Legend(title="r", orient="right", gradientLength=120),
        )
    )
    text = base.mark_text(font=FONT, fontSize=10).encode(
        text="text:N",
        color=alt.condition(alt.datum.strong, alt.value("white"), alt.value("#222222")),
    )
    return (cells + text).properties(
        width=70 * frame["outcome_label"].nunique(), height=20 * frame["usage_label"].nunique()
    )


def barrier_bars(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Mean rank of each reason (1 = most important), most important on top, as dots."""
    top = max(6.0, float(frame["mean_rank"].max()))
    frame = frame.assign(start=1.0)
    x = alt.X(
        "mean_rank:Q",
        title=_("Mean rank (1 = most important)", lang),
        scale=alt.Scale(domain=[1, top], nice=False),
    )
    y = alt.Y(
        "label:N",
        sort=alt.EncodingSortField("mean_rank", order="ascending"),
        title=None,
        axis=alt.Axis(labelLimit=320),
    )
    rules = (
        alt.Chart(frame)
        .mark_rule(color=LIGHT, strokeWidth=3)
        .encode(x="start:Q", x2="mean_rank:Q", y=y)
    )
    dots = alt.Chart(frame).mark_circle(color=BLUE, size=140, opacity=1).encode(x=x, y=y)
    text = (
        alt.Chart(frame)
        .mark_text(font=FONT, fontSize=11, align="left", dx=9)
        .encode(x=x, y=y, text=alt.Text("mean_rank:Q", format=".1f"))
    )
    return (rules + dots + text).properties(width=300, height=28 * len(frame))


def trend_bars(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Previous and current edition side by side (``label``, ``edition``, ``value``).

    ``edition`` holds two names, the previous edition's first: it is grey, this one blue.
    """
    editions = list(dict.fromkeys(frame["edition"]))
    color = alt.Color("edition:N", scale=alt.Scale(domain=editions, range=[GREY, BLUE]), title=None)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=None),
            x=alt.X("value:Q", title=None),
            color=color,
            yOffset=alt.YOffset("edition:N", sort=editions),
        )
        .properties(width=380, height=36 * frame["label"].nunique())
    )
