"""Read and write responses tables as CSV, Excel (.xlsx), SPSS (.sav) and Parquet.

Reading gives the cells as they are in the file (text for CSV and Excel), together with a
way to name a row in that file; :mod:`ismonitor.study.validate` turns them into typed
answers. Writing takes a validated table; SPSS files get numeric codes with value labels
from the instrument, in the language asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..files import replacing
from ..instrument import Instrument
from .columns import Column, Kind, columns

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".sav": "sav", ".parquet": "parquet"}


class ResponsesFileError(ValueError):
    """A responses file that cannot be read at all."""


@dataclass
class RawTable:
    """The cells of a responses file and how to name its rows."""

    path: Path
    format: str
    frame: pd.DataFrame
    locate: Callable[[int], str]
    """Names row ``i`` (0-based) as the user finds it: ``line 4`` in a CSV, ``row 4`` in Excel."""


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ResponsesFileError(
            f"{path}: unknown file type {suffix or '(none)'!r}; expected one of "
            f"{', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def read_raw(path: str | Path) -> RawTable:
    """Read a responses file without interpreting its values."""
    path = Path(path)
    fmt = format_of(path)
    if not path.exists():
        raise ResponsesFileError(f"{path}: no such file")
    try:
        if fmt == "csv":
            frame = _read_csv(path)
            return RawTable(path, fmt, frame, lambda i: f"line {i + 2}")
        if fmt == "xlsx":
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
            return RawTable(path, fmt, _blank_to_none(frame), lambda i: f"row {i + 2}")
        if fmt == "sav":
            import pyreadstat

            frame, _ = pyreadstat.read_sav(str(path), apply_value_formats=False)
            return RawTable(path, fmt, _blank_to_none(frame.astype(object)), _record)
        frame = pd.read_parquet(path)
        return RawTable(path, fmt, _blank_to_none(frame.astype(object)), _record)
    except ResponsesFileError:
        raise
    except Exception as exc:  # the readers' own errors say what is wrong with the bytes
        raise ResponsesFileError(f"{path}: cannot read this {fmt} file: {exc}") from exc


def _record(i: int) -> str:
    return f"record {i + 1}"


def _read_csv(path: Path) -> pd.DataFrame:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    # Dutch spreadsheets write CSV with semicolons; take whichever separates the header.
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResponsesFileError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8"
        ) from None
    except pd.errors.ParserError as exc:
        raise ResponsesFileError(f"{path}: not a well-formed CSV file: {exc}") from None
    return _blank_to_none(frame.astype(object))


def _blank_to_none(frame: pd.DataFrame) -> pd.DataFrame:
    def blank(value):
        if value is None:
            return None
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, str) and value.strip() == "":
            return None
        if value is pd.NA or value is pd.NaT:
            return None
        return value

    frame = frame.astype(object)
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame.map(blank) if len(frame) else frame


# -- writing ----------------------------------------------------------------------------


def write(table: pd.DataFrame, path: str | Path, instrument: Instrument, lang: str = "nl") -> Path:
    """Write a validated responses table; the format follows the file's suffix.

    The file is written to a temporary name beside the target and renamed into place, so
    a failed write leaves no half-written file.
    """
    path = Path(path)
    fmt = format_of(path)
    spec = [column for column in columns(instrument) if column.name in table.columns]
    with replacing(path) as temporary:
        if fmt == "csv":
            _plain(table, spec).to_csv(temporary, index=False, encoding="utf-8")
        elif fmt == "xlsx":
            _plain(table, spec).to_excel(temporary, index=False, engine="openpyxl")
        elif fmt == "parquet":
            _plain(table, spec).to_parquet(temporary, index=False)
        else:
            _write_sav(table, spec, instrument, lang, str(temporary))
    return path


def _plain(table: pd.DataFrame, spec: list[Column]) -> pd.DataFrame:
    """The table with whole numbers as integers, so files say ``3`` rather than ``3.0``."""
    out: dict[str, pd.Series] = {}
    for column in spec:
        values = table[column.name]
        if column.numeric:
            numbers = pd.to_numeric(values, errors="raise").astype("Float64")
            whole = numbers.dropna()
            if (whole == whole.round()).all():
                numbers = numbers.astype("Int64")
            out[column.name] = numbers
        else:
            out[column.name] = values.astype(object).where(values.notna(), None)
    return pd.DataFrame(out, index=table.index)


def _write_sav(
    table: pd.DataFrame, spec: list[Column], instrument: Instrument, lang: str, path: str
) -> None:
    import pyreadstat

    out: dict[str, pd.Series] = {}
    value_labels: dict[str, dict] = {}
    variable_labels: dict[str, str] = {}
    measures: dict[str, str] = {}
    no, yes = ("nee", "ja") if lang == "nl" else ("no", "yes")
    chosen = ("niet gekozen", "gekozen") if lang == "nl" else ("not chosen", "chosen")
    for column in spec:
        values = table[column.name]
        item = column.item
        if item is not None:
            label = item.label.get(lang)
            if column.option is not None:
                label = f"{label} [{column.option.label.get(lang)}]"
            variable_labels[column.name] = label[:255]
        if column.kind == Kind.CHOICE:
            options = instrument.choice_list(item)
            codes = {option.key: number for number, option in enumerate(options, start=1)}
            labels = {
                number: option.label.get(lang)
                for option, number in zip(options, codes.values(), strict=True)
            }
            if item.other:
                codes["other"] = len(options) + 1
                labels[len(options) + 1] = "anders" if lang == "nl" else "other"
            out[column.name] = values.map(
                lambda v, c=codes: c.get(v) if isinstance(v, str) else None
            ).astype(float)
            value_labels[column.name] = labels
            measures[column.name] = "nominal"
        elif column.kind == Kind.YES_NO:
            out[column.name] = values.map({"yes": 1.0, "no": 0.0}).astype(float)
            value_labels[column.name] = {1: yes, 0: no}
            measures[column.name] = "nominal"
        elif column.kind == Kind.FLAG:
            out[column.name] = pd.to_numeric(values).astype(float)
            value_labels[column.name] = {0: chosen[0], 1: chosen[1]}
            measures[column.name] = "nominal"
        elif column.kind == Kind.LIKERT:
            out[column.name] = pd.to_numeric(values).astype(float)
            scale = instrument.likert(item)
            if scale.labels:
                value_labels[column.name] = {
                    scale.min + i: text.get(lang) for i, text in enumerate(scale.labels)
                }
            measures[column.name] = "ordinal"
        elif column.numeric:
            out[column.name] = pd.to_numeric(values).astype(float)
            measures[column.name] = "ordinal" if column.kind == Kind.RANK else "scale"
        else:
            out[column.name] = values.map(lambda v: "" if v is None or v != v else str(v))
            measures[column.name] = "nominal"
    pyreadstat.write_sav(
        pd.DataFrame(out, index=table.index),
        path,
        column_labels=variable_labels,
        variable_value_labels=value_labels,
        variable_measure=measures,
    )
