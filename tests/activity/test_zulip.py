"""The Zulip export importer: topics as threads, reactions and reads."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from ismonitor.activity import MalformedRecordError
from ismonitor.activity.importers import zulip

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

ZULIP = FIXTURES / "zulip"


def test_it_counts_each_action_as_the_export_holds_them(tmp_path):
    report, _ = run("zulip", ZULIP / "export", tmp_path / "out")
    # By hand: 1001 starts topic "Lunch" and 1003 "Vergadering"; 1002 ("lunch") replies
    # in the first; Bram's +1 on 1001 is the reaction; user messages 2, 4 and 8 are
    # reads by someone other than the sender.
    assert report.imported == {"post": 2, "reply": 1, "react": 1, "read": 3}


def test_it_counts_what_it_leaves_out(tmp_path):
    report, _ = run("zulip", ZULIP / "export", tmp_path / "out")
    assert report.skipped == {
        "bot_reaction": 1,  # reaction 8
        "bot_user": 2,  # Roosterbot's message 1004, and its read of 1003
        "direct_message": 1,  # 1005
        "direct_message_read": 1,  # user message 9
        "own_message_read": 2,  # user messages 1 and 5: the sender's own copy
        "reaction_to_message_not_in_export": 1,  # reaction 9, on message 999
    }


def test_it_makes_a_topic_a_thread_whatever_its_case(tmp_path):
    _, events = run("zulip", ZULIP / "export", tmp_path / "out")
    event = by_id(events)
    assert (event["1001"]["action"], event["1001"]["thread_id"]) == ("post", "1001")
    assert (event["1002"]["action"], event["1002"]["thread_id"]) == ("reply", "1001")
    assert event["1002"]["parent_id"] == "1001"
    assert event["1003"]["thread_id"] == "1003"
    assert {e["group_id"] for e in events} == {"1"}
    assert event["1002"]["ts"] == datetime(2024, 3, 1, 8, 1, 0, 250_000, tzinfo=UTC)


def test_it_reads_at_the_time_the_message_was_sent(tmp_path):
    _, events = run("zulip", ZULIP / "export", tmp_path / "out")
    reads = {e["event_id"]: e for e in events if e["action"] == "read"}
    assert set(reads) == {"1001:read:2", "1002:read:4", "1004:read:8"}
    anna = reads["1002:read:4"]
    assert anna["user_id"] == pseudonym("10", "zulip")
    assert (anna["thread_id"], anna["parent_id"]) == ("1001", "1002")
    assert anna["ts"] == by_id(events)["1002"]["ts"]
    # Carla read the bot's message: her read is kept, about a message left out.
    assert reads["1004:read:8"]["thread_id"] == "1001"


def test_it_stores_no_names_addresses_topics_or_texts(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("zulip", ZULIP / "export", tmp_path / "out")
    assert_nothing_personal(
        tmp_path / "out",
        ["Anna de Vries", "@example.org", "Vergadering", "Lunch", "soep", "geheim", "algemeen"],
    )


def test_it_names_the_json_path_and_field_of_a_bad_sender(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("zulip", ZULIP / "malformed" / "bad-sender", tmp_path / "out")
    error = caught.value
    assert (error.location, error.field) == ("$.zerver_message[2]", "sender")
    assert error.file.endswith("messages-000001.json")


def test_it_can_reject_a_bad_message_and_its_reads(tmp_path):
    report, _ = run(
        "zulip", ZULIP / "malformed" / "bad-sender", tmp_path / "out", on_error="reject"
    )
    # 1003 is rejected; the one read of it (by Roosterbot) is counted, not imported.
    assert report.rejected == 1
    assert report.imported == {"post": 1, "reply": 1, "react": 1, "read": 3}
    assert report.skipped["read_of_rejected_message"] == 1
    assert report.skipped["bot_user"] == 1


# --- in bulk and line by line ---------------------------------------------------------


def _varied_export(directory, seed: int = 3, files: int = 3) -> None:
    """An export with every kind of message and user message row the importer tells
    apart, with topics (in several cases) that go on from one file to the next."""
    rng = random.Random(seed)
    people, bots = list(range(10, 40)), [5, 6]
    streams = {100: 1, 101: 2, 102: 3}
    realm = {
        "zerver_userprofile": [{"id": user, "is_bot": False} for user in people]
        + [{"id": bot, "is_bot": True} for bot in bots],
        "zerver_recipient": [
            {"id": recipient, "type": 2, "type_id": stream} for recipient, stream in streams.items()
        ]
        + [{"id": 200 + user, "type": 1, "type_id": user} for user in people]
        + [{"id": 300, "type": 3, "type_id": 1}],
        "zerver_reaction": [],
    }
    directory.mkdir()
    message_id, row_id = 1000, 1
    topics = ["Lunch", "lunch", "Vergadering", "Project X", "project x"]
    for number in range(1, files + 1):
        data = {"zerver_message": [], "zerver_usermessage": []}
        for _ in range(rng.randint(40, 80)):
            message_id += rng.randint(1, 3)
            recipient = rng.choice([*streams, 300, 200 + people[0]])
            sender = rng.choice(people + bots)
            message = {
                "id": message_id,
                "sender": sender,
                "recipient": recipient,
                "subject": "" if recipient >= 200 else rng.choice(topics),
                "date_sent": 1709280000 + message_id * 7 + rng.choice([0, 0.25, 0.123456]),
                "content": "x",
            }
            if rng.random() < 0.05:
                message["type"] = 2  # a topic resolved
            data["zerver_message"].append(message)
            for user in rng.sample(people + bots, rng.randint(0, 8)) + [sender]:
                flags = rng.choice([0, 1, 1, 1, 9, 8])
                data["zerver_usermessage"].append(
                    {"id": row_id, "user_profile": user, "message": message_id, "flags_mask": flags}
                )
                row_id += 1
            for user in rng.sample(people + bots, rng.choice([0, 0, 1, 2])):
                reaction = {"id": len(realm["zerver_reaction"]) + 1, "message": message_id}
                realm["zerver_reaction"].append({**reaction, "user_profile": user})
        rng.shuffle(data["zerver_message"])  # the importer reads them in the order of ids
        path = directory / f"messages-{number:06d}.json"
        path.write_text(json.dumps(data, indent=rng.choice([None, 2])))
    realm["zerver_reaction"].append({"id": 9999, "message": 1, "user_profile": people[0]})
    (directory / "realm.json").write_text(json.dumps(realm))


def _line_by_line_only(monkeypatch) -> None:
    monkeypatch.setattr(zulip._Realm, "bulk", lambda *args: None)


def test_reading_in_bulk_gives_what_reading_line_by_line_gives(tmp_path, monkeypatch):
    _varied_export(tmp_path / "export")

    def refuse(*args):
        raise AssertionError("the bulk reader read a file line by line")

    with monkeypatch.context() as patch:
        patch.setattr(zulip._Realm, "messages", refuse)
        bulk = run_with_progress("zulip", tmp_path / "export", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("zulip", tmp_path / "export", tmp_path / "slow")
    assert_same_import(bulk, slow)
    assert set(slow.skipped) == {
        "bot_reaction",
        "bot_user",
        "direct_message",
        "direct_message_read",
        "own_message_read",
        "reaction_to_message_not_in_export",
        "topic_resolved_notice",
    }
    assert all(slow.imported[action] for action in ("post", "reply", "react", "read"))


def test_the_fixture_reads_in_bulk_as_line_by_line(tmp_path, monkeypatch):
    bulk = run_with_progress("zulip", ZULIP / "export", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    assert_same_import(bulk, run_with_progress("zulip", ZULIP / "export", tmp_path / "slow"))


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda data: data["zerver_message"][3].update(sender="10"), "sender"),
        (lambda data: data["zerver_message"][3].update(date_sent=None), "date_sent"),
        (lambda data: data["zerver_message"][3].update(date_sent=2**70), None),
        (lambda data: data["zerver_message"][3].pop("subject"), "subject"),
        (lambda data: data["zerver_usermessage"][5].update(flags_mask=True), "flags_mask"),
        (lambda data: data["zerver_usermessage"][5].update(flags_mask=1, message=1), "message"),
        (lambda data: data["zerver_usermessage"][5].update(flags_mask=0, user_profile="x"), None),
        (lambda data: data["zerver_usermessage"][5].update(flags_mask=2**70 + 1), None),
        (lambda data: data["zerver_message"].append(dict(data["zerver_message"][0])), None),
        # what msgspec reads into declared types, as json reads it
        (lambda data: data["zerver_message"][3].update(pub_date=1.5), None),
        (
            lambda data: data["zerver_message"][3].update(
                pub_date=data["zerver_message"][3].pop("date_sent")
            ),
            None,
        ),
        (lambda data: data["zerver_message"][3].update(date_sent=True), "date_sent"),
        (lambda data: data["zerver_message"][3].update(type="2"), None),
        (lambda data: data["zerver_message"][3].update(type=2.0), None),
        (lambda data: data["zerver_message"][3].update(sender=2**70), None),
        (lambda data: data["zerver_usermessage"][5].update(flags_mask=0, id=None), None),
        (
            lambda data: data["zerver_usermessage"][5].update(flags_mask=1, id=None),
            "id/user_profile",
        ),
        (lambda data: data["zerver_usermessage"][5].pop("message"), None),
        (lambda data: data.update(zerver_usermessage=None), None),
        (lambda data: data.update(zerver_usermessage=0), None),
    ],
)
def test_an_unusual_record_reads_as_line_by_line_reads_it(tmp_path, monkeypatch, change, field):
    _varied_export(tmp_path / "export")
    path = tmp_path / "export" / "messages-000002.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    bulk = run_with_progress("zulip", tmp_path / "export", tmp_path / "bulk", on_error="reject")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("zulip", tmp_path / "export", tmp_path / "slow", on_error="reject")
    assert_same_import(bulk, slow)
    if field is not None:
        assert slow.rejected == 1 and f"field '{field}'" in slow.rejections[0]


@pytest.mark.parametrize(
    "old, new, rejected",
    [
        *msgspec_edits(b'"content": "x"', b"{"),
        (b'"sender": ', b'"sender": 5, "sender": ', 0),  # the last of equal keys
    ],
)
def test_json_that_msgspec_reads_otherwise_reads_as_json_reads_it(
    tmp_path, monkeypatch, old, new, rejected
):
    _varied_export(tmp_path / "export")
    path = tmp_path / "export" / "messages-000002.json"
    edited_reads_as_line_by_line(
        "zulip",
        tmp_path / "export",
        path,
        (old, new, rejected),
        lambda: _line_by_line_only(monkeypatch),
        tmp_path,
    )


# --- on several cores ---------------------------------------------------------------


def test_parsing_in_worker_processes_gives_what_one_process_gives(tmp_path, monkeypatch):
    _varied_export(tmp_path / "export", files=8)
    path = tmp_path / "export" / "messages-000005.json"
    data = json.loads(path.read_text())
    data["zerver_message"][3].update(sender="10")  # read line by line, in this process
    path.write_text(json.dumps(data))
    spied = []
    real = zulip.in_order

    def spy(function, tasks, workers, *args):
        spied.append((len(tasks), workers))
        return real(function, tasks, workers, *args)

    monkeypatch.setattr(zulip, "in_order", spy)
    parallel = run_with_progress(
        "zulip", tmp_path / "export", tmp_path / "parallel", workers=3, on_error="reject"
    )
    single = run_with_progress(
        "zulip", tmp_path / "export", tmp_path / "single", workers=1, on_error="reject"
    )
    assert spied == [(8, 3)]  # one process: no pool
    assert_same_import(parallel, single)
    assert parallel.rejected == 1 and "field 'sender'" in parallel.rejections[0]
    assert parallel.events > 500
    with pytest.raises(MalformedRecordError, match="sender"):
        run_with_progress("zulip", tmp_path / "export", tmp_path / "abort", workers=2)
    assert not (tmp_path / "abort").exists()
