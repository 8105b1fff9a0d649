"""Benchmark the activity importers: events per second, end to end, per platform.

Generates one large export per platform in that platform's own layout (threads, replies,
reactions, reads where the platform has them, a few thousand people, many channels and
days, and the bots, joins, deleted and direct messages an importer leaves out), then
times :func:`ismonitor.activity.import_export` on it: wall time and CPU time (all
threads of the process), each run in a fresh child process. Prints the median of the
runs per platform.

Example::

    .venv/bin/python bench/importers.py --events 1000000
    .venv/bin/python bench/importers.py --events 1000000 --platforms slack,zulip --repeat 3

``--compare SRC`` also times another version of the importers (a ``src`` folder, for
instance ``git archive <commit> src | tar -x -C /tmp/before``), its runs taking turns
with this version's so that both meet the same load.

``--floor`` also measures, per JSON platform, what any import of that export costs at
least: reading its files, parsing them with orjson, and writing as many events (with the
check that their ids are unique), each in CPU seconds.

Platforms: the JSON ones (``slack``, ``zulip``, ``mattermost``, ``teams``,
``discourse``), ``slack_zip`` (the Slack export as the ZIP Slack hands out) and, for
comparison, the CSV ones (``viva_engage``, ``csv``). Exports are kept in ``--data``
(default ``/tmp/ismonitor-bench-importers``) and reused when there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as platform_module
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson

PLATFORMS = (
    "slack",
    "slack_zip",
    "zulip",
    "mattermost",
    "teams",
    "discourse",
    "viva_engage",
    "csv",
)
DEFAULT = ("slack", "zulip", "mattermost", "teams", "discourse", "viva_engage", "csv")
KEY = "bench-key-long-enough-for-the-importer"
START = datetime(2024, 1, 1, tzinfo=UTC)
START_S = int(START.timestamp())
DAYS = 365
USERS = 3000

WORDS = (
    "de het een en van in is op dat te met voor niet zijn aan er ook als bij maar om nog "
    "dan wel naar kan uit door over wat tot zo moet heeft wordt vergadering project klant "
    "planning overleg rooster lunch kantine team afdeling update release nieuws vraag idee "
    "antwoord bedankt prima morgen vandaag straks document link agenda notulen budget"
).split()


class Synthetic:
    """Random people, texts and times shared by the generators (seeded: same every run)."""

    def __init__(self, seed: int, users: int = USERS):
        self.rng = np.random.default_rng(seed)
        self.users = users
        ranks = np.arange(1, users + 1, dtype=float)
        self._activity = np.cumsum(ranks**-0.8)
        self._activity /= self._activity[-1]
        self._user_of_rank = self.rng.permutation(users)
        self._texts = [self._sentence(int(n)) for n in self.rng.integers(3, 40, 512)]
        self._pool: dict[str, list] = {}

    def _sentence(self, words: int) -> str:
        chosen = self.rng.choice(WORDS, words)
        return (" ".join(chosen)).capitalize() + "."

    def _draw(self, name: str, make: Callable[[int], np.ndarray]):
        pool = self._pool.get(name)
        if not pool:
            pool = self._pool[name] = make(65_536).tolist()
        return pool.pop()

    def user(self) -> int:
        """A person's index, skewed: a few do most of it."""
        return self._draw(
            "user",
            lambda n: self._user_of_rank[
                np.minimum(np.searchsorted(self._activity, self.rng.random(n)), self.users - 1)
            ],
        )

    def users_distinct(self, k: int) -> list[int]:
        seen: dict[int, None] = {}
        for _ in range(k * 3):
            seen[self.user()] = None
            if len(seen) == k:
                break
        return list(seen)

    def poisson(self, lam: float) -> int:
        return self._draw(f"poisson{lam}", lambda n: self.rng.poisson(lam, n))

    def uniform(self) -> float:
        return self._draw("uniform", lambda n: self.rng.random(n))

    def integer(self, high: int) -> int:
        return int(self.uniform() * high)

    def text(self) -> str:
        return self._texts[self.integer(len(self._texts))]

    def second(self) -> int:
        """A second in the year, in office hours on some day."""
        day = self.integer(DAYS)
        return START_S + day * 86_400 + 7 * 3600 + self.integer(11 * 3600)


