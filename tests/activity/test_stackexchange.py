"""The Stack Exchange data dump importer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ismonitor.activity import MalformedRecordError

from ._helpers import FIXTURES, assert_nothing_personal, by_id, pseudonym, run, uncompressed

STACKEXCHANGE = FIXTURES / "stackexchange"


def test_it_counts_each_action_as_the_dump_holds_them(tmp_path):
    report, _ = run("stackexchange", STACKEXCHANGE / "dump", tmp_path / "out")
    # By hand: question 1 is the post; answers 2 and 6 and comments 1 and 2 are
    # replies; vote 2 (an up-vote with a UserId) and vote 3 (a favourite) are reactions.
    assert report.imported == {"post": 1, "reply": 4, "react": 2, "read": 0}


def test_it_counts_what_it_leaves_out(tmp_path):
    report, _ = run("stackexchange", STACKEXCHANGE / "dump", tmp_path / "out")
    assert report.skipped == {
        "anonymous_vote": 2,  # votes 1 and 5 have no UserId
        "comment_on_other_post": 1,  # comment 3 is on the tag wiki
        "no_owner": 2,  # question 4 and comment 4: deleted accounts
        "other_post_type": 1,  # post 5, a tag wiki
        "other_vote_type": 1,  # vote 4, a close vote
        "system_user": 1,  # answer 3 by the Community user
    }


def test_it_makes_the_question_the_thread_of_answers_comments_and_votes(tmp_path):
    _, events = run("stackexchange", STACKEXCHANGE / "dump", tmp_path / "out")
    event = by_id(events)
    assert (event["p1"]["action"], event["p1"]["thread_id"], event["p1"]["group_id"]) == (
        "post",
        "p1",
        "python",
    )
    assert (event["p2"]["thread_id"], event["p2"]["parent_id"]) == ("p1", "p1")
    # an answer to a question whose asker left keeps its thread, and the |tag| form
    assert (event["p6"]["thread_id"], event["p6"]["group_id"]) == ("p4", "sql")
    # a comment on an answer: parent the answer, thread the question
    assert (event["c2"]["thread_id"], event["c2"]["parent_id"]) == ("p1", "p2")
    assert (event["v2"]["action"], event["v2"]["parent_id"]) == ("react", "p2")
    assert event["v2"]["user_id"] == pseudonym("12", "stackexchange")


def test_it_reads_dump_times_as_utc(tmp_path):
    _, events = run("stackexchange", STACKEXCHANGE / "dump", tmp_path / "out")
    assert by_id(events)["p2"]["ts"] == datetime(2024, 1, 5, 11, 30, 0, 250_000, tzinfo=UTC)


def test_it_stores_no_names_titles_or_texts(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("stackexchange", STACKEXCHANGE / "dump", tmp_path / "out")
    assert_nothing_personal(
        tmp_path / "out",
        ["Anna de Vries", "Bram Jansen", "Carla Smit", "read_csv", "CSV lezen", "Utrecht"],
    )


def test_it_names_the_row_field_and_value_of_a_bad_date(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("stackexchange", STACKEXCHANGE / "malformed" / "bad-date", tmp_path / "out")
    error = caught.value
    assert error.file.endswith("Posts.xml")
    assert (error.location, error.field, error.value) == (
        "row 2 (Id=2)",
        "CreationDate",
        "5 januari",
    )


def test_it_names_the_line_of_broken_xml(tmp_path):
    with pytest.raises(MalformedRecordError, match=r"Posts.xml, line 6 column \d+"):
        run("stackexchange", STACKEXCHANGE / "malformed" / "broken-xml", tmp_path / "out")
