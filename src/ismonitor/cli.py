"""The ismonitor command line: a thin layer over the library packages.

It speaks Dutch or English: help, progress, summaries and its own error messages go
through gettext in the language :func:`ismonitor.i18n.cli_language` takes from the
environment (``ISMONITOR_LANG``, else the locale; English by default). Help texts are
translated when this module is imported, so the choice is made once, then. The example
line of every command's help is never translated. Errors raised by the library packages
are printed as they come.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from time import monotonic
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import __version__, i18n
from .instrument import FACTORS, Instrument, InstrumentError, ItemType
from .instrument import bundled as bundled_instruments
from .instrument import get as get_instrument
from .instrument import load as load_instrument

LANGUAGE = i18n.cli_language()
"""The language of the command line's own texts, chosen once from the environment."""


def _(message: str) -> str:
    """``message`` in the command line's language."""
    return i18n.gettext(message, LANGUAGE)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message for ``n``, in the command line's language."""
    return i18n.ngettext(singular, plural, n, LANGUAGE)


def _help(text: str, example: str) -> str:
    """A command's help: its translated text, then its example line, never translated."""
    return f"{text}\n\nExample: {example}"


app = typer.Typer(
    help=_(
        "Measure internal social media in organisations: questionnaire, maturity model, "
        "statistics, platform activity and reports."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _group(name: str, help: str) -> typer.Typer:
    """A group of commands, ``ismonitor NAME ...``."""
    group = typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


instrument_app = _group(
    "instrument", _("The questionnaire as data: list, show and validate instruments.")
)
stats_app = _group(
    "stats",
    _("Statistics on any survey data (CSV, .sav, .xlsx, Parquet): reliability, correlations."),
)
report_app = _group(
    "report", _("Reports in Dutch or English, as PDF or HTML: national and per organisation.")
)
activity_app = _group(
    "activity",
    _("Platform activity: import exports as pseudonymised events, then measure use."),
)


def _register_portal() -> None:
    from .web.cli import register

    register(app)


_register_portal()

# Piped output (a file, a test) gets wide tables rather than Rich's 80 columns.
_WIDTH = None if sys.stdout.isatty() else 160
out = Console(highlight=False, soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True, width=_WIDTH)


class Lang(StrEnum):
    nl = "nl"
    en = "en"


InstrumentOption = Annotated[
    str,
    typer.Option(
        "--instrument",
        "-i",
        help=_("A bundled instrument by name (see 'ismonitor instrument list') or a YAML file."),
    ),
]
LangOption = Annotated[Lang, typer.Option("--lang", help=_("Language of labels and advice."))]
ResponsesArgument = Annotated[
    Path, typer.Argument(help=_("Responses: .csv, .xlsx, .sav or .parquet."))
]
DataArgument = Annotated[Path, typer.Argument(help=_("The data: .csv, .xlsx, .sav or .parquet."))]
JsonOption = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of a table."))]
PreviousOption = Annotated[
    Path | None, typer.Option("--previous", help=_("The previous edition's responses."))
]
PreviousInstrumentOption = Annotated[
    str | None,
    typer.Option("--previous-instrument", help=_("Its instrument, if not the same one.")),
]
SYNTHETIC_NOTICE = _("SYNTHETIC DATA: no row describes a real organisation.")


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(message, markup=False)
    return typer.Exit(code)


def _instrument(name: str) -> Instrument:
    try:
        return get_instrument(name)
    except InstrumentError as exc:
        raise _fail(str(exc)) from None


def _responses(path: Path, instrument: Instrument):
    from .study import ResponsesError, ResponsesFileError, load_responses

    try:
        return load_responses(path, instrument)
    except ResponsesFileError as exc:
        raise _fail(str(exc)) from None
    except ResponsesError as exc:
        # the count is ours; each problem is the library's, as it comes
        lines = [_problems(exc.path, len(exc.problems))]
        lines += [f"{exc.path}: {problem}" for problem in exc.problems]
        raise _fail("\n".join(lines)) from None


def _problems(path, count: int) -> str:
    return ngettext("%(path)s: %(count)s problem", "%(path)s: %(count)s problems", count) % {
        "path": path,
        "count": count,
    }


def _numbers(path: Path, columns: list[str]):
    from .study import ResponsesError, ResponsesFileError, read_numbers

    try:
        return read_numbers(path, columns)
    except (ResponsesFileError, ResponsesError) as exc:
        raise _fail(str(exc)) from None


def _print_json(document) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _version(value: bool) -> None:
    if value:
        out.print(f"ismonitor {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version.")),
    ] = False,
) -> None:
    # the help is the app's (translated): a docstring here would replace it
    pass


