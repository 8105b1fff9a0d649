"""The Slack importer, on a made-up workspace and on a real export (testarchive.zip)."""

from __future__ import annotations

import json
import random
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ismonitor.activity import MalformedRecordError
from ismonitor.activity.importers import _common, slack
from ismonitor.activity.importers._common import EventColumns

from ._helpers import (
    FIXTURES,
    assert_nothing_personal,
    assert_same_import,
    by_id,
    edited_reads_as_line_by_line,
    msgspec_edits,
    pseudonym,
    run,
    run_with_progress,
    uncompressed,
)

SLACK = FIXTURES / "slack"
WORKSPACE = SLACK / "workspace"


def test_it_counts_each_action_as_the_workspace_holds_it(tmp_path):
    report, events = run("slack", WORKSPACE, tmp_path / "out")
    # By hand, from workspace/algemeen/*.json: posts are Anna's welcome, Anna's question
    # and Bram's cake; replies are Bram's thanks and Carla's broadcast; reactions are
    # the two waves, the tada on the join notice and Anna's cake.
    assert report.imported == {"post": 3, "reply": 2, "react": 4, "read": 0}
    assert len(events) == 9


def test_it_counts_every_skipped_message_with_its_reason(tmp_path):
    report, _ = run("slack", WORKSPACE, tmp_path / "out")
    assert report.skipped == {
        "bot_message": 1,  # subtype bot_message with a bot_id
        "bot_reaction": 1,  # the deploy bot's robot_face
        "bot_user": 1,  # a message by the user that users.json marks is_bot
        "channel_join": 1,
        "direct_message": 1,  # the message in D0DIRECT1 (dms.json)
        "reaction_user_not_listed": 4,  # cake: count 5, one user listed
        "tombstone": 1,
    }
    assert report.rejected == 0


def test_it_links_replies_to_their_thread(tmp_path):
    _, events = run("slack", WORKSPACE, tmp_path / "out")
    event = by_id(events)
    welcome = "C0ALGEMEEN:1709280000.000100"
    question = "C0ALGEMEEN:1709283600.000400"
    assert event[welcome]["action"] == "post"
    assert event[welcome]["thread_id"] == welcome
    assert event[welcome]["parent_id"] is None
    # thread_ts == ts: the thread's parent, still a post
    assert event[question]["action"] == "post"
    assert event[question]["thread_id"] == question
    thanks = event["C0ALGEMEEN:1709280120.000300"]
    assert (thanks["action"], thanks["thread_id"], thanks["parent_id"]) == (
        "reply",
        welcome,
        welcome,
    )
    broadcast = event["C0ALGEMEEN:1709290000.000500"]
    assert (broadcast["action"], broadcast["thread_id"]) == ("reply", question)
    assert {e["group_id"] for e in events} == {"C0ALGEMEEN"}


def test_it_gives_reactions_the_time_of_their_message(tmp_path):
    _, events = run("slack", WORKSPACE, tmp_path / "out")
    waves = [e for e in events if e["parent_id"] == "C0ALGEMEEN:1709280000.000100"]
    waves = [e for e in waves if e["action"] == "react"]
    assert len(waves) == 2
    assert {e["ts"] for e in waves} == {datetime(2024, 3, 1, 8, 0, 0, 100, tzinfo=UTC)}
    assert {e["user_id"] for e in waves} == {
        pseudonym("U0BRAM", "slack"),
        pseudonym("U0CARLA", "slack"),
    }


def test_it_keeps_a_reaction_to_a_message_it_left_out(tmp_path):
    _, events = run("slack", WORKSPACE, tmp_path / "out")
    join = "C0ALGEMEEN:1709280060.000200"
    assert join not in by_id(events)
    (tada,) = [e for e in events if e["parent_id"] == join]
    assert tada["action"] == "react"
    assert tada["user_id"] == pseudonym("U0ANNA", "slack")


def test_it_reads_microseconds_exactly(tmp_path):
    _, events = run("slack", WORKSPACE, tmp_path / "out")
    cake = by_id(events)["C0ALGEMEEN:1709370000.000600"]
    assert cake["ts"] == datetime(2024, 3, 2, 9, 0, 0, 600, tzinfo=UTC)