def _iso_ms(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --- Slack -------------------------------------------------------------------------------


def slack(out: Path, events: int, seed: int = 1) -> None:
    """A Slack workspace export folder: channels.json, users.json, <channel>/<day>.json."""
    syn = Synthetic(seed)
    team = "T0ACME0001"
    ids = [f"U{index:08X}" for index in range(syn.users)]
    profiles = [
        {
            "avatar_hash": f"g{index:011x}",
            "image_72": f"https://secure.gravatar.com/avatar/{index:032x}.jpg?s=72",
            "first_name": f"Voornaam{index}",
            "real_name": f"Voornaam{index} Achternaam{index}",
            "display_name": f"vn{index}",
            "team": team,
            "name": f"voornaam{index}.achternaam",
            "is_restricted": False,
            "is_ultra_restricted": False,
        }
        for index in range(syn.users)
    ]
    public = [f"kanaal-{n:03d}" for n in range(60)]
    private = [f"besloten-{n:02d}" for n in range(15)]
    channels = {name: f"C{n:08X}" for n, name in enumerate(public)}
    groups = {name: f"G{n:08X}" for n, name in enumerate(private)}
    dms = [f"D{n:08X}" for n in range(40)]
    bots = ["U0BOT00001", "U0BOT00002"]
    days: dict[tuple[str, str], list[dict]] = {}
    sequence = iter(range(1, 10**12))
    made = 0
    folders = public + private

    def ts(second: int) -> str:
        return f"{second}.{next(sequence) % 1_000_000:06d}"

    def message(user: int, second: int) -> dict:
        text = syn.text()
        return {
            "client_msg_id": f"{syn.integer(1 << 30):08x}-7b1c-4f2e-9a3d-{next(sequence):012x}",
            "type": "message",
            "text": text,
            "user": ids[user],
            "ts": ts(second),
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": f"b{syn.integer(1 << 20):05x}",
                    "elements": [
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": text}],
                        }
                    ],
                }
            ],
            "team": team,
            "user_team": team,
            "source_team": team,
            "user_profile": profiles[user],
        }

    def react(msg: dict) -> int:
        count = 0
        groups_ = []
        for _ in range(syn.poisson(0.6)):
            users = syn.users_distinct(1 + syn.poisson(1.2))
            name = ("+1", "heart", "tada", "eyes", "raised_hands", "joy")[syn.integer(6)]
            if any(group["name"] == name for group in groups_):
                continue
            groups_.append({"name": name, "users": [ids[u] for u in users], "count": len(users)})
            count += len(users)
        if groups_:
            msg["reactions"] = groups_
        return count

    def put(folder: str, msg: dict) -> None:
        day = datetime.fromtimestamp(int(msg["ts"].split(".")[0]), UTC).date().isoformat()
        days.setdefault((folder, day), []).append(msg)

    while made < events:
        folder = folders[min(int(syn.uniform() ** 2 * len(folders)), len(folders) - 1)]
        second = syn.second()
        post = message(syn.user(), second)
        made += 1 + react(post)
        replies = syn.poisson(1.0)
        if replies:
            repliers, latest = [], second
            post["thread_ts"] = post["ts"]
            for _ in range(replies):
                latest += 30 + syn.integer(3600)
                reply = message(syn.user(), latest)
                reply["thread_ts"] = post["ts"]
                reply["parent_user_id"] = post["user"]
                if syn.uniform() < 0.03:
                    reply["subtype"] = "thread_broadcast"
                made += 1 + react(reply)
                repliers.append(reply["user"])
                put(folder, reply)
            post.update(
                reply_count=replies,
                reply_users_count=len(set(repliers)),
                latest_reply=reply["ts"],
                reply_users=sorted(set(repliers)),
                is_locked=False,
                subscribed=False,
            )
        put(folder, post)
        noise = syn.uniform()
        if noise < 0.03:
            join = {
                "type": "message",
                "subtype": "channel_join",
                "ts": ts(syn.second()),
                "user": ids[syn.user()],
                "text": "heeft zich bij het kanaal gevoegd",
            }
            put(folder, join)
        elif noise < 0.06:
            bot = {
                "type": "message",
                "subtype": "bot_message",
                "text": "Herinnering: " + syn.text(),
                "ts": ts(syn.second()),
                "bot_id": "B0BOT00001",
                "username": "Herinneringen",
            }
            made += react(bot)
            put(folder, bot)
        elif noise < 0.08:
            dm = message(syn.user(), syn.second())
            put(dms[syn.integer(len(dms))], dm)

    for (folder, day), messages in days.items():
        messages.sort(key=lambda m: m["ts"])
        (out / folder).mkdir(parents=True, exist_ok=True)
        (out / folder / f"{day}.json").write_bytes(
            orjson.dumps(messages, option=orjson.OPT_INDENT_2)
        )
    listing = [
        {
            "id": channels[name],
            "name": name,
            "created": START_S,
            "creator": ids[0],
            "is_archived": False,
            "is_general": name == public[0],
            "members": ids[: 200 + n * 40],
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "Synthetisch kanaal", "creator": ids[0], "last_set": START_S},
        }
        for n, name in enumerate(public)
    ]
    (out / "channels.json").write_bytes(orjson.dumps(listing, option=orjson.OPT_INDENT_2))
    group_listing = [
        {"id": groups[name], "name": name, "created": START_S, "members": ids[:50]}
        for name in private
    ]
    (out / "groups.json").write_bytes(orjson.dumps(group_listing, option=orjson.OPT_INDENT_2))
    dm_listing = [{"id": dm, "created": START_S, "members": ids[:2]} for dm in dms]
    (out / "dms.json").write_bytes(orjson.dumps(dm_listing, option=orjson.OPT_INDENT_2))
    users = [
        {
            "id": uid,
            "team_id": team,
            "name": profiles[n]["name"],
            "deleted": False,
            "real_name": profiles[n]["real_name"],
            "tz": "Europe/Amsterdam",
            "profile": profiles[n],
            "is_admin": False,
            "is_bot": False,
        }
        for n, uid in enumerate(ids)
    ] + [
        {"id": bot, "name": f"bot{n}", "is_bot": True, "deleted": False}
        for n, bot in enumerate(bots)
    ]
    (out / "users.json").write_bytes(orjson.dumps(users, option=orjson.OPT_INDENT_2))
    (out / "integration_logs.json").write_bytes(b'{"logs": []}')