# -- instruments ------------------------------------------------------------------------


@instrument_app.command(
    "list", help=_help(_("List the bundled instruments."), "ismonitor instrument list")
)
def instrument_list() -> None:
    table = Table(_("name"), _("version"), _("title (nl)"), _("title (en)"), _("items"))
    for name in bundled_instruments():
        instrument = get_instrument(name)
        table.add_row(
            name,
            instrument.version,
            instrument.title.nl,
            instrument.title.en,
            str(len(instrument.items())),
        )
    out.print(table)


@instrument_app.command(
    "show",
    help=_help(
        _("Show an instrument's sections and items in one language."),
        "ismonitor instrument show ism-2018 --lang en",
    ),
)
def instrument_show(
    name: Annotated[str, typer.Argument(help=_("A bundled instrument's name or a YAML file."))],
    lang: LangOption = Lang.nl,
) -> None:
    instrument = _instrument(name)
    lines = [f"{instrument.title.get(lang)} ({instrument.name} {instrument.version})"]
    for section in instrument.sections:
        only_if = _("only if %(condition)s") % {"condition": section.show_if}
        condition = f"  [{only_if}]" if section.show_if else ""
        lines.append(f"\n{section.key}: {section.title.get(lang)}{condition}")
        for item in section.items:
            extra = []
            if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.RANKING):
                options = ", ".join(o.key for o in instrument.choice_list(item))
                extra.append(f"{item.choices}: {options}")
            if item.type == ItemType.LIKERT:
                scale = instrument.likert(item)
                extra.append(f"{scale.min}-{scale.max}")
            if item.element:
                factor = instrument.elements[item.element].factor
                extra.append(
                    _("maturity: %(factor)s/%(element)s")
                    % {"factor": factor, "element": item.element}
                )
            if item.construct_key:
                construct = (
                    _("construct: %(construct)s (reversed)")
                    if item.reverse
                    else _("construct: %(construct)s")
                )
                extra.append(construct % {"construct": item.construct_key})
            if item.show_if:
                extra.append(_("only if %(condition)s") % {"condition": item.show_if})
            detail = f"\n      ({'; '.join(extra)})" if extra else ""
            lines.append(f"  - {item.key} [{item.type.value}] {item.label.get(lang)}{detail}")
    # plain lines rather than a rich tree: it is read in terminals and in pipes alike
    typer.echo("\n".join(lines))


@instrument_app.command(
    "validate",
    help=_help(
        _("Check an instrument file; every problem is listed with its line."),
        "ismonitor instrument validate my-questionnaire.yaml",
    ),
)
def instrument_validate(
    path: Annotated[Path, typer.Argument(help=_("The instrument's YAML file."))],
) -> None:
    try:
        instrument = load_instrument(path)
    except InstrumentError as exc:
        err.print(_problems(path, len(exc.problems)), markup=False)
        raise _fail(str(exc)) from None
    out.print(
        _("%(path)s: valid (%(name)s %(version)s: %(sections)s sections, %(items)s items)")
        % {
            "path": path,
            "name": instrument.name,
            "version": instrument.version,
            "sections": len(instrument.sections),
            "items": len(instrument.items()),
        },
        markup=False,
    )


# -- responses ----------------------------------------------------------------------------


