"""The employees' pulse survey: one per organisation per edition, and its anonymous answers.

A response holds the answers and nothing about the person who gave them: no account, no
address, no browser, no time finer than the day, and a random id, so that not even the
order of the rows tells who answered when (see docs/portal.md, "The pulse survey").
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ismonitor.instrument import Instrument
from ismonitor.study.pulse import INSTRUMENT, pulse_instrument

from ..editions.models import Edition, Organisation
from ..tokens import TokenMixin


class PulseSurvey(TokenMixin, models.Model):
    """An organisation's pulse survey in an edition, with its anonymous link."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="pulse_surveys"
    )
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="pulse_surveys")
    instrument_name = models.CharField(max_length=100, default=INSTRUMENT, editable=False)
    instrument_version = models.CharField(max_length=40)
    departments = models.JSONField(_("departments"), default=list, blank=True)
    """[key, name] pairs: the answer list of the department question."""
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    """The SHA-256 of the secret in the anonymous link (see ``ismonitor.web.tokens``): the
    link is shown once when it is made; a new one makes the earlier one stop working."""
    is_open = models.BooleanField(_("open"), default=False)
    results_released_at = models.DateTimeField(null=True, blank=True, editable=False)
    """When the survey was first closed with enough responses for results to be shown.
    From then on it cannot be opened again: results before and after a few more answers
    would show those answers (see docs/portal.md, "Results only once it is closed")."""
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edition__year", "organisation__org_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "edition"], name="one_pulse_survey")
        ]
        verbose_name = _("pulse survey")
        verbose_name_plural = _("pulse surveys")

    def __str__(self) -> str:
        return f"{self.organisation} pulse {self.edition}"

    def save(self, *args, **kwargs):
        if not self.token_hash:
            self.new_token()
        super().save(*args, **kwargs)

    def department_list(self) -> list[tuple[str, str]]:
        return [(key, name) for key, name in self.departments]

    def instrument(self) -> Instrument:
        """The pulse instrument with this organisation's departments."""
        return pulse_instrument(self.department_list())


class PulseResponse(models.Model):
    """One employee's answers. Deliberately nothing else: see the module's docstring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="responses")
    instrument_version = models.CharField(max_length=40)
    answered_on = models.DateField(default=timezone.localdate)
    department = models.CharField(max_length=40, blank=True)
    answers = models.JSONField(default=dict)
    """Item key -> answer (option key, Likert point, text); unanswered items left out."""

    class Meta:
        ordering = ["survey", "department", "id"]
        verbose_name = _("pulse response")
        verbose_name_plural = _("pulse responses")

    def __str__(self) -> str:
        return f"{self.survey} response"
