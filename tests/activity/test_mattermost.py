"""The Mattermost bulk export (JSONL) importer."""

from __future__ import annotations

import json
import random
import re
import zipfile
from datetime import UTC, datetime

import pytest

from ismonitor.activity import MalformedRecordError
from ismonitor.activity.importers import mattermost

from ._helpers import (
    FIXTURES,
    assert_nothing_personal,
    assert_same_import,
    by_id,
    pseudonym,
    run,
    run_with_progress,
    uncompressed,
)

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


# --- in bulk and line by line ---------------------------------------------------------


def _varied_export(path, seed: int = 5, posts: int = 300) -> None:
    """A bulk export with every kind of line and post the importer tells apart; one
    bot is named only halfway, so that its earlier posts are people's."""
    rng = random.Random(seed)
    people = [f"persoon{n}" for n in range(20)]
    lines = [
        {"type": "version", "version": 1},
        {"type": "team", "team": {"name": "acme"}},
        {"type": "channel", "channel": {"team": "acme", "name": "town-square"}},
        *({"type": "user", "user": {"username": user}} for user in people),
        {"type": "bot", "bot": {"username": "deploybot"}},
    ]

    def reactions(at: int) -> list[dict]:
        return [
            {"user": user, "emoji_name": "+1", "create_at": at + 1000}
            for user in rng.sample([*people, "deploybot", "laterbot"], rng.choice([0, 0, 1, 3]))
        ]

    for n in range(posts):
        at = 1709280000000 + n * 60_000
        if n == posts // 2:
            lines.append({"type": "bot", "bot": {"username": "laterbot"}})
        if rng.random() < 0.08:
            lines.append(
                {
                    "type": "direct_post",
                    "direct_post": {"user": people[0], "create_at": at, "replies": [{}] * (n % 3)},
                }
            )
            continue
        post = {
            "team": "acme",
            "channel": rng.choice(["town-square", "off-topic"]),
            "user": rng.choice([*people, "deploybot", "laterbot"]),
            "message": "x",
            "create_at": at,
            "reactions": reactions(at) or None,
        }
        kind = rng.random()
        if kind < 0.05:
            post["type"] = "system_join_channel"
        elif kind < 0.10:
            post["props"] = {"from_webhook": "true"}
        elif kind < 0.12:
            post["props"] = {"from_bot": "true"}
        post["replies"] = [
            {
                "user": rng.choice([*people, "deploybot"]),
                "create_at": at + 1000 * (i + 1),
                "reactions": reactions(at),
                **({"props": {"from_webhook": "true"}} if rng.random() < 0.05 else {}),
            }
            for i in range(rng.choice([0, 0, 1, 2, 4]))
        ] or None
        lines.append({"type": "post", "post": post})
        if rng.random() < 0.03:
            lines.append({})  # written as a blank line below
    text = "\n".join("" if not line else json.dumps(line) for line in lines) + "\n"
    path.write_text(text)


def _line_by_line_only(monkeypatch) -> None:
    monkeypatch.setattr(mattermost, "_bulk", lambda *args: None)


