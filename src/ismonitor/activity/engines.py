"""Where the activity metrics run: an Ibis backend on DuckDB (default) or PySpark, and the readers.

The metrics in :mod:`ismonitor.activity.metrics` are Ibis expressions; this module only
makes the backend they run on and registers the event and roster Parquet files with it.
Both backends are set to UTC, so that calendar months and days are UTC months and days
whatever the machine's time zone.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import ibis

ENGINES = ("duckdb", "pyspark")

# Spark settings for one machine: two local threads, no UI, few shuffle partitions (the
# default 200 makes every small group-by slow), and UTC for every timestamp.
SPARK_CONF = {
    "spark.master": "local[2]",
    "spark.app.name": "ismonitor-activity",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
}


def connect(engine: str = "duckdb", **options: Any) -> ibis.BaseBackend:
    """Return an Ibis backend to run the activity metrics on.

    Parameters
    ----------
    engine
        ``"duckdb"`` (in-process, the default) or ``"pyspark"`` (a local-mode Spark
        session, ``local[2]``; reuses the running session if there is one).
    options
        DuckDB: configuration passed to ``duckdb.connect`` (e.g. ``memory_limit="6GB"``,
        above which DuckDB spills to ``temp_directory``, by default a fresh temporary
        directory removed at exit).
        PySpark: Spark settings that override :data:`SPARK_CONF` (e.g.
        ``{"spark.driver.memory": "8g"}``), given as keyword arguments with the dots in
        the key, so pass them as ``**{"spark.driver.memory": "8g"}``.

    Examples
    --------
    >>> con = connect("duckdb")
    >>> con.name
    'duckdb'
    """
    if engine == "duckdb":
        if "temp_directory" not in options:
            # Where DuckDB spills when the data outgrows memory_limit; by default it
            # would be .tmp/ in the working directory.
            options = {**options, "temp_directory": _scratch("ismonitor-duckdb-")}
        con = ibis.duckdb.connect(**options)
        # Ibis sets this too; say it here because month boundaries depend on it.
        con.raw_sql("SET TimeZone = 'UTC'")
        return con
    if engine == "pyspark":
        return ibis.pyspark.connect(_spark_session(options))
    raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")


def _spark_session(options: dict[str, Any]):
    from pyspark.sql import SparkSession

    conf = dict(SPARK_CONF)
    if "spark.sql.warehouse.dir" not in options:
        # Otherwise every run leaves spark-warehouse/ (and metastore_db/) in the cwd.
        warehouse = _scratch("ismonitor-spark-")
        conf["spark.sql.warehouse.dir"] = str(Path(warehouse, "warehouse"))
        conf["spark.local.dir"] = str(Path(warehouse, "local"))
    conf.update({key: str(value) for key, value in options.items()})
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    # getOrCreate() may hand back a running session whose settings were made elsewhere.
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.shuffle.partitions", conf["spark.sql.shuffle.partitions"])
    return session


def _scratch(prefix: str) -> str:
    """A temporary directory removed when the process ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def events_path(directory: str | Path) -> Path | list[Path]:
    """Where the event Parquet in ``directory`` is: a folder, or a list of files.

    ``directory/events/`` (a folder of ``*.parquet`` parts, also in Hive-style
    sub-folders such as ``platform=slack/``) wins over ``directory/events*.parquet``
    (``events.parquet``, or several files such as ``events-2024.parquet``, in name
    order). Raises ``FileNotFoundError`` naming the directory and what was expected.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory")
    folder = directory / "events"
    if folder.is_dir():
        if not any(folder.rglob("*.parquet")):
            raise FileNotFoundError(f"{folder}: no *.parquet files in the events folder")
        return folder
    files = sorted(directory.glob("events*.parquet"))
    if files:
        return files
    raise FileNotFoundError(
        f"{directory}: no event table; expected {folder}/*.parquet or {directory}/events.parquet"
    )


def read_events(backend: ibis.BaseBackend, directory: str | Path) -> ibis.Table:
    """Register the event table found in ``directory`` with ``backend`` and return it.

    ``directory`` holds ``events/*.parquet`` or ``events.parquet``; see
    :func:`events_path`. The schema is the one in ``docs/metrics.md``.
    """
    source = events_path(directory)
    if isinstance(source, Path):
        # Spark reads a folder (and its partition sub-folders); DuckDB needs a glob.
        if backend.name == "duckdb":
            return backend.read_parquet(str(source / "**" / "*.parquet"))
        return backend.read_parquet(str(source))
    if backend.name == "duckdb":
        return backend.read_parquet([str(path) for path in source])
    # Ibis's PySpark reader takes one path; a union of a few files is the same table.
    tables = [backend.read_parquet(str(path)) for path in source]
    return tables[0] if len(tables) == 1 else ibis.union(*tables)


def read_roster(backend: ibis.BaseBackend, path: str | Path) -> ibis.Table:
    """Register a roster Parquet (``user_id`` and optional attributes) and return it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: roster file not found")
    table = backend.read_parquet(str(path))
    if "user_id" not in table.columns:
        raise ValueError(f"{path}: the roster has no user_id column (columns: {table.columns})")
    doubles = (
        table.group_by("user_id").agg(n=table.count()).filter(lambda t: t.n > 1).limit(3)
    ).execute()
    if len(doubles):
        examples = ", ".join(repr(u) for u in doubles["user_id"])
        raise ValueError(f"{path}: user_id must be unique in the roster; listed twice: {examples}")
    return table
