"""The ismonitor command line: a thin layer over the library packages."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .instrument import FACTORS, Instrument, InstrumentError, ItemType
from .instrument import bundled as bundled_instruments
from .instrument import get as get_instrument
from .instrument import load as load_instrument

app = typer.Typer(
    help="Measure internal social media in organisations: questionnaire, maturity model, "
    "statistics, platform activity and reports.",
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
    "instrument", "The questionnaire as data: list, show and validate instruments."
)
stats_app = _group(
    "stats", "Statistics on any survey data (CSV, .sav, .xlsx, Parquet): reliability, correlations."
)
report_app = _group(
    "report", "Reports in Dutch or English, as PDF or HTML: national and per organisation."
)
activity_app = _group(
    "activity", "Platform activity: import exports as pseudonymised events, then measure use."
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
        help="A bundled instrument by name (see 'ismonitor instrument list') or a YAML file.",
    ),
]
LangOption = Annotated[Lang, typer.Option("--lang", help="Language of labels and advice.")]


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
        raise _fail(str(exc)) from None


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
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Measure internal social media in organisations."""


# -- instruments ------------------------------------------------------------------------


@instrument_app.command("list")
def instrument_list() -> None:
    """List the bundled instruments.

    Example: ismonitor instrument list
    """
    table = Table("name", "version", "title (nl)", "title (en)", "items")
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


@instrument_app.command("show")
def instrument_show(
    name: Annotated[str, typer.Argument(help="A bundled instrument's name or a YAML file.")],
    lang: LangOption = Lang.nl,
) -> None:
    """Show an instrument's sections and items in one language.

    Example: ismonitor instrument show ism-2018 --lang en
    """
    instrument = _instrument(name)
    lines = [f"{instrument.title.get(lang)} ({instrument.name} {instrument.version})"]
    for section in instrument.sections:
        condition = f"  [only if {section.show_if}]" if section.show_if else ""
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
                extra.append(f"maturity: {factor}/{item.element}")
            if item.construct_key:
                extra.append(
                    f"construct: {item.construct_key}" + (" (reversed)" if item.reverse else "")
                )
            if item.show_if:
                extra.append(f"only if {item.show_if}")
            detail = f"\n      ({'; '.join(extra)})" if extra else ""
            lines.append(f"  - {item.key} [{item.type.value}] {item.label.get(lang)}{detail}")
    # plain lines rather than a rich tree: it is read in terminals and in pipes alike
    typer.echo("\n".join(lines))


@instrument_app.command("validate")
def instrument_validate(
    path: Annotated[Path, typer.Argument(help="The instrument's YAML file.")],
) -> None:
    """Check an instrument file; every problem is listed with its line.

    Example: ismonitor instrument validate my-questionnaire.yaml
    """
    try:
        instrument = load_instrument(path)
    except InstrumentError as exc:
        count = len(exc.problems)
        err.print(f"{path}: {count} problem{'s' if count != 1 else ''}", markup=False)
        raise _fail(str(exc)) from None
    out.print(
        f"{path}: valid ({instrument.name} {instrument.version}: "
        f"{len(instrument.sections)} sections, {len(instrument.items())} items)",
        markup=False,
    )


# -- responses ----------------------------------------------------------------------------


@app.command("demo-data")
def demo_data(
    out_dir: Annotated[Path, typer.Option("--out", help="The folder to write responses.csv to.")],
    organisations: Annotated[
        int, typer.Option("--organisations", min=1, help="How many organisations.")
    ] = 139,
    seed: Annotated[int, typer.Option("--seed", help="Random seed, for reproducibility.")] = 2018,
    year: Annotated[
        int,
        typer.Option(
            "--year", min=2014, max=2018, help="The edition's year (earlier: less mature)."
        ),
    ] = 2018,
    instrument_name: InstrumentOption = "ism-2018",
) -> None:
    """Write a SYNTHETIC edition (no real organisation) to DIR/responses.csv.

    Calibrated to the study: about 22% non-adopters, mean active share about 27% and
    passive share about 55%, the barriers in the study's order, the relations between use
    and outcomes that the study reports.

    Example: ismonitor demo-data --out demo --seed 2018
    """
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
        f"Wrote {path}: a SYNTHETIC edition of {len(table)} organisations "
        f"({adopters} use internal social media), seed {seed}.",
        markup=False,
    )


