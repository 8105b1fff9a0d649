"""Benchmark the activity metrics: Ibis on DuckDB and PySpark, hand-written SQL, pandas.

Generates N events in the event table's format (a few creators, many readers, Zipf-like
activity per user, per group and per thread) as Parquet with a roster, then runs the full
metric suite (overall and per group, with the roster) once per engine, each engine in its
own child process, and reports wall time and peak memory (the child's peak RSS from
``wait4``; for PySpark plus the JVM's peak RSS, ``VmHWM``). Every engine's numbers are
checked against Ibis on DuckDB (to 1e-9).

Example::

    .venv/bin/python bench/activity.py --events 1000000
    .venv/bin/python bench/activity.py --events 10000000 --engines duckdb,sql --data /tmp/ev10m

Engines: ``duckdb`` (Ibis on DuckDB), ``pyspark`` (Ibis on PySpark, local[2]), ``sql``
(bench/activity_sql.sql on DuckDB), ``pandas`` (bench/activity_pandas.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ENGINES = ("duckdb", "sql", "pandas", "pyspark")
START_US = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1_000_000)
YEAR_US = 366 * 24 * 3600 * 1_000_000
HOUR_US = 3600 * 1_000_000
GENERATOR_VERSION = 2  # bump when generate() changes, so that --data is made anew

# Share of events per action, and how skewed each action is over users: the exponent of
# a Zipf-like weight 1 / rank^s (a few people post, many read).
ACTION_SHARE = {"post": 0.02, "reply": 0.08, "react": 0.15, "read": 0.75}
ACTION_SKEW = {"post": 1.1, "reply": 0.9, "react": 0.7, "read": 0.2}
MEAN_DELAY_HOURS = {"reply": 4, "react": 8, "read": 24}


# --- data -------------------------------------------------------------------------------


def _cdf(weights: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(weights, dtype=float)
    return cdf / cdf[-1]


def _draw(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n)), len(cdf) - 1)


def _prefixed(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def generate(directory: Path, n_events: int, seed: int = 1, chunk: int = 2_000_000) -> dict:
    """Write ``directory/events/part-*.parquet`` (N events) and ``directory/roster.parquet``."""
    rng = np.random.default_rng(seed)
    n_users = int(np.clip(n_events // 200, 1_000, 500_000))
    n_groups = max(10, n_users // 500)
    ranks = np.arange(1, n_users + 1, dtype=float)
    user_of_rank = rng.permutation(n_users)  # ids do not give the activity rank away
    user_cdf = {action: _cdf(ranks**-skew) for action, skew in ACTION_SKEW.items()}
    group_weight = np.arange(1, n_groups + 1, dtype=float) ** -1.0
    # The last slot is "no group": 5 % of the threads.
    group_cdf = _cdf(np.append(group_weight, group_weight.sum() * 0.05 / 0.95))
    other = ("reply", "react", "read")
    action_cdf = _cdf(np.array([ACTION_SHARE[a] for a in other]))

    events_dir = directory / "events"
    events_dir.mkdir(parents=True, exist_ok=True)
    written = part = 0
    while written < n_events:
        size = min(chunk, n_events - written)
        n_posts = max(1, int(size * ACTION_SHARE["post"]))
        n_other = size - n_posts
        post_ts = START_US + rng.integers(0, YEAR_US, n_posts)
        post_user = user_of_rank[_draw(rng, user_cdf["post"], n_posts)]
        post_group = _draw(rng, group_cdf, n_posts)  # n_groups: no group
        thread_cdf = _cdf(np.arange(1, n_posts + 1, dtype=float) ** -0.8)
        thread = rng.permutation(n_posts)[_draw(rng, thread_cdf, n_other)]
        kind = _draw(rng, action_cdf, n_other)
        user = np.empty(n_other, dtype=np.int64)
        delay = np.empty(n_other, dtype=np.int64)
        for index, action in enumerate(other):
            mask = kind == index
            count = int(mask.sum())
            user[mask] = user_of_rank[_draw(rng, user_cdf[action], count)]
            mean = MEAN_DELAY_HOURS[action] * HOUR_US
            delay[mask] = rng.exponential(mean, count).astype(np.int64)

        ids = written + np.arange(size, dtype=np.int64)
        post_ids = ids[:n_posts]
        ts = np.concatenate([post_ts, post_ts[thread] + delay])
        users = np.concatenate([post_user, user])
        groups = np.concatenate([post_group, post_group[thread]])
        thread_ids = np.concatenate([post_ids, post_ids[thread]])
        actions = np.concatenate([np.zeros(n_posts, dtype=np.int8), kind.astype(np.int8) + 1])
        order = np.argsort(ts, kind="stable")  # exports come in time order

        event_id = _prefixed("e", ids)  # ids stay in generation order: unique
        thread_id = _prefixed("e", thread_ids[order])
        parent = pc.if_else(pa.array(actions[order] == 0), pa.scalar(None, pa.string()), thread_id)
        group_numbers = groups[order]
        group_id = pc.if_else(
            pa.array(group_numbers == n_groups),
            pa.scalar(None, pa.string()),
            _prefixed("g", group_numbers),
        )
        table = pa.table(
            {
                "platform": pa.repeat("slack", size),
                "event_id": event_id,
                "ts": pa.array(ts[order], type=pa.timestamp("us", tz="UTC")),
                "user_id": _prefixed("u", users[order]),
                "action": pa.array(np.array(["post", *other])[actions[order]]),
                "thread_id": thread_id,
                "parent_id": parent,
                "group_id": group_id,
            }
        )
        pq.write_table(table, events_dir / f"part-{part:05d}.parquet", row_group_size=1 << 20)
        written += size
        part += 1

    # The roster: most users (one in 37 is missing: outside the roster), a tenth more who
    # never appear, 15 departments of unequal size and a few without one.
    members = np.arange(n_users)
    members = members[members % 37 != 5]
    never = n_users // 10
    departments = np.array([f"dept{i:02d}" for i in range(15)] + [None], dtype=object)
    dept_cdf = _cdf(np.append(np.arange(1, 16, dtype=float) ** -0.7, 0.1))
    roster = pa.table(
        {
            "user_id": pa.concat_arrays(
                [_prefixed("u", members), _prefixed("n", np.arange(never))]
            ),
            "department": pa.array(departments[_draw(rng, dept_cdf, len(members) + never)]),
        }
    )
    pq.write_table(roster, directory / "roster.parquet")
    info = {
        "events": n_events,
        "users": n_users,
        "groups": n_groups,
        "seed": seed,
        "generator": GENERATOR_VERSION,
    }
    (directory / "bench-data.json").write_text(json.dumps(info))
    return info


# --- one engine, in a child process -----------------------------------------------------


def _descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return children + [d for c in children for d in _descendants(c)]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_engine(engine: str, data: Path, out: Path, options: dict) -> dict:
    """Run the suite on one engine ``repeat`` times; write the last results as Parquet."""
    started = time.perf_counter()
    jvm_peak_mb = 0.0
    if engine in ("duckdb", "pyspark"):
        from ismonitor.activity import engines
        from ismonitor.activity.metrics import compute

        if engine == "duckdb":
            config = {"memory_limit": options["duckdb_memory"]} if options["duckdb_memory"] else {}
            con = engines.connect("duckdb", **config)
        else:
            con = engines.connect(
                "pyspark",
                **{
                    "spark.driver.memory": options["spark_memory"],
                    "spark.sql.shuffle.partitions": str(options["spark_partitions"]),
                },
            )

        def suite():
            events = engines.read_events(con, data)
            roster = engines.read_roster(con, data / "roster.parquet")
            return {
                "overall": compute(events, roster),
                "by_group": compute(events, roster, by_group=True),
            }

    elif engine == "sql":
        import duckdb

        con = duckdb.connect(
            config={"memory_limit": options["duckdb_memory"]} if options["duckdb_memory"] else {}
        )
        con.execute("SET TimeZone = 'UTC'")
        template = (HERE / "activity_sql.sql").read_text()
        sources = {
            "events": f"read_parquet('{data / 'events' / '**' / '*.parquet'}')",
            "roster": f"read_parquet('{data / 'roster.parquet'}')",
        }

        def suite():
            return {
                "overall": con.sql(template.format(group_expr="'all'", **sources)).df(),
                "by_group": con.sql(template.format(group_expr="group_id", **sources)).df(),
            }

    elif engine == "pandas":
        sys.path.insert(0, str(HERE))
        import activity_pandas

        def suite():
            return activity_pandas.run(data / "events", data / "roster.parquet")

    else:
        raise SystemExit(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    ready = time.perf_counter()
    times = []
    for _ in range(options["repeat"]):
        began = time.perf_counter()
        results = suite()
        times.append(time.perf_counter() - began)
    if engine == "pyspark":
        jvm_peak_mb = sum(_peak_rss_mb(pid) for pid in _descendants(os.getpid()))
        con.disconnect()
    for name, df in results.items():
        df.to_parquet(out.with_name(f"{out.stem}-{name}.parquet"))
    report = {
        "engine": engine,
        "startup_s": ready - started,
        "suite_s": float(np.median(times)),
        "suite_runs_s": times,
        "jvm_peak_mb": jvm_peak_mb,
        "rows": {name: len(df) for name, df in results.items()},
    }
    out.write_text(json.dumps(report))
    return report


# --- the parent: data, children, comparison, report ------------------------------------


def _child(engine: str, data: Path, workdir: Path, args) -> dict:
    out = workdir / f"{engine}.json"
    command = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--data",
        str(data),
        "--out",
        str(out),
        "--duckdb-memory",
        args.duckdb_memory or "",
        "--spark-memory",
        args.spark_memory,
        "--spark-partitions",
        str(args.spark_partitions),
        "--repeat",
        str(args.repeat),
    ]
    began = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        return {"engine": engine, "error": f"exit code {process.returncode}", "wall_s": wall}
    report = json.loads(out.read_text())
    report["wall_s"] = wall
    report["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    report["peak_total_mb"] = report["peak_rss_mb"] + report["jvm_peak_mb"]
    return report


def _load(workdir: Path, engine: str, name: str):
    import pandas as pd

    df = pd.read_parquet(workdir / f"{engine}-{name}.parquet")
    df["month"] = pd.to_datetime(df["month"]).dt.strftime("%Y-%m")
    if name == "overall":
        df["group_id"] = "all"
    df["group_id"] = df["group_id"].fillna("\0null")
    return df.set_index(["month", "group_id"]).sort_index()


def compare(workdir: Path, engine: str, baseline: str = "duckdb") -> str:
    """'same' when every number equals the baseline's to 1e-9 (relative or absolute)."""
    from ismonitor.activity.metrics import COLUMNS

    worst = 0.0
    for name in ("overall", "by_group"):
        a, b = _load(workdir, engine, name), _load(workdir, baseline, name)
        if list(a.index) != list(b.index):
            return f"different rows in {name}"
        for column in COLUMNS:
            if column == "audience_source":
                if not (a[column] == b[column]).all():
                    return f"{name}.{column} differs"
                continue
            x, y = a[column].astype(float).to_numpy(), b[column].astype(float).to_numpy()
            if not np.array_equal(np.isnan(x), np.isnan(y)):
                return f"{name}.{column}: nulls differ"
            mask = ~np.isnan(x)
            diff = np.abs(x[mask] - y[mask]) / np.maximum(1.0, np.abs(y[mask]))
            if diff.size and diff.max() > 1e-9:
                return f"{name}.{column} differs by {diff.max():.3g}"
            worst = max(worst, float(diff.max()) if diff.size else 0.0)
    return f"same (max rel. diff {worst:.1e})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=lambda s: int(float(s)), default=1_000_000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--data", type=Path, help="reuse (or create) the data in this folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duckdb-memory", default=None, help="DuckDB memory_limit, e.g. 6GB")
    parser.add_argument("--spark-memory", default="8g", help="spark.driver.memory")
    parser.add_argument("--spark-partitions", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine; median")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        options = {
            "duckdb_memory": args.duckdb_memory or None,
            "spark_memory": args.spark_memory,
            "spark_partitions": args.spark_partitions,
            "repeat": args.repeat,
        }
        run_engine(args.child, args.data, args.out, options)
        return 0

    chosen = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(chosen) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}; choose from {ENGINES}")
    scratch = Path(tempfile.mkdtemp(prefix="ismonitor-bench-"))
    data = args.data or scratch / "data"
    try:
        info_path = data / "bench-data.json"
        info = json.loads(info_path.read_text()) if info_path.exists() else None
        wanted = {"events": args.events, "seed": args.seed, "generator": GENERATOR_VERSION}
        if info is None or any(info.get(key) != value for key, value in wanted.items()):
            if (data / "events").exists():
                shutil.rmtree(data / "events")
            began = time.perf_counter()
            info = generate(data, args.events, args.seed)
            print(f"generated {args.events:,} events in {time.perf_counter() - began:.1f} s")
        size = sum(p.stat().st_size for p in (data / "events").glob("*.parquet"))
        print(f"data: {data} ({size / 2**20:.0f} MiB of Parquet; {info})", flush=True)

        reports = []
        for engine in ["duckdb"] + [e for e in chosen if e != "duckdb"]:
            report = _child(engine, data, scratch, args)
            if engine != "duckdb" and "error" not in report:
                report["check"] = compare(scratch, engine)
            reports.append(report)
            print(json.dumps(report), flush=True)
        reports = [r for r in reports if r["engine"] in chosen]
        baseline = next((r for r in reports if r["engine"] == "sql"), None)
        summary = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "data": info,
            "load_average_at_end": os.getloadavg(),
            "reports": reports,
        }
        print()
        print(
            f"{'engine':<10}{'suite s':>10}{'start s':>10}{'wall s':>10}{'peak MiB':>10}"
            f"{'vs SQL':>8}  check"
        )
        for r in reports:
            if "error" in r:
                print(f"{r['engine']:<10} failed: {r['error']}")
                continue
            ratio = (
                f"{r['suite_s'] / baseline['suite_s']:.2f}x"
                if baseline and "error" not in baseline
                else "-"
            )
            print(
                f"{r['engine']:<10}{r['suite_s']:>10.1f}{r['startup_s']:>10.1f}"
                f"{r['wall_s']:>10.1f}{r['peak_total_mb']:>10.0f}{ratio:>8}  "
                f"{r.get('check', 'baseline')}"
            )
        print(f"load average at the end: {os.getloadavg()}")
        if args.json:
            args.json.write_text(json.dumps(summary, indent=2))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