@pytest.mark.parametrize("block", [50_000, 7])
def test_reading_in_bulk_gives_what_reading_line_by_line_gives(tmp_path, monkeypatch, block):
    _varied_export(tmp_path / "export.jsonl")
    monkeypatch.setattr(mattermost, "PROGRESS_LINES", block)

    def refuse(*args):
        raise AssertionError("the bulk reader read a line line by line")

    with monkeypatch.context() as patch:
        patch.setattr(mattermost, "_line", refuse)
        bulk = run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "slow")
    assert_same_import(bulk, slow)
    assert set(slow.skipped) == {
        "bot_message",
        "bot_reaction",
        "bot_user",
        "direct_message",
        "system_message",
    }
    assert all(slow.imported[action] for action in ("post", "reply", "react"))


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda post: post.update(create_at="gisteren"), "post.create_at"),
        (lambda post: post.update(create_at=1.5e12), "post.create_at"),
        (lambda post: post.update(create_at=True), "post.create_at"),  # an int to Python
        (lambda post: post.update(user=None, props={}, type=""), "post.user"),
        (lambda post: post.update(team=""), "post.team"),
        (lambda post: post.update(replies=[{"user": "persoon1"}]), "post.replies[0].create_at"),
        (lambda post: post.update(replies=[5]), "post.replies[0]"),
        (
            lambda post: post.update(reactions=[{"user": 5, "create_at": 1}]),
            "post.reactions[0].user",
        ),
        (lambda post: post.update(reactions={"user": "persoon1"}), "post.reactions"),
        (
            lambda post: post.update(reactions=[{"user": "persoon1", "create_at": False}]),
            "post.reactions[0].create_at",
        ),
    ],
)
def test_an_unusual_line_reads_as_line_by_line_reads_it(tmp_path, monkeypatch, change, field):
    _varied_export(tmp_path / "export.jsonl", posts=60)
    lines = (tmp_path / "export.jsonl").read_text().splitlines()
    posts = [n for n, line in enumerate(lines) if '"type": "post"' in line]
    record = json.loads(lines[posts[10]])
    change(record["post"])
    record["post"].update(type=None, props=None)
    lines[posts[10]] = json.dumps(record)
    lines.insert(posts[20], "{not json")
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(mattermost, "PROGRESS_LINES", 9)
    bulk = run_with_progress(
        "mattermost", tmp_path / "export.jsonl", tmp_path / "bulk", on_error="reject"
    )
    _line_by_line_only(monkeypatch)
    slow = run_with_progress(
        "mattermost", tmp_path / "export.jsonl", tmp_path / "slow", on_error="reject"
    )
    assert_same_import(bulk, slow)
    assert "a JSON object" in slow.rejections[-1]
    if field is not None:
        assert slow.rejected == 2 and f"field '{field}'" in slow.rejections[0]


@pytest.mark.parametrize(
    "line, field, skipped",
    [
        ({"type": "direct_post", "direct_post": ["persoon1"]}, "direct_post", 0),
        ({"type": "direct_post", "direct_post": {"replies": 3}}, "direct_post.replies", 0),
        ({"type": "direct_post", "direct_post": {"replies": "abc"}}, "direct_post.replies", 0),
        ({"type": "direct_post", "direct_post": []}, None, 1),  # empty: as an empty object
        ({"type": "direct_post", "direct_post": {"replies": [{}, {}]}}, None, 3),
        ({"type": "bot", "bot": ["robot"]}, "bot", 0),
        ({"type": "bot", "bot": ""}, None, 0),
    ],
)
def test_a_bad_direct_post_or_bot_is_named_both_ways(tmp_path, monkeypatch, line, field, skipped):
    _varied_export(tmp_path / "export.jsonl", posts=30)
    before = run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "before")
    lines = (tmp_path / "export.jsonl").read_text().splitlines()
    lines.insert(5, json.dumps(line))
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n")
    bulk = run_with_progress(
        "mattermost", tmp_path / "export.jsonl", tmp_path / "bulk", on_error="reject"
    )
    with monkeypatch.context() as patch:
        _line_by_line_only(patch)
        slow = run_with_progress(
            "mattermost", tmp_path / "export.jsonl", tmp_path / "slow", on_error="reject"
        )
    assert_same_import(bulk, slow)
    assert (
        slow.skipped.get("direct_message", 0) == before.skipped.get("direct_message", 0) + skipped
    )
    if field is None:
        assert slow.rejected == 0
    else:
        assert slow.rejected == 1
        assert "line 6" in slow.rejections[0] and f"field '{field}'" in slow.rejections[0]
        with pytest.raises(MalformedRecordError, match=re.escape(f"field '{field}'")):
            run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "abort")
        assert not (tmp_path / "abort").exists()


def test_a_first_line_that_is_not_the_version_stops_both_ways(tmp_path, monkeypatch):
    bulk = run_with_progress(
        "mattermost", MATTERMOST / "no-version.jsonl", tmp_path / "bulk", on_error="reject"
    )
    _line_by_line_only(monkeypatch)
    slow = run_with_progress(
        "mattermost", MATTERMOST / "no-version.jsonl", tmp_path / "slow", on_error="reject"
    )
    assert_same_import(bulk, slow)
    assert slow.rejected == 1 and slow.events == 0