@app.command(
    "demo-data",
    help=_help(
        _(
            "Write a SYNTHETIC edition (no real organisation) to DIR/responses.csv.\n\n"
            "Calibrated to the study: about 22% non-adopters, mean active share about 27% and "
            "passive share about 55%, the barriers in the study's order, the relations between "
            "use and outcomes that the study reports."
        ),
        "ismonitor demo-data --out demo --seed 2018",
    ),
)
def demo_data(
    out_dir: Annotated[
        Path, typer.Option("--out", help=_("The folder to write responses.csv to."))
    ],
    organisations: Annotated[
        int, typer.Option("--organisations", min=1, help=_("How many organisations."))
    ] = 139,
    seed: Annotated[
        int, typer.Option("--seed", help=_("Random seed, for reproducibility."))
    ] = 2018,
    year: Annotated[
        int,
        typer.Option(
            "--year", min=2014, max=2018, help=_("The edition's year (earlier: less mature).")
        ),
    ] = 2018,
    instrument_name: InstrumentOption = "ism-2018",
) -> None:
    from .study import write
    from .study.synthetic import generate

    instrument = _instrument(instrument_name)
    table = generate(instrument, organisations=organisations, seed=seed, year=year)
    path = write(table, out_dir / "responses.csv", instrument)
    (out_dir / "README.txt").write_text(
        "SYNTHETIC DATA / SYNTHETISCHE DATA\n\n"
        "responses.csv is a synthetic edition made by `ismonitor demo-data` "
        f"(seed {seed}, {organisations} organisations, instrument {instrument.name} "
        f"{instrument.version}). No row describes a real organisation.\n"
        "responses.csv is een synthetische editie, gemaakt door `ismonitor demo-data`. "
        "Geen enkele rij beschrijft een echte organisatie.\n",
        encoding="utf-8",
    )
    adopters = int((table["uses_ism"] == "yes").sum())
    out.print(
        _(
            "Wrote %(path)s: a SYNTHETIC edition of %(organisations)s organisations "
            "(%(adopters)s use internal social media), seed %(seed)s."
        )
        % {"path": path, "organisations": len(table), "adopters": adopters, "seed": seed},
        markup=False,
    )


@app.command(
    "validate",
    help=_help(
        _("Check a responses file against its instrument; every problem is listed."),
        "ismonitor validate demo/responses.csv --instrument ism-2018",
    ),
)
def validate_command(responses: ResponsesArgument, instrument_name: InstrumentOption) -> None:
    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    out.print(
        _("%(path)s: valid: %(organisations)s organisations answering %(name)s %(version)s.")
        % {
            "path": responses,
            "organisations": len(table),
            "name": instrument.name,
            "version": instrument.version,
        },
        markup=False,
    )


@app.command(
    "convert",
    help=_help(
        _("Check a responses file and write it in another format (SPSS gets value labels)."),
        "ismonitor convert demo/responses.csv demo/responses.sav --instrument ism-2018",
    ),
)
def convert(
    responses: ResponsesArgument,
    target: Annotated[
        Path, typer.Argument(help=_("The file to write; its suffix sets the format."))
    ],
    instrument_name: InstrumentOption,
    lang: Annotated[
        Lang, typer.Option("--lang", help=_("Language of SPSS variable and value labels."))
    ] = Lang.nl,
) -> None:
    from .study import ResponsesFileError, write

    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    try:
        path = write(table, target, instrument, lang=lang.value)
    except ResponsesFileError as exc:
        raise _fail(str(exc)) from None
    out.print(
        _("Wrote %(path)s (%(organisations)s organisations).")
        % {"path": path, "organisations": len(table)},
        markup=False,
    )


