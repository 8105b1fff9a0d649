"""A synthetic Slack workspace export and roster, for demos: the real import path, made-up people.

Nothing here describes a real organisation or person: every name says it is synthetic.
The export has the shape of a real Slack export (``channels.json``, ``users.json``,
``<channel>/<YYYY-MM-DD>.json``), so a demo runs the same importer as real data does,
including what it leaves out (a bot and channel joins). Use is skewed as in enterprise
networks: a few creators, more contributors who reply or react, and many who do neither
(Slack exports hold no reading).
"""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from ..files import replacing

DEPARTMENTS = ("Communicatie", "HR", "IT", "Klantenservice", "Financiën", "Operatie")
CHANNELS = ("algemeen", "nieuws", "vragen", "ideeen", "klantsignalen", "projecten", "lunch")
REACTIONS = ("+1", "heart", "tada", "eyes", "raised_hands")


def write_export(
    out_dir: str | Path,
    *,
    employees: int = 400,
    months: int = 6,
    start: datetime = datetime(2026, 5, 1, tzinfo=UTC),
    seed: int = 2026,
) -> tuple[Path, Path]:
    """Write ``slack-export.zip`` and ``roster.csv`` to ``out_dir``; returns their paths."""
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = [f"U{index:05d}" for index in range(1, employees + 1)]
    department = {uid: DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))] for uid in ids}
    # how much each person takes part: heavy-tailed, most people close to nothing
    propensity = rng.pareto(1.6, employees) * rng.binomial(1, 0.55, employees)
    creates = propensity * (rng.random(employees) < 0.12)  # a few also start threads
    if not propensity.any():  # a handful of employees, none drawn to take part
        propensity = np.ones(employees)
    if not creates.any():  # nobody drawn to start threads: the most active person does
        creates[int(np.argmax(propensity))] = propensity.max()
    weights = propensity / propensity.sum()
    create_weights = creates / creates.sum()

    days: dict[tuple[str, str], list[dict]] = {}
    end = start + timedelta(days=30 * months)
    day = start
    while day < end:
        weekday = day.weekday() < 5
        for channel in CHANNELS:
            threads = rng.poisson(2.2 if weekday else 0.2)
            for _ in range(threads):
                author = ids[rng.choice(employees, p=create_weights)]
                ts = day + timedelta(seconds=int(rng.integers(7 * 3600, 18 * 3600)))
                parent = _message(author, ts, "Synthetisch bericht")
                messages = [parent]
                replies = rng.poisson(1.6)
                moment = ts
                repliers = set()
                for _ in range(replies):
                    moment += timedelta(minutes=float(rng.exponential(45)) + 1)
                    replier = ids[rng.choice(employees, p=weights)]
                    repliers.add(replier)
                    reply = _message(replier, moment, "Synthetische reactie")
                    reply["thread_ts"] = parent["ts"]
                    messages.append(reply)
                if replies:
                    parent["thread_ts"] = parent["ts"]
                    parent["reply_count"] = replies
                    parent["reply_users"] = sorted(repliers)
                for message in messages:
                    likers = {ids[i] for i in rng.choice(employees, rng.poisson(1.2), p=weights)}
                    likers.discard(message["user"])
                    if likers:
                        message["reactions"] = [{
                            "name": REACTIONS[int(rng.integers(len(REACTIONS)))],
                            "users": sorted(likers),
                            "count": len(likers),
                        }]  # fmt: skip
                for message in messages:
                    key = (channel, _utc(float(message["ts"])).date().isoformat())
                    days.setdefault(key, []).append(message)
        day += timedelta(days=1)
    # what a real export also holds, and the importer leaves out
    days.setdefault((CHANNELS[0], start.date().isoformat()), []).extend([
        {"type": "message", "subtype": "channel_join", "user": ids[0],
         "text": "<@U00001> has joined the channel", "ts": _ts(start + timedelta(hours=8))},
        {"type": "message", "subtype": "bot_message", "bot_id": "B00001",
         "username": "Synthetische bot", "text": "Herinnering",
         "ts": _ts(start + timedelta(hours=9))},
    ])  # fmt: skip

    users = [{"id": uid, "name": f"synthetisch.{uid.lower()}",
              "real_name": f"Synthetische medewerker {uid[1:]}", "deleted": False,
              "is_bot": False, "profile": {"title": department[uid]}} for uid in ids]  # fmt: skip
    users.append({"id": "B00001", "name": "synthetische-bot", "is_bot": True, "deleted": False})
    channels = [{"id": f"C{index:04d}", "name": name, "created": int(start.timestamp()),
                 "members": ids} for index, name in enumerate(CHANNELS, start=1)]  # fmt: skip

    export = out_dir / "slack-export.zip"
    with replacing(export) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("channels.json", json.dumps(channels))
        z.writestr("users.json", json.dumps(users))
        z.writestr("integration_logs.json", json.dumps({"logs": []}))
        for (channel, date), messages in sorted(days.items()):
            messages.sort(key=lambda m: float(m["ts"]))
            z.writestr(f"{channel}/{date}.json", json.dumps(messages))
    roster = out_dir / "roster.csv"
    with replacing(roster) as temporary, temporary.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["user_id", "department"])
        for uid in ids:
            writer.writerow([uid, department[uid]])
    return export, roster


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


_SEQUENCE = iter(range(1, 10**12))


def _ts(moment: datetime) -> str:
    # Slack's ts is unique within a channel: the microseconds make it so here
    return f"{int(moment.timestamp())}.{next(_SEQUENCE) % 1_000_000:06d}"


def _message(user: str, moment: datetime, text: str) -> dict:
    return {"type": "message", "user": user, "text": text, "ts": _ts(moment)}
