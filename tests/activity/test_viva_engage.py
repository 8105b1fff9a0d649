"""The Viva Engage (Yammer) network data export importer."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest

from ismonitor.activity import MalformedRecordError
from ismonitor.activity.importers import viva_engage
from ismonitor.activity.importers.viva_engage import yammer_micros

from ._helpers import (
    FIXTURES,
    assert_nothing_personal,
    by_id,
    pseudonym,
    run,
    run_only,
    uncompressed,
)

VIVA = FIXTURES / "viva_engage"


def test_it_counts_posts_and_replies_as_the_export_holds_them(tmp_path):
    report, events = run("viva_engage", VIVA / "export", tmp_path / "out")
    # Messages.csv by hand: 1001, 1004 and 1009 start threads (id == thread_id);
    # 1002, 1003 and 1005 answer in them.
    assert report.imported == {"post": 3, "reply": 3, "react": 0, "read": 0}
    assert [e["event_id"] for e in events] == ["1001", "1002", "1003", "1004", "1005", "1009"]


def test_it_counts_deleted_system_and_private_messages_as_skipped(tmp_path):
    report, _ = run("viva_engage", VIVA / "export", tmp_path / "out")
    assert report.skipped == {
        "deleted": 1,  # 1006 has deleted_at
        "private_message": 1,  # 1008 in_private_conversation
        "sender_type_system": 1,  # 1007
    }


def test_it_links_replies_to_what_they_answer(tmp_path):
    _, events = run("viva_engage", VIVA / "export", tmp_path / "out")
    event = by_id(events)
    assert (event["1002"]["thread_id"], event["1002"]["parent_id"]) == ("1001", "1001")
    assert (event["1003"]["thread_id"], event["1003"]["parent_id"]) == ("1001", "1002")
    # no replied_to_id: the reply is about the thread's first message
    assert (event["1005"]["thread_id"], event["1005"]["parent_id"]) == ("1004", "1004")
    assert event["1001"]["group_id"] == "77"
    assert event["1004"]["group_id"] is None  # all-company: no group
    assert event["1003"]["user_id"] == event["1001"]["user_id"] == pseudonym("501", "viva_engage")


def test_it_reads_the_export_times_as_utc(tmp_path):
    _, events = run("viva_engage", VIVA / "export", tmp_path / "out")
    assert by_id(events)["1002"]["ts"] == datetime(2024, 2, 1, 9, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["2024-02-01 09:15:30 UTC", "2024/02/01 09:15:30 +0000", "2024-02-01T10:15:30+01:00"],
)
def test_it_accepts_the_time_formats_yammer_uses(text):
    expected = datetime(2024, 2, 1, 9, 15, 30, tzinfo=UTC)
    assert yammer_micros(text) == int(expected.timestamp()) * 1_000_000


def test_it_stores_no_names_addresses_or_texts(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("viva_engage", VIVA / "export", tmp_path / "out")
    assert_nothing_personal(
        tmp_path / "out",
        [
            "Anna de Vries",
            "Bram Jansen",
            "Carla Smit",
            "@example.org",
            "Welkom op Viva Engage",
            "heidag",
            "Communicatie",  # the group's name; its id is kept
            "yammer.com",
        ],
    )


def test_it_reads_a_zip_export(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", VIVA / "export")
    report, _ = run("viva_engage", archive, tmp_path / "out")
    assert report.events == 6


def test_it_names_file_line_field_and_value_of_a_bad_time(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("viva_engage", VIVA / "bad-time", tmp_path / "out")
    error = caught.value
    assert error.file.endswith("bad-time/Messages.csv")
    assert (error.location, error.field, error.value) == ("line 5", "created_at", "2 februari 2024")
    assert not (tmp_path / "out").exists()


def test_it_names_a_missing_column_and_lists_the_ones_there(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("viva_engage", VIVA / "missing-column", tmp_path / "out")
    assert caught.value.field == "sender_id"
    assert "line 1" in str(caught.value) and "thread_id" in str(caught.value)


def test_it_counts_lines_right_after_a_message_over_several_lines(tmp_path):
    source = (VIVA / "export" / "Messages.csv").read_text(encoding="utf-8")
    broken = source.rstrip("\r\n") + "\r\n" + source.splitlines()[2].replace("1002,", "1010,", 1)
    broken = broken.replace("2024-02-01 09:15:30 UTC,,,update", "gisteren,,,update")
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "Messages.csv").write_text(broken, encoding="utf-8")
    with pytest.raises(MalformedRecordError) as caught:
        run("viva_engage", tmp_path / "export", tmp_path / "out")
    # 1009's body spans three lines (10 to 12), so the added message is on line 13;
    # the original 1002 on line 3 was changed too and is found first.
    assert caught.value.location == "line 3"
    report, _ = run("viva_engage", tmp_path / "export", tmp_path / "out", on_error="reject")
    assert report.rejected == 2
    assert [message.split(", ")[1] for message in report.rejections] == ["line 3", "line 13"]


def test_reading_in_bulk_gives_what_reading_line_by_line_gives(tmp_path, monkeypatch):
    rows = [(VIVA / "export" / "Messages.csv").read_text(encoding="utf-8").splitlines()[0]]
    kinds = ["user", "user", "user", "system", "User"]
    for n in range(1, 3001):
        thread = n - n % 4 or n
        replied = "" if n % 4 in (0, 3) else str(n - 1)
        deleted = "2024-03-01 00:00:00 UTC" if n % 17 == 0 else ""
        private = "true" if n % 13 == 0 else "false"
        kind = "system" if n % 29 == 0 else "update"
        group = "" if n % 5 == 0 else str(n % 7)
        rows.append(
            f"{n},{replied},{thread},c{thread},{group},G,,false,{private},{500 + n % 9},"
            f'{kinds[n % 5]},Naam,naam@example.org,"tekst, met\nregels",u,,,,'
            f"2024-02-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:07 UTC,{deleted},,{kind}"
        )
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "Messages.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    def line_by_line(*args, **kwargs):
        raise AssertionError("the bulk reader fell back to reading line by line")

    with monkeypatch.context() as patch:
        patch.setattr(viva_engage, "_messages", line_by_line)
        bulk = run_only("viva_engage", tmp_path / "export", tmp_path / "bulk")

    def no_bulk(*args):
        return 0
        yield

    monkeypatch.setattr(viva_engage, "read_in_bulk", no_bulk)
    slow = run_only("viva_engage", tmp_path / "export", tmp_path / "slow")
    assert (bulk.imported, bulk.skipped) == (slow.imported, slow.skipped)
    assert set(slow.skipped) == {
        "deleted",
        "private_message",
        "sender_type_system",
        "system_message",
    }
    assert pq.read_table(tmp_path / "bulk" / "events").equals(
        pq.read_table(tmp_path / "slow" / "events")
    )