@app.command(
    "score",
    help=_help(
        _(
            "Score every organisation on the maturity model.\n\n"
            "Per organisation: the four factors (0-100), the overall score, the stage, its "
            "percentile against all organisations, its sector and its size class, and its "
            "unmet elements with advice. Non-adopters have no factors."
        ),
        "ismonitor score demo/responses.csv --instrument ism-2018 --json",
    ),
)
def score_command(
    responses: ResponsesArgument,
    instrument_name: InstrumentOption,
    as_json: JsonOption = False,
    lang: LangOption = Lang.nl,
) -> None:
    from .maturity import FACTOR_LABELS, score, to_dict
    from .study.synthetic import is_synthetic

    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    results = score(table, instrument)
    if as_json:
        document = {
            "instrument": {"name": instrument.name, "version": instrument.version},
            "synthetic": is_synthetic(table),
            "organisations": [to_dict(result, lang.value) for result in results],
        }
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if is_synthetic(table):
        out.print(SYNTHETIC_NOTICE, markup=False)
    table_out = Table(
        "id",
        _("name"),
        *(FACTOR_LABELS[f].get(lang) for f in FACTORS),
        _("overall"),
        _("stage"),
        _("percentile"),
    )
    for result in results:
        if not result.adopter:
            table_out.add_row(
                result.org_id,
                result.name or "",
                *["-"] * 4,
                "-",
                i18n.gettext("not used", lang.value),  # a label, in --lang
                "-",
            )
            continue
        factors = [_fmt(result.factors[f]) for f in FACTORS]
        percentile = result.percentiles.get("all", {}).get("percentile")
        table_out.add_row(
            result.org_id,
            result.name or "",
            *factors,
            _fmt(result.overall),
            result.stage.label.get(lang) if result.stage else "-",
            _fmt(percentile),
        )
    out.print(table_out)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@app.command(
    "summary",
    help=_help(
        _("Summarise an edition: who took part, maturity per factor and stage, reported use."),
        "ismonitor summary demo/responses.csv --instrument ism-2018",
    ),
)
def summary(
    responses: ResponsesArgument, instrument_name: InstrumentOption, lang: LangOption = Lang.nl
) -> None:
    from .maturity import FACTOR_LABELS, STAGES, score, scores_frame
    from .study.synthetic import is_synthetic

    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    frame = scores_frame(score(table, instrument))
    adopters = frame[frame["adopter"]]
    if is_synthetic(table):
        out.print(SYNTHETIC_NOTICE, markup=False)
    out.print(
        _(
            "%(organisations)s organisations, %(adopters)s of them use internal social media "
            "(%(share)s%%)."
        )
        % {
            "organisations": len(frame),
            "adopters": len(adopters),
            "share": f"{100 * len(adopters) / max(len(frame), 1):.0f}",
        },
        markup=False,
    )
    factors = Table(_("factor"), _("mean"), "min", "max", "n", title=_("Maturity (0-100)"))
    for factor in (*FACTORS, "overall"):
        values = adopters[factor].dropna()
        label = FACTOR_LABELS[factor].get(lang) if factor in FACTOR_LABELS else _("overall")
        factors.add_row(
            label, _fmt(values.mean()), _fmt(values.min()), _fmt(values.max()), str(len(values))
        )
    out.print(factors)
    stages = Table(_("stage"), _("organisations"), title=_("Stages"))
    for stage in STAGES:
        stages.add_row(stage.label.get(lang), str(int((adopters["stage"] == stage.key).sum())))
    out.print(stages)
    for key in ("active_share", "passive_share"):
        if key in table.columns:
            values = table[key].dropna()
            out.print(
                _("%(column)s: mean %(mean)s%% of the target group (n=%(n)s)")
                % {"column": key, "mean": f"{values.mean():.1f}", "n": len(values)},
                markup=False,
            )


# -- statistics ---------------------------------------------------------------------------------


class Missing(StrEnum):
    pairwise = "pairwise"
    listwise = "listwise"


class Method(StrEnum):
    pearson = "pearson"
    spearman = "spearman"


class Adjust(StrEnum):
    holm = "holm"
    bonferroni = "bonferroni"
    fdr_bh = "fdr_bh"
    none = "none"


@stats_app.command(
    "reliability",
    help=_help(
        _(
            "Reliability of each scale: Cronbach's alpha (raw and standardized), omega total, "
            "and per item the corrected item-total correlation and alpha if deleted.\n\n"
            "The codebook is YAML:  scales: {agreeableness: {items: [A1, A2, A3], "
            "reverse: [A1], min: 1, max: 6}}. Empty cells are missing."
        ),
        "ismonitor stats reliability survey.csv --codebook codebook.yaml --json",
    ),
)
def stats_reliability(
    data: DataArgument,
    codebook: Annotated[
        Path, typer.Option("--codebook", help=_("YAML: scales with items, reverse, min, max."))
    ],
    missing: Annotated[
        Missing, typer.Option("--missing", help=_("Pairwise (as psych::alpha) or listwise."))
    ] = Missing.pairwise,
    as_json: JsonOption = False,
) -> None:
    from .stats.codebook import load_codebook, reliability_report
    from .yamlfile import YamlFileError

    try:
        book = load_codebook(codebook)
    except YamlFileError as exc:
        raise _fail(str(exc)) from None
    frame = _numbers(data, book.columns())
    try:
        report = reliability_report(frame, book, missing.value)
    except ValueError as exc:
        raise _fail(f"{data}: {exc}") from None
    if as_json:
        _print_json(report)
        return
    for name, scale in report["scales"].items():
        title = _(
            "%(scale)s: n=%(n)s, k=%(k)s, alpha=%(alpha)s, standardized alpha=%(alpha_std)s, "
            "omega total=%(omega)s"
        ) % {
            "scale": name,
            "n": scale["n"],
            "k": scale["k"],
            "alpha": _f3(scale["alpha"]),
            "alpha_std": _f3(scale["alpha_std"]),
            "omega": _f3(scale["omega_total"]),
        }
        table = Table(_("item"), "r_drop", _("alpha if deleted"), title=title)
        for item, values in scale["items"].items():
            table.add_row(item, _f3(values["r_drop"]), _f3(values["alpha_if_deleted"]))
        out.print(table)


