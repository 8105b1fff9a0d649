"""Discourse topics and Data Explorer user visits."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ismonitor.activity import NO_THREAD, MalformedRecordError
from ismonitor.activity.importers import _common, discourse

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


# --- in bulk and post by post ---------------------------------------------------------


def _varied_export(
    directory, seed: int = 13, topics: int = 40, visits: int = 300, plain: bool = False
) -> None:
    """Topic files and pages of posts with every kind of post the importer tells apart
    (deleted, small actions, whispers, other post types, system users, duplicates, posts
    listed but in no file), a file that is not JSON, and a user_visits CSV. ``plain``:
    every file with a category, every post with its topic (``_Group._plain_files``)."""
    rng = random.Random(seed)
    (directory / "t").mkdir(parents=True)
    post_id = 1000
    for topic in range(100, 100 + topics):
        posts = []
        for number in range(1, rng.randint(2, 30)):
            post_id += 1
            post = {
                "id": post_id,
                "post_number": number,
                "user_id": rng.choice([1, 2, 3, 4, 5, 6, -1]),
                "created_at": f"2024-03-{1 + number % 28:02d}T{number % 24:02d}:00:0{number % 10}"
                + rng.choice(["Z", ".5Z", ".250Z", ".123456Z"]),
                "post_type": rng.choice([1] * 12 + [2, 3, 4, 5]),
                "reply_to_post_number": rng.choice([None, None, max(1, number - 1)]),
                "deleted_at": "2024-04-01T00:00:00.000Z" if rng.random() < 0.05 else None,
                "cooked": "<p>x</p>",
                "topic_id": topic,
            }
            if rng.random() < 0.3 and not plain:
                del post["topic_id"]  # the topic's own file says which
            posts.append(post)
        stream = [post["id"] for post in posts] + ([post_id + 500] if rng.random() < 0.2 else [])
        category = rng.choice([5, 7, 9] if plain else [None, 5, 7, 9])
        data = {"id": topic, "category_id": category, "post_stream": {"posts": posts[:20]}}
        data["post_stream"]["stream"] = stream
        (directory / "t" / f"{topic}.json").write_text(json.dumps(data))
        if len(posts) > 20:  # the rest as /t/{id}/posts.json gives them
            more = [dict(post, topic_id=topic) for post in posts[20:]]
            rest = {"id": topic, "post_stream": {"posts": more + posts[:1]}}  # one twice
            if plain:
                rest["category_id"] = category
            (directory / "t" / f"{topic}-posts.json").write_text(json.dumps(rest))
    (directory / "t" / "README.txt").write_text("not a topic")
    rows = ["user_id,visited_at,posts_read,mobile,time_read"]
    for _ in range(visits):
        user = rng.choice([1, 2, 3, 4, 5, 6, -1])
        read = rng.choice([0, 1, 5, 12])
        rows.append(f"{user},2024-03-{rng.randint(1, 28):02d},{read},false,{read * 20}")
    (directory / "user_visits.csv").write_text("\n".join(rows) + "\n")


def _line_by_line_only(monkeypatch) -> None:
    monkeypatch.setattr(discourse._Group, "add", lambda *args: False)
    monkeypatch.setattr(discourse, "_one_record_a_line", lambda data: False)


@pytest.mark.parametrize("plain", [False, True], ids=["varied", "plain"])
@pytest.mark.parametrize("group", [50_000, 7])
def test_reading_in_bulk_gives_what_reading_post_by_post_gives(tmp_path, monkeypatch, group, plain):
    _varied_export(tmp_path / "site", plain=plain)
    monkeypatch.setattr(discourse, "GROUP_EVENTS", group)

    def refuse(*args):
        raise AssertionError("the bulk reader read post by post or line by line")

    plain_files = discourse._Group._plain_files
    groups = []  # whether each group's files were all plain (taken all at once)

    def spy(*args):
        groups.append(plain_files(*args))
        return groups[-1]

    with monkeypatch.context() as patch:
        patch.setattr(discourse._Topics, "read_file", refuse)
        patch.setattr(discourse, "_visit_rows", refuse)
        patch.setattr(discourse._Group, "_plain_files", spy)
        bulk = run_with_progress("discourse", tmp_path / "site", tmp_path / "bulk")
    assert set(groups) == {plain}
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("discourse", tmp_path / "site", tmp_path / "slow")
    assert_same_import(bulk, slow)
    assert set(slow.skipped) == {
        "deleted",
        "duplicate",
        "moderator_action",
        "post_not_in_export",
        "post_type_5",
        "small_action",
        "system_user",
        "visit_without_reading",
        "whisper",
    }


def test_the_fixture_reads_in_bulk_as_post_by_post(tmp_path, monkeypatch):
    bulk = run_with_progress("discourse", DISCOURSE / "site", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    assert_same_import(bulk, run_with_progress("discourse", DISCOURSE / "site", tmp_path / "slow"))


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda post: post.update(created_at="gisteren"), "created_at"),
        (lambda post: post.update(created_at="2024-03-01T10:00:00+01:00"), None),
        (lambda post: post.update(created_at="2024-03-01T10:00:00.1234567Z"), None),
        (lambda post: post.update(created_at="2024-02-30T10:00:00Z"), "created_at"),
        (lambda post: post.update(post_number=0), "post_number"),
        (lambda post: post.update(user_id="anna", post_type=1), "user_id"),
        (lambda post: post.update(reply_to_post_number=0, post_number=3, post_type=1), None),
        (lambda post: post.update(post_type=2**70), None),
        (lambda post: post.update(id=2**70), None),
        (lambda post: post.update(topic_id=2**70), None),
    ],
)
def test_an_unusual_post_reads_as_post_by_post(tmp_path, monkeypatch, change, field):
    _varied_export(tmp_path / "site")
    path = tmp_path / "site" / "t" / "120.json"
    data = json.loads(path.read_text())
    post = data["post_stream"]["posts"][1]
    post.update(deleted_at=None, user_id=3, post_type=1)
    change(post)
    path.write_text(json.dumps(data))
    bulk = run_with_progress("discourse", tmp_path / "site", tmp_path / "bulk", on_error="reject")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("discourse", tmp_path / "site", tmp_path / "slow", on_error="reject")
    assert_same_import(bulk, slow)
    if field is not None:
        assert f"field '{field}'" in slow.rejections[0]


@pytest.mark.parametrize(
    "old, new, rejected",
    [
        *msgspec_edits(b'"cooked": "<p>it</p>"', b"{"),
        # (a field again after "cooked": the last of equal keys wins)
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "user_id": 6', 0),
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "deleted_at": ""', 0),
        # values of another type than Discourse's, which json reads as they are
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "post_type": true', 0),  # 1: a post
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "post_type": 1.0', 0),
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "deleted_at": false', 0),
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "id": true', 0),  # no id
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "user_id": true', 1),
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "reply_to_post_number": true', 1),
        (b'"cooked": "<p>it</p>"', b'"cooked": "<p>it</p>", "post_number": true', 1),
        (b'<p>it</p>", "topic_id": 120', b'<p>it</p>", "topic_id": null', 1),
        (b'"category_id": 7', b'"category_id": "7"', 0),
        (b'"category_id": 7', b'"category_id": 7.0', 0),  # a category "7.0"
        (b'"stream": [', b'"stream": ["x", ', 0),
    ],
)
def test_json_that_msgspec_reads_otherwise_reads_as_json_reads_it(
    tmp_path, monkeypatch, old, new, rejected
):
    _varied_export(tmp_path / "site")
    path = tmp_path / "site" / "t" / "120.json"
    data = json.loads(path.read_text())
    data["category_id"] = 7
    post = data["post_stream"]["posts"][1]
    post.update(deleted_at=None, user_id=3, post_type=1, reply_to_post_number=1)
    post.pop("cooked"), post.pop("topic_id", None)
    post.update(cooked="<p>it</p>", topic_id=120)
    path.write_text(json.dumps(data))
    edited_reads_as_line_by_line(
        "discourse",
        tmp_path / "site",
        path,
        (old, new, rejected),
        lambda: _line_by_line_only(monkeypatch),
        tmp_path,
    )


@pytest.mark.parametrize(
    "row",
    [
        " 5,2024-03-01,3,false,0",  # a space Python strips
        "\u0661\u0662,2024-03-01,3,false,0",  # digits Python reads, not ASCII
        "5,2024-02-30,3,false,0",
        "5,2024-03-01,-3,false,0",
        "-0,2024-03-01 10:00:00,3,false,0",
        '5,"2024-03-01",3,false,0',
        "",
        "5,2024-03-01,3,false",
        "99999999999999999999,2024-03-01,3,false,0",
    ],
)
def test_an_unusual_visit_reads_as_line_by_line(tmp_path, monkeypatch, row):
    _varied_export(tmp_path / "site", topics=2)
    path = tmp_path / "site" / "user_visits.csv"
    lines = path.read_text().split("\n")
    lines.insert(100, row)
    path.write_text("\n".join(lines))
    bulk = run_with_progress("discourse", tmp_path / "site", tmp_path / "bulk", on_error="reject")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("discourse", tmp_path / "site", tmp_path / "slow", on_error="reject")
    assert_same_import(bulk, slow)


def test_visits_go_on_line_by_line_from_the_first_unusual_batch(tmp_path, monkeypatch):
    _varied_export(tmp_path / "site", topics=2, visits=250_000)  # two batches of 4 MiB
    path = tmp_path / "site" / "user_visits.csv"
    lines = path.read_text().split("\n")
    lines[240_000] = "5,gisteren,3,false,0"
    path.write_text("\n".join(lines))
    calls = []
    with monkeypatch.context() as patch:
        rows = discourse._visit_rows
        patch.setattr(discourse, "_visit_rows", lambda *a: calls.append(a[-1]) or rows(*a))
        bulk = run_with_progress(
            "discourse", tmp_path / "site", tmp_path / "bulk", on_error="reject"
        )
    assert calls and calls[0] > 0  # the first batch in bulk
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("discourse", tmp_path / "site", tmp_path / "slow", on_error="reject")
    assert_same_import(bulk, slow)
    assert slow.rejected == 1 and "line 240001" in slow.rejections[0]


# --- on several cores ---------------------------------------------------------------


def _row_groups(report) -> list[int]:
    (part,) = (report.out_dir / "events").glob("*.parquet")
    metadata = pq.ParquetFile(part).metadata
    return [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]


def _spy(monkeypatch, name: str) -> list:
    """The calls of ``discourse.<name>``: its arguments and what it returned."""
    calls, real = [], getattr(discourse, name)

    def spy(*args):
        result = real(*args)
        calls.append((*args, result))
        return result

    monkeypatch.setattr(discourse, name, spy)
    return calls


@pytest.mark.parametrize("as_zip", [False, True])
def test_parsing_in_worker_processes_gives_what_one_process_gives(tmp_path, monkeypatch, as_zip):
    _varied_export(tmp_path / "site", topics=90)
    path = tmp_path / "site" / "t" / "150.json"
    data = json.loads(path.read_text())  # a time in another form: this file post by post
    data["post_stream"]["posts"][0].update(created_at="2024-03-01T10:00:00+01:00")
    path.write_text(json.dumps(data))
    path = tmp_path / "site"
    if as_zip:
        path = Path(shutil.make_archive(str(tmp_path / "site"), "zip", tmp_path, "site"))
    monkeypatch.setattr(discourse, "CHUNK_BYTES", 6_000)  # many chunks, even for this export
    monkeypatch.setattr(discourse, "GROUP_EVENTS", 20)
    monkeypatch.setattr(_common, "SAMPLE_FILES", 5)  # sizes from a sample (in a folder)
    pools = _spy(monkeypatch, "in_order")
    reconciled = _spy(monkeypatch, "_reconciled")
    parallel = run_with_progress("discourse", path, tmp_path / "parallel", workers=3)
    single = run_with_progress("discourse", path, tmp_path / "single", workers=1)
    assert len(pools) == 1 and len(pools[0][1]) > 10 and pools[0][2] == 3  # one process: no pool
    if not as_zip:
        with discourse.ExportSource(path) as source:
            sizes = discourse._sizes(source, source.names())
        assert len(set(sizes)) == 2  # 0 for the visits and the README, the average for topics
    # the first post of a long topic is in its file of more posts too, read before it
    assert any(result not in (None, segment) for segment, _, result in reconciled)
    assert_same_import(parallel, single)
    assert _row_groups(parallel) == _row_groups(single) and len(_row_groups(single)) > 1
    report = parallel
    assert report.skipped["duplicate"] > 5 and report.skipped["post_not_in_export"] > 5
    _line_by_line_only(monkeypatch)
    assert_same_import(parallel, run_with_progress("discourse", path, tmp_path / "slow", workers=3))


@pytest.mark.parametrize("layout", ["visits last", "a text file after the topics", "topics last"])
def test_visits_read_by_a_worker_while_listing_are_used_where_they_belong(
    tmp_path, monkeypatch, layout
):
    # A large visits CSV at the top of a folder is read by a worker while this process
    # lists the folder; what it read is used only if the CSV is the file after the
    # topics (else it is read again in its turn): the same import either way.
    _varied_export(tmp_path / "site", topics=60)
    if layout != "a text file after the topics":
        (tmp_path / "site" / "t" / "README.txt").unlink()
    if layout == "topics last":
        (tmp_path / "site" / "t").rename(tmp_path / "site" / "z")
    monkeypatch.setattr(discourse, "EARLY_VISIT_BYTES", 0)
    monkeypatch.setattr(discourse, "CHUNK_BYTES", 6_000)
    tasks, real = [], discourse.in_order

    def spy(function, given, workers):
        return real(function, (tasks.append(task) or task for task in given), workers)

    monkeypatch.setattr(discourse, "in_order", spy)
    early = run_with_progress("discourse", tmp_path / "site", tmp_path / "early", workers=2)
    assert tasks[0][1] == [(0, "user_visits.csv")]  # first, before the listing
    read_again = [task for task in tasks[1:] if "user_visits.csv" in {n for _, n in task[1]}]
    assert len(read_again) == (0 if layout == "visits last" else 1)
    single = run_with_progress("discourse", tmp_path / "site", tmp_path / "single", workers=1)
    assert_same_import(early, single)
    assert early.imported["read"] > 100


def _post(topic: int, number: int, **fields) -> dict:
    return {
        "id": topic * 100 + number,
        "topic_id": topic,
        "post_number": number,
        "user_id": number,
        "created_at": f"2024-03-01T10:00:0{number}.000Z",
        "post_type": 1,
        **fields,
    }


@pytest.mark.parametrize("group", [50_000, 1])
def test_what_a_worker_did_not_know_is_set_right_here(tmp_path, monkeypatch, group):
    """A worker does not know the posts and categories of the files before its chunk:
    a post it took that was seen before is a duplicate (its id not found); a topic whose
    category it did not know is read again here, and so is a file it found unusual only
    in a duplicate."""
    site = tmp_path / "site"

    def write(name, topic, posts, stream=None, **fields):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        data = {"id": topic, "post_stream": {"posts": posts, "stream": stream}, **fields}
        (site / name).write_text(json.dumps(data))

    write("a/1.json", 1, [_post(1, 1), _post(1, 2)], category_id=5)
    write("a/2.json", 2, [_post(2, 1)], category_id=6, stream=[201, 209])  # 209: not found
    # another chunk
    write("b/1-more.json", 1, [_post(1, 3), _post(1, 2)])  # in category 5
    write("b/2.json", 2, [_post(2, 1, id=209), _post(2, 2)], category_id=6)  # post 1 again
    # no user (for a post, not for a duplicate): unusual in the worker, here in bulk
    write("b/3.json", 3, [_post(1, 1, user_id=None), _post(3, 1)], category_id=7)
    write("b/4.json", 4, [_post(4, 1), _post(2, 1)], category_id=8)
    monkeypatch.setattr(discourse, "GROUP_EVENTS", group)
    monkeypatch.setattr(discourse, "in_chunks", lambda sizes, target: [slice(0, 2), slice(2, 6)])
    reconciled = _spy(monkeypatch, "_reconciled")
    kinds, take = [], discourse._Reader.take_from_worker
    monkeypatch.setattr(
        discourse._Reader, "take_from_worker", lambda self, s: kinds.append(s[0]) or take(self, s)
    )
    parallel = run_with_progress("discourse", site, tmp_path / "parallel", workers=2)
    single = run_with_progress("discourse", site, tmp_path / "single", workers=1)
    assert_same_import(parallel, single)
    assert "lines" in kinds  # b/3.json, for the worker
    assert _row_groups(parallel) == _row_groups(single) == [7]  # all in bulk here
    assert parallel.skipped == {"duplicate": 4, "post_not_in_export": 1}
    groups = {
        row["event_id"]: row["group_id"]
        for row in pq.read_table(single.out_dir / "events").to_pylist()
    }
    assert groups["1#3"] == "5" and groups["3#1"] == "7"
    results = [result for segment, _, result in reconciled if result is not segment]
    assert None in results  # b/1-more.json: read again here
    if group == 1:  # b/2.json alone, without post 1 (in one group, all are read again)
        assert any(result is not None for result in results)
    _line_by_line_only(monkeypatch)
    assert_same_import(parallel, run_with_progress("discourse", site, tmp_path / "slow", workers=1))


def test_an_unusual_file_in_a_worker_is_read_post_by_post_here(tmp_path, monkeypatch):
    _varied_export(tmp_path / "site", topics=30)
    path = tmp_path / "site" / "t" / "115.json"
    data = json.loads(path.read_text())
    data["post_stream"]["posts"][1].update(deleted_at=None, post_type=1, user_id=3)
    data["post_stream"]["posts"][1].update(created_at="gisteren")
    path.write_text(json.dumps(data))
    monkeypatch.setattr(discourse, "CHUNK_BYTES", 8_000)
    parallel = run_with_progress(
        "discourse", tmp_path / "site", tmp_path / "p", on_error="reject", workers=2
    )
    single = run_with_progress(
        "discourse", tmp_path / "site", tmp_path / "s", on_error="reject", workers=1
    )
    assert_same_import(parallel, single)
    assert _row_groups(parallel) == _row_groups(single)
    assert parallel.rejected == 1 and "field 'created_at'" in parallel.rejections[0]
    with pytest.raises(MalformedRecordError, match="gisteren"):
        run_with_progress("discourse", tmp_path / "site", tmp_path / "abort", workers=2)
    assert not (tmp_path / "abort").exists()


@pytest.mark.parametrize("row", [None, "5,gisteren,3,false,0"])
def test_visits_read_in_a_worker_process_are_as_read_here(tmp_path, monkeypatch, row):
    _varied_export(tmp_path / "site", topics=30)
    if row is not None:  # in the first batch: all read here, line by line
        path = tmp_path / "site" / "user_visits.csv"
        lines = path.read_text().split("\n")
        lines.insert(100, row)
        path.write_text("\n".join(lines))
    monkeypatch.setattr(discourse, "CHUNK_BYTES", 8_000)
    kinds, take = [], discourse._Reader.take_from_worker
    monkeypatch.setattr(
        discourse._Reader, "take_from_worker", lambda self, s: kinds.append(s[0]) or take(self, s)
    )
    parallel = run_with_progress(
        "discourse", tmp_path / "site", tmp_path / "p", on_error="reject", workers=2
    )
    assert ("visits" in kinds) == (row is None)  # else the main process reads the CSV
    single = run_with_progress(
        "discourse", tmp_path / "site", tmp_path / "s", on_error="reject", workers=1
    )
    assert_same_import(parallel, single)
    assert _row_groups(parallel) == _row_groups(single)
    assert parallel.imported["read"] > 100 and parallel.rejected == (row is not None)


# --- duplicates and ids, in bulk and post by post ---------------------------------------


def _topic_files(site: Path, files: dict) -> None:
    for name, (topic, posts, fields) in files.items():
        (site / "t").mkdir(parents=True, exist_ok=True)
        data = {"id": topic, "post_stream": {"posts": posts}, **fields}
        (site / "t" / name).write_text(json.dumps(data))


def _bulk_and_slow(tmp_path, monkeypatch, site, bulk_only: bool = True):
    """The import of ``site`` in bulk (only in bulk, if so said) and post by post."""
    with monkeypatch.context() as patch:
        if bulk_only:
            patch.setattr(discourse._Topics, "read_file", None)  # not post by post
        bulk = run_with_progress("discourse", site, tmp_path / "bulk", on_error="reject")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("discourse", site, tmp_path / "slow", on_error="reject")
    assert_same_import(bulk, slow)
    return slow


@pytest.mark.parametrize(
    "files",
    [
        {"1.json": (1, [_post(1, 1), _post(1, 2), _post(1, 3), _post(1, 2)], {})},
        {
            "2-posts.json": (2, [_post(2, 3), _post(2, 4)], {}),  # read before 2.json
            "2.json": (2, [_post(2, 1), _post(2, 2), _post(2, 3)], {"category_id": 4}),
        },
    ],
)
def test_a_post_again_in_its_file_or_another_of_its_topic_is_a_duplicate(
    tmp_path, monkeypatch, files
):
    _topic_files(tmp_path / "site", files)
    report = _bulk_and_slow(tmp_path, monkeypatch, tmp_path / "site")
    assert report.skipped == {"duplicate": 1}


def test_a_post_seen_post_by_post_is_a_duplicate_in_bulk(tmp_path, monkeypatch):
    _topic_files(
        tmp_path / "site",
        {
            "7-posts.json": (7, [_post(7, 2, created_at="gisteren"), _post(7, 3)], {}),
            "7.json": (7, [_post(7, 1), _post(7, 2), _post(7, 3)], {}),
        },
    )
    report = _bulk_and_slow(tmp_path, monkeypatch, tmp_path / "site", bulk_only=False)
    assert (report.skipped, report.rejected) == ({"duplicate": 2}, 1)


@pytest.mark.parametrize("post_id", [2**40, -5, 2**70])
def test_a_post_id_beyond_what_a_key_holds_is_found_as_post_by_post(tmp_path, monkeypatch, post_id):
    _topic_files(
        tmp_path / "site",
        {
            "5-posts.json": (5, [_post(5, 2, id=post_id)], {}),
            "5.json": (5, [_post(5, 1)], {"post_stream": {"posts": [_post(5, 1)]}}),
        },
    )
    path = tmp_path / "site" / "t" / "5.json"
    data = json.loads(path.read_text())
    data["post_stream"]["stream"] = [501, post_id]
    path.write_text(json.dumps(data))
    report = _bulk_and_slow(tmp_path, monkeypatch, tmp_path / "site", bulk_only=False)
    assert report.skipped == {} and report.imported["reply"] == 1


@pytest.mark.parametrize("topic", [2**40, 2**70, -3])
def test_a_file_of_a_topic_beyond_what_a_key_holds_is_read_post_by_post(
    tmp_path, monkeypatch, topic
):
    """Its posts name their own topic: only the file's topic (its category, the post ids
    it lists) is beyond."""
    _topic_files(
        tmp_path / "site",
        {
            "8.json": (8, [_post(8, 1)], {"category_id": 2}),
            "9.json": (topic, [_post(9, 1), _post(9, 2)], {"category_id": 3}),
        },
    )
    path = tmp_path / "site" / "t" / "9.json"
    data = json.loads(path.read_text())
    data["post_stream"]["stream"] = [901, 902, 903]
    path.write_text(json.dumps(data))
    report = _bulk_and_slow(tmp_path, monkeypatch, tmp_path / "site", bulk_only=False)
    assert report.skipped == {"post_not_in_export": 3}


@pytest.mark.parametrize("fails", [False, True], ids=["imported", "failed"])
def test_the_collector_walks_everything_again_after_an_import(tmp_path, monkeypatch, fails):
    import gc

    _varied_export(tmp_path / "site")
    if fails:  # a malformed topic file: the import stops
        (tmp_path / "site" / "t" / "999.json").write_text('{"post_stream": {"posts": [7]}}')
    frozen = []
    settle = _common.collector_spared.settle

    def settling(self):
        settle(self)
        frozen.append(gc.get_freeze_count())

    monkeypatch.setattr(_common.collector_spared, "settle", settling)
    if fails:
        with pytest.raises(MalformedRecordError):
            run_with_progress("discourse", tmp_path / "site", tmp_path / "out", workers=2)
    else:
        run_with_progress("discourse", tmp_path / "site", tmp_path / "out", workers=2)
    assert frozen and frozen[0] > 0  # the listing left out of its walks while importing
    assert gc.get_freeze_count() == 0
