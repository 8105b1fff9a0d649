"""Discourse topics and Data Explorer user visits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ismonitor.activity import NO_THREAD, MalformedRecordError

from ._helpers import FIXTURES, assert_nothing_personal, by_id, pseudonym, run, uncompressed

DISCOURSE = FIXTURES / "discourse"


def test_it_counts_each_action_as_the_topics_and_visits_hold_them(tmp_path):
    report, _ = run("discourse", DISCOURSE / "site", tmp_path / "out")
    # t/101.json: post 1 starts the topic, posts 2 and 3 reply; t/102.json: post 1.
    # user_visits.csv: Anna read 5 posts on 1 March, Carla 12 on 2 March.
    assert report.imported == {"post": 2, "reply": 2, "react": 0, "read": 2}


def test_it_counts_what_it_leaves_out(tmp_path):
    report, _ = run("discourse", DISCOURSE / "site", tmp_path / "out")
    assert report.skipped == {
        "deleted": 1,  # 102 post 3
        "post_not_in_export": 1,  # 101's stream lists post id 1006, no file holds it
        "small_action": 1,  # 101 post 4 (post_type 3)
        "system_user": 2,  # 102 post 2 (user -1) and the visit by user -1
        "visit_without_reading": 1,  # Bram visited and read nothing
        "whisper": 1,  # 101 post 5 (post_type 4)
    }


def test_it_links_replies_to_the_post_they_answer(tmp_path):
    _, events = run("discourse", DISCOURSE / "site", tmp_path / "out")
    event = by_id(events)
    assert event["101#1"]["action"] == "post" and event["101#1"]["parent_id"] is None
    # no reply_to_post_number: an answer to the topic's first post
    assert (event["101#2"]["thread_id"], event["101#2"]["parent_id"]) == ("101#1", "101#1")
    assert (event["101#3"]["thread_id"], event["101#3"]["parent_id"]) == ("101#1", "101#2")
    assert event["101#3"]["ts"] == datetime(2024, 3, 1, 10, 0, 0, 500_000, tzinfo=UTC)
    assert (event["101#1"]["group_id"], event["102#1"]["group_id"]) == ("5", "7")
    assert event["101#2"]["user_id"] == pseudonym("2", "discourse")


def test_it_turns_a_visit_day_into_one_read_of_no_thread(tmp_path):
    _, events = run("discourse", DISCOURSE / "site", tmp_path / "out")
    reads = [e for e in events if e["action"] == "read"]
    assert [(e["user_id"], e["ts"]) for e in reads] == [
        (pseudonym("1", "discourse"), datetime(2024, 3, 1, tzinfo=UTC)),
        (pseudonym("3", "discourse"), datetime(2024, 3, 2, tzinfo=UTC)),
    ]
    assert {(e["thread_id"], e["parent_id"], e["group_id"]) for e in reads} == {
        (NO_THREAD, None, None)
    }


def test_it_reads_visits_kept_elsewhere(tmp_path):
    topics = tmp_path / "topics"
    topics.mkdir()
    (topics / "101.json").write_bytes((DISCOURSE / "site" / "t" / "101.json").read_bytes())
    visits = DISCOURSE / "site" / "user_visits.csv"
    report, _ = run("discourse", topics, tmp_path / "out", options={"user_visits": visits})
    assert (report.imported["post"], report.imported["read"]) == (1, 2)


def test_it_stores_no_names_usernames_or_texts(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("discourse", DISCOURSE / "site", tmp_path / "out")
    assert_nothing_personal(
        tmp_path / "out",
        ["Anna de Vries", "Bram Jansen", "Carla Smit", "carla", "Welkom op ons forum", "roosters"],
    )


def test_it_names_the_json_path_of_a_bad_time(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("discourse", DISCOURSE / "malformed" / "bad-time.json", tmp_path / "out")
    error = caught.value
    assert (error.location, error.field, error.value) == (
        "$.post_stream.posts[0]",
        "created_at",
        "gisteren",
    )


def test_it_names_the_line_of_a_bad_visit_count(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("discourse", DISCOURSE / "malformed" / "user_visits.csv", tmp_path / "out")
    assert (caught.value.location, caught.value.field, caught.value.value) == (
        "line 3",
        "posts_read",
        "veel",
    )
