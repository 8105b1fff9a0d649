"""`ismonitor activity` as a user runs it: a synthetic export imported, then measured."""

from __future__ import annotations

import json
import stat

import pytest

KEY = "a-test-key-of-at-least-sixteen-bytes"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    from typer.testing import CliRunner

    from ismonitor.cli import app

    folder = tmp_path_factory.mktemp("activity")
    runner = CliRunner(env={"ISMONITOR_PSEUDONYM_KEY": KEY})
    export = str(folder / "export")
    made = runner.invoke(
        app, ["activity", "demo-export", "--out", export, "--employees", "120", "--months", "3"]
    )
    assert made.exit_code == 0, made.output
    imported = runner.invoke(app, ["activity", "import", "slack",
                                   str(folder / "export" / "slack-export.zip"), "--out",
                                   str(folder / "ds"), "--roster",
                                   str(folder / "export" / "roster.csv")])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    return folder, imported.stdout


def test_import_reports_what_it_imported_and_skipped(dataset):
    _, output = dataset
    assert "Imported " in output and " post" in output and " reply" in output
    assert "Skipped on purpose: 1 bot_message, 1 channel_join." in output
    assert "Roster: 120 people in the target group." in output


def test_import_writes_no_names(dataset):
    folder, _ = dataset
    for path in (folder / "ds").rglob("*"):
        if path.is_file():
            assert b"Synthetische medewerker" not in path.read_bytes()


@pytest.mark.parametrize("engine", ["duckdb", "pyspark"])
def test_metrics_json_has_one_object_per_month(cli, dataset, engine):
    folder, _ = dataset
    result = cli("activity", "metrics", folder / "ds", "--engine", engine, "--json")
    assert result.exit_code == 0, result.output
    months = json.loads(result.stdout)
    assert [m["month"] for m in months] == ["2026-05", "2026-06", "2026-07"]
    first = months[0]
    assert first["audience"] == 120 and first["audience_source"] == "roster"
    assert first["active"] + first["passive"] + first["inactive"] == 120
    assert 0 <= first["reply_rate"] <= 1
    for key in ("creators", "contributors", "consumers", "gini", "top1_share", "top10_share",
                "dau_mau", "health_index", "median_time_to_first_reply",
                "share_active_4_days", "cross_department_reply_share"):  # fmt: skip
        assert key in first, key


def test_metrics_prints_a_table(cli, dataset):
    folder, _ = dataset
    result = cli("activity", "metrics", folder / "ds")
    assert result.exit_code == 0
    assert "audience: roster" in result.stdout and "2026-05" in result.stdout


def test_metrics_with_a_memory_limit_give_the_same_numbers(cli, dataset):
    folder, _ = dataset
    free = cli("activity", "metrics", folder / "ds", "--json")
    bounded = cli("activity", "metrics", folder / "ds", "--json", "--memory-limit", "200MB")
    assert bounded.exit_code == 0, bounded.output
    assert json.loads(bounded.stdout) == json.loads(free.stdout)


def test_metrics_name_a_memory_limit_that_is_no_amount(cli, dataset):
    folder, _ = dataset
    result = cli("activity", "metrics", folder / "ds", "--memory-limit", "veel")
    assert result.exit_code == 1
    assert "--memory-limit 'veel': expected an amount of memory such as 6GB" in result.stderr


def test_import_refuses_to_run_without_a_key(tmp_path, dataset):
    from typer.testing import CliRunner

    from ismonitor.cli import app

    folder, _ = dataset
    runner = CliRunner(env={"ISMONITOR_PSEUDONYM_KEY": "", "ISMONITOR_PSEUDONYM_KEY_FILE": ""})
    result = runner.invoke(app, ["activity", "import", "slack",
                                 str(folder / "export" / "slack-export.zip"), "--out",
                                 str(tmp_path / "ds")])  # fmt: skip
    assert result.exit_code == 1
    assert "no pseudonymisation key" in result.stderr
    assert not (tmp_path / "ds").exists()


def test_a_malformed_export_is_refused_naming_the_file(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ISMONITOR_PSEUDONYM_KEY", KEY)
    export = tmp_path / "export"
    (export / "general").mkdir(parents=True)
    (export / "channels.json").write_text('[{"id": "C1", "name": "general"}]')
    (export / "users.json").write_text("[]")
    (export / "general" / "2026-05-01.json").write_text('[{"type": "message", "user": "U1",')
    result = cli("activity", "import", "slack", export, "--out", tmp_path / "ds")
    assert result.exit_code == 1
    assert "2026-05-01.json" in result.stderr
    assert not (tmp_path / "ds").exists()


def test_platforms_lists_every_importer(cli):
    result = cli("activity", "platforms")
    for name in ("slack", "viva_engage", "m365_usage", "teams", "discourse", "mattermost",
                 "zulip", "stackexchange", "csv"):  # fmt: skip
        assert name in result.stdout


def test_new_key_is_private_and_never_overwritten(cli, tmp_path):
    path = tmp_path / "pseudonym.key"
    assert cli("activity", "new-key", path).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) == 64
    again = cli("activity", "new-key", path)
    assert again.exit_code == 1 and "never overwritten" in again.stderr


def test_metrics_of_a_usage_report_are_per_report_period(cli, tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("ISMONITOR_PSEUDONYM_KEY", KEY)
    fixture = Path(__file__).parent / "activity" / "fixtures" / "m365_usage"
    imported = cli("activity", "import", "m365_usage", fixture / "YammerActivityUserDetail.csv",
                   "--out", tmp_path / "ds")  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "per-user period counts" in imported.stdout
    result = cli("activity", "metrics", tmp_path / "ds", "--json")
    assert result.exit_code == 0, result.output
    (period,) = json.loads(result.stdout)
    assert period["platform"] == "viva_engage"
    assert period["audience_source"] == "report"
    assert period["active"] >= 1


def test_import_moves_its_bar_at_most_20_times_a_second_and_at_the_end(
    tmp_path, dataset, monkeypatch
):
    """An importer says how far it is once a file (a hundred thousand times for a large
    export); the bar is drawn 10 times a second, so it is moved at most 20 times."""
    from rich.progress import Progress
    from typer.testing import CliRunner

    from ismonitor import cli
    from ismonitor.activity import import_export

    folder, _ = dataset
    said = []  # how far the importer said it was, as the CLI heard it
    moved = []  # and how far the bar was moved
    clock = iter(range(10**6))  # a clock 1/32 s further each time it is read
    monkeypatch.setattr(cli, "monotonic", lambda: next(clock) / 32)
    update = Progress.update

    def record(self, task, **fields):
        if "completed" in fields:
            moved.append((fields["completed"], fields["total"]))
        return update(self, task, **fields)

    def listening(*args, progress, **kwargs):
        def heard(done, total):
            said.append((done, total))
            progress(done, total)

        return import_export(*args, progress=heard, **kwargs)

    monkeypatch.setattr(Progress, "update", record)
    monkeypatch.setattr("ismonitor.activity.import_export", listening)
    result = CliRunner(env={"ISMONITOR_PSEUDONYM_KEY": KEY}).invoke(
        cli.app,
        ["activity", "import", "slack", str(folder / "export" / "slack-export.zip"),
         "--out", str(tmp_path / "ds")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(said) > 20
    # the first, every second (1/16 s later: at least 1/20 s), and the end
    assert moved == said[::2] + ([said[-1]] if len(said) % 2 == 0 else [])
