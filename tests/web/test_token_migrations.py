"""The migrations that replace stored tokens by their hashes: links sent before keep working."""

from __future__ import annotations

import secrets

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from ismonitor.web.editions.models import Participation
from ismonitor.web.pulse.models import PulseSurvey
from ismonitor.web.tokens import hash_token

BEFORE = [("editions", "0001_initial"), ("pulse", "0002_results_released")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def old_links(transactional_db):
    """A participation and a pulse survey stored as before, with their plain tokens."""
    apps = _migrate(BEFORE)
    Organisation = apps.get_model("editions", "Organisation")
    Edition = apps.get_model("editions", "Edition")
    OldParticipation = apps.get_model("editions", "Participation")
    OldPulseSurvey = apps.get_model("pulse", "PulseSurvey")
    organisation = Organisation.objects.create(org_id="ORG-A", name="Organisatie A")
    edition = Edition.objects.create(
        name="Editie 2026",
        year=2026,
        instrument_name="ism-2018",
        instrument_version="1.0",
        status="open",
    )
    tokens = {"invitation": secrets.token_urlsafe(32), "pulse": secrets.token_urlsafe(32)}
    OldParticipation.objects.create(
        edition=edition,
        organisation=organisation,
        token=tokens["invitation"],
        token_selector=tokens["invitation"][:12],
    )
    other = secrets.token_urlsafe(32)
    OldParticipation.objects.create(
        edition=edition,
        organisation=Organisation.objects.create(org_id="ORG-B", name="Organisatie B"),
        token=other,
        token_selector=other[:12],
    )
    OldPulseSurvey.objects.create(
        organisation=organisation,
        edition=edition,
        instrument_version="1.0",
        token=tokens["pulse"],
        is_open=True,
    )
    try:
        yield tokens
    finally:
        _migrate(_latest())


def test_existing_links_keep_working_and_only_hashes_remain(old_links):
    _migrate(_latest())
    participation = Participation.objects.get(organisation__org_id="ORG-A")
    assert participation.token_hash == hash_token(old_links["invitation"])
    survey = PulseSurvey.objects.get()
    assert survey.token_hash == hash_token(old_links["pulse"])
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, Participation._meta.db_table)
    columns = {column.name for column in table}
    assert "token" not in columns and "token_selector" not in columns
    assert "token" not in {f.name for f in PulseSurvey._meta.fields}

    client = Client()
    response = client.get(f"/i/{old_links['invitation']}/")
    assert response.status_code == 302
    assert response["Location"] == f"/p/{participation.pk}/"
    response = client.get(f"/s/{old_links['pulse']}/")
    assert response.status_code == 200
    assert "Hoe vaak leest u" in response.content.decode()


def test_undoing_them_gives_new_tokens(old_links):
    _migrate(_latest())
    apps = _migrate(BEFORE)
    OldParticipation = apps.get_model("editions", "Participation")
    tokens = set(OldParticipation.objects.values_list("token", flat=True))
    assert len(tokens) == 2 and old_links["invitation"] not in tokens
    assert all(len(token) >= 43 for token in tokens)