@app.command("validate")
def validate_command(
    responses: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx, .sav or .parquet.")],
    instrument_name: InstrumentOption,
) -> None:
    """Check a responses file against its instrument; every problem is listed.

    Example: ismonitor validate demo/responses.csv --instrument ism-2018
    """
    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    out.print(
        f"{responses}: valid: {len(table)} organisations answering "
        f"{instrument.name} {instrument.version}.",
        markup=False,
    )


@app.command("convert")
def convert(
    responses: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx, .sav or .parquet.")],
    target: Annotated[Path, typer.Argument(help="The file to write; its suffix sets the format.")],
    instrument_name: InstrumentOption,
    lang: Annotated[
        Lang, typer.Option("--lang", help="Language of SPSS variable and value labels.")
    ] = Lang.nl,
) -> None:
    """Check a responses file and write it in another format (SPSS gets value labels).

    Example: ismonitor convert demo/responses.csv demo/responses.sav --instrument ism-2018
    """
    from .study import ResponsesFileError, write

    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    try:
        path = write(table, target, instrument, lang=lang.value)
    except ResponsesFileError as exc:
        raise _fail(str(exc)) from None
    out.print(f"Wrote {path} ({len(table)} organisations).", markup=False)


@app.command("score")
def score_command(
    responses: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx, .sav or .parquet.")],
    instrument_name: InstrumentOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    lang: LangOption = Lang.nl,
) -> None:
    """Score every organisation on the maturity model.

    Per organisation: the four factors (0-100), the overall score, the stage, its
    percentile against all organisations, its sector and its size class, and its unmet
    elements with advice. Non-adopters have no factors.

    Example: ismonitor score demo/responses.csv --instrument ism-2018 --json
    """
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
        out.print("SYNTHETIC DATA: no row describes a real organisation.", markup=False)
    table_out = Table(
        "id",
        "name",
        *(FACTOR_LABELS[f].get(lang) for f in FACTORS),
        "overall",
        "stage",
        "percentile",
    )
    for result in results:
        if not result.adopter:
            table_out.add_row(
                result.org_id,
                result.name or "",
                *["-"] * 4,
                "-",
                "geen gebruik" if lang == "nl" else "not used",
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


@app.command("summary")
def summary(
    responses: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx, .sav or .parquet.")],
    instrument_name: InstrumentOption,
    lang: LangOption = Lang.nl,
) -> None:
    """Summarise an edition: who took part, maturity per factor and stage, reported use.

    Example: ismonitor summary demo/responses.csv --instrument ism-2018
    """
    from .maturity import FACTOR_LABELS, STAGES, score, scores_frame
    from .study.synthetic import is_synthetic

    instrument = _instrument(instrument_name)
    table = _responses(responses, instrument)
    frame = scores_frame(score(table, instrument))
    adopters = frame[frame["adopter"]]
    if is_synthetic(table):
        out.print("SYNTHETIC DATA: no row describes a real organisation.", markup=False)
    out.print(
        f"{len(frame)} organisations, {len(adopters)} of them use internal social media "
        f"({100 * len(adopters) / max(len(frame), 1):.0f}%).",
        markup=False,
    )
    factors = Table("factor", "mean", "min", "max", "n", title="Maturity (0-100)")
    for factor in (*FACTORS, "overall"):
        values = adopters[factor].dropna()
        label = FACTOR_LABELS[factor].get(lang) if factor in FACTOR_LABELS else factor
        factors.add_row(
            label, _fmt(values.mean()), _fmt(values.min()), _fmt(values.max()), str(len(values))
        )
    out.print(factors)
    stages = Table("stage", "organisations", title="Stages")
    for stage in STAGES:
        stages.add_row(stage.label.get(lang), str(int((adopters["stage"] == stage.key).sum())))
    out.print(stages)
    for key in ("active_share", "passive_share"):
        if key in table.columns:
            values = table[key].dropna()
            out.print(
                f"{key}: mean {values.mean():.1f}% of the target group (n={len(values)})",
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


@stats_app.command("reliability")
def stats_reliability(
    data: Annotated[Path, typer.Argument(help="The data: .csv, .xlsx, .sav or .parquet.")],
    codebook: Annotated[
        Path, typer.Option("--codebook", help="YAML: scales with items, reverse, min, max.")
    ],
    missing: Annotated[
        Missing, typer.Option("--missing", help="Pairwise (as psych::alpha) or listwise.")
    ] = Missing.pairwise,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Reliability of each scale: Cronbach's alpha (raw and standardized), omega total,
    and per item the corrected item-total correlation and alpha if deleted.

    The codebook is YAML:  scales: {agreeableness: {items: [A1, A2, A3], reverse: [A1],
    min: 1, max: 6}}. Empty cells are missing.

    Example: ismonitor stats reliability survey.csv --codebook codebook.yaml --json
    """
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
        table = Table(
            "item",
            "r_drop",
            "alpha if deleted",
            title=f"{name}: n={scale['n']}, k={scale['k']}, alpha={_f3(scale['alpha'])}, "
            f"standardized alpha={_f3(scale['alpha_std'])}, "
            f"omega total={_f3(scale['omega_total'])}",
        )
        for item, values in scale["items"].items():
            table.add_row(item, _f3(values["r_drop"]), _f3(values["alpha_if_deleted"]))
        out.print(table)


@stats_app.command("correlate")
def stats_correlate(
    data: Annotated[Path, typer.Argument(help="The data: .csv, .xlsx, .sav or .parquet.")],
    variables: Annotated[str, typer.Option("--vars", help="Columns, separated by commas.")],
    method: Annotated[Method, typer.Option("--method", help="Correlation.")] = Method.pearson,
    adjust: Annotated[
        Adjust, typer.Option("--adjust", help="Adjustment for multiple comparisons.")
    ] = Adjust.holm,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Correlations between every pair of variables, as R psych::corr.test computes them:
    pairwise n, r, 95% CI (Fisher z), two-sided p and adjusted p. Correlations describe
    relations ("samenhang"), not causes.

    Example: ismonitor stats correlate survey.csv --vars A,B,C --method spearman --json
    """
    from .stats.codebook import correlation_report

    names = [name.strip() for name in variables.split(",") if name.strip()]
    if len(names) < 2:
        raise _fail(f"--vars {variables!r}: name at least two columns, separated by commas")
    frame = _numbers(data, names)
    try:
        report = correlation_report(frame, names, method.value, adjust.value)
    except ValueError as exc:
        raise _fail(f"{data}: {exc}") from None
    if as_json:
        _print_json(report)
        return
    table = Table("x", "y", "n", "r", "95% CI", "p", f"p ({adjust.value})")
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


@app.command("analyse")
def analyse_command(
    responses: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx, .sav or .parquet.")],
    instrument_name: InstrumentOption,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="The previous edition's responses.")
    ] = None,
    previous_instrument: Annotated[
        str | None,
        typer.Option("--previous-instrument", help="Its instrument, if not the same one."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a summary.")
    ] = False,
) -> None:
    """The national analysis of an edition: participants, maturity per factor and group,
    reported use, reliability of the outcome scales, use related to outcomes (Pearson,
    Holm-adjusted over the whole table), the barriers ranked, platforms, and trends
    against the previous edition. See docs/analysis.md.

    Example: ismonitor analyse demo/responses.csv --instrument ism-2018 --json
    """
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
        out.print("SYNTHETIC DATA: no row describes a real organisation.", markup=False)
    p = result["participants"]
    out.print(f"{p['organisations']} organisations, {p['adopters']} adopters.", markup=False)
    usage = result["usage"]
    out.print(
        f"Mean active share {_f1(usage.get('active_share_mean'))}%, "
        f"mean passive share {_f1(usage.get('passive_share_mean'))}% of the target group.",
        markup=False,
    )
    table = Table(
        "use",
        "outcome",
        "n",
        "r",
        "95% CI",
        "p (Holm)",
        title="Use related to outcomes (p Holm < .05)",
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
    barriers = Table("reason", "mean rank", "ranked first", title="Barriers (non-adopters)")
    for b in result["barriers"]:
        barriers.add_row(b["reason"], f"{b['mean_rank']:.2f}", f"{100 * b['share_first']:.0f}%")
    out.print(barriers)


def _f1(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


# -- reports ------------------------------------------------------------------------------------

OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="The report to write: FILE.pdf or FILE.html.")
]


def _write_report(build, out_path: Path) -> None:
    from .reports.render import FORMATS, write

    if out_path.suffix.lower() not in FORMATS:
        raise _fail(f"--out {out_path}: expected a .pdf or .html file")
    with err.status(f"Building {out_path.name} ..."):
        html = build()
        write(html, out_path)
    out.print(f"Wrote {out_path}", markup=False)


@report_app.command("national")
def report_national(
    responses: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx, .sav or .parquet.")],
    instrument_name: InstrumentOption,
    out_path: OutOption,
    lang: LangOption = Lang.nl,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="The previous edition's responses.")
    ] = None,
    previous_instrument: Annotated[
        str | None,
        typer.Option("--previous-instrument", help="Its instrument, if not the same one."),
    ] = None,
) -> None:
    """The national report: who took part, the maturity model, active and passive use,
    purposes, use and outcomes, barriers, trends, platforms and method.

    Example: ismonitor report national demo/responses.csv -i ism-2018 --lang en --out national.pdf
    """
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


