"""The activity metrics: one suite, run on every engine (DuckDB and PySpark).

Two data sets: a small hand-made one whose every number is worked out in the comments
below, asserted exactly; and a generated one (about 20,000 events) on which each engine
must agree with the other and with a plain pandas computation written here,
independently of the Ibis code.

Known gaps on an engine are marked with :func:`gap` (``notimpl``, ``notyet`` or
``never`` and a reason), never with a bare xfail. There are none at present.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest

from ismonitor.activity import engines
from ismonitor.activity.metrics import (
    COLUMNS,
    compute,
    dialogue,
    frequency,
    health,
    inequality,
    metrics,
    pyramid,
    to_json,
    to_records,
    usage,
)

ENGINES = ("duckdb", "pyspark")


def gap(request, engine: str, kind: str, reason: str) -> None:
    """Mark the running test as a known gap of ``engine`` (strict: it must fail there).

    ``kind`` follows Ibis: ``notimpl`` (we have not written it for that engine yet),
    ``notyet`` (the engine or Ibis cannot do it yet), ``never`` (it cannot be done there).
    """
    assert kind in {"notimpl", "notyet", "never"}, kind
    backend = request.getfixturevalue("metrics_backend")
    if backend.name == engine:
        request.applymarker(pytest.mark.xfail(reason=f"{kind}: {reason}", strict=True))


# --- engines: one DuckDB connection and one Spark session per test session ---------------


@pytest.fixture(scope="session")
def metrics_duckdb():
    return engines.connect("duckdb")


@pytest.fixture(scope="session")
def metrics_spark(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("spark")
    con = engines.connect(
        "pyspark",
        **{
            "spark.sql.warehouse.dir": str(warehouse / "warehouse"),
            "spark.local.dir": str(warehouse / "local"),
            # Test data is tiny: one shuffle partition halves the time per query.
            "spark.sql.shuffle.partitions": "1",
        },
    )
    yield con
    con.disconnect()


@pytest.fixture(scope="session", params=ENGINES)
def metrics_backend(request):
    """Each engine in turn; the whole suite runs once per engine."""
    return request.getfixturevalue(
        {"duckdb": "metrics_duckdb", "pyspark": "metrics_spark"}[request.param]
    )


# --- the hand-made data set -------------------------------------------------------------
#
# Roster (the intended target group): u1..u8. Departments: u1, u2 HR; u3, u4 IT;
# u5 Sales; u6 none (null); u7 and u8 never appear in the events (inactive).
# x9 is not on the roster (an outsider: outside_roster, left out of every other metric).
# Groups: g1, g2 and one event without a group (null group_id).


def t(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0):
    return datetime(2024, month, day, hour, minute, second, micro, tzinfo=UTC)


# fmt: off
HAND_EVENTS = [
    # id     ts                            user   action   thread parent group
    # January 2024. Thread j1 (u1, HR) in g1:
    ("j1",  t(1, 2, 9, 0),               "u1", "post",  "j1", None, "g1"),
    ("j2",  t(1, 2, 9, 5),               "u1", "reply", "j1", "j1", "g1"),  # own reply
    ("j3",  t(1, 2, 9, 10),              "u2", "reply", "j1", "j1", "g1"),  # first: 600 s
    ("j4",  t(1, 4, 11, 0),              "u2", "reply", "j1", "j3", "g1"),
    ("j5",  t(1, 3, 10, 0),              "u3", "reply", "j1", "j1", "g1"),  # IT -> HR
    ("j6",  t(1, 2, 12, 0),              "u4", "react", "j1", "j1", "g1"),
    ("j7",  t(1, 5, 8, 0),               "u5", "read",  "j1", "j1", "g1"),
    # Thread j8 (u3, IT) in g2:
    ("j8",  t(1, 10, 14, 0),             "u3", "post",  "j8", None, "g2"),
    ("j9",  t(1, 10, 15, 0),             "u2", "reply", "j8", "j8", "g2"),  # first: 3600 s
    ("j10", t(1, 20, 9, 0),              "u2", "reply", "j8", "j9", "g2"),
    ("j11", t(1, 31, 23, 59, 59, 999999), "u2", "reply", "j8", "j8", "g2"),  # still January
    ("j12", t(1, 12, 8, 0),              "u6", "read",  "j8", "j8", "g2"),
    ("j13", t(1, 15, 9, 0),              "u5", "react", "j8", "j8", "g2"),
    ("j14", t(1, 25, 7, 0),              "u4", "read",  "j1", None, None),  # no group
    # February 2024 (29 days). Thread f1 (u4, IT) in g1, starting on the month boundary:
    ("f1",  t(2, 1, 0, 0),               "u4", "post",  "f1", None, "g1"),
    ("f3",  t(2, 1, 0, 10),              "x9", "reply", "f1", "f1", "g1"),  # outsider: 600 s
    ("f2",  t(2, 1, 0, 20),              "u5", "reply", "f1", "f1", "g1"),  # roster: 1200 s
    ("f4",  t(2, 3, 10, 0),              "u6", "reply", "f1", "f1", "g1"),  # no department
    ("f5",  t(2, 5, 10, 0),              "u1", "read",  "f1", "f1", "g1"),
    ("f6",  t(2, 6, 10, 0),              "u2", "react", "f1", "f1", "g1"),
    ("f11", t(2, 14, 10, 0),             "u5", "reply", "f1", "f2", "g1"),  # Sales -> IT
    ("f12", t(2, 15, 10, 0),             "u5", "reply", "f1", "f2", "g1"),  # Sales -> IT
    ("f13", t(2, 8, 12, 0),              "u3", "reply", "f1", "f1", "g1"),  # IT -> IT
    ("f14", t(2, 9, 12, 0),              "u8", "join",  "f1", None, "g1"),  # unknown action
    # Thread f7 (u3) in g2: only its starter replies, so it stays unanswered.
    ("f7",  t(2, 7, 10, 0),              "u3", "post",  "f7", None, "g2"),
    ("f8",  t(2, 8, 10, 30),             "u3", "reply", "f7", "f7", "g2"),  # own reply
    ("f9",  t(2, 11, 10, 0),             "u1", "reply", "j8", "j8", "g2"),  # HR -> IT, late
    ("f10", t(2, 12, 10, 0),             "x9", "read",  "f7", "f7", "g2"),  # outsider
]
# fmt: on

HAND_ROSTER = pd.DataFrame(
    {
        "user_id": [f"u{i}" for i in range(1, 9)],
        "department": ["HR", "HR", "IT", "IT", "Sales", None, "IT", "HR"],
    }
)


def events_frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(
        rows,
        columns=["event_id", "ts", "user_id", "action", "thread_id", "parent_id", "group_id"],
    )
    df.insert(0, "platform", "slack")
    df["ts"] = pd.to_datetime(df["ts"], utc=True).astype("datetime64[us, UTC]")
    return df


@pytest.fixture(scope="session")
def hand_dir(tmp_path_factory):
    """The hand-made set as ``events.parquet`` plus ``roster.parquet``."""
    directory = tmp_path_factory.mktemp("hand")
    events_frame(HAND_EVENTS).to_parquet(directory / "events.parquet", index=False)
    HAND_ROSTER.to_parquet(directory / "roster.parquet", index=False)
    return directory


@pytest.fixture
def hand(metrics_backend, hand_dir):
    return engines.read_events(metrics_backend, hand_dir)


@pytest.fixture
def hand_roster(metrics_backend, hand_dir):
    return engines.read_roster(metrics_backend, hand_dir / "roster.parquet")


def row(df: pd.DataFrame, month: str, group: str | None = "-") -> pd.Series:
    selected = df[df["month"] == pd.Timestamp(f"{month}-01")]
    if group != "-":
        selected = selected[
            selected["group_id"].isna() if group is None else selected["group_id"] == group
        ]
    assert len(selected) == 1, selected
    return selected.iloc[0]


def check(actual: pd.Series, expected: dict) -> None:
    """Every expected value exactly (fractions to 1e-12, None for a missing value)."""
    problems = []
    for key, want in expected.items():
        got = actual[key]
        if want is None:
            ok = got is None or (isinstance(got, float) and math.isnan(got))
        elif isinstance(want, str):
            ok = got == want
        elif isinstance(want, int) and not isinstance(want, bool):
            ok = got == want and float(got).is_integer()
        else:
            ok = got is not None and not math.isnan(got) and abs(got - float(want)) < 1e-12
        if not ok:
            problems.append(f"{key}: expected {want}, got {got!r}")
    assert not problems, "\n".join(problems)


# With the roster, the whole organisation. Audience: the roster's 8 users.
HAND_ROSTER_JANUARY = {
    "audience": 8,
    "audience_source": "roster",
    "outside_roster": 0,
    # Seen: u1 (post, reply), u2 (replies), u3 (post, reply), u4 (react, read),
    # u5 (read, react), u6 (read): 6. Active (post or reply): u1, u2, u3.
    "seen": 6,
    "active": 3,
    "passive": 3,  # u4, u5, u6
    "inactive": 2,  # u7, u8
    "active_share": F(3, 8),
    "passive_share": F(3, 8),
    "inactive_share": F(2, 8),
    # Creators: u1, u3 (a post). Contributors: u2 (replies), u4, u5 (reactions).
    # Consumers: u6 (reads only). Shares of the 6 seen.
    "creators": 2,
    "contributors": 3,
    "consumers": 1,
    "creators_share": F(2, 6),
    "contributors_share": F(3, 6),
    "consumers_share": F(1, 6),
    # Active days: u1 {2 Jan} = 1; u3 {3, 10 Jan} = 2; u2 {2, 4, 10, 20, 31 Jan} = 5
    # (j11 at 23:59:59.999999 UTC on 31 Jan is still January). Sorted [1, 2, 5]; linear
    # interpolation: p25 at position 0.5 -> 1.5, median 2, p75 at 1.5 -> 3.5; mean 8/3.
    "active_days_median": 2,
    "active_days_p25": F(3, 2),
    "active_days_p75": F(7, 2),
    "active_days_mean": F(8, 3),
    "share_active_4_days": F(1, 3),  # u2
    # Threads started: j1, j8. j1: first reply by someone else j3 after 600 s (u1's own
    # j2 does not count); j8: j9 after 3600 s. Both answered; median (600 + 3600) / 2.
    "threads": 2,
    "replied_threads": 2,
    "reply_rate": 1,
    "median_time_to_first_reply": 2100,
    "share_replied_within_30_min": F(1, 2),  # j1 only
    # Replies in January by someone other than the starter, both departments known:
    # j3, j4 (HR->HR), j5 (IT->HR), j9, j10, j11 (HR->IT): 4 of 6 across.
    "cross_department_reply_share": F(4, 6),
    # Posts+replies per active user: u1 2 (j1, j2), u3 2 (j5, j8), u2 5. Sorted
    # [2, 2, 5], n = 3, total 9: sum (2i - n - 1) x_i = -2*2 + 0*2 + 2*5 = 6; Gini
    # 6 / (3 * 9) = 2/9. Top 1 % and top 10 % of 3 users round up to 1 user: 5/9.
    "gini": F(2, 9),
    "top1_share": F(5, 9),
    "top10_share": F(5, 9),
    # Daily active users summed over January = 8 active days; / 31 days / 3 users.
    "dau_mau": F(8, 93),
    # Active in January 3; in the 12 months to January (only January has data) 3.
    "health_index": 1,
}

HAND_ROSTER_FEBRUARY = {
    "audience": 8,
    "audience_source": "roster",
    "outside_roster": 1,  # x9 (f3, f10): left out of everything else
    # Seen: u4 (post), u5 (replies), u6 (reply), u1 (read, reply f9), u2 (react),
    # u3 (post, replies); not u8, whose only event has an unknown action ("join").
    "seen": 6,
    "active": 5,  # u1, u3, u4, u5, u6
    "passive": 1,  # u2
    "inactive": 2,  # u7, u8
    "active_share": F(5, 8),
    "passive_share": F(1, 8),
    "inactive_share": F(2, 8),
    "creators": 2,  # u3, u4
    "contributors": 4,  # u1, u5, u6 (replies), u2 (reaction)
    "consumers": 0,
    "creators_share": F(2, 6),
    "contributors_share": F(4, 6),
    "consumers_share": 0,
    # Active days: u1 {11}, u4 {1}, u6 {3} = 1 each; u3 {7, 8} = 2; u5 {1, 14, 15} = 3.
    # Sorted [1, 1, 1, 2, 3]: p25 at 1 -> 1, median at 2 -> 1, p75 at 3 -> 2; mean 8/5.
    "active_days_median": 1,
    "active_days_p25": 1,
    "active_days_p75": 2,
    "active_days_mean": F(8, 5),
    "share_active_4_days": 0,
    # Threads f1, f7. f1: x9 replied first (600 s) but is outside the roster, so the
    # first reply is u5's f2 after 1200 s. f7: only its starter replied: unanswered.
    "threads": 2,
    "replied_threads": 1,
    "reply_rate": F(1, 2),
    "median_time_to_first_reply": 1200,
    "share_replied_within_30_min": F(1, 2),
    # Replies in February, not by the starter, both departments known: f2, f11, f12
    # (Sales->IT), f9 (HR->IT, to January's j8), f13 (IT->IT); f4 (u6) has no
    # department, f8 is u3's own. 4 of 5 across.
    "cross_department_reply_share": F(4, 5),
    # Posts+replies: u1 1, u4 1, u6 1, u3 3 (f7, f8, f13), u5 3 (f2, f11, f12).
    # Sorted [1, 1, 1, 3, 3], n = 5, total 9: -4 - 2 + 0 + 2*3 + 4*3 = 12; 12/45.
    # Top 1 %, 10 % of 5 users: 1 user, 3 of 9.
    "gini": F(12, 45),
    "top1_share": F(3, 9),
    "top10_share": F(3, 9),
    "dau_mau": F(8, 29 * 5),  # 2024 is a leap year
    # Active in February 5; in the 12 months to February: u1..u6, 6.
    "health_index": F(5, 6),
}


def test_it_computes_every_metric_by_hand_with_a_roster(hand, hand_roster):
    df = compute(hand, hand_roster)
    assert list(df.columns) == ["month", *COLUMNS]
    assert list(df["month"].dt.strftime("%Y-%m")) == ["2024-01", "2024-02"]
    check(row(df, "2024-01"), HAND_ROSTER_JANUARY)
    check(row(df, "2024-02"), HAND_ROSTER_FEBRUARY)


def test_it_takes_the_users_seen_as_audience_without_a_roster(hand):
    df = compute(hand)
    # Seen in the whole data: u1..u6 and x9 = 7. January has no outsider events, so
    # only the audience-based shares and the department share change.
    check(
        row(df, "2024-01"),
        {
            **HAND_ROSTER_JANUARY,
            "audience": 7,
            "audience_source": "seen",
            "inactive": 1,
            "active_share": F(3, 7),
            "passive_share": F(3, 7),
            "inactive_share": F(1, 7),
            "cross_department_reply_share": None,  # no departments without a roster
        },
    )
    # February now counts x9 (reply f3 on 1 Feb, read f10): seen 7, active 6.
    check(
        row(df, "2024-02"),
        {
            "audience": 7,
            "audience_source": "seen",
            "outside_roster": 0,
            "seen": 7,
            "active": 6,
            "passive": 1,
            "inactive": 0,
            "active_share": F(6, 7),
            "passive_share": F(1, 7),
            "inactive_share": 0,
            "creators": 2,
            "contributors": 5,
            "consumers": 0,
            "creators_share": F(2, 7),
            "contributors_share": F(5, 7),
            # Active days [1, 1, 1, 1, 2, 3]: p25 at 1.25 -> 1, median at 2.5 -> 1,
            # p75 at 3.75 -> 1.75; mean 9/6.
            "active_days_median": 1,
            "active_days_p25": 1,
            "active_days_p75": F(7, 4),
            "active_days_mean": F(3, 2),
            # f1's first reply is now x9's f3, after 600 s.
            "reply_rate": F(1, 2),
            "median_time_to_first_reply": 600,
            "share_replied_within_30_min": F(1, 2),
            "cross_department_reply_share": None,
            # [1, 1, 1, 1, 3, 3], n = 6, total 10: -5 -3 -1 +1 +9 +15 = 16; 16/60.
            "gini": F(16, 60),
            "top1_share": F(3, 10),
            "top10_share": F(3, 10),  # 10 % of 6 users rounds up to 1
            "dau_mau": F(9, 29 * 6),
            "health_index": F(6, 7),
        },
    )


def test_it_computes_every_metric_by_hand_per_group(hand, hand_roster):
    df = compute(hand, hand_roster, by_group=True)
    assert list(df.columns) == ["month", "group_id", *COLUMNS]
    keys = [(m.strftime("%Y-%m"), g) for m, g in zip(df["month"], df["group_id"], strict=True)]
    # The null group (j14) sorts first within its month.
    assert [(m, None if pd.isna(g) else g) for m, g in keys] == [
        ("2024-01", None),
        ("2024-01", "g1"),
        ("2024-01", "g2"),
        ("2024-02", "g1"),
        ("2024-02", "g2"),
    ]
    # With a roster the audience of every group is the whole roster (8).
    check(
        row(df, "2024-01", "g1"),
        {
            "audience": 8,
            "audience_source": "roster",
            "outside_roster": 0,
            "seen": 5,  # u1, u2, u3, u4, u5
            "active": 3,  # u1, u2, u3
            "passive": 2,
            "inactive": 3,
            "active_share": F(3, 8),
            "creators": 1,  # u1
            "contributors": 3,  # u2, u3, u4
            "consumers": 1,  # u5
            "consumers_share": F(1, 5),
            # u1 {2}, u3 {3}, u2 {2, 4}: [1, 1, 2]; p75 at 1.5 -> 1.5.
            "active_days_median": 1,
            "active_days_p25": 1,
            "active_days_p75": F(3, 2),
            "active_days_mean": F(4, 3),
            "share_active_4_days": 0,
            "threads": 1,
            "replied_threads": 1,
            "reply_rate": 1,
            "median_time_to_first_reply": 600,
            "share_replied_within_30_min": 1,
            "cross_department_reply_share": F(1, 3),  # j5 of j3, j4, j5
            # u3 1, u1 2, u2 2: [1, 2, 2], total 5: -2 + 0 + 4 = 2; 2/15.
            "gini": F(2, 15),
            "top1_share": F(2, 5),
            "top10_share": F(2, 5),
            "dau_mau": F(4, 31 * 3),
            "health_index": 1,
        },
    )
    check(
        row(df, "2024-01", "g2"),
        {
            "seen": 4,  # u2, u3, u5, u6
            "active": 2,
            "passive": 2,
            "inactive": 4,
            "creators": 1,
            "contributors": 2,
            "consumers": 1,
            # u3 {10}, u2 {10, 20, 31}: [1, 3]: p25 1.5, median 2, p75 2.5.
            "active_days_median": 2,
            "active_days_p25": F(3, 2),
            "active_days_p75": F(5, 2),
            "active_days_mean": 2,
            "threads": 1,
            "reply_rate": 1,
            "median_time_to_first_reply": 3600,
            "share_replied_within_30_min": 0,
            "cross_department_reply_share": 1,  # j9, j10, j11: HR -> IT
            # [1, 3], total 4: -1 + 3 = 2; 2/8.
            "gini": F(1, 4),
            "top1_share": F(3, 4),
            "top10_share": F(3, 4),
            "dau_mau": F(4, 31 * 2),
            "health_index": 1,
        },
    )
    # The event without a group: u4 reads. No active user, no thread: those are null.
    check(
        row(df, "2024-01", None),
        {
            "audience": 8,
            "seen": 1,
            "active": 0,
            "passive": 1,
            "inactive": 7,
            "consumers": 1,
            "consumers_share": 1,
            "active_days_median": None,
            "active_days_mean": None,
            "share_active_4_days": None,
            "threads": 0,
            "reply_rate": None,
            "median_time_to_first_reply": None,
            "share_replied_within_30_min": None,
            "cross_department_reply_share": None,
            "gini": None,
            "top1_share": None,
            "dau_mau": None,
            "health_index": None,  # nobody active in this group in 12 months
        },
    )
    check(
        row(df, "2024-02", "g1"),
        {
            "outside_roster": 1,  # x9's reply f3
            "seen": 6,  # u1, u2, u3, u4, u5, u6
            "active": 4,  # u3, u4, u5, u6
            "passive": 2,  # u1 (read), u2 (react)
            "inactive": 2,
            "creators": 1,
            "contributors": 4,
            "consumers": 1,
            # u3 {8}, u4 {1}, u6 {3}, u5 {1, 14, 15}: [1, 1, 1, 3]; p75 at 2.25 -> 1.5.
            "active_days_median": 1,
            "active_days_p25": 1,
            "active_days_p75": F(3, 2),
            "active_days_mean": F(3, 2),
            "threads": 1,
            "replied_threads": 1,
            "median_time_to_first_reply": 1200,
            "share_replied_within_30_min": 1,
            # f2, f11, f12 across, f13 not; f4 has no department: 3/4.
            "cross_department_reply_share": F(3, 4),
            # [1, 1, 1, 3], total 6: -3 - 1 + 1 + 9 = 6; 6/24.
            "gini": F(1, 4),
            "top1_share": F(1, 2),
            "top10_share": F(1, 2),
            "dau_mau": F(6, 29 * 4),
            # Active in g1: u3, u4, u5, u6; in 12 months: also u1, u2 (January).
            "health_index": F(4, 6),
        },
    )
    check(
        row(df, "2024-02", "g2"),
        {
            "outside_roster": 1,  # x9's read f10
            "seen": 2,
            "active": 2,  # u3, u1
            "passive": 0,
            "inactive": 6,
            "creators": 1,
            "contributors": 1,
            "consumers": 0,
            # u1 {11}, u3 {7, 8}: [1, 2].
            "active_days_median": F(3, 2),
            "active_days_p25": F(5, 4),
            "active_days_p75": F(7, 4),
            "threads": 1,
            "replied_threads": 0,
            "reply_rate": 0,
            "median_time_to_first_reply": None,
            "share_replied_within_30_min": 0,
            "cross_department_reply_share": 1,  # f9; f8 is u3's own
            # u1 1, u3 2: -1 + 2 = 1; 1/6.
            "gini": F(1, 6),
            "top1_share": F(2, 3),
            "top10_share": F(2, 3),
            "dau_mau": F(3, 29 * 2),
            # Active in g2 in 12 months: u2, u3 (January), u1, u3 (February).
            "health_index": F(2, 3),
        },
    )


def test_it_counts_the_users_seen_per_group_as_audience_without_a_roster(hand):
    df = compute(hand, by_group=True)
    # g1 over both months: u1..u6 and x9; g2: u1, u2, u3, u5, u6, x9; no group: u4.
    for month in ("2024-01", "2024-02"):
        check(row(df, month, "g1"), {"audience": 7, "audience_source": "seen"})
        check(row(df, month, "g2"), {"audience": 6, "audience_source": "seen"})
    check(row(df, "2024-01", None), {"audience": 1, "inactive": 0, "passive_share": 1})


def test_each_metric_family_matches_the_full_table(hand, hand_roster):
    full = compute(hand, hand_roster, by_group=True)
    for family in (usage, pyramid, frequency, dialogue, inequality, health):
        part = family(hand, hand_roster, by_group=True).execute()
        part["month"] = pd.to_datetime(part["month"])
        part = part.sort_values(["month", "group_id"], na_position="first").reset_index(drop=True)
        shared = [c for c in part.columns if c in full.columns]
        pd.testing.assert_frame_equal(
            part[shared], full[shared], check_dtype=False, obj=family.__name__
        )


def test_it_writes_one_json_object_per_month(hand, hand_roster):
    records = json.loads(to_json(compute(hand, hand_roster)))
    assert [r["month"] for r in records] == ["2024-01", "2024-02"]
    assert list(records[0]) == ["month", *COLUMNS]
    assert records[1]["median_time_to_first_reply"] == 1200
    assert records[1]["consumers"] == 0
    assert records[0]["audience_source"] == "roster"
    nulls = json.loads(to_json(compute(hand)))
    assert nulls[0]["cross_department_reply_share"] is None  # NaN becomes null
    assert to_records(compute(hand))[0]["audience"] == 7


def test_it_rejects_an_unknown_period(hand):
    with pytest.raises(ValueError, match="unknown period 'week'"):
        metrics(hand, period="week")


def test_it_reads_an_events_folder_of_parts(metrics_backend, tmp_path):
    frame = events_frame(HAND_EVENTS)
    (tmp_path / "events").mkdir()
    frame.iloc[:10].to_parquet(tmp_path / "events" / "part-0.parquet", index=False)
    frame.iloc[10:].to_parquet(tmp_path / "events" / "part-1.parquet", index=False)
    folder = engines.read_events(metrics_backend, tmp_path)
    assert folder.count().execute() == len(HAND_EVENTS)
    check(row(compute(folder), "2024-02"), {"seen": 7, "active": 6})


def test_it_reads_several_event_files(metrics_backend, tmp_path):
    frame = events_frame(HAND_EVENTS)
    frame.iloc[:10].to_parquet(tmp_path / "events-2024-01.parquet", index=False)
    frame.iloc[10:].to_parquet(tmp_path / "events-2024-02.parquet", index=False)
    table = engines.read_events(metrics_backend, tmp_path)
    assert table.count().execute() == len(HAND_EVENTS)


def test_it_names_the_directory_when_there_are_no_events(metrics_backend, tmp_path):
    with pytest.raises(FileNotFoundError, match="no event table"):
        engines.read_events(metrics_backend, tmp_path)


def test_it_rejects_a_roster_with_a_user_twice(metrics_backend, tmp_path):
    pd.DataFrame({"user_id": ["a", "b", "a"]}).to_parquet(tmp_path / "r.parquet")
    with pytest.raises(ValueError, match="listed twice: 'a'"):
        engines.read_roster(metrics_backend, tmp_path / "r.parquet")


def test_it_rejects_an_unknown_engine():
    with pytest.raises(ValueError, match="unknown engine 'sqlite'"):
        engines.connect("sqlite")


# --- the generated data set and an independent pandas computation -----------------------


def generate(seed: int = 7, n_users: int = 300, target: int = 20_000):
    """About ``target`` events over 14 months with skew, ties and edge cases.

    Edge cases on purpose: replies before their post (ignored by the dialogue metrics),
    own replies, replies exactly 30 minutes after the post, events of users outside the
    roster, users without a department, events without a group, a month boundary in
    microseconds, an unknown action.
    """
    rng = np.random.default_rng(seed)
    users = [f"p{i:03d}" for i in range(n_users)]
    weight = 1 / np.arange(1, n_users + 1) ** 1.1  # Zipf-like: a few do most
    weight /= weight.sum()
    groups = ["g1", "g2", "g3", "g4", None]
    start = datetime(2023, 1, 1, tzinfo=UTC)
    span = (datetime(2024, 3, 1, tzinfo=UTC) - start).total_seconds()
    rows = []
    n_threads = target // 20
    post_times = sorted(rng.uniform(0, span, n_threads))
    for k, offset in enumerate(post_times):
        tid = f"t{k}"
        starter = users[rng.choice(n_users, p=weight)]
        group = groups[rng.integers(len(groups))]
        started = start + timedelta(seconds=float(offset))
        started = started.replace(microsecond=int(rng.integers(0, 1_000_000)))
        rows.append((tid, started, starter, "post", tid, None, group))
        for j in range(int(rng.poisson(18))):
            action = rng.choice(["reply", "react", "read", "read"], p=[0.15, 0.2, 0.35, 0.3])
            who = users[rng.choice(n_users, p=weight)] if action != "read" else rng.choice(users)
            kind = rng.random()
            if kind < 0.02:
                delay = -rng.uniform(1, 600)  # clock skew: before the post
            elif kind < 0.05:
                delay = 1800.0  # exactly 30 minutes
            else:
                delay = rng.exponential(3 * 3600)
            when = started + timedelta(seconds=float(delay))
            rows.append((f"{tid}.{j}", when, str(who), str(action), tid, tid, group))
    # Outsiders (not on the roster) and an unknown action.
    for j in range(200):
        rows.append(
            (
                f"o{j}",
                start + timedelta(seconds=float(rng.uniform(0, span))),
                f"out{j % 7}",
                "reply" if j % 3 else "read",
                f"t{j}",
                f"t{j}",
                "g1",
            )
        )
    rows.append(
        (
            "b1",
            datetime(2023, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
            "p001",
            "reply",
            "t1",
            "t1",
            "g2",
        )
    )
    rows.append(("b2", datetime(2023, 7, 1, tzinfo=UTC), "p002", "reply", "t1", "t1", "g2"))
    rows.append(("x1", datetime(2023, 7, 2, tzinfo=UTC), "p003", "edit", "t1", "t1", "g2"))
    events = events_frame(rows)
    departments = np.array(["HR", "IT", "Sales", "Finance", None], dtype=object)
    roster = pd.DataFrame(
        {
            "user_id": users + [f"never{i}" for i in range(40)],
            "department": departments[rng.integers(0, 5, n_users + 40)],
        }
    )
    return events, roster


@pytest.fixture(scope="session")
def generated():
    return generate()


@pytest.fixture(scope="session")
def generated_dir(tmp_path_factory, generated):
    events, roster = generated
    directory = tmp_path_factory.mktemp("generated")
    (directory / "events").mkdir()
    half = len(events) // 2
    events.iloc[:half].to_parquet(directory / "events" / "part-0.parquet", index=False)
    events.iloc[half:].to_parquet(directory / "events" / "part-1.parquet", index=False)
    roster.to_parquet(directory / "roster.parquet", index=False)
    return directory


def reference(events: pd.DataFrame, roster: pd.DataFrame | None, by_group: bool):
    """The metrics in plain pandas and Python loops, from docs/metrics.md."""
    ev = events[events["action"].isin(["post", "reply", "react", "read"])].copy()
    ev["month"] = ev["ts"].dt.strftime("%Y-%m")
    ev["day"] = ev["ts"].dt.date
    ev["group"] = ev["group_id"].fillna("<none>") if by_group else "<all>"
    if roster is not None:
        department = dict(zip(roster["user_id"], roster["department"], strict=True))
        members = set(roster["user_id"])
        audience_events = ev[ev["user_id"].isin(members)]
    else:
        department = {}
        audience_events = ev
    post_rows = audience_events[audience_events["action"] == "post"]
    posts = {
        (p.platform, p.thread_id): (p.user_id, p.ts, department.get(p.user_id))
        for p in post_rows.itertuples()
    }
    replies = audience_events[audience_events["action"] == "reply"]
    first_reply: dict = {}
    for r in replies.itertuples():
        starter, started, _ = posts.get((r.platform, r.thread_id), (None, None, None))
        if starter is None or r.user_id == starter or r.ts < started:
            continue
        key = (r.platform, r.thread_id)
        first_reply[key] = min(first_reply.get(key, r.ts), r.ts)

    def month_index(month: str) -> int:
        year, number = map(int, month.split("-"))
        return year * 12 + number - 1

    active_by_month: dict = {}
    for (month, group), a in audience_events.groupby(["month", "group"]):
        creating = a[a["action"].isin(["post", "reply"])]
        active_by_month[(month_index(month), group)] = set(creating["user_id"])

    out = []
    for (month, group), e in ev.groupby(["month", "group"]):
        a = audience_events[
            (audience_events["month"] == month) & (audience_events["group"] == group)
        ]
        rec = {"month": month, "group": group}
        if roster is not None:
            rec["audience"] = len(set(roster["user_id"]))
            rec["outside_roster"] = e.loc[~e["user_id"].isin(members), "user_id"].nunique()
        else:
            rec["audience"] = ev.loc[ev["group"] == group, "user_id"].nunique()
            rec["outside_roster"] = 0
        kinds = a.groupby("user_id")["action"].agg(set)
        active = {u for u, k in kinds.items() if k & {"post", "reply"}}
        rec["seen"] = len(kinds)
        rec["active"] = len(active)
        rec["passive"] = rec["seen"] - len(active)
        rec["inactive"] = rec["audience"] - rec["seen"]
        for name in ("active", "passive", "inactive"):
            rec[f"{name}_share"] = rec[name] / rec["audience"]
        rec["creators"] = sum("post" in k for k in kinds)
        rec["consumers"] = sum(k == {"read"} for k in kinds)
        rec["contributors"] = rec["seen"] - rec["creators"] - rec["consumers"]
        for name in ("creators", "contributors", "consumers"):
            rec[f"{name}_share"] = rec[name] / rec["seen"] if rec["seen"] else math.nan
        creating = a[a["action"].isin(["post", "reply"])]
        days = creating.groupby("user_id")["day"].nunique().to_numpy()
        if len(days):
            p25, median, p75 = np.percentile(days, [25, 50, 75])
            rec.update(active_days_p25=p25, active_days_median=median, active_days_p75=p75)
            rec["active_days_mean"] = days.mean()
            rec["share_active_4_days"] = (days >= 4).mean()
            days_in_month = pd.Period(month).days_in_month
            rec["dau_mau"] = creating.groupby("day")["user_id"].nunique().sum() / (
                days_in_month * len(days)
            )
            x = creating.groupby("user_id").size().to_numpy().astype(float)
            n = len(x)
            rec["gini"] = np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean())
            top = np.sort(x)[::-1]
            rec["top1_share"] = top[: -(-n // 100)].sum() / x.sum()
            rec["top10_share"] = top[: -(-n // 10)].sum() / x.sum()
        else:
            for name in ("active_days_p25", "active_days_median", "active_days_p75"):
                rec[name] = math.nan
            for name in ("active_days_mean", "share_active_4_days", "dau_mau", "gini"):
                rec[name] = math.nan
            rec["top1_share"] = rec["top10_share"] = math.nan
        started = a[a["action"] == "post"]
        waits = []
        quick = 0
        for p in started.itertuples():
            reply_ts = first_reply.get((p.platform, p.thread_id))
            if reply_ts is not None:
                wait = (reply_ts - p.ts).total_seconds()
                waits.append(wait)
                quick += wait <= 1800
        rec["threads"] = len(started)
        rec["replied_threads"] = len(waits)
        rec["reply_rate"] = len(waits) / len(started) if len(started) else math.nan
        rec["median_time_to_first_reply"] = float(np.median(waits)) if waits else math.nan
        rec["share_replied_within_30_min"] = quick / len(started) if len(started) else math.nan
        if roster is not None:
            pairs = 0
            across = 0
            for r in a[a["action"] == "reply"].itertuples():
                starter, _, starter_department = posts.get(
                    (r.platform, r.thread_id), (None, None, None)
                )
                replier_department = department.get(r.user_id)
                if starter is None or starter == r.user_id:
                    continue
                if pd.isna(starter_department) or pd.isna(replier_department):
                    continue
                pairs += 1
                across += starter_department != replier_department
            rec["cross_department_reply_share"] = across / pairs if pairs else math.nan
        else:
            rec["cross_department_reply_share"] = math.nan
        mi = month_index(month)
        window = set()
        for back in range(12):
            window |= active_by_month.get((mi - back, group), set())
        rec["health_index"] = len(active) / len(window) if window else math.nan
        out.append(rec)
    return pd.DataFrame(out)


def as_comparable(df: pd.DataFrame, by_group: bool) -> pd.DataFrame:
    df = df.copy()
    df["month"] = df["month"].dt.strftime("%Y-%m")
    df["group"] = df["group_id"].fillna("<none>") if by_group else "<all>"
    return df.set_index(["month", "group"]).sort_index()


NUMERIC = [c for c in COLUMNS if c != "audience_source"]


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame, columns=NUMERIC) -> None:
    assert list(actual.index) == list(expected.index)
    for column in columns:
        a = actual[column].astype(float).to_numpy()
        b = expected[column].astype(float).to_numpy()
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9, equal_nan=True, err_msg=column)


@pytest.mark.parametrize("with_roster", [True, False], ids=["roster", "seen"])
@pytest.mark.parametrize("by_group", [False, True], ids=["overall", "by-group"])
def test_it_agrees_with_pandas_on_generated_data(
    metrics_backend, generated, generated_dir, with_roster, by_group
):
    events, roster = generated
    table = engines.read_events(metrics_backend, generated_dir)
    roster_table = (
        engines.read_roster(metrics_backend, generated_dir / "roster.parquet")
        if with_roster
        else None
    )
    actual = as_comparable(compute(table, roster_table, by_group=by_group), by_group)
    expected = reference(events, roster if with_roster else None, by_group).set_index(
        ["month", "group"]
    )
    expected = expected.sort_index()
    assert len(actual) >= (14 * 5 if by_group else 14)  # 2023-01 to 2024-02 and spill-over
    assert_same(actual, expected)
    # The data set is not trivial where it matters.
    assert (actual["outside_roster"] > 0).any() == with_roster
    assert actual["top10_share"].gt(actual["top1_share"]).any()


def test_both_engines_give_the_same_numbers(metrics_duckdb, metrics_spark, generated_dir):
    results = []
    for backend in (metrics_duckdb, metrics_spark):
        table = engines.read_events(backend, generated_dir)
        roster = engines.read_roster(backend, generated_dir / "roster.parquet")
        results.append(as_comparable(compute(table, roster, by_group=True), True))
    duckdb_result, spark_result = results
    assert_same(duckdb_result, spark_result)
    assert (duckdb_result["audience_source"] == spark_result["audience_source"]).all()
