"""Names for what the analysis calls by key: factors, stages, options, use measures, outcomes."""

from __future__ import annotations

from ..i18n import gettext as _
from ..instrument import Instrument
from ..maturity import FACTOR_LABELS, STAGES
from ..stats.edition import PURPOSE_PREFIX


def factor(key: str, lang: str) -> str:
    if key == "overall":
        return _("Overall", lang)
    return FACTOR_LABELS[key].get(lang)


def factors(lang: str) -> dict[str, str]:
    return {key: text.get(lang) for key, text in FACTOR_LABELS.items()}


def stage(key: str | None, lang: str) -> str:
    for item in STAGES:
        if item.key == key:
            return item.label.get(lang)
    return "–"


def stages(lang: str) -> dict[str, str]:
    return {item.key: item.label.get(lang) for item in STAGES}


def option(instrument: Instrument, choices: str, key: str | None, lang: str) -> str:
    """The label of an option of a named answer list (the key itself if unknown)."""
    if key is None:
        return "–"
    for choice in instrument.choices.get(choices, []):
        if choice.key == key:
            return choice.label.get(lang)
    if key == "other":
        return _("Other", lang)
    return key


def outcome(instrument: Instrument, key: str, lang: str) -> str:
    return instrument.constructs[key].label.get(lang)


def lower_first(text: str) -> str:
    """For a label inside a sentence: "Betrokkenheid" -> "betrokkenheid"."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text


def usage(instrument: Instrument, key: str, lang: str) -> str:
    """A use measure as words that fit in a sentence."""
    fixed = {
        "active_share": _("the share of active users", lang),
        "passive_share": _("the share of passive users (readers)", lang),
        "active_frequency": _("how often active users post or respond", lang),
        "passive_frequency": _("how often passive users read", lang),
    }
    if key in fixed:
        return fixed[key]
    if key.startswith(PURPOSE_PREFIX):
        purpose = option(instrument, "purposes", key.removeprefix(PURPOSE_PREFIX), lang)
        return _("use for %(purpose)s", lang) % {"purpose": lower_first(purpose)}
    return key


def usage_short(instrument: Instrument, key: str, lang: str) -> str:
    """A use measure as a short label for a chart or table row."""
    fixed = {
        "active_share": _("Active share", lang),
        "passive_share": _("Passive share", lang),
        "active_frequency": _("Frequency, active users", lang),
        "passive_frequency": _("Frequency, passive users", lang),
    }
    if key in fixed:
        return fixed[key]
    if key.startswith(PURPOSE_PREFIX):
        purpose = option(instrument, "purposes", key.removeprefix(PURPOSE_PREFIX), lang)
        return _("Purpose: %(purpose)s", lang) % {"purpose": lower_first(purpose)}
    return key