def slack_zip(out: Path, events: int, seed: int = 1) -> None:
    """The same Slack export as the ZIP file Slack gives (deflated, one top folder)."""
    folder = out.parent / (out.name + ".folder")
    slack(folder, events, seed)
    out.mkdir(parents=True)
    with zipfile.ZipFile(out / "export.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, "Acme Slack export/" + path.relative_to(folder).as_posix())
    shutil.rmtree(folder)


# --- Zulip -------------------------------------------------------------------------------


def zulip(out: Path, events: int, seed: int = 2) -> None:
    """A Zulip export folder: realm.json and messages-000001.json, ... (1000 messages each)."""
    syn = Synthetic(seed)
    people = list(range(10, 10 + syn.users))
    bots = [5, 6, 7]
    n_streams = 40
    profile = [
        {
            "id": uid,
            "email": f"user{uid}@example.org",
            "delivery_email": f"user{uid}@example.org",
            "full_name": f"Synthetische Gebruiker {uid}",
            "is_bot": False,
            "bot_type": None,
            "realm": 1,
            "date_joined": float(START_S),
            "last_login": float(START_S + 86400),
            "is_active": True,
            "role": 400,
            "timezone": "Europe/Amsterdam",
            "default_language": "nl",
            "tos_version": "1.0",
        }
        for uid in people
    ] + [
        {
            "id": uid,
            "email": f"bot{uid}-bot@example.org",
            "full_name": f"Bot {uid}",
            "is_bot": True,
            "bot_type": 1,
            "realm": 1,
        }
        for uid in bots
    ]
    streams = [
        {
            "id": n + 1,
            "name": f"stroom-{n:02d}",
            "realm": 1,
            "description": "Synthetische stroom",
            "recipient": 100 + n,
            "invite_only": n % 8 == 7,
            "date_created": float(START_S),
        }
        for n in range(n_streams)
    ]
    recipients = [{"id": 100 + n, "type": 2, "type_id": n + 1} for n in range(n_streams)]
    recipients += [{"id": 10_000 + uid, "type": 1, "type_id": uid} for uid in people + bots]
    recipients += [{"id": 50_000 + n, "type": 3, "type_id": n + 1} for n in range(50)]
    # Subscribers per stream: a few big streams, many small (soft-deactivated users get
    # no user message rows, so these are the active subscribers).
    members = []
    for n in range(n_streams):
        size = int(8 + 120 / (1 + n) + syn.integer(25))
        members.append([people[u] for u in syn.users_distinct(size)])
    subscriptions = [
        {"id": len(members) * 1000 + i, "user_profile": uid, "recipient": 100 + n, "active": True}
        for n, subs in enumerate(members)
        for i, uid in enumerate(subs)
    ]
    reactions: list[dict] = []
    files: list[dict] = []
    message_id, usermessage_id, made = 1, 1, 0
    topics = [[f"onderwerp {n}-{t}" for t in range(1)] for n in range(n_streams)]
    batch: dict[str, list] = {"zerver_message": [], "zerver_usermessage": []}
    while made < events:
        direct = syn.uniform() < 0.08
        if direct:
            recipient = 50_000 + syn.integer(50)
            subs = [people[u] for u in syn.users_distinct(3)]
            subject = ""
        else:
            stream = min(int(syn.uniform() ** 2 * n_streams), n_streams - 1)
            recipient = 100 + stream
            subs = members[stream]
            if syn.uniform() < 0.25:
                topics[stream].append(f"Onderwerp {stream}-{len(topics[stream])}")
            subject = topics[stream][-1 - min(syn.integer(4), len(topics[stream]) - 1)]
        sender = subs[syn.integer(len(subs))] if syn.uniform() > 0.02 else bots[0]
        sent = syn.second() + round(syn.uniform(), 6)
        text = syn.text()
        batch["zerver_message"].append(
            {
                "id": message_id,
                "sender": sender,
                "recipient": recipient,
                "realm": 1,
                "subject": subject,
                "content": text,
                "rendered_content": f"<p>{text}</p>",
                "rendered_content_version": 1,
                "date_sent": sent,
                "last_edit_time": None,
                "edit_history": None,
                "sending_client": 1,
                "has_attachment": False,
                "has_image": False,
                "has_link": False,
                "type": 1,
            }
        )
        if not direct and sender != bots[0]:
            made += 1
        for uid in subs:
            read = uid == sender or syn.uniform() < 0.7
            flags = (1 if read else 0) | (8 if syn.uniform() < 0.02 else 0)
            batch["zerver_usermessage"].append(
                {
                    "id": usermessage_id,
                    "user_profile": uid,
                    "message": message_id,
                    "flags_mask": flags,
                }
            )
            usermessage_id += 1
            if read and uid != sender and not direct:
                made += 1
        if not direct:
            for uid in syn.users_distinct(syn.poisson(0.8)):
                reactions.append(
                    {
                        "id": len(reactions) + 1,
                        "message": message_id,
                        "user_profile": people[uid],
                        "emoji_name": "thumbs_up",
                        "emoji_code": "1f44d",
                        "reaction_type": "unicode_emoji",
                    }
                )
                made += 1
        message_id += 1
        if len(batch["zerver_message"]) == 1000:
            files.append(batch)
            batch = {"zerver_message": [], "zerver_usermessage": []}
    if batch["zerver_message"]:
        files.append(batch)
    out.mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(files, 1):
        path = out / f"messages-{number:06d}.json"
        path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    realm = {
        "zerver_realm": [{"id": 1, "name": "Acme", "string_id": "acme"}],
        "zerver_userprofile": profile,
        "zerver_userprofile_mirrordummy": [],
        "zerver_stream": streams,
        "zerver_recipient": recipients,
        "zerver_subscription": subscriptions,
        "zerver_reaction": reactions,
    }
    (out / "realm.json").write_bytes(orjson.dumps(realm, option=orjson.OPT_INDENT_2))


# --- Mattermost --------------------------------------------------------------------------


def mattermost(out: Path, events: int, seed: int = 3) -> None:
    """A Mattermost bulk export: one JSONL file (version, teams, channels, users, posts)."""
    syn = Synthetic(seed)
    names = [f"voornaam{n}.achternaam" for n in range(syn.users)]
    teams = ["acme", "acme-intern", "acme-projecten"]
    channels = [(teams[n % 3], f"kanaal-{n:03d}") for n in range(80)]
    out.mkdir(parents=True, exist_ok=True)
    dumps = orjson.dumps
    made = 0
    with open(out / "export.jsonl", "wb") as file:
        write = file.write
        write(
            dumps(
                {
                    "type": "version",
                    "version": 1,
                    "info": {"generator": "mattermost-server", "version": "9.5.0"},
                }
            )
            + b"\n"
        )
        for team in teams:
            write(
                dumps(
                    {
                        "type": "team",
                        "team": {
                            "name": team,
                            "display_name": team.title(),
                            "type": "O",
                            "description": "",
                            "allow_open_invite": True,
                        },
                    }
                )
                + b"\n"
            )
        for team, channel in channels:
            write(
                dumps(
                    {
                        "type": "channel",
                        "channel": {
                            "team": team,
                            "name": channel,
                            "display_name": channel,
                            "type": "O",
                            "header": "",
                            "purpose": "",
                        },
                    }
                )
                + b"\n"
            )
        for n, name in enumerate(names):
            user = {
                "username": name,
                "email": f"{name}@example.org",
                "auth_service": "",
                "nickname": "",
                "first_name": f"Voornaam{n}",
                "last_name": f"Achternaam{n}",
                "position": "",
                "roles": "system_user",
                "locale": "nl",
                "teams": [
                    {
                        "name": team,
                        "roles": "team_user",
                        "channels": [
                            {
                                "name": channel,
                                "roles": "channel_user",
                                "last_viewed_at": START_S * 1000 + syn.integer(DAYS * 86_400_000),
                                "notify_props": {
                                    "desktop": "default",
                                    "mobile": "default",
                                    "mark_unread": "all",
                                },
                            }
                            for t, channel in channels[:12]
                            if t == team
                        ],
                    }
                    for team in teams
                ],
            }
            write(dumps({"type": "user", "user": user}) + b"\n")
        for bot in ("deploybot", "herinnerbot"):
            write(
                dumps(
                    {
                        "type": "bot",
                        "bot": {"username": bot, "display_name": bot, "owner": names[0]},
                    }
                )
                + b"\n"
            )

        def reactions_of(created: int) -> list[dict]:
            nonlocal made
            users = syn.users_distinct(syn.poisson(1.0))
            made += len(users)
            return [
                {
                    "user": names[u],
                    "emoji_name": "+1",
                    "create_at": created + 60_000 + syn.integer(86_400_000),
                }
                for u in users
            ]

        while made < events:
            team, channel = channels[min(int(syn.uniform() ** 2 * 80), 79)]
            created = syn.second() * 1000 + syn.integer(1000)
            kind = syn.uniform()
            if kind < 0.07:
                members = [names[u] for u in syn.users_distinct(2)]
                write(
                    dumps({"type": "direct_channel", "direct_channel": {"members": members}})
                    + b"\n"
                )
                post = {
                    "channel_members": members,
                    "user": members[0],
                    "message": syn.text(),
                    "props": {},
                    "create_at": created,
                    "flagged_by": None,
                    "reactions": None,
                    "replies": [
                        {"user": members[1], "message": syn.text(), "create_at": created + 60_000}
                    ],
                    "attachments": [],
                }
                write(dumps({"type": "direct_post", "direct_post": post}) + b"\n")
                continue
            system = kind < 0.10
            webhook = not system and kind < 0.12
            post = {
                "team": team,
                "channel": channel,
                "user": names[syn.user()],
                "type": "system_join_channel" if system else "",
                "message": syn.text(),
                "props": {"from_webhook": "true", "override_username": "CI"} if webhook else {},
                "create_at": created,
                "edit_at": 0,
                "flagged_by": None,
                "is_pinned": False,
                "reactions": None,
                "replies": None,
                "attachments": [],
            }
            if not system and not webhook:
                made += 1
            post["reactions"] = reactions_of(created) or None
            replies = []
            at = created
            for _ in range(syn.poisson(1.2)):
                at += 30_000 + syn.integer(3_600_000)
                bot = syn.uniform() < 0.02
                reply = {
                    "user": "deploybot" if bot else names[syn.user()],
                    "type": "",
                    "message": syn.text(),
                    "props": {},
                    "create_at": at,
                    "edit_at": 0,
                    "flagged_by": None,
                    "reactions": reactions_of(at) or None,
                    "attachments": [],
                }
                made += 0 if bot else 1
                replies.append(reply)
            post["replies"] = replies or None
            write(dumps({"type": "post", "post": post}) + b"\n")


# --- Microsoft Teams ---------------------------------------------------------------------


def teams(out: Path, events: int, seed: int = 4) -> None:
    """Graph ``chatMessage`` pages per channel, replies expanded (``$expand=replies``):
    ``<team>/<channel>/messages-N.json``, 50 posts a page, newest first."""
    syn = Synthetic(seed)
    guid = [f"{n:08x}-efb3-4757-924a-{n * 7919 % (1 << 48):012x}" for n in range(syn.users)]
    tenant = "3a5b6c7d-1111-2222-3333-444455556666"
    team_ids = [f"fbe2bf47-16c8-47cf-b4a5-{n:012x}" for n in range(6)]
    channels = [(team_ids[n % 6], f"19:{n:032x}@thread.tacv2") for n in range(60)]
    made = 0

    def identity(user: int) -> dict:
        return {
            "application": None,
            "device": None,
            "user": {
                "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                "id": guid[user],
                "displayName": f"Voornaam{user} Achternaam{user}",
                "userIdentityType": "aadUser",
                "tenantId": tenant,
            },
        }

    def chat_message(team: str, channel: str, msg_ms: int, reply_to: int | None) -> dict:
        nonlocal made
        text = syn.text()
        created = _iso_ms(msg_ms / 1000)
        noise = syn.uniform()
        kind = "systemEventMessage" if noise < 0.03 else "message"
        sender = identity(syn.user())
        if 0.03 <= noise < 0.05:
            sender = {
                "application": {
                    "@odata.type": "#microsoft.graph.teamworkApplicationIdentity",
                    "id": "bot-1",
                    "displayName": "Polly",
                    "applicationIdentityType": "bot",
                },
                "device": None,
                "user": None,
            }
        deleted = created if 0.05 <= noise < 0.06 else None
        if kind == "message" and sender["user"] and not deleted:
            made += 1
        reactions = []
        for u in syn.users_distinct(syn.poisson(0.9)):
            at = msg_ms + 60_000 + syn.integer(86_400_000)
            reactions.append(
                {
                    "reactionType": "like",
                    "displayName": "Like",
                    "reactionContentUrl": None,
                    "createdDateTime": _iso_ms(at / 1000),
                    "user": identity(u),
                }
            )
            made += 1
        return {
            "id": str(msg_ms),
            "replyToId": None if reply_to is None else str(reply_to),
            "etag": str(msg_ms),
            "messageType": kind,
            "createdDateTime": created,
            "lastModifiedDateTime": created,
            "lastEditedDateTime": None,
            "deletedDateTime": deleted,
            "subject": None,
            "summary": None,
            "chatId": None,
            "importance": "normal",
            "locale": "en-us",
            "webUrl": f"https://teams.microsoft.com/l/message/{channel}/{msg_ms}"
            f"?groupId={team}&tenantId={tenant}&parentMessageId={reply_to or msg_ms}",
            "channelIdentity": {"teamId": team, "channelId": channel},
            "policyViolation": None,
            "eventDetail": None,
            "from": sender,
            "body": {"contentType": "html", "content": f"<p>{text}</p>"},
            "attachments": [],
            "mentions": [],
            "reactions": reactions,
        }

    pages: dict[tuple[str, str], list[dict]] = {}
    used: set[int] = set()
    while made < events:
        team, channel = channels[min(int(syn.uniform() ** 2 * 60), 59)]
        ms = syn.second() * 1000 + syn.integer(1000)
        while ms in used:
            ms += 1
        used.add(ms)
        post = chat_message(team, channel, ms, None)
        replies = []
        at = ms
        for _ in range(syn.poisson(1.5)):
            at += 30_000 + syn.integer(3_600_000)
            while at in used:
                at += 1
            used.add(at)
            replies.append(chat_message(team, channel, at, ms))
        post["replies@odata.context"] = (
            f"https://graph.microsoft.com/v1.0/$metadata#teams('{team}')/channels('{channel}')/messages('{ms}')/replies"
        )
        post["replies"] = replies
        pages.setdefault((team, channel), []).append(post)
    for (team, channel), messages in pages.items():
        folder = out / team / channel.replace(":", "_").replace("@", "_")
        folder.mkdir(parents=True, exist_ok=True)
        messages.sort(key=lambda m: m["id"], reverse=True)  # Graph gives the newest first
        for number, start in enumerate(range(0, len(messages), 50), 1):
            page = messages[start : start + 50]
            data = {
                "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#teams('{team}')/channels('{channel}')/messages(replies())",
                "@odata.count": len(page),
                "@odata.nextLink": f"https://graph.microsoft.com/v1.0/teams/{team}/channels/{channel}/messages?$expand=replies&$skiptoken={number}",
                "value": page,
            }
            (folder / f"messages-{number:05d}.json").write_bytes(orjson.dumps(data))


# --- Discourse ---------------------------------------------------------------------------


def discourse(out: Path, events: int, seed: int = 5) -> None:
    """Discourse ``t/<id>.json`` topics (more posts in ``t/<id>-posts-N.json``) and a
    Data Explorer ``user_visits.csv``; about a third of the events are visit days."""
    syn = Synthetic(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "t").mkdir()
    post_id, topic_id, made = 1, 1, 0
    topic_events = events * 2 // 3
    while made < topic_events:
        category = 1 + min(int(syn.uniform() ** 2 * 25), 24)
        created = syn.second()
        posts = []
        n_posts = 1 + syn.poisson(4.0)
        at = created
        for number in range(1, n_posts + 1):
            user = 1 + syn.user() if syn.uniform() > 0.02 else -1
            post_type = 1 if syn.uniform() > 0.04 else 3
            deleted = _iso_ms(at + 3600) if syn.uniform() < 0.01 else None
            reply_to = None if number == 1 or syn.uniform() < 0.6 else 1 + syn.integer(number - 1)
            if user > 0 and post_type == 1 and not deleted:
                made += 1
            text = syn.text()
            posts.append(
                {
                    "id": post_id,
                    "name": f"Voornaam{user} Achternaam{user}",
                    "username": f"gebruiker{user}",
                    "avatar_template": f"/user_avatar/forum.example.org/gebruiker{user}"
                    "/{size}/1_2.png",
                    "created_at": _iso_ms(at),
                    "cooked": f"<p>{text}</p>",
                    "post_number": number,
                    "post_type": post_type,
                    "updated_at": _iso_ms(at),
                    "reply_count": 0,
                    "reply_to_post_number": reply_to,
                    "quote_count": 0,
                    "incoming_link_count": 0,
                    "reads": 1 + syn.integer(50),
                    "readers_count": syn.integer(50),
                    "score": round(syn.uniform() * 10, 1),
                    "yours": False,
                    "topic_id": topic_id,
                    "topic_slug": f"onderwerp-{topic_id}",
                    "display_username": f"Voornaam{user} Achternaam{user}",
                    "primary_group_name": None,
                    "flair_name": None,
                    "flair_url": None,
                    "flair_bg_color": None,
                    "flair_color": None,
                    "version": 1,
                    "can_edit": False,
                    "can_delete": False,
                    "can_recover": False,
                    "can_see_hidden_post": False,
                    "can_wiki": False,
                    "read": True,
                    "user_title": None,
                    "bookmarked": False,
                    "actions_summary": [{"id": 2, "count": syn.integer(5)}]
                    if syn.uniform() < 0.5
                    else [],
                    "moderator": False,
                    "admin": False,
                    "staff": False,
                    "user_id": user,
                    "hidden": False,
                    "trust_level": 1,
                    "deleted_at": deleted,
                    "user_deleted": False,
                    "edit_reason": None,
                    "can_view_edit_history": True,
                    "wiki": False,
                    "reviewable_id": None,
                    "reviewable_score_count": 0,
                    "reviewable_score_pending_count": 0,
                    "mentioned_users": [],
                }
            )
            post_id += 1
            at += 60 + syn.integer(7200)
        stream = [post["id"] for post in posts]
        topic = {
            "post_stream": {"posts": posts[:20], "stream": stream},
            "timeline_lookup": [[1, 0]],
            "tags": [],
            "tags_descriptions": {},
            "id": topic_id,
            "title": f"Onderwerp {topic_id}: {syn.text()[:40]}",
            "fancy_title": f"Onderwerp {topic_id}",
            "posts_count": len(posts),
            "created_at": _iso_ms(created),
            "views": syn.integer(500),
            "reply_count": len(posts) - 1,
            "like_count": 0,
            "last_posted_at": _iso_ms(at),
            "visible": True,
            "closed": False,
            "archived": False,
            "has_summary": False,
            "archetype": "regular",
            "slug": f"onderwerp-{topic_id}",
            "category_id": category,
            "word_count": 100,
            "deleted_at": None,
            "user_id": posts[0]["user_id"],
            "featured_link": None,
            "pinned_globally": False,
            "pinned_at": None,
            "pinned_until": None,
            "image_url": None,
            "slow_mode_seconds": 0,
            "draft": None,
            "draft_key": f"topic_{topic_id}",
            "draft_sequence": 0,
            "unpinned": None,
            "pinned": False,
            "current_post_number": 1,
            "highest_post_number": len(posts),
            "deleted_by": None,
            "actions_summary": [],
            "chunk_size": 20,
            "bookmarked": False,
            "bookmarks": [],
            "topic_timer": None,
            "message_bus_last_id": 0,
            "participant_count": len({post["user_id"] for post in posts}),
            "show_read_indicator": False,
            "thumbnails": None,
            "details": {"can_edit": False, "notification_level": 1, "participants": []},
        }
        (out / "t" / f"{topic_id}.json").write_bytes(orjson.dumps(topic))
        for page, start in enumerate(range(20, len(posts), 20), 2):
            more = {"post_stream": {"posts": posts[start : start + 20]}, "id": topic_id}
            (out / "t" / f"{topic_id}-posts-{page}.json").write_bytes(orjson.dumps(more))
        topic_id += 1
    lines = ["user_id,visited_at,posts_read,mobile,time_read"]
    while made < events:
        user = 1 + syn.user() if syn.uniform() > 0.005 else -1
        day = (START + timedelta(days=syn.integer(DAYS))).date().isoformat()
        read = 0 if syn.uniform() < 0.15 else 1 + syn.poisson(6.0)
        mobile = "true" if syn.uniform() < 0.3 else "false"
        lines.append(f"{user},{day},{read},{mobile},{read * 20}")
        if user > 0 and read:
            made += 1
    (out / "user_visits.csv").write_text("\n".join(lines) + "\n")


# --- CSV, for comparison -----------------------------------------------------------------


def viva_engage(out: Path, events: int, seed: int = 6) -> None:
    """A Viva Engage network data export folder with Messages.csv (and Users.csv)."""
    import csv

    syn = Synthetic(seed)
    out.mkdir(parents=True, exist_ok=True)
    header = (
        "id,replied_to_id,thread_id,conversation_id,group_id,group_name,participants,"
        "in_private_group,in_private_conversation,sender_id,sender_type,sender_name,"
        "sender_email,body,api_url,attachments,deleted_by_id,deleted_by_type,created_at,"
        "deleted_at,title,message_type"
    ).split(",")
    made, message_id = 0, 1000
    with open(out / "Messages.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        thread, replied = message_id, ""
        while made < events:
            message_id += 1
            if syn.uniform() < 0.35:
                thread, replied = message_id, ""
            else:
                replied = str(message_id - 1 - syn.integer(3))
            group = str(1 + syn.integer(40))
            user = 1_000_000 + syn.user()
            noise = syn.uniform()
            deleted = "2024-12-01 00:00:00 UTC" if noise < 0.01 else ""
            private = "true" if 0.01 <= noise < 0.03 else "false"
            created = datetime.fromtimestamp(syn.second(), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            writer.writerow(
                [
                    message_id,
                    replied,
                    thread,
                    f"c{thread}",
                    group,
                    f"Groep {group}",
                    "",
                    "false",
                    private,
                    user,
                    "user",
                    f"Naam {user}",
                    f"naam{user}@example.org",
                    syn.text(),
                    f"https://www.yammer.com/api/v1/messages/{message_id}",
                    "",
                    "",
                    "",
                    created,
                    deleted,
                    "",
                    "update",
                ]
            )
            if not deleted and private == "false":
                made += 1


def generic_csv(out: Path, events: int, seed: int = 7) -> None:
    """An activity CSV with ISO times, and its mapping (``mapping.yaml`` beside it)."""
    syn = Synthetic(seed)
    out.mkdir(parents=True, exist_ok=True)
    actions = ("Bericht", "Reactie", "Like", "Gelezen")
    with open(out / "export.csv", "w", encoding="utf-8") as file:
        file.write("ID,Datum,Medewerker,Soort,Onderwerp,Reactie op,Groep,Tekst\n")
        for n in range(events):
            action = actions[min(int(syn.uniform() * 4), 3)]
            thread = f"B{1 + syn.integer(max(1, n))}"
            moment = datetime.fromtimestamp(syn.second(), UTC).isoformat()
            text = syn.text() if action in ("Bericht", "Reactie") else ""
            file.write(
                f"E{n},{moment},medewerker{syn.user()}@example.org,{action},{thread},{thread},"
                f"Groep {syn.integer(30)},{text}\n"
            )
    (out / "mapping.yaml").write_text(
        "columns: {event_id: ID, ts: Datum, user: Medewerker, action: Soort, thread: Onderwerp,"
        " parent: Reactie op, group: Groep}\n"
        "actions: {Bericht: post, Reactie: reply, Like: react, Gelezen: read}\n"
    )


GENERATORS: dict[str, Callable[[Path, int], None]] = {
    "slack": slack,
    "slack_zip": slack_zip,
    "zulip": zulip,
    "mattermost": mattermost,
    "teams": teams,
    "discourse": discourse,
    "viva_engage": viva_engage,
    "csv": generic_csv,
}


def export_of(data: Path, platform: str, events: int) -> tuple[str, Path, dict]:
    """(importer name, export path, options) for a platform; generates it if needed."""
    folder = data / f"{platform}-{events}"
    done = data / f"{platform}-{events}.done"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        print(
            f"generating {platform} ({events:,} events) in {folder} ...",
            file=sys.stderr,
            flush=True,
        )
        GENERATORS[platform](folder, events)
        done.write_text("")
        print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    if platform == "slack_zip":
        return "slack", folder / "export.zip", {}
    if platform == "mattermost":
        return "mattermost", folder / "export.jsonl", {}
    if platform == "csv":
        return "csv", folder / "export.csv", {"mapping": str(folder / "mapping.yaml")}
    return platform, folder, {}


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


# --- measuring ---------------------------------------------------------------------------


def child(importer: str, path: str, options: str, out: str) -> None:
    """Import once and print what it took, as JSON (run in a fresh process)."""
    from ismonitor.activity import import_export

    def children_cpu() -> float:  # the worker processes that parse, once they have ended
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    wall, cpu, workers_cpu = time.perf_counter(), time.process_time(), children_cpu()
    report = import_export(
        importer, path, out, key=KEY, options=json.loads(options) or None, overwrite=True
    )
    wall = time.perf_counter() - wall
    workers_cpu = children_cpu() - workers_cpu
    cpu = time.process_time() - cpu + workers_cpu
    print(
        json.dumps(
            {
                "events": report.events,
                "skipped": sum(report.skipped.values()),
                "rejected": report.rejected,
                "wall": wall,
                "cpu": cpu,
                "workers_cpu": workers_cpu,
                "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def floor_child(path: str, events: int) -> None:
    """What any import of this export costs at least, in CPU seconds, as JSON: reading
    its files, parsing them with orjson (each line of a JSONL file), and writing as many
    events and checking their ids are unique (as import_export does)."""
    import gc

    import pyarrow as pa

    from ismonitor.activity.dataset import check_unique_event_ids
    from ismonitor.activity.events import BATCH_ROWS, EventBatch, EventWriter
    from ismonitor.activity.importers._common import ExportSource
    from ismonitor.activity.pseudonym import Pseudonymiser

    with ExportSource(path) as source:
        names = [n for n in source.names() if n.lower().endswith((".json", ".jsonl"))]
        cpu = time.process_time()
        data = [source.read(name) for name in names]
        read = time.process_time() - cpu
    if path.endswith(".jsonl"):
        data = [line for text in data for line in text.splitlines()]
    gc.disable()  # as the importers parse: with the collector paused
    cpu = time.process_time()
    for text in data:
        orjson.loads(text)
    parse = time.process_time() - cpu
    gc.enable()
    del data
    users = [f"U{n:08X}" for n in range(USERS)]
    batches = []  # made before the clock starts
    for start in range(0, events, BATCH_ROWS):
        n = min(BATCH_ROWS, events - start)
        ids = pa.array(
            [f"C{(start + i) % 60:04d}:{1_700_000_000 + start + i}.000100" for i in range(n)]
        )
        batches.append(
            EventBatch(
                ids,
                pa.array(range(start, start + n), pa.int64()),
                pa.array([users[(start + i) * 7919 % USERS] for i in range(n)]),
                pa.array(["react"] * n),
                ids,
                ids,
                pa.array([f"C{(start + i) % 60:04d}" for i in range(n)]),
            )
        )
    with tempfile.TemporaryDirectory(prefix="ismonitor-bench-floor-") as tmp:
        cpu = time.process_time()
        writer = EventWriter(Path(tmp), "bench", Pseudonymiser(KEY.encode(), "bench").many)
        writer.write(batches)
        writer.close()
        if writer.may_repeat_ids():
            check_unique_event_ids(Path(tmp), "bench")
        write = time.process_time() - cpu
    print(json.dumps({"read": read, "parse": parse, "write": write}))


def measure_floor(path: Path, events: int, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        result = subprocess.run(
            [sys.executable, __file__, "--floor-child", str(path), str(events)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _run_child(importer: str, path: Path, options: dict, out: str, src: Path | None) -> dict:
    env = dict(os.environ)
    if src is not None:  # another version of ismonitor: its src/ goes first on the path
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, __file__, "--child", importer, str(path), json.dumps(options), out],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _summary(runs: list[dict]) -> dict:
    walls = [run["wall"] for run in runs]
    cpus = [run["cpu"] for run in runs]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    events = runs[0]["events"]
    return {
        "events": events,
        "skipped": runs[0]["skipped"],
        "wall": wall,
        "cpu": cpu,
        "walls": walls,
        "cpus": cpus,
        "per_s": events / wall,
        "per_cpu_s": events / cpu,
        "maxrss_mb": max(run["maxrss_mb"] for run in runs),
    }


def measure(
    importer: str, path: Path, options: dict, repeat: int, compare: Path | None = None
) -> tuple[dict, dict | None]:
    """Median of ``repeat`` runs; with ``compare`` (another version's src/), the same for
    that version, its runs taking turns with these so that both meet the same load."""
    runs: list[dict] = []
    other: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ismonitor-bench-import-") as tmp:
        for _ in range(repeat):
            if compare is not None:
                other.append(_run_child(importer, path, options, f"{tmp}/other", compare))
            runs.append(_run_child(importer, path, options, f"{tmp}/out", None))
    if other and other[0]["events"] != runs[0]["events"]:
        raise SystemExit(f"{importer}: {other[0]['events']} events before, {runs[0]['events']} now")
    return _summary(runs), (_summary(other) if other else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events per export (about)")
    parser.add_argument("--platforms", default=",".join(DEFAULT), help=f"of {', '.join(PLATFORMS)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per platform (median)")
    parser.add_argument("--data", type=Path, default=Path("/tmp/ismonitor-bench-importers"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="SRC",
        help="also time another version (its src/ folder, e.g. from git archive), the runs "
        "of both taking turns",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure what reading, parsing (orjson) and writing cost at least",
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--floor-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.floor_child:
        floor_child(args.floor_child[0], int(args.floor_child[1]))
        return
    platforms = [name.strip() for name in args.platforms.split(",") if name.strip()]
    unknown = set(platforms) - set(PLATFORMS)
    if unknown:
        parser.error(
            f"unknown platform(s) {', '.join(sorted(unknown))}; known: {', '.join(PLATFORMS)}"
        )
    args.data.mkdir(parents=True, exist_ok=True)
    exports = {name: export_of(args.data, name, args.events) for name in platforms}
    load = os.getloadavg()
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform_module.machine()}, "
        f"{os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"Python {platform_module.python_version()}, median of {args.repeat}"
    )
    header = (
        "platform",
        "events",
        "export MB",
        "wall s",
        "events/s",
        "CPU s",
        "events/CPU s",
        "runs (wall s)",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    results = {}
    for name in platforms:
        importer, path, options = exports[name]
        result, other = measure(importer, path, options, args.repeat, args.compare)
        result["export_mb"] = size_of(path) / 1e6
        results[name] = result
        rows = [(name, result)]
        if other is not None:
            other["export_mb"] = result["export_mb"]
            result["compared"] = other
            rows = [(f"{name} (compared)", other), (name, result)]
        for label, row in rows:
            print(
                f"| {label} | {row['events']:,} | {row['export_mb']:,.0f} | "
                f"{row['wall']:.2f} | "
                f"{row['per_s']:,.0f} | {row['cpu']:.2f} | {row['per_cpu_s']:,.0f} | "
                f"{', '.join(f'{w:.2f}' for w in row['walls'])} |",
                flush=True,
            )
    json_platforms = [name for name in platforms if name not in ("viva_engage", "csv")]
    if args.floor and json_platforms:
        print()
        print(
            "| platform | read s | parse s (orjson) | write + id check s | floor s "
            "| at most events/CPU s | import CPU s |"
        )
        print("|---|---|---|---|---|---|---|")
        for name in json_platforms:
            floor = measure_floor(exports[name][1], results[name]["events"], args.repeat)
            total = floor["read"] + floor["parse"] + floor["write"]
            results[name]["floor"] = floor
            print(
                f"| {name} | {floor['read']:.2f} | {floor['parse']:.2f} | {floor['write']:.2f} "
                f"| {total:.2f} | {results[name]['events'] / total:,.0f} "
                f"| {results[name]['cpu']:.2f} |",
                flush=True,
            )
    load = os.getloadavg()
    print(f"# load after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"load": load, "results": results}, indent=2))


if __name__ == "__main__":
    main()
