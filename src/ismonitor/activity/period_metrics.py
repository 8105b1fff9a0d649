"""Use from per-user counts for a period (Microsoft 365 usage reports), written once in Ibis.

The usage reports give each user's posts, replies, reactions and reads over a period
(7, 30, 90 or 180 days) but no times, so only the metrics that need no timestamps can be
computed: audience, active/passive/inactive, the 90-9-1 split and participation
inequality. ``docs/metrics.md`` defines them; they follow the event metrics exactly, with
the report's period in place of the calendar month.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from .metrics import gini_and_top_shares

KEYS = ("platform", "period_start", "period_end")
COUNTS = ("posts", "replies", "reactions", "reads")


def read_period_counts(backend: ibis.BaseBackend, directory: str | Path) -> ibis.Table | None:
    """The ``period_counts`` table of a dataset, or None when it has no rows."""
    folder = Path(directory) / "period_counts"
    parts = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not parts:
        return None
    import pyarrow.parquet as pq

    if sum(pq.ParquetFile(part).metadata.num_rows for part in parts) == 0:
        return None
    if backend.name == "duckdb":
        return backend.read_parquet(str(folder / "*.parquet"))
    return backend.read_parquet(str(folder))


def _ratio(numerator: ir.Value, denominator: ir.Value) -> ir.FloatingValue:
    return ibis.ifelse(denominator > 0, numerator.cast("float64") / denominator, ibis.null())


def period_metrics(counts: ibis.Table, roster: ibis.Table | None = None) -> ibis.Table:
    """One row per platform and report period, as an Ibis expression.

    A user counts as ``active`` with at least one post or reply, ``passive`` with a
    reaction or read but no post or reply; ``inactive`` is the rest of the audience: the
    roster, or else everyone the report lists (the reports list every licensed user,
    also those with no activity: ``audience_source`` is then ``report``). The 90-9-1
    shares are of the users with any activity in the period, as for events. Missing
    counts (a report without reads, say) count as zero. Users outside the roster are
    left out when there is a roster.
    """
    c = counts
    filled = c.select(
        *KEYS,
        "user_id",
        **{name: c[name].fill_null(0).cast("int64") for name in COUNTS},
    )
    users = filled.group_by(*KEYS, "user_id").agg(
        **{name: filled[name].sum().cast("int64") for name in COUNTS}
    )
    if roster is not None:
        users = users.semi_join(roster.select("user_id").distinct(), "user_id")
    u = users.mutate(
        active=(users.posts + users.replies) > 0,
        passive=((users.posts + users.replies) == 0) & ((users.reactions + users.reads) > 0),
        creator=users.posts > 0,
        contributor=(users.posts == 0) & ((users.replies + users.reactions) > 0),
        consumer=((users.posts + users.replies + users.reactions) == 0) & (users.reads > 0),
        n=users.posts + users.replies,
    )
    base = u.group_by(*KEYS).agg(
        listed=u.count().cast("int64"),
        seen=(u.active | u.passive | u.creator | u.contributor | u.consumer).sum().cast("int64"),
        active=u.active.sum().cast("int64"),
        passive=u.passive.sum().cast("int64"),
        creators=u.creator.sum().cast("int64"),
        contributors=u.contributor.sum().cast("int64"),
        consumers=u.consumer.sum().cast("int64"),
    )
    if roster is not None:
        people = roster.select("user_id").distinct()
        size = people.aggregate(audience=people.count().cast("int64"))
        base = base.cross_join(size).mutate(audience_source=ibis.literal("roster"))
    else:
        base = base.mutate(audience=base.listed, audience_source=ibis.literal("report"))
    base = base.mutate(inactive=base.audience - base.active - base.passive)
    base = base.mutate(
        active_share=_ratio(base.active, base.audience),
        passive_share=_ratio(base.passive, base.audience),
        inactive_share=_ratio(base.inactive, base.audience),
        creators_share=_ratio(base.creators, base.seen),
        contributors_share=_ratio(base.contributors, base.seen),
        consumers_share=_ratio(base.consumers, base.seen),
    )
    return base.left_join(gini_and_top_shares(u, KEYS), list(KEYS)).select(
        *KEYS,
        "audience",
        "audience_source",
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
        "gini",
        "top1_share",
        "top10_share",
    )


def compute(counts: ibis.Table, roster: ibis.Table | None = None) -> pd.DataFrame:
    """Execute :func:`period_metrics`: one row per platform and period, in order."""
    frame = period_metrics(counts, roster).order_by(list(KEYS)).execute()
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    return frame.reset_index(drop=True)


def to_records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: NaN as None, numpy scalars as Python numbers."""
    records = []
    for row in frame.to_dict(orient="records"):
        records.append({
            key: None if value is None or (isinstance(value, float) and value != value)
            else value.item() if hasattr(value, "item") else value
            for key, value in row.items()
        })  # fmt: skip
    return records
