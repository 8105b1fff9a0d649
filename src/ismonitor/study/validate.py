"""Check a responses table against its instrument and turn its cells into typed answers.

Every problem is reported, not only the first: unknown columns, missing or duplicate
organisation ids, values of the wrong type or out of range, required items left empty,
and answers to items that the instrument's conditions hide for that organisation.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..instrument import Instrument, ItemType, parse
from .columns import OTHER, SEPARATOR, Column, Kind, columns
from .io import RawTable, read_raw

YES = {"yes", "ja", "y", "j", "true", "1"}
NO = {"no", "nee", "n", "false", "0"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a responses table."""

    where: str | None  # "line 4", "row 4", "record 3", or None for the whole file
    org_id: str | None
    org_name: str | None
    column: str | None
    value: Any
    message: str

    def __str__(self) -> str:
        parts = []
        if self.where:
            parts.append(self.where)
        if self.org_id:
            name = f" ({self.org_name})" if self.org_name else ""
            parts.append(f"organisation {self.org_id}{name}")
        if self.column:
            parts.append(f"item {self.column}")
        return ": ".join(parts + [self.message])


class ResponsesError(ValueError):
    """A responses table with problems; ``problems`` lists every one."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = problems
        count = len(problems)
        head = f"{path}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head] + [f"{path}: {problem}" for problem in problems]))


@dataclass
class Validation:
    table: pd.DataFrame
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


class _Invalid(ValueError):
    pass


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _fmt(number: float) -> str:
    return str(int(number)) if number == round(number) else str(number)


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise _Invalid("is not a number")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            raise _Invalid("is not a number")
        return float(value)
    text = str(value).strip()
    if not _NUMBER.match(text):
        raise _Invalid("is not a number")
    return float(text.replace(",", "."))


def _whole(value: Any) -> int:
    number = _number(value)
    if number != round(number):
        raise _Invalid("is not a whole number")
    return int(round(number))


def _check_cell(column: Column, value: Any, instrument: Instrument, codes: bool) -> Any:
    """The typed answer in one cell, or :class:`_Invalid` saying what was expected."""
    item = column.item
    kind = column.kind
    if kind in (Kind.META, Kind.TEXT, Kind.OTHER_TEXT):
        if isinstance(value, float) and value == round(value):
            value = int(value)  # an id typed as a number in Excel
        return str(value).strip()
    if kind == Kind.CHOICE:
        keys = [option.key for option in instrument.choice_list(item)]
        if item.other:
            keys.append(OTHER)
        if codes and not isinstance(value, str):
            # SPSS stores the option's position in the list (1 = first)
            try:
                code = _whole(value)
            except _Invalid:
                code = 0
            if 1 <= code <= len(keys):
                return keys[code - 1]
            raise _Invalid(f"is not a code of this item; expected 1 to {len(keys)}")
        text = str(value).strip()
        if text not in keys:
            raise _Invalid(f"is not an option of this item; expected one of {', '.join(keys)}")
        return text
    if kind == Kind.YES_NO:
        text = str(int(value) if isinstance(value, float) and value in (0, 1) else value)
        text = text.strip().lower()
        if text in YES:
            return "yes"
        if text in NO:
            return "no"
        raise _Invalid("is not yes or no")
    if kind == Kind.FLAG:
        try:
            number = _whole(value)
        except _Invalid:
            number = -1
        if number not in (0, 1):
            raise _Invalid("is not 0 or 1 (1 = this option was chosen)")
        return number
    if kind == Kind.RANK:
        size = len(instrument.choice_list(item))
        try:
            rank = _whole(value)
        except _Invalid as exc:
            raise _Invalid(f"{exc}; expected a rank from 1 (most important) to {size}") from None
        if not 1 <= rank <= size:
            raise _Invalid(f"is out of range; expected a rank from 1 (most important) to {size}")
        return rank
    if kind == Kind.LIKERT:
        scale = instrument.likert(item)
        try:
            point = _whole(value)
        except _Invalid as exc:
            raise _Invalid(
                f"{exc}; expected a whole number from {scale.min} to {scale.max}"
            ) from None
        if not scale.min <= point <= scale.max:
            raise _Invalid(
                f"is out of range; expected a whole number from {scale.min} to {scale.max}"
            )
        return point
    if kind == Kind.PERCENTAGE:
        try:
            number = _number(value)
        except _Invalid as exc:
            raise _Invalid(f"{exc}; expected a percentage from 0 to 100") from None
        if not 0 <= number <= 100:
            raise _Invalid("is out of range; expected a percentage from 0 to 100")
        return number
    if kind == Kind.NUMBER:
        low = item.min if item.min is not None else -math.inf
        high = item.max if item.max is not None else math.inf
        if item.min is not None and item.max is not None:
            expected = f"a number from {_fmt(item.min)} to {_fmt(item.max)}"
        elif item.min is not None:
            expected = f"a number of at least {_fmt(item.min)}"
        elif item.max is not None:
            expected = f"a number of at most {_fmt(item.max)}"
        else:
            expected = "a number"
        try:
            number = _number(value)
        except _Invalid as exc:
            raise _Invalid(f"{exc}; expected {expected}") from None
        if not low <= number <= high:
            raise _Invalid(f"is out of range; expected {expected}")
        return number
    raise AssertionError(kind)


def validate(
    raw: pd.DataFrame, instrument: Instrument, locate=None, codes: bool = False
) -> Validation:
    """Check a table of raw cells against ``instrument``.

    Parameters
    ----------
    raw
        One row per organisation, columns named as in :func:`ismonitor.study.columns.columns`.
    instrument
        The questionnaire the answers belong to.
    locate
        Names row ``i`` for messages (default ``row i+1``).
    codes
        Choice answers may be SPSS codes (1 = first option) rather than option keys.

    Returns
    -------
    Validation
        ``table``, the typed answers (option keys, ``yes``/``no``, numbers, text; missing
        answers are ``None``/NaN), and ``problems``, every problem found.
    """
    locate = locate or (lambda i: f"row {i + 1}")
    spec = columns(instrument)
    by_name = {column.name: column for column in spec}
    problems: list[Problem] = []

    for name in raw.columns:
        if name not in by_name:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                Problem(
                    None,
                    None,
                    None,
                    name,
                    None,
                    f"unknown column: it is not an item of {instrument.name} "
                    f"{instrument.version}{hint}",
                )
            )
    if "org_id" not in raw.columns:
        problems.append(
            Problem(
                None,
                None,
                None,
                "org_id",
                None,
                "the column org_id is missing; every row needs the organisation's id",
            )
        )

    present = [column for column in spec if column.name in raw.columns]
    typed: dict[str, list[Any]] = {column.name: [] for column in present}
    records = raw.to_dict("records")
    seen_ids: dict[str, int] = {}
    for index, record in enumerate(records):
        where = locate(index)
        org_id = record.get("org_id")
        org_id = (
            None if _missing(org_id) else _check_cell(by_name["org_id"], org_id, instrument, False)
        )
        org_name = record.get("org_name")
        org_name = None if _missing(org_name) else str(org_name)

        def report(column, value, message, where=where, org_id=org_id, org_name=org_name):
            problems.append(Problem(where, org_id, org_name, column, value, message))

        if "org_id" in raw.columns:
            if org_id is None:
                report("org_id", None, "the organisation id is empty")
            elif org_id in seen_ids:
                report(
                    "org_id",
                    org_id,
                    f"the organisation id is used twice (also at {locate(seen_ids[org_id])})",
                )
            else:
                seen_ids[org_id] = index
        if not _missing(record.get("instrument_version")):
            version = str(record["instrument_version"]).strip()
            if version != instrument.version:
                report(
                    "instrument_version",
                    version,
                    f"'{version}' is the version answered, but these answers are checked "
                    f"against {instrument.name} {instrument.version}",
                )
        row: dict[str, Any] = {}
        invalid: set[str] = set()
        for column in present:
            value = record.get(column.name)
            if _missing(value):
                row[column.name] = None
                continue
            try:
                row[column.name] = _check_cell(column, value, instrument, codes)
            except _Invalid as exc:
                report(column.name, value, f"{value!r} {exc}")
                row[column.name] = None
                if column.item is not None:
                    invalid.add(column.item.key)
        _check_row(row, record, instrument, present, invalid, report)
        for column in present:
            typed[column.name].append(row[column.name])

    table = _typed_frame(typed, present)
    return Validation(table, problems)


def answers_of(row: dict[str, Any], instrument: Instrument) -> dict[str, Any]:
    """An organisation's answers by item key, as conditions see them.

    A multiple-choice item is the set of chosen option keys; a ranking the option keys from
    most to least important; an unanswered item ``None`` (empty cells and NaN alike).
    """
    answers: dict[str, Any] = {}
    for item in instrument.items():
        if item.type in (ItemType.MULTIPLE_CHOICE, ItemType.RANKING):
            cells = {
                option.key: row.get(f"{item.key}{SEPARATOR}{option.key}")
                for option in instrument.choice_list(item)
            }
            cells = {key: value for key, value in cells.items() if not _missing(value)}
            if not cells:
                answers[item.key] = None
            elif item.type == ItemType.MULTIPLE_CHOICE:
                answers[item.key] = {key for key, value in cells.items() if value == 1}
            else:
                answers[item.key] = [key for key, _ in sorted(cells.items(), key=lambda kv: kv[1])]
        else:
            value = row.get(item.key)
            answers[item.key] = None if _missing(value) else value
    return answers


def row_from_answers(answers: dict[str, Any], instrument: Instrument) -> dict[str, Any]:
    """The table row for answers given by item key: the inverse of :func:`answers_of`.

    A multiple-choice answer is a list of option keys (every other option becomes 0); a
    ranking a list of option keys from most to least important.
    """
    row: dict[str, Any] = {}
    for key, value in answers.items():
        if key in ("org_id", "org_name", "edition", "instrument_version"):
            row[key] = value
            continue
        item = instrument.item(key)
        if item.type in (ItemType.MULTIPLE_CHOICE, ItemType.RANKING) and value is not None:
            options = [option.key for option in instrument.choice_list(item)]
            unknown = [v for v in value if v not in options]
            if unknown:
                raise ValueError(
                    f"item {key}: {', '.join(map(repr, unknown))} is not an option; "
                    f"expected one of {', '.join(options)}"
                )
            for option in options:
                column = f"{key}{SEPARATOR}{option}"
                if item.type == ItemType.MULTIPLE_CHOICE:
                    row[column] = 1 if option in value else 0
                else:
                    row[column] = value.index(option) + 1 if option in value else None
        else:
            row[key] = value
    return row


def visible_items(answers: dict[str, Any], instrument: Instrument) -> set[str]:
    """The keys of the items shown to an organisation with these answers."""
    shown: set[str] = set()
    for section in instrument.sections:
        if section.show_if and not parse(section.show_if)(answers):
            continue
        for item in section.items:
            if item.show_if and not parse(item.show_if)(answers):
                continue
            shown.add(item.key)
    return shown


def _check_row(row, record, instrument, present: Iterable[Column], invalid: set[str], report):
    """Checks across the items of one row; clears answers to hidden items."""
    answers = answers_of(row, instrument)
    shown = visible_items(answers, instrument)
    by_item: dict[str, list[Column]] = {}
    for column in present:
        if column.item is not None:
            by_item.setdefault(column.item.key, []).append(column)
    for item in instrument.items():
        cols = by_item.get(item.key, [])
        filled = [c for c in cols if row.get(c.name) is not None]
        if item.key not in shown:
            condition = _hiding_condition(item, instrument)
            # an invalid answer hides what depends on it: that was reported already
            depends_on_invalid = bool(parse(condition).names & invalid) if condition else False
            for column in filled:
                value, row[column.name] = record[column.name], None
                if depends_on_invalid:
                    continue
                report(
                    column.name,
                    value,
                    f"{value!r} answers an item that is hidden for this "
                    f"organisation: the condition {condition!r} is not met",
                )
            continue
        if item.required and not filled and item.key not in invalid:
            report(item.key, None, "this required item has no answer")
        if item.type.value == "ranking":
            ranks = [(row[c.name], c) for c in filled if c.kind == Kind.RANK]
            seen: dict[int, str] = {}
            for rank, column in ranks:
                if rank in seen:
                    report(column.name, rank, f"rank {rank} is given twice (also to {seen[rank]})")
                seen[rank] = column.name


def _hiding_condition(item, instrument: Instrument) -> str:
    section = instrument.section_of(item.key)
    if item.show_if:
        return item.show_if if not section.show_if else f"({section.show_if}) and ({item.show_if})"
    return section.show_if or ""


def _typed_frame(typed: dict[str, list[Any]], present: list[Column]) -> pd.DataFrame:
    data = {}
    for column in present:
        values = typed[column.name]
        if column.numeric:
            data[column.name] = pd.Series(
                [float("nan") if v is None else v for v in values], dtype="float64"
            )
        else:
            data[column.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def load_responses(path: str | Path, instrument: Instrument) -> pd.DataFrame:
    """Read a responses file and check it; raises :class:`ResponsesError` listing every problem."""
    result = check_file(path, instrument)
    if result.problems:
        raise ResponsesError(str(path), result.problems)
    return result.table


def check_file(path: str | Path, instrument: Instrument) -> Validation:
    raw: RawTable = read_raw(path)
    return validate(raw.frame, instrument, raw.locate, codes=raw.format == "sav")


def read_numbers(path: str | Path, columns: list[str]) -> pd.DataFrame:
    """Named columns of any data file (another survey tool's, say) as numbers.

    Empty cells are missing. Every cell that is not a number is reported, with its row,
    column and value; a column the file does not have is reported with the columns it has.
    """
    raw = read_raw(path)
    problems: list[Problem] = []
    for column in columns:
        if column not in raw.frame.columns:
            close = difflib.get_close_matches(column, [str(c) for c in raw.frame.columns], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                Problem(None, None, None, column, None, f"no such column in the file{hint}")
            )
    if problems:
        raise ResponsesError(str(path), problems)
    out = {}
    for column in columns:
        values = []
        for index, value in enumerate(raw.frame[column].tolist()):
            if _missing(value):
                values.append(float("nan"))
                continue
            try:
                values.append(_number(value))
            except _Invalid:
                values.append(float("nan"))
                problems.append(
                    Problem(
                        raw.locate(index), None, None, column, value, f"{value!r} is not a number"
                    )
                )
        out[column] = pd.Series(values, dtype="float64")
    if problems:
        raise ResponsesError(str(path), problems)
    return pd.DataFrame(out)
