"""Microsoft Teams channel messages (Graph chatMessage JSON)."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from ismonitor.activity import MalformedRecordError
from ismonitor.activity.importers import _common, teams

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


# --- in bulk and line by line ---------------------------------------------------------


def _varied_export(directory, seed: int = 11, pages: int = 6) -> None:
    """Graph pages of channel messages with every kind the importer tells apart: posts,
    nested replies and replies in files of their own (so some twice), chat messages,
    system and other message types, deleted messages, bots, reactions by people and bots."""
    rng = random.Random(seed)
    people = [f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(15)]
    channels = ["19:aaa@thread.tacv2", "19:bbb@thread.tacv2"]
    directory.mkdir()
    number = 1709280000000

    def at(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"

    def message(channel, reply_to=None) -> dict:
        nonlocal number
        number += rng.randint(1, 5000)
        sender = {"user": {"id": rng.choice(people), "displayName": "X"}, "application": None}
        kind, deleted = "message", None
        roll = rng.random()
        if roll < 0.05:
            kind = "systemEventMessage"
        elif roll < 0.08:
            kind = "unknownFutureValue"
        elif roll < 0.11:
            sender = {"user": None, "application": {"id": "bot", "displayName": "Bot"}}
        elif roll < 0.12:
            deleted = at(number + 1000)
        reactions = []
        for _ in range(rng.choice([0, 0, 1, 2])):
            who = {"user": {"id": rng.choice(people)}, "application": None}
            if rng.random() < 0.1:
                who = {"user": None, "application": {"id": "bot"}}
            reactions.append(
                {"reactionType": "like", "createdDateTime": at(number + 60_000), "user": who}
            )
        return {
            "id": str(number),
            "replyToId": reply_to,
            "messageType": kind,
            "createdDateTime": at(number),
            "deletedDateTime": deleted,
            "chatId": None,
            "channelIdentity": {"teamId": "t", "channelId": channel},
            "from": sender,
            "body": {"content": "x"},
            "reactions": reactions,
        }

    for page in range(pages):
        channel = channels[page % 2]
        posts = []
        for _ in range(rng.randint(5, 15)):
            post = message(channel)
            post["replies"] = [message(channel, post["id"]) for _ in range(rng.choice([0, 1, 3]))]
            posts.append(post)
            if post["replies"] and rng.random() < 0.3:
                separate = post["replies"][:1] + [message(channel, post["id"])]
                path = directory / f"replies-{post['id']}.json"
                path.write_text(json.dumps(separate))
        chat = message(None)
        chat.update(channelIdentity=None, chatId="19:meeting@thread.v2")
        posts.append(chat)
        page_data = {"@odata.context": "x", "value": posts}
        (directory / f"page-{page}.json").write_text(
            json.dumps(page_data, indent=rng.choice([None, 2]))
        )
    one = message(channels[0])  # a file of one message, with a nested reply
    one["replies"] = [message(channels[0], one["id"])]
    (directory / "one.json").write_text(json.dumps(one))
    (directory / "zz-empty.json").write_text('{"value": []}')  # a page of no messages


def _line_by_line_only(monkeypatch) -> None:
    monkeypatch.setattr(teams._Group, "add", lambda *args: False)


@pytest.mark.parametrize("group", [50_000, 10])
def test_reading_in_bulk_gives_what_reading_line_by_line_gives(tmp_path, monkeypatch, group):
    _varied_export(tmp_path / "export")
    monkeypatch.setattr(teams, "GROUP_EVENTS", group)

    def refuse(*args):
        raise AssertionError("the bulk reader read a file message by message")

    with monkeypatch.context() as patch:
        patch.setattr(teams, "_message", refuse)
        bulk = run_with_progress("teams", tmp_path / "export", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("teams", tmp_path / "export", tmp_path / "slow")
    assert_same_import(bulk, slow)
    assert set(slow.skipped) == {
        "bot_message",
        "bot_reaction",
        "chat_message",
        "deleted",
        "duplicate",
        "message_type_unknownFutureValue",
        "system_message",
    }


def test_files_of_no_messages_read_in_bulk_as_message_by_message(tmp_path, monkeypatch):
    export = tmp_path / "export"
    export.mkdir()
    (export / "a.json").write_text('{"value": []}')
    (export / "b.json").write_text("[]")
    with monkeypatch.context() as patch:
        patch.setattr(teams, "_line_by_line", None)  # not read message by message
        bulk = run_with_progress("teams", export, tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    assert_same_import(bulk, run_with_progress("teams", export, tmp_path / "slow"))
    assert bulk.progress_calls == [(1, 2), (2, 2)] and not bulk.skipped


def test_the_fixture_reads_in_bulk_as_message_by_message(tmp_path, monkeypatch):
    bulk = run_with_progress("teams", TEAMS / "channel-messages", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    assert_same_import(
        bulk, run_with_progress("teams", TEAMS / "channel-messages", tmp_path / "slow")
    )


def _reaction(who, at: str = "2024-03-01T10:00:00Z") -> dict:
    return {"reactionType": "like", "createdDateTime": at, "user": who}


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda m: m.update(createdDateTime="1 maart 2024"), "createdDateTime"),
        (lambda m: m.update(createdDateTime="2024-03-01T08:00:00.1234567Z"), None),
        (lambda m: m.update(createdDateTime="2024-03-01T09:00:00+01:00"), None),
        (lambda m: m.update(createdDateTime="2024-02-30T08:00:00Z"), "createdDateTime"),
        (lambda m: m.update(createdDateTime="0000-03-01T08:00:00Z"), "createdDateTime"),
        (lambda m: m.update(id=5), "id"),
        (lambda m: m.update(messageType=5), None),
        (lambda m: m.update(replyToId=17), None),
        (lambda m: m.update(channelIdentity=None), "channelIdentity.channelId"),
        (lambda m: m.update(reactions={"like": 1}), None),
        (lambda m: m.update(reactions=[{"user": {"user": {}}}]), "user.user.id"),
        (lambda m: m.update(replies="none"), "replies"),
        (lambda m: m.update(id=""), "id"),
        (lambda m: m.update(id=123456789012345678901234567890), "id"),
        (lambda m: m.update(createdDateTime=None), "createdDateTime"),
        (lambda m: m.update(channelIdentity={"channelId": ""}), "channelIdentity.channelId"),
        (lambda m: m.update({"from": None}), "from.user.id"),
        (lambda m: m.update({"from": {"user": {"id": None}}}), "from.user.id"),
        (lambda m: m.update({"from": {"user": {"id": ""}}}), "from.user.id"),
        (lambda m: m.update({"from": {"user": None, "application": {}}}), "from.user.id"),
        # what json reads as false and msgspec as a Struct, which is true
        (lambda m: m.update({"from": {"user": {}, "application": {"id": "bot"}}}), None),
        (lambda m: m.update({"from": {"user": None, "application": "bot"}}), None),
        (lambda m: m.update(reactions=[_reaction(None)]), "user.user.id"),
        (lambda m: m.update(reactions=[_reaction({"user": {"id": ""}})]), "user.user.id"),
        (
            lambda m: m.update(reactions=[_reaction({"user": None, "application": {}})]),
            "user.user.id",
        ),
        (lambda m: m.update(reactions=[_reaction({"user": {}, "application": {"id": "b"}})]), None),
        (lambda m: m.update(reactions=[_reaction({"user": {"id": "x"}}, "?")]), "createdDateTime"),
        # a reply nested in a nested reply (Graph nests none)
        (
            lambda m: m.update(replies=[dict(m, id="1", replies=[dict(m, id="2", replies=[])])]),
            None,
        ),
    ],
)
def test_an_unusual_message_reads_as_message_by_message(tmp_path, monkeypatch, change, field):
    _varied_export(tmp_path / "export")
    path = tmp_path / "export" / "page-3.json"
    page = json.loads(path.read_text())
    plain = [m for m in page["value"] if m["messageType"] == "message" and m["from"]["user"]]
    plain[2]["deletedDateTime"] = None
    change(plain[2])
    path.write_text(json.dumps(page))
    bulk = run_with_progress("teams", tmp_path / "export", tmp_path / "bulk", on_error="reject")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("teams", tmp_path / "export", tmp_path / "slow", on_error="reject")
    assert_same_import(bulk, slow)
    if field is not None:
        assert f"field '{field}'" in slow.rejections[0]


def _with_replies(page: dict) -> dict:
    """A post with nested replies, from a person, not deleted."""
    return next(
        m
        for m in page["value"]
        if m["replies"] and m["messageType"] == "message" and m["from"]["user"]
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(reactions=None, replies=None),
        lambda m: m.update(messageType=None),  # left out as message_type_None
        lambda m: m.update(deletedDateTime="", replyToId=""),
        lambda m: m.update({"from": {"user": {"id": ANNA}, "application": {"id": "bot"}}}),
        lambda m: m.update({"messageType": "systemEventMessage", "from": None}),
        # a chat message, and its replies, which are not read (nor imported)
        lambda m: m.update(channelIdentity={}, chatId="19:meeting@thread.v2"),
        lambda m: m.update(channelIdentity={"channelId": None}, chatId="19:meeting@thread.v2"),
        # nested replies without a channel or a replyToId of their own: their post's
        lambda m: [reply.update(channelIdentity=None, replyToId=None) for reply in m["replies"]],
        lambda m: m["reactions"].append(
            {"createdDateTime": "2024-03-01T10:00:00Z", "user": {"user": {"id": BRAM}}}
        ),
        lambda m: m["reactions"].append(
            {"createdDateTime": "2024-03-01T10:00:00Z", "user": {"application": {"id": "b"}}}
        ),
    ],
)
def test_what_graph_may_leave_empty_reads_in_bulk_as_message_by_message(
    tmp_path, monkeypatch, change
):
    _varied_export(tmp_path / "export")
    for path in sorted((tmp_path / "export").glob("page-*.json")):
        page = json.loads(path.read_text())
        change(_with_replies(page))
        path.write_text(json.dumps(page))

    def refuse(*args):
        raise AssertionError("the bulk reader read a file message by message")

    with monkeypatch.context() as patch:
        patch.setattr(teams, "_message", refuse)
        bulk = run_with_progress("teams", tmp_path / "export", tmp_path / "bulk")
    _line_by_line_only(monkeypatch)
    slow = run_with_progress("teams", tmp_path / "export", tmp_path / "slow")
    assert_same_import(bulk, slow)


@pytest.mark.parametrize(
    "old, new, rejected",
    [
        *msgspec_edits(b'"content": "x"', b"{"),
        (b'"@odata.context"', b'"@odata.count": 123456789012345678901234567890, "x"', 0),
        # the last of equal keys, also when one is written with an escape
        (b'"id": "', b'"id": "1", "id": "', 0),
        (b'"id": "', b'"id": "1", "\\u0069d": "', 0),
        (b'"messageType": "message"', b'"messageType": "?", "messageType": "message"', 0),
    ],
)
def test_json_that_msgspec_reads_otherwise_reads_as_json_reads_it(
    tmp_path, monkeypatch, old, new, rejected
):
    _varied_export(tmp_path / "export")
    path = tmp_path / "export" / "page-1.json"
    edited_reads_as_line_by_line(
        "teams",
        tmp_path / "export",
        path,
        (old, new, rejected),
        lambda: _line_by_line_only(monkeypatch),
        tmp_path,
    )


# --- on several cores ---------------------------------------------------------------


def _row_groups(report) -> list[int]:
    (part,) = (report.out_dir / "events").glob("*.parquet")
    metadata = pq.ParquetFile(part).metadata
    return [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]


def _spy(monkeypatch, name: str) -> list:
    """The calls of ``teams.<name>``: its arguments and what it returned."""
    calls, real = [], getattr(teams, name)

    def spy(*args):
        result = real(*args)
        calls.append((*args, result))
        return result

    monkeypatch.setattr(teams, name, spy)
    return calls


@pytest.mark.parametrize("as_zip", [False, True])
def test_parsing_in_worker_processes_gives_what_one_process_gives(tmp_path, monkeypatch, as_zip):
    _varied_export(tmp_path / "export", pages=24)
    path = tmp_path / "export" / "page-9.json"
    page = json.loads(path.read_text())  # a time in another form: this file message by message
    page["value"][1]["createdDateTime"] = "2024-03-01T09:00:00+01:00"
    path.write_text(json.dumps(page))
    path = tmp_path / "export"
    if as_zip:
        path = Path(shutil.make_archive(str(tmp_path / "export"), "zip", tmp_path, "export"))
    monkeypatch.setattr(teams, "CHUNK_BYTES", 4_000)  # many chunks, even for this export
    monkeypatch.setattr(teams, "GROUP_EVENTS", 30)
    pools = _spy(monkeypatch, "in_order")
    reconciled = _spy(monkeypatch, "_reconciled")
    parallel = run_with_progress("teams", path, tmp_path / "parallel", workers=3)
    single = run_with_progress("teams", path, tmp_path / "single", workers=1)
    assert len(pools) == 1 and len(pools[0][1]) > 10 and pools[0][2] == 3  # one process: no pool
    # the replies files come after the pages: their replies were seen by other workers
    assert any(result not in (None, segment) for segment, _, result in reconciled)
    assert_same_import(parallel, single)
    assert _row_groups(parallel) == _row_groups(single) and len(_row_groups(single)) > 1
    assert parallel.skipped["duplicate"] > 5 and sum(parallel.imported.values()) > 300
    _line_by_line_only(monkeypatch)
    assert_same_import(parallel, run_with_progress("teams", path, tmp_path / "slow", workers=3))


def _graph(message_id: str, user: str, replies=(), reply_to=None) -> dict:
    return {
        "id": message_id,
        "replyToId": reply_to,
        "messageType": "message",
        "createdDateTime": f"2024-03-01T08:00:{int(message_id) % 60:02d}Z",
        "channelIdentity": {"channelId": CHANNEL},
        "from": {"user": {"id": user}},
        "reactions": [{"createdDateTime": "2024-03-02T08:00:00Z", "user": {"user": {"id": user}}}],
        "replies": list(replies),
    }


@pytest.mark.parametrize("group", [50_000, 1])
def test_what_a_worker_took_that_was_seen_before_its_chunk_is_a_duplicate(
    tmp_path, monkeypatch, group
):
    """A post found again with more nested replies: left out, with all its replies, as
    one duplicate; a reply then found on its own is new (a worker, which took it with
    its post, must read it again here)."""
    export = tmp_path / "export"
    export.mkdir()

    def write(name, messages):
        (export / name).write_text(json.dumps({"value": messages}))

    write("a.json", [_graph("10", ANNA, [_graph("11", BRAM, reply_to="10")])])
    write(
        "b.json",
        [
            _graph(
                "10", ANNA, [_graph("11", BRAM, reply_to="10"), _graph("12", ANNA, reply_to="10")]
            ),
            _graph("20", BRAM, [_graph("21", ANNA, reply_to="20")]),
        ],
    )
    write("c.json", [_graph("12", ANNA, reply_to="10"), _graph("11", BRAM, reply_to="10")])
    write("d.json", [_graph("21", ANNA, reply_to="20"), _graph("30", BRAM)])
    monkeypatch.setattr(teams, "GROUP_EVENTS", group)
    monkeypatch.setattr(teams, "in_chunks", lambda sizes, target: [slice(0, 1), slice(1, 4)])
    reconciled = _spy(monkeypatch, "_reconciled")
    parallel = run_with_progress("teams", export, tmp_path / "parallel", workers=2)
    results = [result for segment, _, result in reconciled if result is not segment]
    assert None in results  # the group with the reply on its own: read again here
    if group == 1:  # b.json alone, without post 10 (in one group, b to d are read again)
        assert any(result is not None for result in results)
    single = run_with_progress("teams", export, tmp_path / "single", workers=1)
    assert_same_import(parallel, single)
    assert _row_groups(parallel) == _row_groups(single)
    assert parallel.skipped == {"duplicate": 3}  # 10 (with 11 and 12) in b, 11 in c, 21 in d
    assert parallel.imported["reply"] == 3  # 11, 21, and 12 on its own
    _line_by_line_only(monkeypatch)
    assert_same_import(parallel, run_with_progress("teams", export, tmp_path / "slow", workers=1))


def test_an_unusual_file_in_a_worker_is_read_line_by_line_here(tmp_path, monkeypatch):
    _varied_export(tmp_path / "export", pages=8)
    path = tmp_path / "export" / "page-4.json"
    page = json.loads(path.read_text())
    plain = [m for m in page["value"] if m["messageType"] == "message" and m["from"]["user"]]
    plain[1]["deletedDateTime"] = None
    plain[1]["createdDateTime"] = "gisteren"
    path.write_text(json.dumps(page))
    monkeypatch.setattr(teams, "CHUNK_BYTES", 5_000)
    parallel = run_with_progress(
        "teams", tmp_path / "export", tmp_path / "p", on_error="reject", workers=2
    )
    single = run_with_progress(
        "teams", tmp_path / "export", tmp_path / "s", on_error="reject", workers=1
    )
    assert_same_import(parallel, single)
    assert _row_groups(parallel) == _row_groups(single)
    assert parallel.rejected == 1 and "field 'createdDateTime'" in parallel.rejections[0]
    with pytest.raises(MalformedRecordError, match="gisteren"):
        run_with_progress("teams", tmp_path / "export", tmp_path / "abort", workers=2)
    assert not (tmp_path / "abort").exists()


@pytest.mark.parametrize("collide", [False, True], ids=["hashes", "colliding hashes"])
def test_ids_taken_in_workers_are_told_apart_by_their_hashes_first(tmp_path, monkeypatch, collide):
    """What the workers took is kept as hashes while no hash comes twice; a post found
    again in a later chunk (its group knows of no duplicate) is found by its hash, and
    every id from then on as a string. Hashes alike of different ids leave out nothing."""
    export = tmp_path / "export"
    export.mkdir()
    for name, messages in {
        "a.json": [_graph("10", ANNA, [_graph("11", BRAM, reply_to="10")])],
        "b.json": [_graph("40", BRAM)],
        "c.json": [_graph("10", ANNA, [_graph("11", BRAM, reply_to="10")])],
        "d.json": [_graph("50", ANNA)],
    }.items():
        (export / name).write_text(json.dumps({"value": messages}))
    monkeypatch.setattr(
        teams, "in_chunks", lambda sizes, target: [slice(n, n + 1) for n in range(4)]
    )
    if collide:  # every id the same hash
        monkeypatch.setattr(teams, "string_hashes", lambda ids: np.zeros(len(ids), np.uint64))
    reconciled = _spy(monkeypatch, "_reconciled")
    parallel = run_with_progress("teams", export, tmp_path / "parallel", workers=2)
    # by hashes alone until a hash comes twice: in c.json, or (all alike) in a.json
    assert [segment[1][0][1] for segment, _, _ in reconciled] == (
        ["a.json", "b.json", "c.json", "d.json"] if collide else ["c.json", "d.json"]
    )
    assert parallel.skipped == {"duplicate": 1}  # 10 in c.json, with its reply
    assert sum(parallel.imported.values()) == 8  # 10, 11, 40, 50 and their reactions
    assert_same_import(parallel, run_with_progress("teams", export, tmp_path / "one", workers=1))


def test_the_ids_kept_as_hashes_hold_no_worker_result_in_memory(tmp_path, monkeypatch):
    """A worker's result is mapped from a file in memory; the ids kept aside in case a
    later group has a duplicate are copied out of it, so that it is let go once its
    events are written."""
    export = tmp_path / "export"
    export.mkdir()
    for n in range(12):  # no duplicates: every group's ids kept as hashes
        messages = [_graph(str(100 * n + m), ANNA if m % 2 else BRAM) for m in range(1, 40)]
        (export / f"{n:02d}.json").write_text(json.dumps({"value": messages}))
    monkeypatch.setattr(
        teams, "in_chunks", lambda sizes, target: [slice(n, n + 1) for n in range(12)]
    )
    monkeypatch.setattr(_common, "SPILL_BYTES", 0)  # every result through memory
    outside = []  # of each group taken: whether the ids kept are outside every mapped result
    take = teams._Reader._take_bulk

    def check(self, *args):
        with open("/proc/self/maps") as maps:
            spans = [
                [int(end, 16) for end in line.split()[0].split("-")]
                for line in maps
                if "ismonitor-import-" in line
            ]
        addresses = [
            buffer.address
            for ids in self._pending
            for buffer in ids.buffers()
            if buffer is not None and buffer.size
        ]
        outside.append(bool(spans) and not any(a <= at < b for at in addresses for a, b in spans))
        return take(self, *args)

    monkeypatch.setattr(teams._Reader, "_take_bulk", check)
    parallel = run_with_progress("teams", export, tmp_path / "parallel", workers=2)
    assert outside == [True] * 12
    one = run_with_progress("teams", export, tmp_path / "one", workers=1)
    assert_same_import(parallel, one)