@stats_app.command(
    "correlate",
    help=_help(
        _(
            "Correlations between every pair of variables, as R psych::corr.test computes them: "
            "pairwise n, r, 95% CI (Fisher z), two-sided p and adjusted p. Correlations "
            'describe relations ("samenhang"), not causes.'
        ),
        "ismonitor stats correlate survey.csv --vars A,B,C --method spearman --json",
    ),
)
def stats_correlate(
    data: DataArgument,
    variables: Annotated[str, typer.Option("--vars", help=_("Columns, separated by commas."))],
    method: Annotated[
        Method, typer.Option("--method", help=_("The correlation: Pearson or Spearman."))
    ] = Method.pearson,
    adjust: Annotated[
        Adjust, typer.Option("--adjust", help=_("Adjustment for multiple comparisons."))
    ] = Adjust.holm,
    as_json: JsonOption = False,
) -> None:
    from .stats.codebook import correlation_report

    names = [name.strip() for name in variables.split(",") if name.strip()]
    if len(names) < 2:
        raise _fail(
            _("--vars %(vars)s: name at least two columns, separated by commas")
            % {"vars": repr(variables)}
        )
    frame = _numbers(data, names)
    try:
        report = correlation_report(frame, names, method.value, adjust.value)
    except ValueError as exc:
        raise _fail(f"{data}: {exc}") from None
    if as_json:
        _print_json(report)
        return
    table = Table("x", "y", "n", "r", _("95% CI"), "p", f"p ({adjust.value})")
    for pair in report["pairs"]:
        table.add_row(
            pair["x"],
            pair["y"],
            str(pair["n"]),
            _f3(pair["r"]),
            f"[{_f3(pair['ci_low'])}, {_f3(pair['ci_high'])}]",
            _p(pair["p"]),
            _p(pair["p_adj"]),
        )
    out.print(table)


def _f3(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<.001" if value < 0.001 else f"{value:.3f}"


@app.command(
    "analyse",
    help=_help(
        _(
            "The national analysis of an edition: participants, maturity per factor and group, "
            "reported use, reliability of the outcome scales, use related to outcomes "
            "(Pearson, Holm-adjusted over the whole table), the barriers ranked, platforms, and "
            "trends against the previous edition. See docs/analysis.md."
        ),
        "ismonitor analyse demo/responses.csv --instrument ism-2018 --json",
    ),
)
def analyse_command(
    responses: ResponsesArgument,
    instrument_name: InstrumentOption,
    previous: PreviousOption = None,
    previous_instrument: PreviousInstrumentOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=_("Print JSON instead of a summary."))
    ] = False,
) -> None:
    from .stats.edition import analyse

    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    before = before_instrument = None
    if previous is not None:
        before_instrument = _instrument(previous_instrument or instrument_name)
        before = _responses(previous, before_instrument)
    result = analyse(table, instrument, before, before_instrument)
    if as_json:
        _print_json(result)
        return
    _print_analysis(result)


def _print_analysis(result: dict) -> None:
    if result["synthetic"]:
        out.print(SYNTHETIC_NOTICE, markup=False)
    p = result["participants"]
    out.print(
        _("%(organisations)s organisations, %(adopters)s adopters.")
        % {"organisations": p["organisations"], "adopters": p["adopters"]},
        markup=False,
    )
    usage = result["usage"]
    out.print(
        _("Mean active share %(active)s%%, mean passive share %(passive)s%% of the target group.")
        % {
            "active": _f1(usage.get("active_share_mean")),
            "passive": _f1(usage.get("passive_share_mean")),
        },
        markup=False,
    )
    table = Table(
        _("use"),
        _("outcome"),
        "n",
        "r",
        _("95% CI"),
        "p (Holm)",
        title=_("Use related to outcomes (p Holm < .05)"),
    )
    for c in result["correlations"]:
        if c["p_adj"] is not None and c["p_adj"] < 0.05:
            table.add_row(
                c["usage"],
                c["outcome"],
                str(c["n"]),
                _f3(c["r"]),
                f"[{_f3(c['ci_low'])}, {_f3(c['ci_high'])}]",
                _p(c["p_adj"]),
            )
    out.print(table)
    barriers = Table(
        _("reason"), _("mean rank"), _("ranked first"), title=_("Barriers (non-adopters)")
    )
    for b in result["barriers"]:
        barriers.add_row(b["reason"], f"{b['mean_rank']:.2f}", f"{100 * b['share_first']:.0f}%")
    out.print(barriers)


