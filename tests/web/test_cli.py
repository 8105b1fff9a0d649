"""The portal's commands, driven as a user drives them (on a fresh Typer app)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
import typer.main
from django.test import Client
from typer.testing import CliRunner

from ismonitor.web import cli
from ismonitor.web.editions.models import Edition
from ismonitor.web.pulse.models import PulseSurvey

DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture
def app():
    app = typer.Typer()

    @app.callback()
    def main():
        """ismonitor"""

    cli.register(app)
    return app


NAMES = ["serve", "manage", "worker", "demo-portal"]


@pytest.mark.parametrize("name", NAMES)
def test_every_command_has_help_with_an_example(app, name):
    command = typer.main.get_command(app).commands[name]
    assert f"Example: ismonitor {name}" in (command.help or "")


@pytest.mark.parametrize("name", NAMES)
def test_every_command_is_documented(name):
    assert f"## ismonitor {name}\n" in (DOCS / "portal.md").read_text(encoding="utf-8")


def test_demo_portal_loads_labelled_synthetic_editions_once(app, transactional_db, monkeypatch):
    monkeypatch.setattr("ismonitor.web.demo.ORGANISATIONS", 15)
    runner = CliRunner()
    first = runner.invoke(app, ["demo-portal"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "SYNTHETIC" in first.stdout
    assert "alice / demo-alice-2018" in first.stdout
    assert "bob / demo-bob-2018" in first.stdout and "charlie / demo-charlie-2018" in first.stdout
    assert all("SYNTHETIC" in e.name and e.synthetic for e in Edition.objects.all())
    assert Edition.objects.filter(status="closed").count() == 2
    assert Edition.objects.filter(status="open").count() == 1
    shown = PulseSurvey.objects.get(edition__status="closed")
    assert not shown.is_open and shown.responses.count() == 30
    assert shown.results_released_at is not None
    assert f"/pulse/{shown.pk}/" in first.stdout
    survey = PulseSurvey.objects.get(edition__status="open")
    assert survey.is_open and survey.responses.count() == 6
    client = Client()
    (pulse_link,) = re.findall(r"http://127\.0\.0\.1:8000(/s/[\w-]+/)", first.stdout)
    assert "Hoe vaak leest u" in client.get(pulse_link).content.decode()
    links = re.findall(r"http://127\.0\.0\.1:8000(/i/[\w-]+/)", first.stdout)
    assert len(links) == 2
    for link in links:
        assert client.get(link).status_code == 302, link
    again = runner.invoke(app, ["demo-portal"], catch_exceptions=False)
    assert again.exit_code == 0
    # only hashes are kept: a second run prints new links, and the first run's stop working
    (new_pulse_link,) = re.findall(r"http://127\.0\.0\.1:8000(/s/[\w-]+/)", again.stdout)
    assert new_pulse_link != pulse_link
    assert Client().get(new_pulse_link).status_code == 200
    assert Client().get(pulse_link).status_code == 404
    new_links = re.findall(r"http://127\.0\.0\.1:8000(/i/[\w-]+/)", again.stdout)
    assert all(Client().get(link).status_code == 302 for link in new_links)
    assert all(Client().get(link).status_code == 404 for link in links)
    assert Edition.objects.count() == 3
    assert PulseSurvey.objects.count() == 2
    assert sorted(s.responses.count() for s in PulseSurvey.objects.all()) == [6, 30]


def test_manage_passes_arguments_to_django(app, db, capsys):
    result = CliRunner().invoke(app, ["manage", "check"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "no issues" in capsys.readouterr().out + result.output
