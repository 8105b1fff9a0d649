"""How an instrument becomes the columns of a responses table.

One row per organisation per edition. The meta columns come first, then one column per
item, except multiple-choice and ranking items, which get one column per option
(``purposes__ideas``), and choice items with ``other: true``, which add ``<key>__other``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..instrument import Choice, Instrument, Item, ItemType

SEPARATOR = "__"
OTHER = "other"

META_COLUMNS = ("org_id", "org_name", "edition", "instrument_version")
"""``org_id`` is required and unique; the others are optional."""


class Kind(StrEnum):
    META = "meta"
    CHOICE = "choice"  # single choice: an option key
    YES_NO = "yes_no"  # "yes" or "no"
    NUMBER = "number"
    PERCENTAGE = "percentage"
    LIKERT = "likert"
    TEXT = "text"
    FLAG = "flag"  # one option of a multiple-choice item: 0 or 1
    RANK = "rank"  # one option of a ranking item: 1 = most important
    OTHER_TEXT = "other_text"  # the open "other" answer of a choice item


_KIND_OF_TYPE = {
    ItemType.SINGLE_CHOICE: Kind.CHOICE,
    ItemType.YES_NO: Kind.YES_NO,
    ItemType.NUMBER: Kind.NUMBER,
    ItemType.PERCENTAGE: Kind.PERCENTAGE,
    ItemType.LIKERT: Kind.LIKERT,
    ItemType.TEXT: Kind.TEXT,
}


@dataclass(frozen=True)
class Column:
    """One column of the responses table and the item (and option) it holds."""

    name: str
    kind: Kind
    item: Item | None = None
    option: Choice | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in (Kind.NUMBER, Kind.PERCENTAGE, Kind.LIKERT, Kind.FLAG, Kind.RANK)


def columns(instrument: Instrument) -> list[Column]:
    """Every column of a responses table for ``instrument``, in order."""
    result = [Column(name, Kind.META) for name in META_COLUMNS]
    for item in instrument.items():
        if item.type == ItemType.MULTIPLE_CHOICE:
            result += [
                Column(f"{item.key}{SEPARATOR}{option.key}", Kind.FLAG, item, option)
                for option in instrument.choice_list(item)
            ]
        elif item.type == ItemType.RANKING:
            result += [
                Column(f"{item.key}{SEPARATOR}{option.key}", Kind.RANK, item, option)
                for option in instrument.choice_list(item)
            ]
        else:
            result.append(Column(item.key, _KIND_OF_TYPE[item.type], item))
        if item.other:
            result.append(Column(f"{item.key}{SEPARATOR}{OTHER}", Kind.OTHER_TEXT, item))
    return result


def columns_by_name(instrument: Instrument) -> dict[str, Column]:
    return {column.name: column for column in columns(instrument)}


def item_columns(instrument: Instrument, item: Item) -> list[Column]:
    """The columns that hold the answer to one item."""
    return [column for column in columns(instrument) if column.item is item]
