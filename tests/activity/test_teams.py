"""Microsoft Teams channel messages (Graph chatMessage JSON)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ismonitor.activity import MalformedRecordError

from ._helpers import FIXTURES, assert_nothing_personal, by_id, pseudonym, run, uncompressed

TEAMS = FIXTURES / "teams"
CHANNEL = "19:0a1b2c3d4e5f@thread.tacv2"
POST = f"{CHANNEL}:1709280000000"
ANNA = "8ea0e38b-efb3-4757-924a-5f94061cf8c2"
BRAM = "1fb8890f-423e-4154-8fbf-db6809bc8756"


def test_it_counts_each_action_as_the_files_hold_them(tmp_path):
    report, events = run("teams", TEAMS / "channel-messages", tmp_path / "out")
    # By hand: Anna's welcome is the post; Bram's (nested, and again in the replies
    # file) and Carla's reply are replies; Bram's like on the welcome and Anna's laugh
    # on the bot's poll are reactions.
    assert report.imported == {"post": 1, "reply": 2, "react": 2, "read": 0}
    assert len(events) == 5


def test_it_counts_what_it_leaves_out(tmp_path):
    report, _ = run("teams", TEAMS / "channel-messages", tmp_path / "out")
    assert report.skipped == {
        "bot_message": 1,  # the poll, from an application
        "bot_reaction": 1,  # the bot's heart
        "chat_message": 1,  # a meeting chat, not a channel
        "deleted": 1,  # Carla's deleted reply
        "duplicate": 1,  # Bram's reply, nested and in the replies file
        "system_message": 1,  # members added
    }


def test_it_links_nested_and_separate_replies_to_their_post(tmp_path):
    _, events = run("teams", TEAMS / "channel-messages", tmp_path / "out")
    event = by_id(events)
    for reply in ("1709280100000", "1709290000000"):
        row = event[f"{CHANNEL}:{reply}"]
        assert (row["action"], row["thread_id"], row["parent_id"]) == ("reply", POST, POST)
    assert event[POST]["thread_id"] == POST and event[POST]["parent_id"] is None
    assert {row["group_id"] for row in events} == {CHANNEL}


def test_it_gives_reactions_their_own_time_and_user(tmp_path):
    _, events = run("teams", TEAMS / "channel-messages", tmp_path / "out")
    like = by_id(events)[f"{POST}:react:0"]
    assert like["ts"] == datetime(2024, 3, 1, 8, 10, tzinfo=UTC)
    assert like["user_id"] == pseudonym(BRAM, "teams")
    assert (like["thread_id"], like["parent_id"]) == (POST, POST)
    laugh = by_id(events)[f"{CHANNEL}:1709282000000:react:0"]
    assert laugh["user_id"] == pseudonym(ANNA, "teams")


def test_it_stores_no_names_texts_or_entra_ids(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("teams", TEAMS / "channel-messages", tmp_path / "out")
    assert_nothing_personal(
        tmp_path / "out",
        ["Anna de Vries", "Bram Jansen", "Carla Smit", "Welkom in het kanaal", "lunch", ANNA, BRAM],
    )


def test_it_names_the_json_path_field_and_value_of_a_bad_time(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("teams", TEAMS / "malformed" / "bad-time.json", tmp_path / "out")
    error = caught.value
    assert (error.location, error.field, error.value) == (
        "$.value[1]",
        "createdDateTime",
        "1 maart 2024",
    )
    assert error.file.endswith("bad-time.json")


def test_it_names_the_line_of_broken_json(tmp_path):
    with pytest.raises(MalformedRecordError, match=r"broken.json, line 3 column 3"):
        run("teams", TEAMS / "malformed" / "broken.json", tmp_path / "out")
