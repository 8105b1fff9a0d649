"""The activity metrics in straightforward, vectorised pandas: the benchmark's third engine.

Same definitions as docs/metrics.md, for the case with a roster; the result has the
columns of :func:`ismonitor.activity.metrics.compute` (``group_id`` always present, the
string ``"all"`` overall, as in bench/activity_sql.sql).
"""

from __future__ import annotations

import pandas as pd

ACTIONS = ["post", "reply", "react", "read"]
NULL_GROUP = "\0null"


def _ratio(numerator, denominator):
    """numerator / denominator as floats, NaN where the denominator is 0 (or missing)."""
    if isinstance(denominator, pd.Series):
        denominator = denominator.astype("float64")
        denominator = denominator.where(denominator != 0)
    else:
        denominator = float(denominator) if denominator else float("nan")
    if isinstance(numerator, pd.Series):
        numerator = numerator.astype("float64")
    return numerator / denominator


def prepare(events: pd.DataFrame, roster: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = events[events["action"].isin(ACTIONS) & events["user_id"].notna() & events["ts"].notna()]
    ev = ev[["platform", "user_id", "action", "thread_id", "ts", "group_id"]].copy()
    ts = ev["ts"].dt.tz_convert("UTC") if ev["ts"].dt.tz is not None else ev["ts"]
    ev["mi"] = (ts.dt.year * 12 + ts.dt.month - 1).astype("int64")
    ev["day"] = ts.dt.floor("D")
    people = (
        roster.dropna(subset=["user_id"])
        .groupby("user_id", as_index=False)["department"]
        .min()
        .assign(in_roster=True)
    )
    ev = ev.merge(people, on="user_id", how="left")
    ev["in_roster"] = ev["in_roster"].fillna(False).astype(bool)
    return ev, people


def metrics(ev: pd.DataFrame, people: pd.DataFrame, by_group: bool) -> pd.DataFrame:
    # A stand-in for the null group, so that every group-by and join keeps it.
    ev = ev.assign(k=ev["group_id"].fillna(NULL_GROUP) if by_group else "all")
    keys = ["mi", "k"]
    audience = len(people)
    aud = ev[ev["in_roster"]]

    out = ev.groupby(keys).size().to_frame("events")
    outside = ev[~ev["in_roster"]].groupby(keys)["user_id"].nunique()
    out["outside_roster"] = outside.reindex(out.index, fill_value=0)

    # Per user and month.
    um = (
        aud.groupby(keys + ["user_id", "action"], observed=True)
        .size()
        .unstack("action", fill_value=0)
        .reindex(columns=ACTIONS, fill_value=0)
    )
    creating = aud[aud["action"].isin(["post", "reply"])]
    days = creating.drop_duplicates(keys + ["user_id", "day"]).groupby(keys + ["user_id"]).size()
    um["days"] = days.reindex(um.index, fill_value=0)
    um = um.reset_index()
    um["n"] = um["post"] + um["reply"]
    um["is_active"] = um["n"] > 0
    um["creator"] = um["post"] > 0
    um["contributor"] = (um["post"] == 0) & (um["reply"] + um["react"] > 0)
    um["consumer"] = um["n"] + um["react"] == 0
    active_um = um[um["is_active"]].copy()
    active_um["frequent"] = active_um["days"] >= 4

    g = um.groupby(keys)
    out["seen"] = g.size()
    for column, source in [
        ("active", "is_active"),
        ("creators", "creator"),
        ("contributors", "contributor"),
        ("consumers", "consumer"),
    ]:
        out[column] = g[source].sum()
    ga = active_um.groupby(keys)
    out["active_days_median"] = ga["days"].quantile(0.5)
    out["active_days_p25"] = ga["days"].quantile(0.25)
    out["active_days_p75"] = ga["days"].quantile(0.75)
    out["days_sum"] = ga["days"].sum()
    out["frequent"] = ga["frequent"].sum()

    # Inequality: sort each month's active users by contributions.
    r = active_um[keys + ["n"]].sort_values(keys + ["n"], kind="stable")
    r["users"] = r.groupby(keys)["n"].transform("size")
    r["r_asc"] = r.groupby(keys).cumcount() + 1
    r["r_desc"] = r["users"] - r["r_asc"] + 1
    r["gini_term"] = (2 * r["r_asc"] - r["users"] - 1) * r["n"]
    r["top1"] = r["n"].where((r["r_desc"] - 1) * 100 < r["users"], 0)
    r["top10"] = r["n"].where((r["r_desc"] - 1) * 10 < r["users"], 0)
    gi = r.groupby(keys).agg(
        users=("users", "max"),
        total=("n", "sum"),
        gini_term=("gini_term", "sum"),
        top1=("top1", "sum"),
        top10=("top10", "sum"),
    )
    out["gini"] = _ratio(gi["gini_term"], gi["users"] * gi["total"]).reindex(out.index)
    out["top1_share"] = _ratio(gi["top1"], gi["total"]).reindex(out.index)
    out["top10_share"] = _ratio(gi["top10"], gi["total"]).reindex(out.index)

    # Health: users active in the 12 months ending with each month.
    spread = pd.concat(
        [active_um[keys + ["user_id"]].assign(mi=active_um["mi"] + o) for o in range(12)]
    )
    health = spread.groupby(keys)["user_id"].nunique()
    out["active_12m"] = health.reindex(out.index)

    # Dialogue.
    posts = aud.loc[aud["action"] == "post", keys + ["platform", "thread_id", "user_id", "ts"]]
    posts = posts.rename(columns={"user_id": "starter", "ts": "started"})
    posts = posts.assign(starter_department=aud.loc[aud["action"] == "post", "department"])
    replies = aud.loc[
        aud["action"] == "reply", keys + ["platform", "thread_id", "user_id", "ts", "department"]
    ].rename(columns={"user_id": "replier", "ts": "replied", "department": "replier_department"})
    pairs = replies.drop(columns=keys).merge(
        posts[["platform", "thread_id", "starter", "started"]], on=["platform", "thread_id"]
    )
    pairs = pairs[(pairs["replier"] != pairs["starter"]) & (pairs["replied"] >= pairs["started"])]
    first = pairs.groupby(["platform", "thread_id", "started"], as_index=False)["replied"].min()
    threads = posts.merge(first, on=["platform", "thread_id", "started"], how="left")
    threads["wait"] = (threads["replied"] - threads["started"]).dt.total_seconds()
    threads["quick"] = threads["wait"] <= 1800
    gd = threads.groupby(keys)
    dlg = pd.DataFrame(
        {
            "threads": gd.size(),
            "replied_threads": gd["wait"].count(),
            "median_time_to_first_reply": gd["wait"].median(),
            "quick": gd["quick"].sum(),
        }
    )
    out = out.join(dlg, how="left")

    cross = replies.merge(
        posts[["platform", "thread_id", "starter", "starter_department"]],
        on=["platform", "thread_id"],
    )
    cross = cross[
        (cross["replier"] != cross["starter"])
        & cross["replier_department"].notna()
        & cross["starter_department"].notna()
    ]
    cross["across"] = cross["replier_department"] != cross["starter_department"]
    gc = cross.groupby(keys)["across"]
    out["cross_department_reply_share"] = _ratio(gc.sum(), gc.size()).reindex(out.index)

    # The final columns.
    out = out.reset_index()
    counts = ("seen", "active", "creators", "contributors", "consumers")
    for column in (*counts, "threads", "replied_threads", "quick"):
        out[column] = out[column].fillna(0).astype("int64")
    month = pd.to_datetime(
        {"year": out["mi"] // 12, "month": out["mi"] % 12 + 1, "day": 1}
    ).dt.as_unit("us")
    result = pd.DataFrame({"month": month, "group_id": out["k"].replace(NULL_GROUP, None)})
    result["audience"] = audience
    result["audience_source"] = "roster"
    result["outside_roster"] = out["outside_roster"]
    result["seen"] = out["seen"]
    result["active"] = out["active"]
    result["passive"] = out["seen"] - out["active"]
    result["inactive"] = audience - out["seen"]
    for name in ("active", "passive", "inactive"):
        result[f"{name}_share"] = _ratio(result[name], audience)
    for name in ("creators", "contributors", "consumers"):
        result[name] = out[name]
        result[f"{name}_share"] = _ratio(out[name], out["seen"])
    result["active_days_median"] = out["active_days_median"]
    result["active_days_p25"] = out["active_days_p25"]
    result["active_days_p75"] = out["active_days_p75"]
    result["active_days_mean"] = _ratio(out["days_sum"], out["active"])
    result["share_active_4_days"] = _ratio(out["frequent"], out["active"])
    result["threads"] = out["threads"]
    result["replied_threads"] = out["replied_threads"]
    result["reply_rate"] = _ratio(out["replied_threads"], out["threads"])
    result["median_time_to_first_reply"] = out["median_time_to_first_reply"]
    result["share_replied_within_30_min"] = _ratio(out["quick"], out["threads"])
    result["cross_department_reply_share"] = out["cross_department_reply_share"]
    result["gini"] = out["gini"]
    result["top1_share"] = out["top1_share"]
    result["top10_share"] = out["top10_share"]
    result["dau_mau"] = _ratio(out["days_sum"], month.dt.days_in_month * out["active"])
    result["health_index"] = _ratio(out["active"], out["active_12m"])
    return result.sort_values(["month", "group_id"], na_position="first").reset_index(drop=True)


def run(events_source, roster_path) -> dict[str, pd.DataFrame]:
    """Read the Parquet once and compute the suite overall and per group."""
    events = pd.read_parquet(events_source)
    roster = pd.read_parquet(roster_path)
    ev, people = prepare(events, roster)
    del events
    return {
        "overall": metrics(ev, people, by_group=False),
        "by_group": metrics(ev, people, by_group=True),
    }
