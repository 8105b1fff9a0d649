"""The Zulip export importer: topics as threads, reactions and reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ismonitor.activity import MalformedRecordError

from ._helpers import FIXTURES, assert_nothing_personal, by_id, pseudonym, run, uncompressed

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
