"""The generic CSV importer with a YAML column mapping (for Plek, Embrace, ...)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from ismonitor.activity import NO_THREAD, MalformedRecordError
from ismonitor.activity.importers import generic_csv
from ismonitor.activity.importers.generic_csv import MappingError, load_mapping

from ._helpers import (
    FIXTURES,
    assert_nothing_personal,
    by_id,
    pseudonym,
    run,
    run_only,
    uncompressed,
)

CSV = FIXTURES / "csv"
MAPPING = {"mapping": CSV / "plek-mapping.yaml"}


def test_it_counts_each_action_as_the_file_holds_them(tmp_path):
    report, _ = run("csv", CSV / "plek-export.csv", tmp_path / "out", options=MAPPING)
    # By hand: Bericht B1 and B2, Reactie R1, Like K1, Gelezen G1; S1 is a system line.
    assert report.imported == {"post": 2, "reply": 1, "react": 1, "read": 1}
    assert report.skipped == {"system_message": 1}


def test_it_maps_columns_threads_and_parents(tmp_path):
    _, events = run("csv", CSV / "plek-export.csv", tmp_path / "out", options=MAPPING)
    event = by_id(events)
    assert (event["B1"]["thread_id"], event["B1"]["parent_id"]) == ("B1", None)
    assert (event["K1"]["action"], event["K1"]["thread_id"], event["K1"]["parent_id"]) == (
        "react",
        "B1",
        "R1",
    )
    assert (event["B1"]["group_id"], event["B2"]["group_id"]) == ("Communicatie", "Facilitair")
    assert {e["platform"] for e in events} == {"csv"}


def test_it_reads_local_times_in_the_mapping_time_zone(tmp_path):
    _, events = run("csv", CSV / "plek-export.csv", tmp_path / "out", options=MAPPING)
    event = by_id(events)
    assert event["B1"]["ts"] == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)  # CET, UTC+1
    assert event["B2"]["ts"] == datetime(2024, 3, 31, 10, 0, tzinfo=UTC)  # CEST, UTC+2


def test_the_same_address_in_another_case_is_the_same_person(tmp_path):
    _, events = run("csv", CSV / "plek-export.csv", tmp_path / "out", options=MAPPING)
    event = by_id(events)
    assert event["K1"]["user_id"] == event["B1"]["user_id"]
    assert event["B1"]["user_id"] == pseudonym("anna.devries@example.org", "csv")


def test_it_stores_no_names_addresses_or_texts(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("csv", CSV / "plek-export.csv", tmp_path / "out", options=MAPPING)
    assert_nothing_personal(
        tmp_path / "out",
        ["Anna de Vries", "Bram Jansen", "@example.org", "anna.devries", "Welkom op Plek", "soep"],
    )


def test_it_derives_threads_from_parents_without_a_thread_column(tmp_path):
    mapping = yaml.safe_load((CSV / "plek-mapping.yaml").read_text())
    del mapping["columns"]["thread"]
    (tmp_path / "export.csv").write_text(
        "ID;Datum;Medewerker;Soort;Reactie op;Groep\n"
        "B1;01-03-2024 09:00;anna;Bericht;;\n"
        "R1;01-03-2024 09:10;bram;Reactie;B1;\n"
        "R2;01-03-2024 09:20;anna;Reactie;R1;\n"
        "K1;01-03-2024 09:30;carla;Like;;\n"
        "G1;01-03-2024 09:40;carla;Gelezen;;\n",
        encoding="utf-8",
    )
    with pytest.raises(MalformedRecordError) as caught:
        run("csv", tmp_path / "export.csv", tmp_path / "out", options={"mapping": mapping})
    assert (caught.value.location, caught.value.expected) == (
        "line 5",
        "a thread or parent for a react",
    )
    report, events = run(
        "csv",
        tmp_path / "export.csv",
        tmp_path / "out",
        options={"mapping": mapping},
        on_error="reject",
    )
    event = by_id(events)
    assert (event["R2"]["thread_id"], event["R2"]["parent_id"]) == ("B1", "R1")
    assert (event["G1"]["thread_id"], event["G1"]["parent_id"]) == (NO_THREAD, None)
    assert report.rejected == 1


def test_it_names_line_column_and_value_of_an_unknown_action(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("csv", CSV / "unknown-action.csv", tmp_path / "out", options=MAPPING)
    error = caught.value
    assert (error.location, error.field, error.value) == ("line 3", "Soort", "Delen")
    assert "'Bericht', 'Reactie', 'Like', 'Gelezen', 'Systeembericht'" in str(error)
    assert not (tmp_path / "out").exists()


def test_it_names_each_bad_time_even_when_parsing_in_bulk(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("csv", CSV / "bad-time.csv", tmp_path / "out", options=MAPPING)
    assert (caught.value.location, caught.value.field, caught.value.value) == (
        "line 3",
        "Datum",
        "1 maart",
    )
    report, _ = run(
        "csv", CSV / "bad-time.csv", tmp_path / "out", options=MAPPING, on_error="reject"
    )
    assert report.rejected == 2
    # 02:30 on 31 March does not exist in Amsterdam: the clocks jump from 2:00 to 3:00.
    assert "line 4" in report.rejections[1] and "gap" in report.rejections[1]


def test_it_names_every_wrong_key_of_a_mapping():
    with pytest.raises(MappingError) as caught:
        load_mapping(CSV / "bad-mapping.yaml")
    message = str(caught.value)
    assert "bad-mapping.yaml" in message
    for key in ("columns.user", "columns.colour", "ts_format", "timezone", "actions.Reactie"):
        assert key in message


def test_it_needs_a_mapping(tmp_path):
    with pytest.raises(MappingError, match="mapping"):
        run("csv", CSV / "plek-export.csv", tmp_path / "out")


def test_it_parses_times_in_bulk_as_python_does_line_by_line(tmp_path, monkeypatch):
    # More lines than one batch, every minute of two days around the autumn change of
    # clocks (when 02:00-03:00 happens twice: the earlier one is taken, as Python does).
    zone = ZoneInfo("Europe/Amsterdam")
    lines = ["ID;Datum;Medewerker;Soort"]
    for minute in range(66_000):
        text = (datetime(2024, 10, 26) + timedelta(minutes=minute)).strftime("%d-%m-%Y %H:%M")
        lines.append(f"E{minute};{text};u{minute % 7};Bericht")
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n")
    mapping = {
        "columns": {"event_id": "ID", "ts": "Datum", "user": "Medewerker", "action": "Soort"},
        "ts_format": "%d-%m-%Y %H:%M",
        "timezone": "Europe/Amsterdam",
        "delimiter": ";",
        "actions": {"Bericht": "post"},
    }

    def line_by_line(*args):
        raise AssertionError("the bulk parse fell back to parsing line by line")

    monkeypatch.setattr(generic_csv._File, "_time", line_by_line)
    run_only("csv", tmp_path / "big.csv", tmp_path / "out", options={"mapping": mapping})
    table = pq.read_table(tmp_path / "out" / "events", columns=["event_id", "ts"])
    ids, times = table["event_id"].to_pylist(), table["ts"].cast("int64").to_pylist()
    got = dict(zip(ids, times, strict=True))
    assert len(got) == 66_000
    for line in lines[1:]:
        event_id, text, *_ = line.split(";")
        expected = datetime.strptime(text, "%d-%m-%Y %H:%M").replace(tzinfo=zone)
        assert got[event_id] == int(expected.timestamp()) * 1_000_000, line


def _varied_export(path, rows: int) -> None:
    """Posts, replies with and without parents, reactions, reads, skips, quotes."""
    lines = ["ID;Datum;Medewerker;Soort;Reactie op;Groep;Tekst"]
    kinds = ["Bericht", "Reactie", "Like", "Gelezen", "Systeembericht", "Reactie"]
    for n in range(rows):
        kind = kinds[n % len(kinds)]
        # replies and likes always name a parent (some before the file starts); reads
        # only now and then
        parent = f"E{n - 1 - n % 3}" if kind != "Gelezen" or n % 4 else ""
        text = '"regel een;\nregel ""twee"""' if n % 11 == 0 else "kort"
        group = f"G{n % 5}" if n % 7 else ""
        when = (datetime(2024, 1, 1) + timedelta(seconds=37 * n)).strftime("%d-%m-%Y %H:%M:%S")
        lines.append(f"E{n};{when};u{n % 97}@example.org ;{kind};{parent};{group};{text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("with_ids", [True, False])
def test_reading_in_bulk_gives_what_reading_line_by_line_gives(tmp_path, monkeypatch, with_ids):
    _varied_export(tmp_path / "export.csv", 70_000)
    columns = {"ts": "Datum", "user": "Medewerker", "action": "Soort", "parent": "Reactie op"}
    columns |= {"group": "Groep"} | ({"event_id": "ID"} if with_ids else {})
    mapping = {
        "columns": columns,
        "ts_format": "%d-%m-%Y %H:%M:%S",
        "timezone": "Europe/Amsterdam",
        "delimiter": ";",
        "actions": {"Bericht": "post", "Reactie": "reply", "Like": "react", "Gelezen": "read"},
        "skip": {"Systeembericht": "system_message"},
    }
    options = {"mapping": mapping}

    def line_by_line(self, batch):
        raise AssertionError("the bulk reader fell back to reading line by line")

    with monkeypatch.context() as patch:
        patch.setattr(generic_csv._File, "_rows", line_by_line)
        bulk = run_only("csv", tmp_path / "export.csv", tmp_path / "bulk", options=options)

    def no_bulk(self):
        return 0
        yield

    monkeypatch.setattr(generic_csv._File, "_bulk", no_bulk)
    slow = run_only("csv", tmp_path / "export.csv", tmp_path / "slow", options=options)
    assert bulk.imported == slow.imported and bulk.skipped == slow.skipped
    assert slow.skipped == {"system_message": 11_666}  # n % 6 == 4 for n < 70,000
    assert pq.read_table(tmp_path / "bulk" / "events").equals(
        pq.read_table(tmp_path / "slow" / "events")
    )


def test_it_switches_to_line_by_line_at_the_first_bad_batch(tmp_path):
    _varied_export(tmp_path / "export.csv", 70_000)
    lines = (tmp_path / "export.csv").read_text(encoding="utf-8").split("\n")
    # A reply in the second bulk batch loses its parent.
    number = next(n for n, text in enumerate(lines, 1) if text.startswith("E68005;"))
    assert ";Reactie;E68003;" in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(";Reactie;E68003;", ";Reactie;;")
    (tmp_path / "export.csv").write_text("\n".join(lines), encoding="utf-8")
    columns = {"ts": "Datum", "user": "Medewerker", "action": "Soort", "parent": "Reactie op"}
    mapping = {
        "columns": columns,
        "ts_format": "%d-%m-%Y %H:%M:%S",
        "delimiter": ";",
        "actions": {"Bericht": "post", "Reactie": "reply", "Like": "react", "Gelezen": "read"},
        "skip": {"Systeembericht": "system_message"},
    }
    with pytest.raises(MalformedRecordError) as caught:
        run_only("csv", tmp_path / "export.csv", tmp_path / "out", options={"mapping": mapping})
    assert caught.value.location == f"line {number}"
    report = run_only(
        "csv",
        tmp_path / "export.csv",
        tmp_path / "out",
        options={"mapping": mapping},
        on_error="reject",
    )
    assert report.rejected == 1
    assert report.events + report.skipped["system_message"] == 70_000 - 1


def test_it_reports_progress_in_bytes(tmp_path):
    _varied_export(tmp_path / "export.csv", 70_000)
    size = (tmp_path / "export.csv").stat().st_size
    mapping = {
        "columns": {"ts": "Datum", "user": "Medewerker", "action": "Soort", "parent": "Reactie op"},
        "ts_format": "%d-%m-%Y %H:%M:%S",
        "delimiter": ";",
        "actions": {"Bericht": "post", "Reactie": "reply", "Like": "react", "Gelezen": "read"},
        "skip": {"Systeembericht": "system_message"},
    }
    calls = []
    run_only(
        "csv",
        tmp_path / "export.csv",
        tmp_path / "out",
        options={"mapping": mapping},
        progress=lambda *call: calls.append(call),
    )
    assert len(calls) >= 2 and calls[-1] == (size, size)
    assert all(total == size for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.mark.parametrize("text", ["31-02-2024 09:00", "01-03-24 09:00", "01-03-2024 09:00x"])
def test_it_refuses_a_date_that_does_not_exist_even_in_bulk(tmp_path, text):
    (tmp_path / "export.csv").write_text(
        "ID;Datum;Medewerker;Naam;Soort;Onderwerp;Reactie op;Groep;Tekst\n"
        f"B1;{text};anna;Anna;Bericht;;;;\n",
        encoding="utf-8",
    )
    with pytest.raises(MalformedRecordError) as caught:
        run_only("csv", tmp_path / "export.csv", tmp_path / "out", options=MAPPING)
    assert (caught.value.location, caught.value.value) == ("line 2", text)


def test_it_reads_unpadded_days_and_hours_as_python_does(tmp_path):
    (tmp_path / "export.csv").write_text(
        "ID;Datum;Medewerker;Naam;Soort;Onderwerp;Reactie op;Groep;Tekst\n"
        "B1;1-3-2024 9:05;anna;Anna;Bericht;;;;\n",
        encoding="utf-8",
    )
    _, events = run("csv", tmp_path / "export.csv", tmp_path / "out", options=MAPPING)
    assert events[0]["ts"] == datetime(2024, 3, 1, 8, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "fmt",
    ["%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d%m%Y %H%M", "%d.%m.%Y"],
)
def test_bulk_times_agree_with_python_on_awkward_texts(fmt):
    # Each text either parses in bulk to what Python's strptime gives, or is left to
    # Python (None): never another value.
    samples = [
        "01-03-2024 09:00", "1-3-2024 9:00", "31-02-2024 09:00", "01-03-24 09:00",
        " 1-03-2024 09:00", "01-03-2024 09:00:60", "29-02-2023 10:00:00", "01-03-0000 09:00",
        "2024-03-01T09:00:00", "2024-3-1T9:0:0", "01032024 0900", "1122024 0900",
        "01.03.2024", "1.3.2024", "31.04.2024", "01-03-2024 09:00x", "٠١-٠٣-٢٠٢٤ 09:00",
    ]  # fmt: skip
    for text in samples:
        result = generic_csv._bulk_strptime(pa.array([text]), fmt)
        try:
            expected = datetime.strptime(text, fmt)
        except ValueError:
            expected = None
        if result is not None:
            assert result[0].as_py() == expected, (fmt, text)
