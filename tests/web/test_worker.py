"""The report build through django-tasks' database backend and ``db_worker``, as
``ismonitor worker`` runs it (the other tests run tasks at once)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from ismonitor.web.editions.models import ReportBuild
from ismonitor.web.editions.tasks import start_report_build

pytest.importorskip("django_tasks_db", reason="needs django-tasks-db, the database backend")

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=DATABASE_BACKEND)
def test_a_queued_build_waits_for_the_worker_and_is_done_by_it(transactional_db, closed_edition):
    build = start_report_build(closed_edition, "nl")
    assert ReportBuild.objects.get(pk=build.pk).state == "queued"
    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)
    build.refresh_from_db()
    assert build.state == "done", build.error
    assert build.pdf_path().exists()
