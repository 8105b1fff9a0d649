"""The Mattermost bulk export (JSONL) importer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ismonitor.activity import MalformedRecordError

from ._helpers import FIXTURES, assert_nothing_personal, by_id, pseudonym, run, uncompressed

MATTERMOST = FIXTURES / "mattermost"


def test_it_counts_each_action_as_the_export_holds_them(tmp_path):
    report, events = run("mattermost", MATTERMOST / "export.jsonl", tmp_path / "out")
    # Line 7 by hand: Anna's post, Bram's reply, Bram's +1 on the post and Anna's smile
    # on the reply.
    assert report.imported == {"post": 1, "reply": 1, "react": 2, "read": 0}
    assert [e["event_id"] for e in events] == ["L7", "L7.0", "L7.0:react:0", "L7:react:0"]


def test_it_counts_what_it_leaves_out(tmp_path):
    report, _ = run("mattermost", MATTERMOST / "export.jsonl", tmp_path / "out")
    assert report.skipped == {
        "bot_message": 1,  # line 9, posted through a webhook
        "bot_user": 1,  # deploybot's reply (a bot line names it)
        "direct_message": 2,  # line 11: a direct post and its reply
        "system_message": 1,  # line 8, system_join_channel
    }


def test_it_links_replies_and_reactions_and_keeps_milliseconds(tmp_path):
    _, events = run("mattermost", MATTERMOST / "export.jsonl", tmp_path / "out")
    event = by_id(events)
    assert event["L7"]["ts"] == datetime(2024, 3, 1, 8, 0, 0, 123_000, tzinfo=UTC)
    assert (event["L7.0"]["thread_id"], event["L7.0"]["parent_id"]) == ("L7", "L7")
    smile = event["L7.0:react:0"]
    assert (smile["thread_id"], smile["parent_id"]) == ("L7", "L7.0")
    assert smile["ts"] == datetime(2024, 3, 1, 8, 3, tzinfo=UTC)
    assert smile["user_id"] == pseudonym("anna.devries", "mattermost")
    assert {e["group_id"] for e in events} == {"acme/town-square"}


def test_it_stores_no_usernames_names_or_texts(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("mattermost", MATTERMOST / "export.jsonl", tmp_path / "out")
    assert_nothing_personal(
        tmp_path / "out",
        ["anna.devries", "bram.jansen", "Anna de Vries", "@example.org", "Goedemorgen", "geslaagd"],
    )


def test_it_names_the_line_and_field_of_a_bad_time(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("mattermost", MATTERMOST / "bad-time.jsonl", tmp_path / "out")
    error = caught.value
    assert (error.location, error.field, error.value) == ("line 7", "post.create_at", "gisteren")


def test_it_wants_the_version_line_first(tmp_path):
    with pytest.raises(MalformedRecordError, match="line 1, field 'type': got 'team'"):
        run("mattermost", MATTERMOST / "no-version.jsonl", tmp_path / "out")