@report_app.command("organisation")
def report_organisation(
    responses: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx, .sav or .parquet.")],
    org: Annotated[str, typer.Option("--org", help="The organisation's id (org_id).")],
    instrument_name: InstrumentOption,
    out_path: OutOption,
    lang: LangOption = Lang.nl,
) -> None:
    """One organisation's report: its scores against all organisations, its sector and its
    size class, its unmet preconditions with advice, and what to steer on for its goals.

    Example: ismonitor report organisation demo/responses.csv --org SYN-001 -i ism-2018 -o o.pdf
    """
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


@activity_app.command("platforms")
def activity_platforms() -> None:
    """List the platforms whose exports can be imported, with their options.

    Example: ismonitor activity platforms
    """
    from .activity import all_importers

    table = Table("platform", "what it reads", "options")
    for name, importer in sorted(all_importers().items()):
        options = "; ".join(f"{k}: {v}" for k, v in importer.options.items()) or "-"
        table.add_row(name, importer.description, options)
    out.print(table)


@activity_app.command("new-key")
def activity_new_key(
    path: Annotated[Path, typer.Argument(help="The key file to create (readable by you only).")],
) -> None:
    """Make a random pseudonymisation key and write it to a file no one else can read.

    Keep the file: the same key gives the same pseudonyms, so later imports can be
    compared with earlier ones. Use it with ISMONITOR_PSEUDONYM_KEY_FILE=PATH.

    Example: ismonitor activity new-key ~/.config/ismonitor/pseudonym.key
    """
    import os
    import secrets

    if path.exists():
        raise _fail(f"{path}: exists already; a key is never overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w") as file:
        file.write(secrets.token_hex(32) + "\n")
    out.print(
        f"Wrote a new key to {path}. Use it with ISMONITOR_PSEUDONYM_KEY_FILE={path}", markup=False
    )