def _f1(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


# -- reports ------------------------------------------------------------------------------------

OutOption = Annotated[
    Path, typer.Option("--out", "-o", help=_("The report to write: FILE.pdf or FILE.html."))
]


def _write_report(build, out_path: Path) -> None:
    from .reports.render import FORMATS, write

    if out_path.suffix.lower() not in FORMATS:
        raise _fail(_("--out %(path)s: expected a .pdf or .html file") % {"path": out_path})
    with err.status(_("Building %(name)s ...") % {"name": out_path.name}):
        html = build()
        write(html, out_path)
    out.print(_("Wrote %(path)s") % {"path": out_path}, markup=False)


@report_app.command(
    "national",
    help=_help(
        _(
            "The national report: who took part, the maturity model, active and passive use, "
            "purposes, use and outcomes, barriers, trends, platforms and method."
        ),
        "ismonitor report national demo/responses.csv -i ism-2018 --lang en --out national.pdf",
    ),
)
def report_national(
    responses: ResponsesArgument,
    instrument_name: InstrumentOption,
    out_path: OutOption,
    lang: LangOption = Lang.nl,
    previous: PreviousOption = None,
    previous_instrument: PreviousInstrumentOption = None,
) -> None:
    from .reports import national

    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    before = before_instrument = None
    if previous is not None:
        before_instrument = _instrument(previous_instrument or instrument_name)
        before = _responses(previous, before_instrument)
    _write_report(
        lambda: national.build(table, instrument, lang.value, before, before_instrument), out_path
    )


@report_app.command(
    "organisation",
    help=_help(
        _(
            "One organisation's report: its scores against all organisations, its sector and "
            "its size class, its unmet preconditions with advice, and what to steer on for its "
            "goals."
        ),
        "ismonitor report organisation demo/responses.csv --org SYN-001 -i ism-2018 -o o.pdf",
    ),
)
def report_organisation(
    responses: ResponsesArgument,
    org: Annotated[str, typer.Option("--org", help=_("The organisation's id (org_id)."))],
    instrument_name: InstrumentOption,
    out_path: OutOption,
    lang: LangOption = Lang.nl,
) -> None:
    from .reports import organisation

    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)

    def build():
        try:
            return organisation.build(table, instrument, org, lang.value)
        except organisation.UnknownOrganisation as exc:
            raise _fail(f"{responses}: {exc}") from None

    _write_report(build, out_path)


# -- platform activity --------------------------------------------------------------------------


class OnError(StrEnum):
    abort = "abort"
    reject = "reject"


class Engine(StrEnum):
    duckdb = "duckdb"
    pyspark = "pyspark"


@activity_app.command(
    "platforms",
    help=_help(
        _("List the platforms whose exports can be imported, with their options."),
        "ismonitor activity platforms",
    ),
)
def activity_platforms() -> None:
    from .activity import all_importers

    table = Table(_("platform"), _("what it reads"), _("options"))
    for name, importer in sorted(all_importers().items()):
        options = "; ".join(f"{k}: {v}" for k, v in importer.options.items()) or "-"
        table.add_row(name, importer.description, options)
    out.print(table)


@activity_app.command(
    "new-key",
    help=_help(
        _(
            "Make a random pseudonymisation key and write it to a file no one else can read."
            "\n\nKeep the file: the same key gives the same pseudonyms, so later imports can be "
            "compared with earlier ones. Use it with ISMONITOR_PSEUDONYM_KEY_FILE=PATH."
        ),
        "ismonitor activity new-key ~/.config/ismonitor/pseudonym.key",
    ),
)
def activity_new_key(
    path: Annotated[Path, typer.Argument(help=_("The key file to create (readable by you only)."))],
) -> None:
    import os
    import secrets

    if path.exists():
        raise _fail(_("%(path)s: exists already; a key is never overwritten") % {"path": path})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w") as file:
        file.write(secrets.token_hex(32) + "\n")
    out.print(
        _("Wrote a new key to %(path)s. Use it with ISMONITOR_PSEUDONYM_KEY_FILE=%(path)s")
        % {"path": path},
        markup=False,
    )


