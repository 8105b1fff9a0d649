"""The questionnaire page by page: reading answers from a form, and what a page shows.

Form fields are named after the item: ``a-<key>`` holds the answer, ``a-<key>-other`` the
text of "other, namely ...", ``a-<key>-rank-<option>`` the rank of one option of a ranking,
``v-<key>`` the version of the answer the page showed, ``o-<key>`` the answer the page
showed, and ``p-<key>`` marks an item that was on the page (a hidden item's fields are
disabled, so it is not sent and not changed). The same fields serve a whole page posted
without JavaScript and one item saved by the page's script.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ismonitor.instrument import Instrument, Item, ItemType, Section

from ..editions.table import OTHER, canonical_number, visible_items, visible_sections

TEXT_LIMIT = 5000
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

REQUIRED = gettext_lazy("Please answer this question.")
CONFLICT = gettext_lazy(
    "A colleague changed this answer while you were working: reload the page to see it."
)


class Invalid(ValueError):
    """An answer that cannot be read from the form; the message says what is expected."""


def _fmt(number: float) -> str:
    """A number as the visitor writes it: 12,5 in Dutch, 12.5 in English."""
    text = str(canonical_number(number))
    return text.replace(".", ",") if get_language() == "nl" else text


def expected(item: Item, instrument: Instrument) -> str:
    """What an answer to ``item`` must be, as a sentence for the message beside it."""
    if item.type == ItemType.NUMBER:
        low, high = item.min, item.max
        if low is not None and high is not None:
            return _("Enter a number from %(min)s to %(max)s.") % {
                "min": canonical_number(low),
                "max": canonical_number(high),
            }
        if low is not None:
            return _("Enter a number of at least %(min)s.") % {"min": canonical_number(low)}
        if high is not None:
            return _("Enter a number of at most %(max)s.") % {"max": canonical_number(high)}
        return _("Enter a number.")
    if item.type == ItemType.PERCENTAGE:
        return _("Enter a percentage from 0 to 100.")
    if item.type == ItemType.LIKERT:
        return _("Choose one point of the scale.")
    if item.type == ItemType.RANKING:
        return _("Number the options from 1 upwards, each number once and without gaps.")
    if item.type == ItemType.MULTIPLE_CHOICE:
        return _("Choose only options from the list.")
    if item.type == ItemType.TEXT:
        return _("Keep the text under %(limit)s characters.") % {"limit": TEXT_LIMIT}
    return _("Choose one of the options.")


def _number(text: str) -> float:
    text = text.strip().replace(" ", "")
    if not NUMBER.match(text):
        raise ValueError(text)
    return float(text.replace(",", "."))


def parse(item: Item, instrument: Instrument, data) -> tuple[Any, str]:
    """The answer to ``item`` in the posted ``data``: (value, other text); None when empty.

    Raises :class:`Invalid` when the form holds something the item cannot take.
    """
    key = f"a-{item.key}"
    other = (data.get(f"{key}-other") or "").strip() if item.other else ""
    if len(other) > TEXT_LIMIT:
        raise Invalid(_("Keep the text under %(limit)s characters.") % {"limit": TEXT_LIMIT})
    options = [option.key for option in instrument.choice_list(item)] if item.choices else []
    kind = item.type
    if kind == ItemType.SINGLE_CHOICE:
        value = (data.get(key) or "").strip() or None
        allowed = options + ([OTHER] if item.other else [])
        if value is not None and value not in allowed:
            raise Invalid(expected(item, instrument))
        if value == OTHER or (value is None and other):
            return OTHER, other
        return value, ""
    if kind == ItemType.MULTIPLE_CHOICE:
        chosen = [value for value in data.getlist(key) if value]
        if any(value not in options + [OTHER] for value in chosen):
            raise Invalid(expected(item, instrument))
        if OTHER not in chosen:
            other = ""
        values = [option for option in options if option in chosen]
        if not values and not other:
            return None, ""
        return values, other
    if kind == ItemType.RANKING:
        ranks: dict[str, int] = {}
        for option in options:
            text = (data.get(f"{key}-rank-{option}") or "").strip()
            if not text:
                continue
            if not text.isdigit() or not 1 <= int(text) <= len(options):
                raise Invalid(expected(item, instrument))
            ranks[option] = int(text)
        numbers = sorted(ranks.values())
        if numbers != list(range(1, len(numbers) + 1)):
            raise Invalid(expected(item, instrument))
        if not ranks:
            return (None, "") if not other else ([], other)
        return sorted(ranks, key=ranks.get), other
    text = (data.get(key) or "").strip()
    if not text:
        return None, ""
    if kind == ItemType.YES_NO:
        if text not in ("yes", "no"):
            raise Invalid(expected(item, instrument))
        return text, ""
    if kind == ItemType.TEXT:
        if len(text) > TEXT_LIMIT:
            raise Invalid(expected(item, instrument))
        return text, ""
    try:
        number = _number(text)
    except ValueError:
        raise Invalid(expected(item, instrument)) from None
    if kind == ItemType.LIKERT:
        scale = instrument.likert(item)
        if number != round(number) or not scale.min <= number <= scale.max:
            raise Invalid(expected(item, instrument))
        return int(number), ""
    low, high = (0, 100) if kind == ItemType.PERCENTAGE else (item.min, item.max)
    if (low is not None and number < low) or (high is not None and number > high):
        raise Invalid(expected(item, instrument))
    return canonical_number(number), ""


def original(data, key: str) -> Any:
    """The answer the page showed for an item (``o-<key>``), or None when not sent."""
    text = data.get(f"o-{key}")
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def encode_original(value: Any, other: str) -> str:
    return json.dumps([value, other], sort_keys=True)


# -- what a page shows ------------------------------------------------------------------


@dataclass
class Option:
    key: str
    label: str
    checked: bool = False
    rank: int | None = None


@dataclass
class ItemView:
    item: Item
    label: str
    help: str
    type: str
    visible: bool
    value: Any = None
    other: str = ""
    version: int = 0
    updated_by: str = ""
    original: str = "null"
    options: list[Option] = field(default_factory=list)
    ranks: list[int] = field(default_factory=list)
    unit: str = ""
    error: str = ""
    conflict: bool = False
    disabled: bool = False
    posted: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def is_group(self) -> bool:
        """Choices are a group of inputs: a fieldset with the question as its legend."""
        return self.type in ("single_choice", "multiple_choice", "likert", "yes_no", "ranking")

    @property
    def text_value(self) -> str:
        if self.posted is not None:
            return self.posted.get("text", "")
        if self.value is None:
            return ""
        if isinstance(self.value, float):
            return _fmt(self.value)
        return str(self.value)

    @property
    def describedby(self) -> str:
        ids = []
        if self.help:
            ids.append(f"help-{self.key}")
        if self.error:
            ids.append(f"error-{self.key}")
        return " ".join(ids)


def item_view(item: Item, instrument: Instrument, lang: str, answer, visible: bool) -> ItemView:
    value = answer.value if answer is not None else None
    other = answer.other if answer is not None else ""
    view = ItemView(
        item=item,
        label=item.label.get(lang),
        help=item.help.get(lang) if item.help else "",
        type=item.type.value,
        visible=visible,
        value=value,
        other=other,
        version=answer.version if answer is not None else 0,
        updated_by=answer.updated_by if answer is not None else "",
        original=encode_original(value, other) if answer is not None else "null",
        unit=item.unit.get(lang)
        if item.unit
        else ("%" if item.type == ItemType.PERCENTAGE else ""),
    )
    if item.type == ItemType.YES_NO:
        view.options = [
            Option("yes", _("Yes"), value == "yes"),
            Option("no", _("No"), value == "no"),
        ]
    elif item.type == ItemType.LIKERT:
        scale = instrument.likert(item)
        for point in range(scale.min, scale.max + 1):
            label = scale.labels[point - scale.min].get(lang) if scale.labels else str(point)
            view.options.append(Option(str(point), label, value == point))
    elif item.choices:
        chosen = value if isinstance(value, list) else [value]
        for option in instrument.choice_list(item):
            rank = (
                chosen.index(option.key) + 1
                if item.type == ItemType.RANKING and option.key in chosen
                else None
            )
            view.options.append(
                Option(option.key, option.label.get(lang), option.key in chosen, rank)
            )
        view.ranks = list(range(1, len(view.options) + 1))
        if item.other and item.type != ItemType.RANKING:
            view.options.append(Option(OTHER, _("Other, namely:"), value == OTHER or bool(other)))
    return view


@dataclass
class Page:
    """One section of the questionnaire as the organisation sees it now."""

    section: Section
    title: str
    description: str
    items: list[ItemView]
    sections: list[Section]
    number: int
    previous: Section | None
    next: Section | None

    @property
    def count(self) -> int:
        return len(self.sections)


def page(instrument: Instrument, section_key: str, answers: dict, lang: str) -> Page | None:
    """The page for a section, or None when the section is not shown for these answers."""
    values = {key: answer.value for key, answer in answers.items()}
    sections = visible_sections(values, instrument)
    keys = [s.key for s in sections]
    if section_key not in keys:
        return None
    index = keys.index(section_key)
    section = sections[index]
    shown = visible_items(values, instrument)
    items = [
        item_view(item, instrument, lang, answers.get(item.key), item.key in shown)
        for item in section.items
    ]
    return Page(
        section=section,
        title=section.title.get(lang),
        description=section.description.get(lang) if section.description else "",
        items=items,
        sections=sections,
        number=index + 1,
        previous=sections[index - 1] if index > 0 else None,
        next=sections[index + 1] if index + 1 < len(sections) else None,
    )


def first_section(instrument: Instrument, answers: dict) -> Section:
    values = {key: answer.value for key, answer in answers.items()}
    return visible_sections(values, instrument)[0]


def layout(instrument: Instrument, answers: dict) -> dict[str, Any]:
    """What the page's script needs after a save: visible items and sections, progress."""
    values = {key: answer.value for key, answer in answers.items()}
    shown = visible_items(values, instrument)
    sections = visible_sections(values, instrument)
    answered = sum(1 for key in shown if answers.get(key) is not None and _answered(answers[key]))
    return {
        "visible": sorted(shown),
        "sections": [s.key for s in sections],
        "answered": answered,
        "total": len(shown),
    }


def _answered(answer) -> bool:
    return answer.value is not None or bool(answer.other)
