"""Background work: the national analysis and report of an edition, with its progress.

Runs in ``ismonitor worker`` (django-tasks' database backend); the page of the build reads
the progress that the task writes to its :class:`ReportBuild` row.
"""

from __future__ import annotations

import math
import warnings

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from .actions import ActionError, responses_table
from .models import Edition, ReportBuild

STEPS = {
    "queued": gettext_lazy("Waiting for the worker to start."),
    "reading": gettext_lazy("Reading the submitted answers."),
    "analysing": gettext_lazy("Running the national analysis."),
    "writing": gettext_lazy("Writing the national report."),
    "printing": gettext_lazy("Printing the report to PDF."),
    "done": gettext_lazy("The report is ready."),
    "failed": gettext_lazy("The build failed."),
}


def _json_safe(value):
    """The analysis as JSON can store it: NaN and infinities become null."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _json_safe(value.item())
    return value


def _step(build: ReportBuild, progress: int, step: str, **fields) -> None:
    ReportBuild.objects.filter(pk=build.pk).update(progress=progress, step=step, **fields)


@task()
def build_national_report(build_id: int) -> int:
    """Analyse the edition and write the national report; returns the build's id."""
    from ismonitor.reports import national, render
    from ismonitor.stats.edition import analyse

    build = ReportBuild.objects.select_related("edition").get(pk=build_id)
    edition = build.edition
    try:
        _step(build, 5, "reading", state=ReportBuild.State.RUNNING)
        instrument = edition.instrument()
        table = responses_table(edition).table
        _step(build, 20, "analysing", organisations=len(table))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            analysis = analyse(table, instrument)
            _step(build, 50, "writing")
            html = national.build(table, instrument, build.lang, analysis=analysis)
        _step(build, 75, "printing")
        render.write(html, build.pdf_path())
        _step(
            build,
            100,
            "done",
            state=ReportBuild.State.DONE,
            analysis=_json_safe(analysis),
            finished_at=timezone.now(),
        )
    except Exception as error:
        _step(
            build,
            100,
            "failed",
            state=ReportBuild.State.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise
    return build.pk


def start_report_build(edition: Edition, lang: str, user=None) -> ReportBuild:
    """Queue the analysis and national report of an edition for the worker."""
    if not edition.participations.exclude(submitted_at=None).exists():
        raise ActionError(_("No organisation has submitted its answers yet."))
    # the row is committed before the task is queued (views run in autocommit), so the
    # worker always finds it
    build = ReportBuild.objects.create(edition=edition, lang=lang, created_by=user, step="queued")
    result = build_national_report.enqueue(build.pk)
    ReportBuild.objects.filter(pk=build.pk).update(task_id=str(result.id))
    build.refresh_from_db()
    return build