def test_it_stores_no_names_addresses_texts_or_slack_user_ids(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("slack", WORKSPACE, tmp_path / "out")
    assert_nothing_personal(
        tmp_path / "out",
        [
            "Anna de Vries",
            "Bram Jansen",
            "Carla Smit",
            "anna.devries",
            "anna.devries@example.org",
            "bram.jansen@example.org",
            "Welkom allemaal",
            "Taart in de kantine",
            "Geheim",
            "heidag",
            "U0ANNA",
            "U0BRAM",
            "U0CARLA",
        ],
    )


def test_it_imports_the_real_test_archive(tmp_path):
    report, events = run("slack", SLACK / "testarchive.zip", tmp_path / "out")
    # Counted independently over the 17 day files (python -c "json.load ... Counter of
    # (subtype, bot_id)"): 49 plain messages and 3 file_share messages by people are
    # posts; one person reacted once, to a bot's message. No threads in this export.
    assert report.imported == {"post": 52, "reply": 0, "react": 1, "read": 0}
    assert report.skipped == {
        "bot_add": 3,
        "bot_message": 94,
        "channel_join": 8,
        "file_comment": 1,
    }
    assert {e["group_id"] for e in events} == {"C0JGLMMNX", "C0JL6CGQ2"}
    assert len({e["user_id"] for e in events}) == 4


def test_it_names_the_file_and_line_of_broken_json(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("slack", SLACK / "broken-json", tmp_path / "out")
    message = str(caught.value)
    assert "broken-json/algemeen/2024-03-02.json" in message
    assert "line 4" in message
    assert "valid JSON" in message
    assert not (tmp_path / "out").exists()


def test_it_names_the_record_field_and_value_of_a_bad_timestamp(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("slack", SLACK / "bad-ts", tmp_path / "out")
    error = caught.value
    assert error.file.endswith("bad-ts/algemeen/2024-03-02.json")
    assert (error.location, error.field, error.value) == ("record 1", "ts", "gisteren")
    assert "expected a Slack timestamp" in str(error)


def test_it_leaves_nothing_when_a_later_file_is_malformed(tmp_path):
    # The first day file imports fine; the second fails: no dataset, no temporary files.
    with pytest.raises(MalformedRecordError):
        run("slack", SLACK / "bad-ts", tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_it_can_reject_malformed_records_and_go_on(tmp_path):
    report, events = run("slack", SLACK / "bad-ts", tmp_path / "out", on_error="reject")
    assert report.rejected == 1
    assert "gisteren" in report.rejections[0]
    # Three posts on the first day (bad-ts/ has no users.json, so nothing says that
    # U0DEPLOYBOT is a bot) and Bram's on the second.
    assert report.imported["post"] == 4


def test_it_refuses_a_folder_that_no_listing_names(tmp_path):
    with pytest.raises(MalformedRecordError, match="folder 'random' is not"):
        run("slack", SLACK / "unlisted-folder", tmp_path / "out")


def test_it_refuses_something_that_is_not_a_slack_export(tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "notes.txt").write_text("hello")
    with pytest.raises(MalformedRecordError, match="channels.json"):
        run("slack", tmp_path / "export", tmp_path / "out")


def test_it_reads_a_zip_with_a_top_folder(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", SLACK, "workspace")
    report, _ = run("slack", archive, tmp_path / "out")
    assert report.imported == {"post": 3, "reply": 2, "react": 4, "read": 0}


def test_it_refuses_a_file_in_a_channel_folder_that_is_not_a_day(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(WORKSPACE, export)
    (export / "algemeen" / "notes.json").write_text("[]")
    with pytest.raises(MalformedRecordError, match="notes.json: expected a day file"):
        run("slack", export, tmp_path / "out")


# --- in bulk and line by line ---------------------------------------------------------


def _varied_export(directory, seed: int = 7, days: int = 12) -> None:
    """A workspace with every kind of message the importer tells apart: posts, replies,
    broadcasts, thread parents, joins, bot messages, messages with a bot_id, bot users,
    USLACKBOT, direct messages, reactions (by bots, on skipped messages, fewer users
    listed than counted, empty), over several channels and days."""
    rng = random.Random(seed)
    people = [f"U{n:04d}" for n in range(40)]
    bots = ["U0BOT1", "USLACKBOT"]
    channels = {"algemeen": "C01", "random": "C02", "besloten": "G01"}
    directory.mkdir()
    (directory / "channels.json").write_text(
        json.dumps([{"id": "C01", "name": "algemeen"}, {"id": "C02", "name": "random"}])
    )
    (directory / "groups.json").write_text(json.dumps([{"id": "G01", "name": "besloten"}]))
    (directory / "dms.json").write_text(json.dumps([{"id": "D01", "members": people[:2]}]))
    users = [{"id": user, "is_bot": False} for user in people] + [{"id": "U0BOT1", "is_bot": True}]
    (directory / "users.json").write_text(json.dumps(users))
    sequence = iter(range(1, 10**6))
    for folder in [*channels, "D01"]:
        (directory / folder).mkdir()
        for day in range(1, days + 1):
            messages = []
            for _ in range(rng.randint(0, 30)):
                ts = f"{1709251200 + day * 86400 + rng.randint(0, 80000)}.{next(sequence):06d}"
                message = {
                    "type": "message",
                    "user": rng.choice(people + bots),
                    "text": "x",
                    "ts": ts,
                }
                kind = rng.random()
                if kind < 0.05:
                    message["subtype"] = rng.choice(["channel_join", "tombstone", "bot_add"])
                elif kind < 0.10:
                    message.update(subtype="bot_message", bot_id="B01")
                    del message["user"]
                elif kind < 0.13:
                    message["bot_id"] = "B02"
                elif kind < 0.16:
                    message["subtype"] = rng.choice(["file_share", "me_message"])
                if messages and rng.random() < 0.4:
                    parent = rng.choice(messages)["ts"]
                    message["thread_ts"] = parent
                    if rng.random() < 0.1:
                        message["subtype"] = "thread_broadcast"
                elif rng.random() < 0.2:
                    message["thread_ts"] = ts  # a thread's parent
                if rng.random() < 0.5:
                    reactions = []
                    for name in rng.sample(["+1", "tada", "eyes"], rng.randint(0, 3)):
                        who = rng.sample(people + bots, rng.randint(0, 4))
                        count = len(who) + (rng.randint(1, 3) if rng.random() < 0.1 else 0)
                        reactions.append({"name": name, "users": who, "count": count})
                    message["reactions"] = reactions
                elif rng.random() < 0.1:
                    message["reactions"] = None
                messages.append(message)
            if messages or rng.random() < 0.3:
                path = directory / folder / f"2024-03-{day:02d}.json"
                path.write_text(json.dumps(messages, indent=rng.choice([None, 4])))


def _line_by_line_only(monkeypatch) -> None:
    monkeypatch.setattr(slack._Group, "add", lambda *args: False)


def _no_line_by_line(monkeypatch) -> None:
    def refuse(*args):
        raise AssertionError("the bulk reader read a file line by line")

    monkeypatch.setattr(slack, "_messages", refuse)


@pytest.mark.parametrize("group", [50_000, 7])
def test_reading_in_bulk_gives_what_reading_line_by_line_gives(tmp_path, monkeypatch, group):
    _varied_export(tmp_path / "export")
    monkeypatch.setattr(slack, "GROUP_MESSAGES", group)
    with monkeypatch.context() as patch:
        _no_line_by_line(patch)
        bulk = run_with_progress("slack", tmp_path / "export", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("slack", tmp_path / "export", tmp_path / "slow")
    assert_same_import(bulk, slow)
    assert set(slow.skipped) >= {
        "bot_add",
        "bot_message",
        "bot_reaction",
        "bot_user",
        "channel_join",
        "direct_message",
        "reaction_user_not_listed",
        "tombstone",
    }
    assert slow.imported["post"] and slow.imported["reply"] and slow.imported["react"]


def test_bulk_batches_hold_exactly_the_rows_of_a_row_group(tmp_path, monkeypatch):
    _varied_export(tmp_path / "export", days=30)
    monkeypatch.setattr(slack, "GROUP_MESSAGES", 50)
    monkeypatch.setattr(slack, "EventColumns", lambda: EventColumns(rows=100))
    report = run_with_progress("slack", tmp_path / "export", tmp_path / "out")
    metadata = pq.ParquetFile(tmp_path / "out" / "events" / "part-00000.parquet").metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert report.events > 300
    assert sizes == [100] * (report.events // 100) + (
        [report.events % 100] * (report.events % 100 > 0)
    )


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda m: m.update(ts="gisteren"), "ts"),
        (lambda m: m.update(ts="1709280000.5"), None),  # valid, but not Slack's own form
        (lambda m: m.update(thread_ts=12), "thread_ts"),
        (lambda m: m.pop("user"), "user"),
        (lambda m: m.update(user=""), "user"),
        (lambda m: m.update(reactions={"+1": 2}), "reactions"),
        (
            lambda m: m.update(reactions=[{"name": "+1", "users": ["U0001", 5]}]),
            "reactions[0].users[1]",
        ),
        (lambda m: m.update(reactions=[{"name": "+1", "users": ["U0001"], "count": 2**70}]), None),
        (lambda m: m.update(reactions=[{"name": "+1", "users": ["U0001"], "count": 2.0}]), None),
        (lambda m: m.update(reactions=[["users", ["U0001"]]]), "reactions[0].users"),
        (lambda m: m.update(subtype=5), None),
    ],
)
def test_an_unusual_record_reads_as_line_by_line_reads_it(tmp_path, monkeypatch, change, field):
    _varied_export(tmp_path / "export", days=4)
    day = sorted((tmp_path / "export" / "random").glob("*.json"))[1]
    messages = json.loads(day.read_text())
    plain = [m for m in messages if "subtype" not in m and "bot_id" not in m]
    change(plain[len(plain) // 2])
    day.write_text(json.dumps(messages))
    bulk = run_with_progress("slack", tmp_path / "export", tmp_path / "bulk", on_error="reject")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("slack", tmp_path / "export", tmp_path / "slow", on_error="reject")
    assert_same_import(bulk, slow)
    if field is not None:
        assert slow.rejected == 1 and f"field '{field}" in slow.rejections[0]
        with pytest.raises(MalformedRecordError, match=re.escape(f"field '{field}")):
            run_with_progress("slack", tmp_path / "export", tmp_path / "abort")


@pytest.mark.parametrize(
    "old, new, rejected",
    [
        *msgspec_edits(b'"text": "x"', b"["),
        # the last of equal keys
        (b'"type": "message"', b'"user": "U0DUPLICATE", "ts": "1.5", "type": "message"', 0),
    ],
)
def test_json_that_msgspec_reads_otherwise_reads_as_json_reads_it(
    tmp_path, monkeypatch, old, new, rejected
):
    _varied_export(tmp_path / "export", days=3)
    day = sorted((tmp_path / "export" / "algemeen").glob("*.json"))[0]
    edited_reads_as_line_by_line(
        "slack",
        tmp_path / "export",
        day,
        (old, new, rejected),
        lambda: _line_by_line_only(monkeypatch),
        tmp_path,
    )


def test_the_real_test_archive_reads_in_bulk(tmp_path, monkeypatch):
    with monkeypatch.context() as patch:
        _no_line_by_line(patch)
        bulk = run_with_progress("slack", SLACK / "testarchive.zip", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("slack", SLACK / "testarchive.zip", tmp_path / "slow")
    assert_same_import(bulk, slow)


# --- on several cores ---------------------------------------------------------------


@pytest.mark.parametrize("as_zip", [False, True])
def test_parsing_in_worker_processes_gives_what_one_process_gives(tmp_path, monkeypatch, as_zip):
    _varied_export(tmp_path / "export", days=20)
    path = tmp_path / "export"
    if as_zip:
        path = Path(shutil.make_archive(str(tmp_path / "export"), "zip", tmp_path, "export"))
    monkeypatch.setattr(slack, "CHUNK_BYTES", 3_000)  # many chunks, even for this export
    monkeypatch.setattr(slack, "GROUP_MESSAGES", 40)
    monkeypatch.setattr(_common, "SAMPLE_FILES", 5)  # sizes from a sample (in a folder)
    spied = []
    real = slack.in_order

    def spy(function, tasks, workers, *args):
        spied.append((len(tasks), workers))
        return real(function, tasks, workers, *args)

    monkeypatch.setattr(slack, "in_order", spy)
    parallel = run_with_progress("slack", path, tmp_path / "parallel", workers=3)
    single = run_with_progress("slack", path, tmp_path / "single", workers=1)
    assert spied[0][0] > 10 and spied[0][1] == 3 and len(spied) == 1  # one process: no pool
    if not as_zip:
        with slack.ExportSource(path, marker="channels.json") as source:
            days = [name for name in source.names() if slack.DAY_FILE.fullmatch(name)]
            assert len(days) > 20 and len(set(_common.file_sizes(source, days))) == 1
    assert_same_import(parallel, single)
    assert parallel.events > 500


def test_an_unusual_file_in_a_worker_is_read_line_by_line_here(tmp_path, monkeypatch):
    _varied_export(tmp_path / "export", days=6)
    day = sorted((tmp_path / "export" / "random").glob("*.json"))[2]
    messages = json.loads(day.read_text())
    plain = [m for m in messages if "subtype" not in m and "bot_id" not in m]
    plain[0]["ts"] = "gisteren"
    day.write_text(json.dumps(messages))
    monkeypatch.setattr(slack, "CHUNK_BYTES", 5_000)
    parallel = run_with_progress(
        "slack", tmp_path / "export", tmp_path / "p", on_error="reject", workers=2
    )
    single = run_with_progress(
        "slack", tmp_path / "export", tmp_path / "s", on_error="reject", workers=1
    )
    assert_same_import(parallel, single)
    assert parallel.rejected == 1 and "field 'ts'" in parallel.rejections[0]
    with pytest.raises(MalformedRecordError, match="gisteren"):
        run_with_progress("slack", tmp_path / "export", tmp_path / "abort", workers=2)
    assert not (tmp_path / "abort").exists()
