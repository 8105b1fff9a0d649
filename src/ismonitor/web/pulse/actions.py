"""What an organisation does with its pulse survey, and what an employee's answer does.

Each action does one thing in one transaction and raises :class:`ActionError` with a
message for the person who asked.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ismonitor.study.pulse import DEPARTMENT, MINIMUM, check, department_keys, pulse_instrument

from ..editions.actions import ActionError
from ..editions.models import Edition, Organisation
from .models import PulseResponse, PulseSurvey

MAX_DEPARTMENTS = 40


def current_edition(organisation: Organisation) -> Edition | None:
    """The newest edition the organisation takes part in that is open or closed."""
    return (
        Edition.objects.filter(participations__organisation=organisation)
        .exclude(status=Edition.Status.DRAFT)
        .order_by("-year", "-created_at")
        .first()
    )


def overview(organisation: Organisation) -> dict[str, Any]:
    """The organisation's pulse surveys, and the edition a new one would be for."""
    surveys = list(organisation.pulse_surveys.select_related("edition"))
    edition = current_edition(organisation)
    return {
        "surveys": surveys,
        "edition": edition,
        "can_start": edition is not None and all(s.edition_id != edition.pk for s in surveys),
    }


def _departments(names: list[str]) -> list[list[str]]:
    departments = department_keys(names)
    if len(departments) == 1:
        raise ActionError(_("Name at least two departments, or none."))
    if len(departments) > MAX_DEPARTMENTS:
        raise ActionError(_("Name at most %(count)s departments.") % {"count": MAX_DEPARTMENTS})
    return [[key, name[:100]] for key, name in departments]


def start_pulse(
    organisation: Organisation, names: list[str], edition: Edition | None = None
) -> PulseSurvey:
    """A pulse survey for the organisation's current edition (or ``edition``), open at once."""
    edition = edition or current_edition(organisation)
    if edition is None:
        raise ActionError(_("Your organisation does not take part in an edition yet."))
    departments = _departments(names)
    instrument = pulse_instrument([tuple(d) for d in departments])
    try:
        with transaction.atomic():
            return PulseSurvey.objects.create(
                organisation=organisation,
                edition=edition,
                instrument_version=instrument.version,
                departments=departments,
                is_open=True,
            )
    except IntegrityError:
        raise ActionError(
            _("Your organisation already has a pulse survey in this edition.")
        ) from None


def new_link(survey: PulseSurvey) -> str:
    """A new token for the survey's anonymous link; the earlier link stops working."""
    token = survey.new_token()
    survey.save(update_fields=["token_hash"])
    return token


def set_departments(survey: PulseSurvey, names: list[str]) -> None:
    """Change the departments; only before the first answer, which names one of them."""
    with transaction.atomic():
        survey = PulseSurvey.objects.select_for_update().get(pk=survey.pk)
        if survey.responses.exists():
            raise ActionError(_("The departments cannot be changed once employees have answered."))
        survey.departments = _departments(names)
        survey.save(update_fields=["departments"])


def open_pulse(survey: PulseSurvey) -> None:
    """Take answers again; not once results have been shown (they would then tell, by
    comparison, what the next few employees answered)."""
    with transaction.atomic():
        locked = PulseSurvey.objects.select_for_update().get(pk=survey.pk)
        if locked.results_released_at is not None:
            raise ActionError(
                _("The results of this survey have been shown, so it cannot be opened again.")
            )
        survey.is_open = True
        survey.save(update_fields=["is_open"])


def close_pulse(survey: PulseSurvey) -> None:
    """No more answers; with at least MINIMUM responses the results are shown from now on."""
    with transaction.atomic():
        locked = PulseSurvey.objects.select_for_update().get(pk=survey.pk)
        survey.is_open = False
        survey.results_released_at = locked.results_released_at
        if survey.results_released_at is None and survey.responses.count() >= MINIMUM:
            survey.results_released_at = timezone.now()
        survey.save(update_fields=["is_open", "results_released_at"])


def answer_pulse(survey: PulseSurvey, answers: dict[str, Any]) -> dict[str, str]:
    """Store one employee's answers when they pass the check; returns the problems by item.

    Only the answers, the instrument version and the day are stored: nothing about the
    person, their browser or the time of day.
    """
    closed = ActionError(_("This survey is closed: your answers were not saved."))
    if not survey.is_open:
        raise closed
    instrument = survey.instrument()
    problems = check(answers, instrument)
    if problems:
        return problems
    given = {key: value for key, value in answers.items() if value is not None}
    with transaction.atomic():
        # the survey's row is locked so that no answer slips in after it was closed
        if not PulseSurvey.objects.select_for_update().filter(pk=survey.pk, is_open=True).exists():
            raise closed
        PulseResponse.objects.create(
            survey=survey,
            instrument_version=instrument.version,
            answered_on=timezone.localdate(),
            department=given.pop(DEPARTMENT, ""),
            answers=given,
        )
    return {}