@activity_app.command(
    "import",
    help=_help(
        _(
            "Import a platform's export as pseudonymised events (Parquet), with a progress bar."
            "\n\nUser identifiers are replaced by a keyed hash (the key from "
            "ISMONITOR_PSEUDONYM_KEY or ISMONITOR_PSEUDONYM_KEY_FILE) before anything is "
            "written; names, e-mail addresses and message texts are never written. A failed "
            "import leaves nothing behind."
        ),
        "ismonitor activity import slack export.zip --out activity --roster roster.csv",
    ),
)
def activity_import(
    platform: Annotated[str, typer.Argument(help=_("See 'ismonitor activity platforms'."))],
    path: Annotated[Path, typer.Argument(help=_("The export: a ZIP file, a folder or a file."))],
    out_dir: Annotated[Path, typer.Option("--out", help=_("The dataset folder to create."))],
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help=_("CSV of the intended target group (user_id, department).")),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option", help=_("An importer option as KEY=VALUE (e.g. mapping=map.yaml).")
        ),
    ] = None,
    on_error: Annotated[
        OnError, typer.Option("--on-error", help=_("Stop at a malformed record, or count it."))
    ] = OnError.abort,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help=_("Replace an old dataset."))
    ] = False,
    namespace: Annotated[
        str | None,
        typer.Option("--namespace", help=_("Pseudonym namespace (default: platform).")),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help=_("Processes that parse a large JSON export (default: one per core from 64 MB)."),
        ),
    ] = None,
) -> None:
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from .activity import ImportWorkerError, MalformedRecordError, PseudonymKeyError, import_export

    options = {}
    for item in option or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _fail(_("--option %(option)s: expected KEY=VALUE") % {"option": repr(item)})
        options[key] = value
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(_("Importing %(platform)s") % {"platform": platform}, total=None)

        shown = [-1.0]  # when the bar was last moved

        def report(done: int, total: int | None) -> None:
            # An importer may say how far it is a hundred thousand times (once a file):
            # the bar is moved at most 20 times a second (it is drawn 10 times), and at
            # the end.
            now = monotonic()
            if now - shown[0] >= 0.05 or done == total:
                shown[0] = now
                progress.update(task, completed=done, total=total)

        try:
            result = import_export(platform, path, out_dir, roster=roster, overwrite=overwrite,
                                   progress=report, options=options, on_error=on_error.value,
                                   namespace=namespace, workers=workers)  # fmt: skip
        except (PseudonymKeyError, MalformedRecordError, OSError, ImportWorkerError,
                KeyError, ValueError) as exc:  # fmt: skip
            raise _fail(str(exc).strip("'\"")) from None
    # the actions and reasons are the dataset's own keys (post, reply, bot, ...), as stored
    counts = ", ".join(f"{n} {action}" for action, n in result.imported.items() if n)
    out.print(
        _("Imported %(events)s events into %(path)s (%(counts)s).")
        % {"events": result.events, "path": out_dir, "counts": counts or _("none")},
        markup=False,
    )
    if result.period_rows:
        out.print(
            _("Imported %(rows)s per-user period counts.") % {"rows": result.period_rows},
            markup=False,
        )
    if result.skipped:
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(result.skipped.items()))
        out.print(_("Skipped on purpose: %(skipped)s.") % {"skipped": skipped}, markup=False)
    if result.rejected:
        out.print(
            _("Rejected as malformed: %(rejected)s.") % {"rejected": result.rejected},
            markup=False,
        )
        for message in result.rejections[:10]:
            err.print(f"  {message}", markup=False)
    if result.roster_rows is not None:
        out.print(
            _("Roster: %(people)s people in the target group.") % {"people": result.roster_rows},
            markup=False,
        )


def _metrics_backend(engine: Engine, memory_limit: str | None):
    from .activity import engines

    if not memory_limit or engine != Engine.duckdb:
        return engines.connect(engine.value)
    import duckdb

    try:
        return engines.connect(engine.value, memory_limit=memory_limit)
    except duckdb.Error:
        raise _fail(
            _("--memory-limit %(value)s: expected an amount of memory such as 6GB or 500MB")
            % {"value": repr(memory_limit)}
        ) from None


