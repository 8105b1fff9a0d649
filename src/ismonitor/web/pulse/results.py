"""A pulse survey's results as the organisation sees them: only once the survey is closed,
and only groups of at least five.

While the survey is open, only the number of responses is given: results that change with
every answer would let someone who looks just before and just after one colleague answers
work out that colleague's answers, whatever the group sizes. Which groups may be shown is
decided by :func:`ismonitor.study.pulse.suppress`; this module only counts and labels.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ismonitor.instrument import ItemType
from ismonitor.study.pulse import DEPARTMENT, MINIMUM, NO_DEPARTMENT, options_of, suppress

from .models import PulseSurvey

OTHER_GROUP = "__other__"
ALL = "__all__"


@dataclass
class Group:
    key: str
    label: str
    count: int


@dataclass
class Cell:
    count: int
    percent: int


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Question:
    key: str
    label: str
    rows: list[Row]


@dataclass
class Results:
    total: int
    minimum: int
    shown: bool
    is_open: bool = False
    """The survey takes answers: nothing but ``total`` is given."""
    groups: list[Group] = field(default_factory=list)
    hidden_count: int = 0
    """How many departments are hidden (rolled up, or left out altogether)."""
    questions: list[Question] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def _percent(count: int, of: int) -> int:
    return round(100 * count / of) if of else 0


def results(survey: PulseSurvey, lang: str) -> Results:
    """Counts and distributions for every group that may be shown; while the survey is
    open, only the number of responses."""
    if survey.is_open:
        return Results(total=survey.responses.count(), minimum=MINIMUM, shown=False, is_open=True)
    instrument = survey.instrument()
    responses = list(survey.responses.values_list("department", "answers"))
    names = dict(survey.department_list())
    counts = Counter(department for department, _answers in responses)
    for key in names:
        counts.setdefault(key, 0)
    decision = suppress(counts)
    found = Results(total=decision.total, minimum=MINIMUM, shown=decision.overall)
    if not decision.overall:
        return found

    groups = [Group(ALL, _("Everyone"), decision.total)]
    members: dict[str, set[str]] = {ALL: set(counts)}
    if names:
        for key in decision.shown:
            label = names.get(key) or _("Department not given")
            groups.append(Group(key, label, counts[key]))
            members[key] = {key}
        if decision.other_shown:
            groups.append(Group(OTHER_GROUP, _("Other departments"), decision.other))
            members[OTHER_GROUP] = set(decision.hidden)
        found.hidden_count = len([key for key in decision.hidden if key != NO_DEPARTMENT])
    found.groups = groups

    for item in instrument.items():
        if item.key == DEPARTMENT or item.type == ItemType.TEXT:
            continue
        options = options_of(instrument, item.key)
        if item.type == ItemType.LIKERT:
            scale = instrument.likert(item)
            labels = [text.get(lang) for text in scale.labels] if scale.labels else options
        else:
            labels = [option.label.get(lang) for option in instrument.choice_list(item)]
        by_group = {}
        for group in groups:
            values = [
                str(answers.get(item.key))
                for department, answers in responses
                if department in members[group.key] and answers.get(item.key) is not None
            ]
            tally = Counter(values)
            by_group[group.key] = (tally, len(values))
        rows = []
        for option, label in zip(options, labels, strict=True):
            cells = []
            for group in groups:
                tally, answered = by_group[group.key]
                cells.append(Cell(tally[option], _percent(tally[option], answered)))
            rows.append(Row(label, cells))
        found.questions.append(Question(item.key, item.label.get(lang), rows))

    texts = [
        str(answers[item.key])
        for item in instrument.items()
        if item.type == ItemType.TEXT
        for _department, answers in responses
        if answers.get(item.key)
    ]
    random.SystemRandom().shuffle(texts)  # in no order that could follow the answering
    found.texts = texts
    return found
