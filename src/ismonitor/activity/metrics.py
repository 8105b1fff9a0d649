"""Activity metrics per calendar month, written once in Ibis so they run on DuckDB and PySpark.

Active and passive use of the target group ("beoogde doelgroep"), the consume/contribute/
create pyramid (90-9-1), how often active users come back, dialogue (reply rate, time to
first reply), participation inequality, stickiness (DAU/MAU) and the community health
index. Every function takes the event table as an Ibis table (and optionally the roster)
and returns an Ibis table expression with one row per month, or per month and group;
:func:`compute` executes them all and returns a pandas DataFrame. The definitions, edge
cases and null rules are in ``docs/metrics.md``; keep the two in step.

Columns of the result (``month`` first, then ``group_id`` with ``by_group=True``):

===============================  ==========================================================
``month``                        first day of the calendar month (UTC), a date
``audience``                     the target group: roster size, or distinct users seen
``audience_source``              ``"roster"`` or ``"seen"``
``outside_roster``               distinct users outside the roster seen in the month
``seen``                         distinct audience users with any event in the month
``active``, ``passive``,         users with a post/reply; with only reacts/reads; the rest
``inactive``                     of the audience
``*_share``                      of the audience (active, passive, inactive) or of the
                                 users seen (creators, contributors, consumers)
``creators``, ``contributors``,  at least one post; no post but a reply or reaction;
``consumers``                    only reads
``active_days_*``                distinct active days per active user: median, p25, p75,
                                 mean; ``share_active_4_days``: share with 4 or more
``threads``, ``replied_threads`` threads started in the month; of those, replied to
``reply_rate`` ...               dialogue, see docs/metrics.md
``gini``, ``top1_share``,        inequality of posts+replies over active users
``top10_share``
``dau_mau``, ``health_index``    stickiness and community health
===============================  ==========================================================
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

ACTIONS = ("post", "reply", "react", "read")
#: Actions that make a user *active* ("actief": posting and responding to others).
CREATING = ("post", "reply")
PERIODS = ("month",)

#: Dialogue counts a thread as answered quickly within this many seconds (DOMAIN.md §6).
QUICK_REPLY_SECONDS = 30 * 60
#: ``share_active_4_days`` counts active users active on at least this many days.
FREQUENT_DAYS = 4
#: The community health index looks back this many months, the month itself included.
HEALTH_WINDOW_MONTHS = 12

COLUMNS = (
    "audience",
    "audience_source",
    "outside_roster",
    "seen",
    "active",
    "passive",
    "inactive",
    "active_share",
    "passive_share",
    "inactive_share",
    "creators",
    "contributors",
    "consumers",
    "creators_share",
    "contributors_share",
    "consumers_share",
    "active_days_median",
    "active_days_p25",
    "active_days_p75",
    "active_days_mean",
    "share_active_4_days",
    "threads",
    "replied_threads",
    "reply_rate",
    "median_time_to_first_reply",
    "share_replied_within_30_min",
    "cross_department_reply_share",
    "gini",
    "top1_share",
    "top10_share",
    "dau_mau",
    "health_index",
)
COUNT_COLUMNS = (
    "audience",
    "outside_roster",
    "seen",
    "active",
    "passive",
    "inactive",
    "creators",
    "contributors",
    "consumers",
    "threads",
    "replied_threads",
)


@dataclass(frozen=True)
class _Frame:
    """The events made ready once: known actions, month index, day, audience flag."""

    events: ir.Table  # every usable event, with ``mi`` and ``day``
    audience: ir.Table  # the events of audience users (all of them without a roster)
    roster: ir.Table | None  # one row per user_id, with ``department`` (null if unknown)
    keys: tuple[str, ...]  # ("mi",) or ("mi", "group_id")
    has_departments: bool = False  # the roster has a department column

    @property
    def by_group(self) -> bool:
        return "group_id" in self.keys


def _frame(events: ir.Table, roster: ir.Table | None, by_group: bool, period: str) -> _Frame:
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}: expected one of {', '.join(PERIODS)}")
    missing = {"platform", "ts", "user_id", "action", "thread_id"} - set(events.columns)
    if by_group:
        missing |= {"group_id"} - set(events.columns)
    if missing:
        raise ValueError(f"the event table lacks column(s) {', '.join(sorted(missing))}")
    ev = events.filter(
        events.action.isin(ACTIONS), events.user_id.notnull(), events.ts.notnull()
    ).select(
        # Only what the metrics use: engines may materialise this table.
        "platform",
        "user_id",
        "action",
        "thread_id",
        "ts",
        group_id=events.group_id if "group_id" in events.columns else ibis.null("string"),
        # Months as a running integer (year * 12 + month - 1): comparable, subtractable
        # and the same on every engine. The backends are set to UTC (engines.connect).
        mi=(events.ts.year().cast("int64") * 12 + events.ts.month().cast("int64") - 1),
        day=events.ts.date(),
    )
    people = None
    if roster is not None:
        if "user_id" not in roster.columns:
            raise ValueError("the roster lacks the column user_id")
        department = (
            roster.department.cast("string").min()
            if "department" in roster.columns
            else ibis.null("string")
        )
        # One row per user: a duplicated user_id must not duplicate that user's events.
        people = (
            roster.filter(roster.user_id.notnull())
            .group_by(user_id=roster.user_id.cast("string"))
            .agg(department=department, in_roster=ibis.literal(True))
        )
        ev = ev.left_join(people, "user_id").select(
            *ev.columns, "department", in_roster=ibis.coalesce(people.in_roster, False)
        )
        audience = ev.filter(ev.in_roster)
    else:
        audience = ev
    keys = ("mi", "group_id") if by_group else ("mi",)
    return _Frame(
        events=ev,
        audience=audience,
        roster=people,
        keys=keys,
        has_departments=roster is not None and "department" in roster.columns,
    )


def _ratio(numerator: ir.Value, denominator: ir.Value) -> ir.FloatingValue:
    """numerator / denominator as a float; null when the denominator is 0 or null."""
    return numerator.cast("float64") / denominator.cast("float64").nullif(0.0)


def _left_join(left: ir.Table, right: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """``left`` with the non-key columns of ``right`` joined on ``keys``.

    ``group_id`` may be null (events outside any group): joined null-safe, so those
    events form a group of their own instead of vanishing.
    """
    predicates = [
        left[k].identical_to(right[k]) if k == "group_id" else left[k] == right[k] for k in keys
    ]
    joined = left.left_join(right, predicates)
    return joined.select(
        *[left[c] for c in left.columns], *[right[c] for c in right.columns if c not in keys]
    )


def _periods(f: _Frame) -> ir.Table:
    """One row per month (and group) with at least one event, inside the roster or not."""
    return f.events.group_by(*f.keys).agg(
        year=f.events.ts.year().cast("int64").min(), month_no=f.events.ts.month().min()
    )


def _finish(f: _Frame, table: ir.Table, columns: tuple[str, ...]) -> ir.Table:
    """Replace the month index by ``month`` (a date) and keep ``columns``, in order."""
    first = ibis.date(table.year, table.month_no, 1)
    by = ("group_id",) if f.by_group else ()
    return table.select(month=first, **{k: table[k] for k in by}, **{c: table[c] for c in columns})


def _days_in_month(year: ir.IntegerValue, month: ir.IntegerValue) -> ir.IntegerValue:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        ibis.cases(
            (month == 2, ibis.ifelse(leap, 29, 28)),
            (month.isin([4, 6, 9, 11]), 30),
            else_=31,
        )
    ).cast("int64")


# --- per user and month ----------------------------------------------------------------


def _user_months(f: _Frame) -> ir.Table:
    """One row per audience user and month (and group) with their counts and active days."""
    e = f.audience
    creating = e.action.isin(CREATING)
    return e.group_by(*f.keys, "user_id").agg(
        posts=(e.action == "post").sum().cast("int64"),
        replies=(e.action == "reply").sum().cast("int64"),
        reacts=(e.action == "react").sum().cast("int64"),
        active_days=e.day.nunique(where=creating).cast("int64"),
    )


def _user_stats(f: _Frame) -> ir.Table:
    """Usage, pyramid and frequency counts per month (and group), from one aggregation."""
    u = _user_months(f)
    contributions = u.posts + u.replies
    is_active = contributions > 0
    days = u.active_days.cast("float64")
    return u.group_by(*f.keys).agg(
        seen=u.count(),
        active=is_active.sum().cast("int64"),
        creators=(u.posts > 0).sum().cast("int64"),
        contributors=((u.posts == 0) & ((u.replies + u.reacts) > 0)).sum().cast("int64"),
        consumers=((contributions + u.reacts) == 0).sum().cast("int64"),
        active_days_median=days.quantile(0.5, where=is_active),
        active_days_p25=days.quantile(0.25, where=is_active),
        active_days_p75=days.quantile(0.75, where=is_active),
        active_days_sum=u.active_days.sum(where=is_active).cast("int64"),
        frequent=(is_active & (u.active_days >= FREQUENT_DAYS)).sum().cast("int64"),
    )


def _inequality(f: _Frame) -> ir.Table:
    """Gini and top-1 %/top-10 % shares of posts+replies over the active users."""
    u = _user_months(f)
    return gini_and_top_shares(u.select(*f.keys, n=u.posts + u.replies), f.keys)


def gini_and_top_shares(users: ir.Table, keys: tuple[str, ...] | list[str]) -> ir.Table:
    """Gini and the top-1 %/top-10 % shares of ``n`` over users with ``n > 0``, per ``keys``.

    ``users`` has one row per user with the ``keys`` and ``n`` (posts plus replies); also
    used for the per-period counts of usage reports (:mod:`.period_metrics`).
    """
    keys = list(keys)
    u = users.filter(users.n > 0)
    window_asc = ibis.window(group_by=keys, order_by=[u.n])
    window_desc = ibis.window(group_by=keys, order_by=[ibis.desc(u.n)])
    # Ranks from 1; ties take any order, which changes neither sum below.
    r = u.mutate(
        rank_asc=ibis.row_number().over(window_asc).cast("int64") + 1,
        rank_desc=ibis.row_number().over(window_desc).cast("int64") + 1,
        users=u.count().over(ibis.window(group_by=keys)).cast("int64"),
    )
    stats = r.group_by(*keys).agg(
        users=r.users.max(),
        total=r.n.sum().cast("int64"),
        # Gini = sum_i (2i - n - 1) x_(i) / (n * sum x), x sorted ascending: an exact
        # integer numerator, so every engine gives the same float.
        gini_numerator=((2 * r.rank_asc - r.users - 1) * r.n).sum().cast("int64"),
        # The top k users, k = ceil(users * p), at least 1: rank r is in the top when
        # (r - 1) < users * p, written in integers to avoid float rounding.
        top1=r.n.sum(where=(r.rank_desc - 1) * 100 < r.users).cast("int64"),
        top10=r.n.sum(where=(r.rank_desc - 1) * 10 < r.users).cast("int64"),
    )
    return stats.select(
        *keys,
        gini=_ratio(stats.gini_numerator, stats.users * stats.total),
        top1_share=_ratio(stats.top1, stats.total),
        top10_share=_ratio(stats.top10, stats.total),
    )


def _health(f: _Frame) -> ir.Table:
    """Users active at least once in the 12 months ending with each month."""
    u = _user_months(f)
    active = u.filter(u.posts + u.replies > 0).select(*f.keys, "user_id")
    offsets = ibis.memtable({"offset": list(range(HEALTH_WINDOW_MONTHS))})
    spread = active.cross_join(offsets)
    spread = spread.select(
        *[k for k in f.keys if k != "mi"], "user_id", mi=spread.mi + spread.offset.cast("int64")
    )
    return spread.group_by(*f.keys).agg(active_12m=spread.user_id.nunique().cast("int64"))


def _dialogue(f: _Frame) -> ir.Table:
    """Threads started per month and how they were answered."""
    e = f.audience
    posts = e.filter(e.action == "post").select(
        *f.keys, "platform", "thread_id", starter=e.user_id, started=e.ts
    )
    replies = e.filter(e.action == "reply").select(
        "platform", "thread_id", replier=e.user_id, replied=e.ts
    )
    answered = posts.join(
        replies,
        [
            posts.platform == replies.platform,
            posts.thread_id == replies.thread_id,
            posts.starter != replies.replier,
            replies.replied >= posts.started,
        ],
    )
    first = answered.group_by(answered.platform, answered.thread_id, answered.started).agg(
        first_reply=answered.replied.min()
    )
    threads = posts.left_join(
        first,
        [
            posts.platform == first.platform,
            posts.thread_id == first.thread_id,
            posts.started == first.started,
        ],
    ).select(*[posts[k] for k in f.keys], posts.started, first.first_reply)
    wait = threads.first_reply.delta(threads.started, unit="microsecond").cast("float64") / 1e6
    stats = threads.group_by(*f.keys).agg(
        threads=threads.count().cast("int64"),
        replied_threads=threads.first_reply.notnull().sum().cast("int64"),
        median_time_to_first_reply=wait.quantile(0.5),
        # A thread without a reply has a null wait: it counts as not answered quickly.
        quick=ibis.ifelse(wait <= QUICK_REPLY_SECONDS, 1, 0).sum().cast("int64"),
    )
    return stats.select(
        *f.keys,
        "threads",
        "replied_threads",
        reply_rate=_ratio(stats.replied_threads, stats.threads),
        median_time_to_first_reply="median_time_to_first_reply",
        share_replied_within_30_min=_ratio(stats.quick, stats.threads),
    )


def _cross_department(f: _Frame) -> ir.Table | None:
    """Share of replies (by month of the reply) across departments; None without them."""
    if not f.has_departments:
        return None
    e = f.audience
    posts = e.filter(e.action == "post").select(
        "platform", "thread_id", starter=e.user_id, starter_department=e.department
    )
    replies = e.filter(e.action == "reply").select(
        *f.keys, "platform", "thread_id", replier=e.user_id, replier_department=e.department
    )
    pairs = replies.join(
        posts,
        [
            replies.platform == posts.platform,
            replies.thread_id == posts.thread_id,
            replies.replier != posts.starter,
        ],
    )
    pairs = pairs.filter(pairs.starter_department.notnull(), pairs.replier_department.notnull())
    stats = pairs.group_by(*f.keys).agg(
        pairs=pairs.count(),
        across=(pairs.starter_department != pairs.replier_department).sum(),
    )
    return stats.select(*f.keys, cross_department_reply_share=_ratio(stats.across, stats.pairs))


def _audience(f: _Frame) -> ir.Table:
    """Every month (and group) with the audience, its source and users outside the roster."""
    periods = _periods(f)
    if f.roster is not None:
        size = f.roster.count().as_scalar().cast("int64")
        periods = periods.mutate(audience=size, audience_source=ibis.literal("roster"))
        outside = f.events.filter(~f.events.in_roster)
        outside = outside.group_by(*f.keys).agg(
            outside_roster=outside.user_id.nunique().cast("int64")
        )
        periods = _left_join(periods, outside, f.keys)
        return periods.mutate(outside_roster=periods.outside_roster.coalesce(0))
    e = f.events
    if f.by_group:
        seen = e.group_by("group_id").agg(audience=e.user_id.nunique().cast("int64"))
        periods = _left_join(periods, seen, ("group_id",))
    else:
        periods = periods.mutate(audience=e.user_id.nunique().as_scalar().cast("int64"))
    return periods.mutate(audience_source=ibis.literal("seen"), outside_roster=ibis.literal(0))


# --- the public metric functions --------------------------------------------------------


def _usage_columns(t: ir.Table) -> dict[str, ir.Value]:
    seen = t.seen.coalesce(0)
    active = t.active.coalesce(0)
    passive = seen - active
    # Never negative: every audience user seen is in the audience (the roster filters
    # the events; without a roster the audience is everyone seen in the whole data).
    inactive = t.audience - seen
    return {
        "seen": seen,
        "active": active,
        "passive": passive,
        "inactive": inactive,
        "active_share": _ratio(active, t.audience),
        "passive_share": _ratio(passive, t.audience),
        "inactive_share": _ratio(inactive, t.audience),
    }


def _pyramid_columns(t: ir.Table) -> dict[str, ir.Value]:
    seen = t.seen.coalesce(0)
    creators = t.creators.coalesce(0)
    contributors = t.contributors.coalesce(0)
    consumers = t.consumers.coalesce(0)
    return {
        "creators": creators,
        "contributors": contributors,
        "consumers": consumers,
        "creators_share": _ratio(creators, seen),
        "contributors_share": _ratio(contributors, seen),
        "consumers_share": _ratio(consumers, seen),
    }


def _frequency_columns(t: ir.Table) -> dict[str, ir.Value]:
    days_in_month = _days_in_month(t.year, t.month_no)
    return {
        "active_days_median": t.active_days_median,
        "active_days_p25": t.active_days_p25,
        "active_days_p75": t.active_days_p75,
        "active_days_mean": _ratio(t.active_days_sum, t.active),
        "share_active_4_days": _ratio(t.frequent, t.active),
        # Mean daily active users over all calendar days / monthly active users. The sum
        # of daily active users over the month equals the sum of active days per user.
        "dau_mau": _ratio(t.active_days_sum, days_in_month * t.active),
    }


def _with_user_stats(f: _Frame) -> ir.Table:
    return _left_join(_audience(f), _user_stats(f), f.keys)


def usage(
    events: ir.Table, roster: ir.Table | None = None, by_group: bool = False, period="month"
) -> ir.Table:
    """Active, passive and inactive users of the audience per month (actief/passief gebruik).

    Returns ``month`` [, ``group_id``], ``audience``, ``audience_source``,
    ``outside_roster``, ``seen``, ``active``, ``passive``, ``inactive`` and the three
    ``*_share`` columns (of the audience). See docs/metrics.md.
    """
    f = _frame(events, roster, by_group, period)
    t = _with_user_stats(f)
    t = t.mutate(**_usage_columns(t))
    return _finish(
        f,
        t,
        (
            "audience",
            "audience_source",
            "outside_roster",
            "seen",
            "active",
            "passive",
            "inactive",
            "active_share",
            "passive_share",
            "inactive_share",
        ),
    )


def pyramid(
    events: ir.Table, roster: ir.Table | None = None, by_group: bool = False, period="month"
) -> ir.Table:
    """The consume/contribute/create split (90-9-1) of the users seen per month.

    Returns ``month`` [, ``group_id``], ``seen``, ``creators``, ``contributors``,
    ``consumers`` and their ``*_share`` of ``seen``.
    """
    f = _frame(events, roster, by_group, period)
    t = _with_user_stats(f)
    t = t.mutate(seen=t.seen.coalesce(0), **_pyramid_columns(t))
    return _finish(
        f,
        t,
        (
            "seen",
            "creators",
            "contributors",
            "consumers",
            "creators_share",
            "contributors_share",
            "consumers_share",
        ),
    )


def frequency(
    events: ir.Table, roster: ir.Table | None = None, by_group: bool = False, period="month"
) -> ir.Table:
    """Distinct active days per active user, and DAU/MAU, per month.

    Returns ``month`` [, ``group_id``], ``active``, ``active_days_median``,
    ``active_days_p25``, ``active_days_p75``, ``active_days_mean``,
    ``share_active_4_days`` and ``dau_mau``.
    """
    f = _frame(events, roster, by_group, period)
    t = _with_user_stats(f)
    t = t.mutate(**_frequency_columns(t)).mutate(active=t.active.coalesce(0))
    return _finish(
        f,
        t,
        (
            "active",
            "active_days_median",
            "active_days_p25",
            "active_days_p75",
            "active_days_mean",
            "share_active_4_days",
            "dau_mau",
        ),
    )


def dialogue(
    events: ir.Table, roster: ir.Table | None = None, by_group: bool = False, period="month"
) -> ir.Table:
    """Reply rate, time to first reply and cross-department replies per month.

    Returns ``month`` [, ``group_id``], ``threads``, ``replied_threads``,
    ``reply_rate``, ``median_time_to_first_reply`` (seconds),
    ``share_replied_within_30_min`` and ``cross_department_reply_share``.
    """
    f = _frame(events, roster, by_group, period)
    t = _with_dialogue(f, _periods(f))
    return _finish(f, t, _DIALOGUE)


_DIALOGUE = (
    "threads",
    "replied_threads",
    "reply_rate",
    "median_time_to_first_reply",
    "share_replied_within_30_min",
    "cross_department_reply_share",
)


def _with_dialogue(f: _Frame, t: ir.Table) -> ir.Table:
    t = _left_join(t, _dialogue(f), f.keys)
    cross = _cross_department(f)
    if cross is None:
        t = t.mutate(cross_department_reply_share=ibis.null("float64"))
    else:
        t = _left_join(t, cross, f.keys)
    return t.mutate(threads=t.threads.coalesce(0), replied_threads=t.replied_threads.coalesce(0))


def inequality(
    events: ir.Table, roster: ir.Table | None = None, by_group: bool = False, period="month"
) -> ir.Table:
    """Participation inequality of posts+replies over active users per month.

    Returns ``month`` [, ``group_id``], ``gini``, ``top1_share``, ``top10_share``.
    """
    f = _frame(events, roster, by_group, period)
    t = _left_join(_periods(f), _inequality(f), f.keys)
    return _finish(f, t, ("gini", "top1_share", "top10_share"))


def health(
    events: ir.Table, roster: ir.Table | None = None, by_group: bool = False, period="month"
) -> ir.Table:
    """Community health index: active this month over active in the last 12 months.

    Returns ``month`` [, ``group_id``], ``active``, ``active_12m``, ``health_index``.
    """
    f = _frame(events, roster, by_group, period)
    t = _left_join(_with_user_stats(f), _health(f), f.keys)
    t = t.mutate(active=t.active.coalesce(0), active_12m=t.active_12m.coalesce(0))
    t = t.mutate(health_index=_ratio(t.active, t.active_12m))
    return _finish(f, t, ("active", "active_12m", "health_index"))


def metrics(
    events: ir.Table, roster: ir.Table | None = None, by_group: bool = False, period="month"
) -> ir.Table:
    """Every metric in one expression: ``month`` [, ``group_id``] and :data:`COLUMNS`."""
    return _metrics(_frame(events, roster, by_group, period))


def _metrics(f: _Frame) -> ir.Table:
    t = _with_user_stats(f)
    t = _left_join(t, _inequality(f), f.keys)
    t = _left_join(t, _health(f), f.keys)
    t = _with_dialogue(f, t)
    t = t.mutate(**_usage_columns(t), **_frequency_columns(t))
    t = t.mutate(**_pyramid_columns(t), health_index=_ratio(t.active, t.active_12m))
    return _finish(f, t, COLUMNS)


def compute(
    events: ir.Table,
    roster: ir.Table | None = None,
    period: str = "month",
    by_group: bool = False,
) -> pd.DataFrame:
    """Execute :func:`metrics` and return one row per month (and group), in order.

    Count columns are integers, shares and distributions floats with NaN where a metric
    has no value (docs/metrics.md says when), ``month`` a ``datetime64`` at the first
    day of the month.

    Examples
    --------
    >>> from ismonitor.activity.engines import connect, read_events
    >>> con = connect("duckdb")  # doctest: +SKIP
    >>> compute(read_events(con, "export/"))  # doctest: +SKIP
    """
    df = metrics(events, roster, by_group=by_group, period=period).execute()
    df["month"] = pd.to_datetime(df["month"])
    for column in COUNT_COLUMNS:
        df[column] = df[column].astype("int64")
    for column in set(COLUMNS) - set(COUNT_COLUMNS) - {"audience_source"}:
        df[column] = df[column].astype("float64")
    order = ["month", "group_id"] if by_group else ["month"]
    return df.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)


def to_records(df: pd.DataFrame) -> list[dict]:
    """One JSON-ready dict per row of :func:`compute`: ``"month": "YYYY-MM"``, NaN as None."""
    records = []
    for row in df.to_dict(orient="records"):
        record = {"month": pd.Timestamp(row.pop("month")).strftime("%Y-%m")}
        for key, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                record[key] = None
            elif hasattr(value, "item"):  # numpy scalars
                record[key] = value.item()
            elif value is pd.NA:
                record[key] = None
            else:
                record[key] = value
        records.append(record)
    return records


def to_json(df: pd.DataFrame, indent: int | None = 2) -> str:
    """:func:`to_records` as a JSON array, for ``ismonitor activity metrics --json``."""
    return json.dumps(to_records(df), indent=indent, ensure_ascii=False)
