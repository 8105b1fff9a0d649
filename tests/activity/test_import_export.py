"""Running an import: the key, atomic writing, overwriting, the registry and the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ismonitor.activity import (
    EVENT_SCHEMA,
    PERIOD_COUNTS_SCHEMA,
    BaseImporter,
    PseudonymKeyError,
    all_importers,
    get_importer,
    import_export,
    register,
    unregister,
)
from ismonitor.activity.pseudonym import KEY_ENV, KEY_FILE_ENV
from ismonitor.activity.registry import BUILTIN_IMPORTERS

from ._helpers import FIXTURES, KEY, OTHER_KEY, read_events, run

WORKSPACE = FIXTURES / "slack" / "workspace"


class _Fails(BaseImporter):
    """Yields more rows than one Parquet row group holds, then fails."""

    name = "fails_halfway"
    description = "A test importer that breaks after 300,000 events."

    def __init__(self, error: BaseException):
        self.error = error

    def read(self, path, context):
        for n in range(300_000):
            yield f"e{n}", 1_700_000_000_000_000 + n, "u1", "post", f"e{n}", None, None
        raise self.error


@pytest.fixture
def failing_importer():
    def make(error: BaseException):
        register(_Fails(error))
        return "fails_halfway"

    yield make
    unregister("fails_halfway")


def test_it_refuses_to_run_without_a_key(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    with pytest.raises(PseudonymKeyError) as caught:
        import_export("slack", WORKSPACE, tmp_path / "out")
    assert KEY_ENV in str(caught.value) and KEY_FILE_ENV in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_it_refuses_a_short_key(tmp_path):
    with pytest.raises(PseudonymKeyError, match="at least 16"):
        import_export("slack", WORKSPACE, tmp_path / "out", key="short")


def test_it_reads_the_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.setenv(KEY_ENV, KEY)
    import_export("slack", WORKSPACE, tmp_path / "from-env")
    _, expected = run("slack", WORKSPACE, tmp_path / "given")
    assert read_events(tmp_path / "from-env") == expected


def test_it_reads_the_key_from_a_file(tmp_path, monkeypatch):
    key_file = tmp_path / "ismonitor.key"
    key_file.write_text(KEY + "\n")
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    import_export("slack", WORKSPACE, tmp_path / "from-file")
    _, expected = run("slack", WORKSPACE, tmp_path / "given")
    assert read_events(tmp_path / "from-file") == expected


def test_it_refuses_two_keys_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "k"))
    with pytest.raises(PseudonymKeyError, match="set only one"):
        import_export("slack", WORKSPACE, tmp_path / "out")


def test_the_same_key_gives_the_same_pseudonyms_and_another_key_others(tmp_path):
    _, first = run("slack", WORKSPACE, tmp_path / "a")
    _, again = run("slack", WORKSPACE, tmp_path / "b")
    _, other = run("slack", WORKSPACE, tmp_path / "c", key=OTHER_KEY)
    assert [e["user_id"] for e in first] == [e["user_id"] for e in again]
    assert {e["user_id"] for e in first}.isdisjoint({e["user_id"] for e in other})
    assert all(len(e["user_id"]) == 64 for e in first)


def test_a_namespace_decides_whether_platforms_link(tmp_path):
    _, slack = run("slack", WORKSPACE, tmp_path / "a")
    _, linked = run("slack", WORKSPACE, tmp_path / "b", namespace="acme")
    assert {e["user_id"] for e in slack}.isdisjoint({e["user_id"] for e in linked})


def test_it_writes_the_schema_exactly(tmp_path):
    run("slack", WORKSPACE, tmp_path / "out")
    events = pq.read_schema(tmp_path / "out" / "events" / "part-00000.parquet")
    periods = pq.read_schema(tmp_path / "out" / "period_counts" / "part-00000.parquet")
    assert events.remove_metadata() == EVENT_SCHEMA
    assert periods.remove_metadata() == PERIOD_COUNTS_SCHEMA


def test_it_keeps_dictionaries_for_repeating_strings_and_statistics_for_times(tmp_path):
    run("slack", WORKSPACE, tmp_path / "out")
    metadata = pq.ParquetFile(tmp_path / "out" / "events" / "part-00000.parquet").metadata
    group = metadata.row_group(0)
    columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    with_dictionary = {name for name, column in columns.items() if column.has_dictionary_page}
    assert with_dictionary == {"platform", "user_id", "action", "group_id"}
    with_statistics = {name for name, column in columns.items() if column.is_stats_set}
    assert with_statistics == {"platform", "ts", "action", "group_id"}
    low, high = columns["ts"].statistics.min, columns["ts"].statistics.max
    times = [event["ts"] for event in read_events(tmp_path / "out")]
    assert (low, high) == (min(times), max(times))


def test_it_writes_a_manifest_with_counts_and_a_key_fingerprint(tmp_path):
    report, _ = run("slack", WORKSPACE, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["imported"] == report.imported
    assert manifest["skipped"] == report.skipped
    assert manifest["platform"] == "slack" and manifest["namespace"] == "slack"
    assert KEY not in json.dumps(manifest)
    assert len(manifest["key_id"]) == 16


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_it_leaves_no_partial_dataset_when_an_import_fails_halfway(
    tmp_path, failing_importer, error
):
    platform = failing_importer(error)
    with pytest.raises(type(error)):
        import_export(platform, WORKSPACE, tmp_path / "out", key=KEY)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_overwrite_keeps_the_old_dataset(tmp_path, failing_importer):
    report, before = run("slack", WORKSPACE, tmp_path / "out")
    platform = failing_importer(RuntimeError("half way"))
    with pytest.raises(RuntimeError):
        import_export(platform, WORKSPACE, tmp_path / "out", key=KEY, overwrite=True)
    assert read_events(tmp_path / "out") == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_it_refuses_to_overwrite_a_dataset_unless_asked(tmp_path):
    run("slack", WORKSPACE, tmp_path / "out")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        run("slack", WORKSPACE, tmp_path / "out")
    report, _ = run("slack", WORKSPACE, tmp_path / "out", overwrite=True)
    assert report.events == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_it_never_replaces_a_folder_that_is_not_a_dataset(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.docx").write_text("years of work")
    with pytest.raises(FileExistsError, match="not an ismonitor dataset"):
        run("slack", WORKSPACE, tmp_path / "out", overwrite=True)
    assert (tmp_path / "out" / "thesis.docx").read_text() == "years of work"


def test_it_reports_progress_until_done(tmp_path):
    calls = []
    run("slack", WORKSPACE, tmp_path / "out", progress=lambda *call: calls.append(call))
    assert calls[-1] == (3, 3)  # three day files
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_it_refuses_an_unknown_platform_naming_the_known_ones(tmp_path):
    with pytest.raises(KeyError, match="slack"):
        run("myspace", WORKSPACE, tmp_path / "out")


def test_it_refuses_an_unknown_option(tmp_path):
    with pytest.raises(ValueError, match="unknown option"):
        run("slack", WORKSPACE, tmp_path / "out", options={"colour": "blue"})


def test_every_builtin_importer_is_registered_like_any_other(tmp_path):
    registered = all_importers()
    modules = {type(importer).__module__ for importer in registered.values()}
    assert set(BUILTIN_IMPORTERS) <= modules
    assert {
        "slack",
        "viva_engage",
        "m365_usage",
        "teams",
        "discourse",
        "mattermost",
        "zulip",
        "stackexchange",
        "csv",
    } <= set(registered)
    for name, importer in registered.items():
        assert importer.name == name
        assert importer.description and "\n" not in importer.description
        assert importer.table in ("events", "period_counts")
        assert all(help and "\n" not in help for help in importer.options.values())


def test_a_built_in_importer_is_found_without_loading_the_others():
    # in a fresh process: this one has loaded them all
    code = (
        "import sys\n"
        "from ismonitor.activity.registry import get_importer, all_importers\n"
        "assert get_importer('zulip').name == 'zulip'\n"
        "prefix = 'ismonitor.activity.importers.'\n"
        "print(sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix)))\n"
        "print(len(all_importers()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded, count = result.stdout.splitlines()
    assert loaded == "['_common', 'zulip']"
    assert int(count) >= 9  # and all of them when asked for all


def test_a_third_party_importer_registers_and_runs(tmp_path):
    @register
    class Plek(BaseImporter):
        name = "plek_test"
        description = "A made-up platform's export: one line per event."

        def read(self, path: Path, context):
            for number, line in enumerate(path.read_text().splitlines()):
                user, action = line.split()
                if action == "system":
                    context.skip("system_message")
                    continue
                yield f"x{number}", 1_700_000_000_000_000, user, action, "x0", None, None

    try:
        (tmp_path / "export.txt").write_text("jan post\nsystem system\npiet reply\n")
        assert get_importer("plek_test").description.startswith("A made-up")
        report, events = run("plek_test", tmp_path / "export.txt", tmp_path / "out")
        assert report.imported == {"post": 1, "reply": 1, "react": 0, "read": 0}
        assert report.skipped == {"system_message": 1}
        assert {e["platform"] for e in events} == {"plek_test"}
    finally:
        unregister("plek_test")


def test_it_refuses_a_second_importer_under_a_taken_name():
    class Impostor(BaseImporter):
        name = "slack"
        description = "Not Slack."

    with pytest.raises(ValueError, match="already registered"):
        register(Impostor)


def test_it_refuses_repeated_event_ids(tmp_path):
    @register
    class Twice(BaseImporter):
        name = "twice_test"
        description = "Yields one event twice."

        def read(self, path, context):
            for _ in range(2):
                yield "same", 1_700_000_000_000_000, "u", "post", "same", None, None

    try:
        with pytest.raises(ValueError, match="'same' \\(2 times\\)"):
            run("twice_test", WORKSPACE, tmp_path / "out")
        assert list(tmp_path.iterdir()) == []
    finally:
        unregister("twice_test")


def test_every_importer_is_documented_in_formats_md():
    docs = (Path(__file__).parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    for name in all_importers():
        if name in ("plek_test", "twice_test", "fails_halfway"):
            continue
        assert f"### `{name}`" in docs, f"docs/formats.md has no section for {name}"
