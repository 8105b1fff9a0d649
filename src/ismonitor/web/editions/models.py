"""An edition of the study, the organisations taking part, their answers and report builds.

Answers are kept one row per item (not one row per organisation) so that colleagues who
fill in the questionnaire together change different rows; each row has a version that a
save must name, so that a stale page never overwrites a colleague's answer unseen.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ismonitor.instrument import Instrument, get, load_text

from ..tokens import TokenMixin


@lru_cache(maxsize=32)
def _instrument_from_text(text: str) -> Instrument:
    return load_text(text, "uploaded instrument")


class Organisation(models.Model):
    """An organisation that takes part in the study (one row across all editions)."""

    org_id = models.CharField(
        _("organisation id"),
        max_length=40,
        unique=True,
        help_text=_("The id in the responses table, such as ORG-001."),
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=40, blank=True)
    size_class = models.CharField(_("size class"), max_length=40, blank=True)
    email = models.EmailField(_("contact e-mail address"), blank=True)

    class Meta:
        ordering = ["org_id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.org_id} {self.name}"


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Visibility(models.TextChoices):
        AT_ONCE = "at_once", _("as soon as the organisation has submitted")
        AFTER_CLOSE = "after_close", _("once the edition is closed")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    instrument_name = models.CharField(
        _("bundled instrument"), max_length=100, blank=True, help_text=_("For example ism-2018.")
    )
    instrument_yaml = models.TextField(_("uploaded instrument"), blank=True)
    instrument_version = models.CharField(_("instrument version"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    dashboard_visibility = models.CharField(
        _("dashboards visible"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.AFTER_CLOSE,
    )
    synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self) -> str:
        return self.name

    def instrument(self) -> Instrument:
        """The questionnaire of this edition, bundled or uploaded."""
        if self.instrument_yaml:
            return _instrument_from_text(self.instrument_yaml)
        return get(self.instrument_name)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def edition_label(self) -> str:
        """The value of the ``edition`` column in the responses table."""
        return f"synthetic-{self.year}" if self.synthetic else str(self.year)


class Participation(TokenMixin, models.Model):
    """An organisation in an edition: its invitation link, progress and lock."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="participations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    """The SHA-256 of the secret in the invitation link (see ``ismonitor.web.tokens``): the
    link itself is only in the e-mail, so every invitation or reminder makes a new one."""
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    imported = models.BooleanField(_("imported"), default=False)

    class Meta:
        ordering = ["organisation__org_id"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "organisation"], name="one_participation")
        ]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self) -> str:
        return f"{self.organisation} in {self.edition}"

    def save(self, *args, **kwargs):
        if not self.token_hash:
            self.new_token()
        super().save(*args, **kwargs)

    @property
    def status(self) -> str:
        if self.submitted_at:
            return "submitted"
        if self.started_at:
            return "started"
        if self.invited_at:
            return "invited"
        return "added"

    @property
    def dashboard_open(self) -> bool:
        """Whether the organisation may see its dashboard for this edition."""
        if self.submitted_at is None:
            return False
        if self.edition.is_closed:
            return True
        return self.edition.dashboard_visibility == Edition.Visibility.AT_ONCE


class Answer(models.Model):
    """One organisation's answer to one item."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="answers"
    )
    item_key = models.CharField(max_length=40)
    value = models.JSONField(null=True)
    other = models.TextField(blank=True)
    """The open text of an "other, namely ..." answer."""
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participation", "item_key"], name="one_answer")
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.item_key} = {self.value!r}"


class ReportBuild(models.Model):
    """A background run of the analysis and the national report, with its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="report_builds")
    lang = models.CharField(max_length=2, choices=settings.LANGUAGES, default="nl")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    organisations = models.PositiveIntegerField(default=0)
    analysis = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")

    def __str__(self) -> str:
        return f"{self.edition} ({self.lang}, {self.state})"

    def pdf_path(self):
        return (
            settings.DATA_DIR / "reports" / f"national-{self.edition_id}-{self.pk}-{self.lang}.pdf"
        )


def fingerprint(*parts: object) -> str:
    """A short key for caches that change when the data change."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]
