"""The questionnaire as data: the YAML format, its loader, and the bundled instruments."""

from .conditions import Condition, ConditionError, parse
from .loader import InstrumentError, Problem, bundled, get, load, load_text
from .schema import (
    FACTORS,
    LANGUAGES,
    Choice,
    Construct,
    Element,
    Instrument,
    Item,
    ItemType,
    LikertScale,
    Section,
    Text,
)

__all__ = [
    "FACTORS",
    "LANGUAGES",
    "Choice",
    "Condition",
    "ConditionError",
    "Construct",
    "Element",
    "Instrument",
    "InstrumentError",
    "Item",
    "ItemType",
    "LikertScale",
    "Problem",
    "Section",
    "Text",
    "bundled",
    "get",
    "load",
    "load_text",
    "parse",
]
