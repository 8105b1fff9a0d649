"""Answers in the database as the library's responses table, and back.

The portal keeps one row per answer; the library works on a table with one row per
organisation. ``row_from_answers`` and ``answers_of`` (``ismonitor.study``) convert between
the two, and ``validate`` checks the result, so the portal holds no rules of its own about
what an answer may be beyond reading it from a form.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ismonitor.instrument import Instrument, ItemType
from ismonitor.study import Validation, answers_of, columns, row_from_answers, validate
from ismonitor.study import visible_items as _visible_items

OTHER = "other"


def condition_answers(values: dict[str, Any], instrument: Instrument) -> dict[str, Any]:
    """Stored answers as conditions see them: a multiple-choice answer is a set."""
    out: dict[str, Any] = {}
    for item in instrument.items():
        value = values.get(item.key)
        if item.type == ItemType.MULTIPLE_CHOICE and value is not None:
            value = set(value)
        out[item.key] = value
    return out


def visible_items(values: dict[str, Any], instrument: Instrument) -> set[str]:
    return _visible_items(condition_answers(values, instrument), instrument)


def visible_sections(values: dict[str, Any], instrument: Instrument) -> list:
    """The sections shown for these answers, in order (a section with no item shown is not)."""
    shown = visible_items(values, instrument)
    return [s for s in instrument.sections if any(item.key in shown for item in s.items)]


def row_for(
    meta: dict[str, Any],
    values: dict[str, Any],
    others: dict[str, str],
    instrument: Instrument,
) -> dict[str, Any]:
    """One organisation's table row from its answers; answers to hidden items are left out.

    A hidden answer is kept in the database (the organisation may change the answer that
    hides it back), but it is not an answer the instrument asks for, so it stays out of
    the table.
    """
    shown = visible_items(values, instrument)
    given = {key: value for key, value in values.items() if key in shown and value is not None}
    row = row_from_answers({**meta, **given}, instrument)
    for key, text in others.items():
        if key in shown and text:
            row[f"{key}__{OTHER}"] = text
    return row


def table_of(rows: list[dict[str, Any]], instrument: Instrument) -> Validation:
    """Rows checked by the library; ``.table`` holds the typed answers."""
    names = [column.name for column in columns(instrument)]
    frame = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    frame = frame.astype(object).where(frame.notna(), None)
    return validate(frame, instrument, locate=lambda i: rows[i].get("org_id", f"row {i + 1}"))


def stored_answers(row: dict[str, Any], instrument: Instrument) -> dict[str, tuple[Any, str]]:
    """A table row as answers to store: item key -> (value, other text)."""
    answers = answers_of(row, instrument)
    out: dict[str, tuple[Any, str]] = {}
    for item in instrument.items():
        value = answers.get(item.key)
        other = row.get(f"{item.key}__{OTHER}") if item.other else None
        other = "" if other is None or (isinstance(other, float) and math.isnan(other)) else other
        if value is None and not other:
            continue
        if item.type == ItemType.MULTIPLE_CHOICE and value is not None:
            order = [option.key for option in instrument.choice_list(item)]
            value = [key for key in order if key in value]
        elif item.type in (ItemType.LIKERT,) and value is not None:
            value = int(value)
        elif item.type in (ItemType.NUMBER, ItemType.PERCENTAGE) and value is not None:
            value = canonical_number(float(value))
        out[item.key] = (value, str(other))
    return out


def canonical_number(number: float) -> int | float:
    """12.0 as 12, so that equal answers compare and print alike."""
    return int(number) if number == round(number) and abs(number) < 1e15 else number
