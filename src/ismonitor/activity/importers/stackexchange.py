"""Stack Exchange data dump / Stack Overflow for Teams export (XML) → events.

Reads ``Posts.xml`` (questions are posts, answers replies to their question),
``Comments.xml`` (replies to the question or answer they are on) and ``Votes.xml``
(reactions to a post) from a folder or ZIP, streaming each with ``iterparse`` so that
large dumps fit in memory. ``Users.xml`` (display names) is not opened.

The thread is the question: an answer's ``thread_id`` and ``parent_id`` are its
question; a comment's parent is the post it is on and its thread that post's question.
``group_id`` is the question's first tag as the asker listed it. Times are UTC without a
zone in the dump; votes carry only a date (00:00).

Only up-votes, down-votes, favourites and accepted answers are reactions. The public
dump leaves out who voted for most of them (``UserId`` is missing): such votes are
counted as skipped ``anonymous_vote``. Close, reopen, deletion, spam, bounty and other
moderation votes are skipped ``other_vote_type``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from ..events import iso_micros
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import ExportSource

QUESTION, ANSWER = "1", "2"
REACTION_VOTES = frozenset({"1", "2", "3", "5"})  # accepted, up, down, favourite
SYSTEM_USER = "-1"  # the Community user
_TAG = re.compile(r"<([^>]+)>|\|([^|]+)\|")
TIME_EXPECTED = "a time such as 2024-03-01T09:30:00.123"


def first_tag(tags: str | None) -> str | None:
    """The first of ``<a><b>`` or ``|a|b|``."""
    if not tags:
        return None
    match = _TAG.search(tags)
    return (match.group(1) or match.group(2)) if match else None


@register
class StackExchangeImporter(BaseImporter):
    name = "stackexchange"
    description = "Stack Exchange data dump or Stack Overflow for Teams export (Posts.xml ...)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple]:
        with ExportSource(
            path,
            marker="Posts.xml",
            expected="a Stack Exchange dump: a folder or ZIP with Posts.xml",
        ) as source:
            files = [f for f in ("Posts.xml", "Comments.xml", "Votes.xml") if source.exists(f)]
            total = sum(source.size(name) for name in files)
            state = _Threads()
            done = 0
            for name in files:
                rows = _rows(source, name, context)
                if name == "Posts.xml":
                    yield from state.posts(rows, source.display(name), context)
                elif name == "Comments.xml":
                    yield from state.comments(rows, source.display(name), context)
                else:
                    yield from state.votes(rows, source.display(name), context)
                done += source.size(name)
                context.progress(done, total)


def _rows(source: ExportSource, name: str, context: ImportContext) -> Iterator[tuple[int, dict]]:
    """``(row number, attributes)`` of each ``<row/>``, freeing each after use."""
    number = 0
    with source.open(name) as file:
        try:
            events = ET.iterparse(file, events=("start", "end"))
            _, root = next(events)
            for event, element in events:
                if event == "end" and element.tag == "row":
                    number += 1
                    yield number, element.attrib
                    root.clear()
        except ET.ParseError as exc:
            line, column = exc.position
            context.malformed(
                source.display(name),
                f"line {line} column {column}",
                None,
                None,
                f"well-formed XML ({exc})",
            )


class _Threads:
    def __init__(self) -> None:
        self.question_of: dict[str, str] = {}  # post id -> its question's id
        self.tag_of: dict[str, str | None] = {}  # question id -> first tag

    def posts(self, rows, display: str, context: ImportContext) -> Iterator[tuple]:
        malformed, skip = context.malformed, context.skip
        question_of, tag_of = self.question_of, self.tag_of
        for number, row in rows:
            post_id, kind = row.get("Id"), row.get("PostTypeId")
            where = f"row {number}" + (f" (Id={post_id})" if post_id else "")
            if not post_id:
                malformed(display, where, "Id", MISSING, "the post's id")
                continue
            if kind == QUESTION:
                question_of[post_id] = post_id
                tag_of[post_id] = first_tag(row.get("Tags"))
                question = post_id
            elif kind == ANSWER:
                question = row.get("ParentId")
                if not question:
                    malformed(display, where, "ParentId", MISSING, "the answer's question id")
                    continue
                question_of[post_id] = question
            else:
                skip("other_post_type")  # tag wikis, moderator nominations, ...
                continue
            owner = row.get("OwnerUserId")
            if owner == SYSTEM_USER:
                skip("system_user")
                continue
            if not owner:
                skip("no_owner")  # a deleted account
                continue
            created = row.get("CreationDate", MISSING)
            try:
                ts = iso_micros(created, naive_is_utc=True)
            except (TypeError, ValueError):
                malformed(display, where, "CreationDate", created, TIME_EXPECTED)
                continue
            if kind == QUESTION:
                event_id = f"p{post_id}"
                yield event_id, ts, owner, "post", event_id, None, tag_of[post_id]
            else:
                thread = f"p{question}"
                yield f"p{post_id}", ts, owner, "reply", thread, thread, tag_of.get(question)

    def _on(self, row, display, where, context, kind: str) -> tuple[str, str] | None:
        """(thread id, parent id) of the post a comment or vote is on, or None."""
        post_id = row.get("PostId")
        if not post_id:
            context.malformed(
                display, where, "PostId", MISSING, f"the id of the post the {kind} is on"
            )
            return None
        question = self.question_of.get(post_id)
        if question is None:
            context.skip(f"{kind}_on_other_post")  # tag wikis, deleted posts
            return None
        return f"p{question}", f"p{post_id}"

    def comments(self, rows, display: str, context: ImportContext) -> Iterator[tuple]:
        for number, row in rows:
            comment_id = row.get("Id")
            where = f"row {number}" + (f" (Id={comment_id})" if comment_id else "")
            if not comment_id:
                context.malformed(display, where, "Id", MISSING, "the comment's id")
                continue
            on = self._on(row, display, where, context, "comment")
            if on is None:
                continue
            user = row.get("UserId")
            if user == SYSTEM_USER:
                context.skip("system_user")
                continue
            if not user:
                context.skip("no_owner")
                continue
            created = row.get("CreationDate", MISSING)
            try:
                ts = iso_micros(created, naive_is_utc=True)
            except (TypeError, ValueError):
                context.malformed(display, where, "CreationDate", created, TIME_EXPECTED)
                continue
            thread, parent = on
            group = self.tag_of.get(thread[1:])
            yield f"c{comment_id}", ts, user, "reply", thread, parent, group

    def votes(self, rows, display: str, context: ImportContext) -> Iterator[tuple]:
        for number, row in rows:
            vote_id = row.get("Id")
            where = f"row {number}" + (f" (Id={vote_id})" if vote_id else "")
            if not vote_id:
                context.malformed(display, where, "Id", MISSING, "the vote's id")
                continue
            if row.get("VoteTypeId") not in REACTION_VOTES:
                context.skip("other_vote_type")
                continue
            user = row.get("UserId")
            if not user:
                context.skip("anonymous_vote")
                continue
            on = self._on(row, display, where, context, "vote")
            if on is None:
                continue
            if user == SYSTEM_USER:
                context.skip("system_user")
                continue
            created = row.get("CreationDate", MISSING)
            try:
                ts = iso_micros(created, naive_is_utc=True)
            except (TypeError, ValueError):
                context.malformed(display, where, "CreationDate", created, TIME_EXPECTED)
                continue
            thread, parent = on
            group = self.tag_of.get(thread[1:])
            yield f"v{vote_id}", ts, user, "react", thread, parent, group