# beyond 64 bits (json reads it whole), or in microseconds beyond 64 bits either way
@pytest.mark.parametrize("ms", [2**70, -(2**63), (2**63 - 1) // 1000 + 1, -(2**63 // 1000) - 1])
def test_a_time_beyond_64_bits_fails_both_ways(tmp_path, monkeypatch, ms):
    # the writer refuses it
    _varied_export(tmp_path / "export.jsonl", posts=20)
    lines = (tmp_path / "export.jsonl").read_text().splitlines()
    n = next(n for n, line in enumerate(lines) if '"type": "post"' in line)
    record = json.loads(lines[n])
    record["post"].update(create_at=ms, type=None, props=None, user="persoon1")
    lines[n] = json.dumps(record)
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(OverflowError):
        run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    with pytest.raises(OverflowError):
        run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "slow")


_ANCHOR = (  # the post of the test below, last in the export
    b'{"post": {"message": "anker", "team": "acme", "channel": "town-square", '
    b'"user": "persoon1", "create_at": 1709290000000}, "type": "post"}\n'
)
_BEFORE = b'{"post": {"message": "anker"'  # its start, to put a line before


@pytest.mark.parametrize(
    "old, new, rejected, in_bulk",
    [
        # JSON that msgspec refuses and json reads
        (b'"anker"', b'"anker", "score": NaN', 0, False),
        (b'"anker"', b'"anker\\ud800"', 0, False),  # a lone surrogate, escaped
        (b'"anker"', b'"anker\xed\xa0\x80"', 0, False),  # and encoded (json: surrogatepass)
        (b'{"type": "version"', b'\xef\xbb\xbf{"type": "version"', 0, False),  # a byte-order mark
        # a value of another type than Mattermost's, in a line json reads without it
        (_BEFORE, b'{"type": "post_flag", "post": "L3"}\n' + _BEFORE, 0, False),
        # JSON that msgspec reads, skipping what it does not use
        (b'"anker"', b'"anker", "score": 123456789012345678901234567890', 0, True),
        (b'"anker"', b'"anker", "props": {"from_bot": true, "from_webhook": "false"}', 0, True),
        (_BEFORE, b'{"type": "emoji", "emoji": {"name": "x"}}\n' + _BEFORE, 0, True),
        (_BEFORE, b" \x0c\t\r\n" + _BEFORE, 0, True),  # a blank line
        # the last of equal keys, also when one is written with escapes
        (
            _BEFORE,
            b'{"type": "team", "post": {"user": "persoon2", "create_at": 7, "message": "anker"',
            0,
            True,
        ),
        (b"00000}", b'00000, "\\u0075ser": "persoon3"}', 0, True),
        # and what json refuses: bytes that are not UTF-8 in a field msgspec skips, a raw
        # control character, two values on a line
        (b'"anker"', b'"anker\xff"', 1, False),
        (b'"anker"', b'"anker\x01"', 1, False),
        (b'"post"}\n', b'"post"} {"type": "team"}\n', 1, False),
        (b'"post"}\n', b'"post"}{"type": "team"}\n', 1, False),
        # nor a value over two lines (each line an object's start and end)
        (_BEFORE, b'{"type": "team", "team": {"name": "x"}\n{"name": "y"}}\n' + _BEFORE, 2, False),
        (
            _BEFORE,
            b'{"type": "team", "team": [\n1]}\n{"type": "team"} {"type": "team"}\n' + _BEFORE,
            3,
            False,
        ),
        # read in bulk line by line: a value with spaces around it, Windows line ends
        (_BEFORE, b"  " + _BEFORE, 0, True),
        (b'"post"}\n', b'"post"}\r\n', 0, True),
    ],
)
def test_json_that_msgspec_reads_otherwise_reads_as_json_reads_it(
    tmp_path, monkeypatch, old, new, rejected, in_bulk
):
    _varied_export(tmp_path / "export.jsonl", posts=40)
    data = (tmp_path / "export.jsonl").read_bytes() + _ANCHOR
    assert data.count(old) == 1 or old.startswith(b'{"type": "version"')  # the first
    (tmp_path / "export.jsonl").write_bytes(data.replace(old, new, 1))
    with monkeypatch.context() as patch:
        if in_bulk:
            patch.setattr(mattermost, "_line", None)  # not read line by line
        bulk = run_with_progress(
            "mattermost", tmp_path / "export.jsonl", tmp_path / "bulk", on_error="reject"
        )
    _line_by_line_only(monkeypatch)
    slow = run_with_progress(
        "mattermost", tmp_path / "export.jsonl", tmp_path / "slow", on_error="reject"
    )
    assert_same_import(bulk, slow)
    assert slow.rejected == rejected
    if rejected:
        assert "a JSON object" in slow.rejections[0]


# --- on several cores ---------------------------------------------------------------


@pytest.mark.parametrize("part", [600, 5_000])
def test_parsing_in_worker_processes_gives_what_one_process_gives(tmp_path, monkeypatch, part):
    # Bots named in one part leave out their posts in later parts (parsed elsewhere); an
    # unusual line is read line by line here; Windows line ends are lines as a file has them.
    _varied_export(tmp_path / "export.jsonl", posts=400)
    lines = (tmp_path / "export.jsonl").read_text().splitlines()
    lines.insert(len(lines) // 3, "{not json")
    posts = [n for n, line in enumerate(lines) if '"type": "post"' in line]
    lines[posts[5]] = lines[posts[5]].replace(", ", ",\r ", 1)  # JSON's own whitespace
    text = "\n".join(lines[:100]) + "\n" + "\r\n".join(lines[100:]) + "\r\n"
    (tmp_path / "export.jsonl").write_bytes(text.encode())
    monkeypatch.setattr(mattermost, "RANGE_BYTES", part)
    spied, handed = [], []
    real = mattermost.in_order

    def spy(function, tasks, workers, *args):
        spied.append(workers)
        return real(function, (handed.append(task) or task for task in tasks), workers, *args)

    monkeypatch.setattr(mattermost, "in_order", spy)
    parallel = run_with_progress(
        "mattermost", tmp_path / "export.jsonl", tmp_path / "parallel", workers=3, on_error="reject"
    )
    single = run_with_progress(
        "mattermost", tmp_path / "export.jsonl", tmp_path / "single", workers=1, on_error="reject"
    )
    assert spied == [3] and len(handed) > 8  # one process: no pool
    # the first parts handed out before any bot was named, the last with both bots
    assert not handed[0][-1] and handed[-1][-1] == {"deploybot", "laterbot"}
    size = len(text.encode())
    # the same but for the progress calls: one per part read by a worker
    first, progress = parallel, parallel.progress_calls
    assert_same_import(first, single, progress=False)
    assert progress[-1] == (size, size) and progress == sorted(progress)
    _line_by_line_only(monkeypatch)
    slow = run_with_progress(
        "mattermost", tmp_path / "export.jsonl", tmp_path / "slow", on_error="reject"
    )
    assert_same_import(first, slow, progress=False)
    assert first.rejected == 1 and first.skipped["bot_user"] > 0


def test_a_zip_file_is_read_in_this_process(tmp_path, monkeypatch):
    _varied_export(tmp_path / "export.jsonl", posts=50)
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.write(tmp_path / "export.jsonl", "export.jsonl")
    monkeypatch.setattr(mattermost, "in_order", None)  # no workers asked for
    zipped = run_with_progress(
        "mattermost", tmp_path / "export.zip", tmp_path / "zipped", workers=2
    )
    assert_same_import(
        zipped,
        run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "plain", workers=1),
    )


def test_a_file_that_cannot_be_mapped_into_memory_is_read(tmp_path, monkeypatch):
    _varied_export(tmp_path / "export.jsonl", posts=200)
    monkeypatch.setattr(mattermost, "RANGE_BYTES", 2_000)
    mapped = run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "a", workers=3)

    def refuse(*args, **kwargs):
        raise OSError(19, "No such device")

    monkeypatch.setattr(mattermost.mmap, "mmap", refuse)
    read = run_with_progress("mattermost", tmp_path / "export.jsonl", tmp_path / "b", workers=3)
    assert_same_import(mapped, read)
    assert read.events > 200
