"""The questionnaire format: pydantic models for an instrument read from YAML.

An instrument is data in the spirit of XLSForm: every item has a stable machine ``key``
separate from its labels, every label exists in Dutch and English, answer lists are
declared once under ``choices`` and reused by name, and ``show_if`` conditions decide
which sections and items a respondent sees. ``docs/instrument.md`` documents the format.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

LANGUAGES = ("nl", "en")

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$", max_length=40)]
"""A machine key: lower case, digits and single underscores, starting with a letter.

Keys become column names (``purposes__ideas`` for an option of a multiple-choice item), so
a double underscore is reserved as the separator and keys stay short enough for SPSS.
"""

FACTORS = ("adoption", "purposefulness", "organisation", "integration")
Factor = Literal["adoption", "purposefulness", "organisation", "integration"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both languages."""

    nl: Annotated[str, StringConstraints(min_length=1)]
    en: Annotated[str, StringConstraints(min_length=1)]

    def get(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


class ItemType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    LIKERT = "likert"
    NUMBER = "number"
    PERCENTAGE = "percentage"
    YES_NO = "yes_no"
    RANKING = "ranking"
    TEXT = "text"


CHOICE_TYPES = {ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.RANKING}


class Choice(Strict):
    """One option of an answer list."""

    key: Key
    label: Text
    score: Annotated[float, Field(ge=0, le=1)] | None = None
    """What choosing this option is worth on the maturity model (0 to 1), if it counts."""


class LikertScale(Strict):
    """A Likert scale: its range and, optionally, a label for every point."""

    min: int = 1
    max: int = 5
    labels: list[Text] | None = None

    @model_validator(mode="after")
    def _check_range(self) -> LikertScale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if self.labels is not None and len(self.labels) != self.max - self.min + 1:
            raise ValueError(
                f"labels has {len(self.labels)} entries; a scale from {self.min} to "
                f"{self.max} needs {self.max - self.min + 1}"
            )
        return self


class Element(Strict):
    """An element of the maturity model: one precondition for success under a factor."""

    factor: Factor
    label: Text


class Construct(Strict):
    """An outcome construct measured by a multi-item Likert scale."""

    label: Text
    description: Text | None = None


class Item(Strict):
    """One question."""

    key: Key
    type: ItemType
    label: Text
    help: Text | None = None
    required: bool = False
    show_if: str | None = None
    """A condition on earlier answers, e.g. ``uses_ism == 'yes'``; see ``conditions.py``."""

    choices: Key | None = None
    """The name of an answer list under ``choices`` (single/multiple choice, ranking)."""
    other: bool = False
    """Choice items: also offer "other", with an open text column ``<key>__other``."""

    scale: Key | None = None
    """The name of a Likert scale under ``scales`` (Likert items)."""

    min: float | None = None
    max: float | None = None
    unit: Text | None = None

    element: Key | None = None
    """The maturity element this item measures, by its key under ``elements``."""
    weight: Annotated[float, Field(gt=0)] = 1.0
    advice: Text | None = None
    """What to do when the element is not met; required on maturity items."""
    meets_at: Annotated[float, Field(gt=0, le=1)] = 0.75
    """The item score (0 to 1) from which the element counts as met."""

    construct_key: Key | None = Field(default=None, alias="construct")
    """``construct`` in YAML: the outcome construct of a Likert item (a key of ``constructs``)."""
    reverse: bool = False
    """Reverse-keyed: scored as ``min + max - x``."""

    @model_validator(mode="after")
    def _check_fields_for_type(self) -> Item:
        t = self.type
        if t in CHOICE_TYPES and self.choices is None:
            raise ValueError(f"a {t.value} item needs 'choices', the name of an answer list")
        if t not in CHOICE_TYPES and self.choices is not None:
            raise ValueError(f"'choices' belongs to choice items, not to a {t.value} item")
        if self.other and t not in CHOICE_TYPES:
            raise ValueError(f"'other' belongs to choice items, not to a {t.value} item")
        if t == ItemType.LIKERT and self.scale is None:
            raise ValueError("a likert item needs 'scale', the name of a scale under 'scales'")
        if t != ItemType.LIKERT and self.scale is not None:
            raise ValueError(f"'scale' belongs to likert items, not to a {t.value} item")
        if (self.min is not None or self.max is not None) and t != ItemType.NUMBER:
            raise ValueError(f"'min' and 'max' belong to number items, not to a {t.value} item")
        if self.min is not None and self.max is not None and self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if self.element is not None:
            if t in (ItemType.TEXT, ItemType.RANKING, ItemType.NUMBER):
                raise ValueError(f"a {t.value} item cannot measure a maturity element")
            if self.advice is None:
                raise ValueError("an item that measures a maturity element needs 'advice'")
        if self.element is None:
            stray = {"weight", "meets_at", "advice"} & self.model_fields_set
            if stray:
                raise ValueError(
                    f"{', '.join(sorted(stray))} only mean something for an item that "
                    "measures a maturity element ('element')"
                )
        if self.unit is not None and t not in (ItemType.NUMBER, ItemType.PERCENTAGE):
            raise ValueError(f"'unit' belongs to number items, not to a {t.value} item")
        if (self.construct_key is not None or self.reverse) and t != ItemType.LIKERT:
            raise ValueError(f"only likert items belong to a construct, not a {t.value} item")
        if self.reverse and self.construct_key is None:
            raise ValueError("'reverse' only means something for an item of a construct")
        return self


class Section(Strict):
    """A page of the questionnaire."""

    key: Key
    title: Text
    description: Text | None = None
    show_if: str | None = None
    items: Annotated[list[Item], Field(min_length=1)]


VERSION_PATTERN = re.compile(r"^\d+(\.\d+)*$")


class Instrument(Strict):
    """A whole questionnaire."""

    name: Key | Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    version: Annotated[str, StringConstraints(pattern=VERSION_PATTERN.pattern)]
    title: Text
    description: Text | None = None
    choices: dict[Key, Annotated[list[Choice], Field(min_length=2)]] = {}
    scales: dict[Key, LikertScale] = {}
    elements: dict[Key, Element] = {}
    constructs: dict[Key, Construct] = {}
    sections: Annotated[list[Section], Field(min_length=1)]

    # -- look-ups ---------------------------------------------------------------------
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def item(self, key: str) -> Item:
        for item in self.items():
            if item.key == key:
                return item
        raise KeyError(key)

    def section_of(self, key: str) -> Section:
        for section in self.sections:
            if any(item.key == key for item in section.items):
                return section
        raise KeyError(key)

    def choice_list(self, item: Item) -> list[Choice]:
        assert item.choices is not None
        return self.choices[item.choices]

    def likert(self, item: Item) -> LikertScale:
        assert item.scale is not None
        return self.scales[item.scale]

    def maturity_items(self) -> list[Item]:
        return [item for item in self.items() if item.element is not None]

    def construct_items(self, construct: str) -> list[Item]:
        return [item for item in self.items() if item.construct_key == construct]