@activity_app.command(
    "metrics",
    help=_help(
        _(
            "Use per calendar month: audience, active and passive users and their shares, the "
            "90-9-1 split, frequency, dialogue (reply rate, time to first reply), participation "
            "inequality, DAU/MAU and the community health index. See docs/metrics.md."
        ),
        "ismonitor activity metrics activity --json",
    ),
)
def activity_metrics(
    directory: Annotated[
        Path, typer.Argument(help=_("A dataset folder made by 'activity import'."))
    ],
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help=_("Roster Parquet (default: DIR/roster.parquet if there).")),
    ] = None,
    period: Annotated[str, typer.Option("--period", help=_("Only 'month' for now."))] = "month",
    engine: Annotated[
        Engine, typer.Option("--engine", help=_("Where to compute."))
    ] = Engine.duckdb,
    by_group: Annotated[
        bool, typer.Option("--by-group", help=_("Per channel or group too."))
    ] = False,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            help=_(
                "Memory DuckDB may use, such as 6GB; beyond it, it works on disk "
                "(default: 80 percent of the memory)."
            ),
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    from .activity import engines, metrics, period_metrics

    if period != "month":
        raise _fail(_("--period %(period)s: only 'month' is supported") % {"period": repr(period)})
    if roster is None and (directory / "roster.parquet").exists():
        roster = directory / "roster.parquet"
    try:
        backend = _metrics_backend(engine, memory_limit)
        roster_table = engines.read_roster(backend, roster) if roster is not None else None
        counts = period_metrics.read_period_counts(backend, directory)
        if counts is not None:
            # a Microsoft 365 usage report: counts per user for a period, no times
            _print_period_metrics(period_metrics.compute(counts, roster_table), as_json)
            return
        events = engines.read_events(backend, directory)
        frame = metrics.compute(events, roster_table, period=period, by_group=by_group)
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc)) from None
    if as_json:
        sys.stdout.write(metrics.to_json(frame) + "\n")
        return
    records = metrics.to_records(frame)
    source = records[0].get("audience_source") if records else None
    title = _("Use per month (audience: %(source)s)") % {"source": source or "-"}
    table = Table(_("month"), *([_("group")] if by_group else []), _("audience"), _("active"),
                  _("passive"), _("creators"), _("reply rate"), _("1st reply (median)"), "Gini",
                  _("health"), title=title)  # fmt: skip
    for r in records:
        table.add_row(
            r["month"], *([str(r.get("group_id"))] if by_group else []), str(r.get("audience")),
            _share(r.get("active"), r.get("active_share")),
            _share(r.get("passive"), r.get("passive_share")),
            str(r.get("creators")), _pct(r.get("reply_rate")),
            _duration(r.get("median_time_to_first_reply")), _f3(r.get("gini")),
            _pct(r.get("health_index")),
        )  # fmt: skip
    out.print(table)


def _print_period_metrics(frame, as_json: bool) -> None:
    from .activity.period_metrics import to_records

    records = to_records(frame)
    if as_json:
        _print_json(records)
        return
    source = records[0]["audience_source"] if records else None
    title = _("Use per report period (audience: %(source)s)") % {"source": source or "-"}
    table = Table(_("platform"), _("period"), _("audience"), _("active"), _("passive"),
                  _("creators"), _("contributors"), _("consumers"), "Gini",
                  title=title)  # fmt: skip
    for r in records:
        table.add_row(
            r["platform"], f"{r['period_start']} - {r['period_end']}", str(r["audience"]),
            _share(r["active"], r["active_share"]), _share(r["passive"], r["passive_share"]),
            str(r["creators"]), str(r["contributors"]), str(r["consumers"]), _f3(r["gini"]),
        )  # fmt: skip
    out.print(table)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _share(count, share) -> str:
    return "-" if count is None else f"{count} ({_pct(share)})"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


@activity_app.command(
    "demo-export",
    help=_help(
        _(
            "Write a SYNTHETIC Slack workspace export and roster of a made-up organisation.\n\n"
            "For trying the import and the metrics: the export has the real layout, every "
            "person in it is made up (and named so), with a few creators, more contributors, "
            "many lurkers."
        ),
        "ismonitor activity demo-export --out demo/activity-export",
    ),
)
def activity_demo_export(
    out_dir: Annotated[
        Path, typer.Option("--out", help=_("Folder for slack-export.zip, roster.csv."))
    ],
    employees: Annotated[
        int, typer.Option("--employees", min=10, help=_("How many made-up employees."))
    ] = 400,
    months: Annotated[
        int, typer.Option("--months", min=1, max=24, help=_("How many months of activity."))
    ] = 6,
    seed: Annotated[int, typer.Option("--seed", help=_("Random seed."))] = 2026,
) -> None:
    from .activity.synthetic import write_export

    export, roster = write_export(out_dir, employees=employees, months=months, seed=seed)
    out.print(
        _(
            "Wrote %(export)s and %(roster)s: SYNTHETIC, %(employees)s made-up employees, "
            "%(months)s months."
        )
        % {"export": export, "roster": roster, "employees": employees, "months": months},
        markup=False,
    )
