"""Quarantine retention: the quarantine holds raw records, PII in clear; a run with a retention
deletes the rows older than it and runs VACUUM (see sdl_ingest's module docstring)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def expire_quarantine(spark: SparkSession, quarantine_path: str, retention_days: int | None, clock: Callable[[], dt.datetime]) -> dict[str, int]:
    """Delete the quarantine rows older than `retention_days` (None: keep them), then VACUUM."""
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    if retention_days is None or not DeltaTable.isDeltaTable(spark, quarantine_path):
        return {}
    cutoff = clock() - dt.timedelta(days=retention_days)
    table = DeltaTable.forPath(spark, quarantine_path)
    before = table.history(1).collect()[0]["version"]
    table.delete(F.col("quarantined_at") < F.lit(cutoff).cast("timestamp"))
    # The DELETE's own metrics give the count (no second pass over the quarantine); a DELETE that
    # matches no file may not commit at all.
    last = table.history(1).collect()[0]
    expired = int(last["operationMetrics"].get("numDeletedRows", 0)) if last["version"] > before and last["operation"] == "DELETE" else 0
    # VACUUM lists the table with one task per this setting (10,000 by default): far too many for a
    # quarantine, which is small. The table's deleted-file retention applies (7 days by default).
    key = "spark.sql.sources.parallelPartitionDiscovery.parallelism"
    previous = spark.conf.get(key, None)
    spark.conf.set(key, "8")
    try:
        table.vacuum()
    finally:
        if previous is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, previous)
    return {"QuarantineRecordsExpired": expired}
