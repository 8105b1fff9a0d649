"""The employees' pulse survey: its departments, its answers, and which groups may be shown.

An organisation runs the bundled ``pulse-2018`` instrument with its own list of
departments; every employee's answers are one anonymous row. Results are shown only for
groups of at least :data:`MINIMUM` respondents (:func:`suppress`), the rule of careful
employee-survey platforms such as Effectory. Nothing here needs Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..instrument import Choice, Instrument, ItemType, Text, get
from .columns import columns, columns_by_name
from .validate import row_from_answers, validate

INSTRUMENT = "pulse-2018"
DEPARTMENT = "department"
"""The item whose answer list the organisation sets."""
MINIMUM = 5
"""The smallest group whose results are shown."""
NO_DEPARTMENT = ""
"""The group of respondents who did not name a department (the item is optional)."""


def department_keys(names: Iterable[str]) -> list[tuple[str, str]]:
    """(key, name) for each department name, in order; keys are stable and unique.

    >>> department_keys(["Zorg & Welzijn", "ICT", "ict"])
    [('zorg_welzijn', 'Zorg & Welzijn'), ('ict', 'ICT'), ('ict_2', 'ict')]
    """
    out: list[tuple[str, str]] = []
    used: set[str] = set()
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        key = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:30] or "department"
        if not key[0].isalpha():
            key = f"d_{key}"
        key = re.sub(r"_+", "_", key)
        candidate, number = key, 2
        while candidate in used:
            candidate, number = f"{key}_{number}", number + 1
        used.add(candidate)
        out.append((candidate, name))
    return out


def with_departments(instrument: Instrument, departments: list[tuple[str, str]]) -> Instrument:
    """The pulse instrument with the organisation's departments as the answer list.

    With fewer than two departments the department item is left out: one department is
    no choice, and every respondent would be in it.
    """
    if len(departments) < 2:
        sections = [
            section.model_copy(update={"items": [i for i in section.items if i.key != DEPARTMENT]})
            for section in instrument.sections
        ]
        return instrument.model_copy(update={"sections": sections})
    options = [Choice(key=key, label=Text(nl=name, en=name)) for key, name in departments]
    item = instrument.item(DEPARTMENT)
    return instrument.model_copy(update={"choices": {**instrument.choices, item.choices: options}})


def pulse_instrument(departments: list[tuple[str, str]]) -> Instrument:
    """The bundled pulse instrument for an organisation with these departments."""
    return with_departments(get(INSTRUMENT), departments)


def check(answers: Mapping[str, Any], instrument: Instrument) -> dict[str, str]:
    """The problems with one respondent's answers (item key -> value), by item key.

    The answers are checked as one row of a responses table by :func:`validate`, so the
    pulse survey follows the same rules as every other instrument.
    """
    given = {key: value for key, value in answers.items() if value is not None}
    row = row_from_answers(
        {"org_id": "respondent", "instrument_version": instrument.version, **given}, instrument
    )
    names = [column.name for column in columns(instrument)]
    frame = pd.DataFrame.from_records([row], columns=names).astype(object)
    frame = frame.where(frame.notna(), None)
    by_name = columns_by_name(instrument)
    problems: dict[str, str] = {}
    for problem in validate(frame, instrument).problems:
        column = by_name.get(problem.column or "")
        if column is not None and column.item is not None:
            problems.setdefault(column.item.key, problem.message)
    return problems


# -- which groups may be shown ------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    """Which groups of respondents may be shown.

    ``overall`` says whether the results of everyone may be shown at all (at least
    ``minimum`` respondents). ``shown`` are the groups shown on their own, ``hidden`` the
    non-empty groups rolled up into ``other``; ``other`` is the number of respondents in
    the hidden groups, shown as one group "other departments" when ``other_shown``.
    """

    total: int
    overall: bool
    shown: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    other: int = 0
    other_shown: bool = False
    counts: Mapping[str, int] = field(default_factory=dict)


def suppress(counts: Mapping[str, int], minimum: int = MINIMUM) -> Suppression:
    """Decide which groups may be shown, so that no group below ``minimum`` can be read.

    Parameters
    ----------
    counts
        Respondents per group (a department, or :data:`NO_DEPARTMENT` for those who did
        not say). Empty groups may be included; they are neither shown nor hidden.
    minimum
        The smallest group whose results may be shown (5).

    Returns
    -------
    Suppression

    Notes
    -----
    1. Nothing is shown when the total is below ``minimum``.
    2. A group below ``minimum`` is hidden and rolled up into "other departments".
    3. When exactly one group is hidden, the smallest shown group is hidden too: otherwise
       the total minus the shown groups would give the hidden group's results
       (complementary suppression, as Effectory does).
    4. While the hidden groups together are below ``minimum``, the next smallest shown
       group is hidden as well: "other departments" is itself the total minus the shown
       groups, so it must reach ``minimum`` too.
    5. When every group ends up hidden, "other departments" is the whole and is not shown
       apart from the overall results.
    Ties between equally small groups are broken by the group's key, so the outcome does
    not depend on the order of ``counts``.

    Examples
    --------
    >>> s = suppress({"a": 12, "b": 9, "c": 6, "d": 3})
    >>> s.shown, s.hidden, s.other, s.other_shown
    (('a', 'b'), ('c', 'd'), 9, True)
    >>> suppress({"a": 4}).overall
    False
    """
    counts = {key: int(n) for key, n in counts.items()}
    total = sum(counts.values())
    if total < minimum:
        return Suppression(total=total, overall=False, counts=counts)
    present = sorted((key for key, n in counts.items() if n > 0), key=lambda k: (counts[k], k))
    hidden = [key for key in present if counts[key] < minimum]
    shown = [key for key in present if counts[key] >= minimum]

    def other() -> int:
        return sum(counts[key] for key in hidden)

    while shown and (len(hidden) == 1 or 0 < other() < minimum):
        hidden.append(shown.pop(0))  # shown is sorted smallest first
    order = sorted(present, key=lambda k: (-counts[k], k))
    return Suppression(
        total=total,
        overall=True,
        shown=tuple(key for key in order if key in shown),
        hidden=tuple(key for key in order if key in hidden),
        other=other(),
        other_shown=bool(shown) and other() >= minimum,
        counts=counts,
    )


# -- distributions -------------------------------------------------------------------------


def distribution(values: Iterable[Any], options: list[str]) -> dict[str, int]:
    """How many respondents chose each option (unanswered is left out)."""
    counts = dict.fromkeys(options, 0)
    for value in values:
        key = str(value) if value is not None else None
        if key in counts:
            counts[key] += 1
    return counts


def options_of(instrument: Instrument, key: str) -> list[str]:
    """The answers an item of the pulse survey can have, in order, as strings."""
    item = instrument.item(key)
    if item.type == ItemType.LIKERT:
        scale = instrument.likert(item)
        return [str(point) for point in range(scale.min, scale.max + 1)]
    if item.type == ItemType.YES_NO:
        return ["yes", "no"]
    if item.choices:
        return [option.key for option in instrument.choice_list(item)]
    return []