@activity_app.command("import")
def activity_import(
    platform: Annotated[str, typer.Argument(help="See 'ismonitor activity platforms'.")],
    path: Annotated[Path, typer.Argument(help="The export: a ZIP file, a folder or a file.")],
    out_dir: Annotated[Path, typer.Option("--out", help="The dataset folder to create.")],
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help="CSV of the intended target group (user_id, department)."),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="An importer option as KEY=VALUE (e.g. mapping=map.yaml)."),
    ] = None,
    on_error: Annotated[
        OnError, typer.Option("--on-error", help="Stop at a malformed record, or count it.")
    ] = OnError.abort,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an old dataset.")] = False,
    namespace: Annotated[
        str | None, typer.Option("--namespace", help="Pseudonym namespace (default: platform).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes that parse a large JSON export (default: one per core from 64 MB).",
        ),
    ] = None,
) -> None:
    """Import a platform's export as pseudonymised events (Parquet), with a progress bar.

    User identifiers are replaced by a keyed hash (the key from ISMONITOR_PSEUDONYM_KEY or
    ISMONITOR_PSEUDONYM_KEY_FILE) before anything is written; names, e-mail addresses and
    message texts are never written. A failed import leaves nothing behind.

    Example: ismonitor activity import slack export.zip --out activity --roster roster.csv
    """
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    from .activity import MalformedRecordError, PseudonymKeyError, import_export

    options = {}
    for item in option or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _fail(f"--option {item!r}: expected KEY=VALUE")
        options[key] = value
    columns = (BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(platform, total=None)

        def report(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        try:
            result = import_export(platform, path, out_dir, roster=roster, overwrite=overwrite,
                                   progress=report, options=options, on_error=on_error.value,
                                   namespace=namespace, workers=workers)  # fmt: skip
        except (PseudonymKeyError, MalformedRecordError, FileNotFoundError, FileExistsError,
                KeyError, ValueError) as exc:  # fmt: skip
            raise _fail(str(exc).strip("'\"")) from None
    counts = ", ".join(f"{n} {action}" for action, n in result.imported.items() if n)
    out.print(f"Imported {result.events} events into {out_dir} ({counts or 'none'}).", markup=False)
    if result.period_rows:
        out.print(f"Imported {result.period_rows} per-user period counts.", markup=False)
    if result.skipped:
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(result.skipped.items()))
        out.print(f"Skipped on purpose: {skipped}.", markup=False)
    if result.rejected:
        out.print(f"Rejected as malformed: {result.rejected}.", markup=False)
        for message in result.rejections[:10]:
            err.print(f"  {message}", markup=False)
    if result.roster_rows is not None:
        out.print(f"Roster: {result.roster_rows} people in the target group.", markup=False)


@activity_app.command("metrics")
def activity_metrics(
    directory: Annotated[Path, typer.Argument(help="A dataset folder made by 'activity import'.")],
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help="Roster Parquet (default: DIR/roster.parquet if there)."),
    ] = None,
    period: Annotated[str, typer.Option("--period", help="Only 'month' for now.")] = "month",
    engine: Annotated[Engine, typer.Option("--engine", help="Where to compute.")] = Engine.duckdb,
    by_group: Annotated[bool, typer.Option("--by-group", help="Per channel or group too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Use per calendar month: audience, active and passive users and their shares, the
    90-9-1 split, frequency, dialogue (reply rate, time to first reply), participation
    inequality, DAU/MAU and the community health index. See docs/metrics.md.

    Example: ismonitor activity metrics activity --json
    """
    from .activity import engines, metrics, period_metrics

    if period != "month":
        raise _fail(f"--period {period!r}: only 'month' is supported")
    if roster is None and (directory / "roster.parquet").exists():
        roster = directory / "roster.parquet"
    try:
        backend = engines.connect(engine.value)
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
    table = Table("month", *(["group"] if by_group else []), "audience", "active", "passive",
                  "creators", "reply rate", "1st reply (median)", "Gini", "health",
                  title=f"Use per month (audience: {source or '-'})")  # fmt: skip
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
    table = Table("platform", "period", "audience", "active", "passive", "creators",
                  "contributors", "consumers", "Gini",
                  title=f"Use per report period (audience: {source or '-'})")  # fmt: skip
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


@activity_app.command("demo-export")
def activity_demo_export(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for slack-export.zip, roster.csv.")
    ],
    employees: Annotated[int, typer.Option("--employees", min=10)] = 400,
    months: Annotated[int, typer.Option("--months", min=1, max=24)] = 6,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 2026,
) -> None:
    """Write a SYNTHETIC Slack workspace export and roster of a made-up organisation.

    For trying the import and the metrics: the export has the real layout, every person in
    it is made up (and named so), with a few creators, more contributors, many lurkers.

    Example: ismonitor activity demo-export --out demo/activity-export
    """
    from .activity.synthetic import write_export

    export, roster = write_export(out_dir, employees=employees, months=months, seed=seed)
    out.print(f"Wrote {export} and {roster}: SYNTHETIC, {employees} made-up employees, "
              f"{months} months.", markup=False)  # fmt: skip
