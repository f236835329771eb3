"""CSV to validated Delta tables: nothing lost, idempotent, crash-safe.

Layout under the table root:
    <table>/data          the valid rows (Delta)
    <table>/quarantine    the invalid records with their reasons (Delta; may hold PII in clear)
    <table>/_ingest_log   the ledger: one row per source file per batch step (Delta)

Commit protocol (every batch has a numeric, increasing version `b`):
    1. quarantine  the invalid records; the commit's metadata names the batch's files   (txnAppId sdl-quarantine, txnVersion b)
    2. data        the valid rows, unless the batch fails closed                        (txnAppId sdl-data,       txnVersion b)
    3. outcome     ledger rows, status committed or failed_closed, with the counts      (txnAppId sdl-outcome,    txnVersion b)
A file is pending until an outcome row names it. A restart whose last quarantine commit belongs to
a batch without outcome repairs that batch: the same version, the same files (from that commit's
metadata), and Delta skips the steps already committed (a write whose txnVersion is not above the
last one recorded for its txnAppId is skipped). A crash before the quarantine commit leaves nothing
behind: the next run plans afresh. The rows of a batch therefore land exactly once.

Fail closed: when the quarantined share of a batch is above the threshold, steps 1 and 3 commit
(the quarantine and the run record) and step 2 does not; the run then fails and says why.

Quarantine retention: the quarantine holds raw records, PII in clear. After the outcome commit, a
run with a retention deletes the quarantine rows older than it (a Delta DELETE) and runs VACUUM, which
removes the files that DELETEs of earlier runs dropped once they are older than the table's
deleted-file retention (7 days by default). A crash there loses nothing: the next run does it again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from sdl_adapters import MetricsSink, PseudonymKey, SourceFiles
from sdl_csv import EMPTY_FILE, FileStats, fast_read, read_records
from sdl_schema import TableSchema
from sdl_validate import arrow_type, check_columns, jvm_format_columns, spark_ddl_type

QUARANTINE, DATA, OUTCOME = "sdl-quarantine", "sdl-data", "sdl-outcome"


class IngestFailedClosed(RuntimeError):
    """The batch's quarantine ratio passed the threshold: quarantine and ledger committed, data not."""


class SimulatedCrash(RuntimeError):
    """Raised by the test hook `crash_after` to stop a run between two commits."""


@dataclass
class IngestConfig:
    source: SourceFiles
    table_uri: str
    schema: TableSchema
    metrics: MetricsSink
    run_id: str
    key: Optional[PseudonymKey] = None
    max_quarantine_ratio: float = 0.05
    redact_quarantine: bool = False
    max_files_per_batch: int = 10_000
    crash_after: Optional[str] = None  # test hook: "quarantine" or "data"
    quarantine_retention_days: Optional[int] = None  # None keeps the quarantine forever
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    dimensions: dict = field(default_factory=dict)


@dataclass
class FileResult:
    file_id: str
    records_read: int = 0
    valid: int = 0
    quarantined: int = 0
    blank_lines: int = 0
    problem: Optional[str] = None
    sha256: str = ""


@dataclass
class RunResult:
    batch: Optional[int]
    status: str
    files: list[FileResult]
    records_read: int = 0
    valid: int = 0
    quarantined: int = 0
    repaired: bool = False
    message: str = ""

    def summary(self) -> str:
        return (f"sdl-ingest: status={self.status} batch={self.batch} files={len(self.files)} "
                f"read={self.records_read} valid={self.valid} quarantined={self.quarantined}"
                + (" repaired=true" if self.repaired else ""))


def paths(table_uri: str) -> dict[str, str]:
    root = table_uri.rstrip("/")
    return {"data": f"{root}/data", "quarantine": f"{root}/quarantine", "ledger": f"{root}/_ingest_log"}


# ---------------------------------------------------------------------------------------------
# Parse stage: runs on executors, one source file's bytes at a time (mapInArrow).
# ---------------------------------------------------------------------------------------------

META = ["_sdl_summary", "_sdl_file", "_sdl_record", "_sdl_reasons", "_sdl_raw"]


def parse_stage_schema(schema: TableSchema) -> str:
    cols = ", ".join(f"`{c.name}` {spark_ddl_type(c)}" for c in schema.columns)
    return f"_sdl_summary boolean, _sdl_file int, _sdl_record long, _sdl_reasons string, _sdl_raw string, {cols}"


def _hmac_sha256_hex(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 (RFC 2104) with the key's padded states computed once: twice as fast per value
    as `hmac.digest`, the same result (a test compares them)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(message: bytes) -> str:
        i = inner.copy()
        i.update(message)
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return digest


def make_parse_stage(schema: TableSchema, key: Optional[PseudonymKey], uri_to_id: dict[str, str], file_ids: list[str]):
    """The function mapInArrow runs: file bytes in, one row per record plus one summary row per file out.

    A record's row has its typed values (PII pseudonymized), `_sdl_reasons` (its failed checks
    joined with ",", null when it passed them all: see sdl_validate) and `_sdl_raw` (its raw text,
    only when it failed; every record's when Spark still has to parse a date or timestamp column).
    `_sdl_file` is the index of the ledger's file id in `file_ids` (a small integer travels and is
    cached cheaper than the id). A file's summary row (`_sdl_summary`) has the number of records
    read in `_sdl_record`, the file's problem in `_sdl_reasons` and its hash and blank lines in
    `_sdl_raw` (JSON).
    """
    index_of = {fid: i for i, fid in enumerate(file_ids)}
    names = [c.name for c in schema.columns]
    types = [arrow_type(c) for c in schema.columns]
    if any(c.pii for c in schema.columns) and key is None:
        raise ValueError("the schema has PII columns: a pseudonymization key is required")
    key_bytes = key.key if key is not None else b""
    raw_for_all = bool(jvm_format_columns(schema))

    def stage(batches: Iterator[Any]) -> Iterator[Any]:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        width = len(names)
        pseudonym = _hmac_sha256_hex(key_bytes)  # made here: hash states do not travel to executors
        for batch in batches:
            paths_ = batch.column("path").to_pylist()
            contents = batch.column("content").to_pylist()
            for path, content in zip(paths_, contents):
                file_id = uri_to_id[_normalize(path)]
                file_index = index_of[file_id]
                fast = fast_read(content, names)
                if fast is not None:
                    # Arrow read the file: the columns stay Arrow arrays.
                    table, raw, stats = fast
                    n = table.num_rows
                    structural = pa.nulls(n, pa.string())
                    cols = [table.column(j).combine_chunks() for j in range(width)]
                else:
                    stats = FileStats()
                    numbers_l, reason_l, raw_l, rows = [], [], [], []
                    for r in read_records(content, names, stats):
                        numbers_l.append(r.number)
                        reason_l.append(r.reason)
                        raw_l.append(r.raw)
                        rows.append(r.fields if r.fields is not None else (None,) * width)
                    n = len(numbers_l)
                    columns = [list(col) for col in zip(*rows)] if rows else [[] for _ in range(width)]
                    structural = pa.array(reason_l, pa.string())
                    raw = pa.array(raw_l, pa.string())
                    cols = [pa.array(col, pa.string()) for col in columns]
                if "#sha256:" in file_id and not file_id.endswith(stats.sha256):
                    raise RuntimeError("a source file changed after it was planned; its file id no longer matches its content")
                # unreadable records have no fields: no value checks, their structural reason alone
                typed, checked = check_columns(schema, cols, pc.is_null(structural), pseudonym)
                reasons = pc.coalesce(structural, checked)
                numbers = pa.array(np.arange(1, n + 1, dtype=np.int64)) if fast is not None else pa.array(numbers_l, pa.int64())
                yield pa.RecordBatch.from_arrays(
                    [pa.repeat(pa.scalar(False), n), pa.repeat(pa.scalar(file_index, pa.int32()), n), numbers, reasons,
                     raw if raw_for_all else pc.if_else(pc.is_valid(reasons), raw, pa.scalar(None, pa.string())), *typed],
                    names=META + names)
                # the file's summary row
                summary = json.dumps({"sha256": stats.sha256, "blank_lines": stats.blank_lines})
                yield pa.RecordBatch.from_arrays(
                    [pa.array([True]), pa.array([file_index], pa.int32()), pa.array([stats.records], pa.int64()), pa.array([stats.problem], pa.string()),
                     pa.array([summary])] + [pa.nulls(1, t) for t in types],
                    names=META + names)

    return stage


# ---------------------------------------------------------------------------------------------
# The JVM's part: the date and timestamp formats only Spark parses, the reasons as an array.
# ---------------------------------------------------------------------------------------------

def finish_validation(parsed, schema: TableSchema):
    """Parse the columns left to Spark (`jvm_format_columns`), adding their failures to
    `_sdl_reasons`, which stays text (null when the record is valid): the batch is cached in this
    form, and an array column costs the cache far more. `_sdl_problem` is a summary row's file
    problem. The raw text stays with the records that failed (and the summary rows) only."""
    from pyspark.sql import functions as F

    jvm = {c.name for c in jvm_format_columns(schema)}
    typed_cols, jvm_failures = [], []
    for c in schema.columns:
        v = F.col(f"`{c.name}`")
        if c.name in jvm:
            value = F.to_date(v, c.format) if c.type == "date" else F.to_timestamp(v, c.format)
            typed_cols.append(value.alias(c.name))
            jvm_failures.append(F.when(v.isNotNull() & value.isNull(), F.lit(f"TYPE:{c.name}")))
        else:
            typed_cols.append(v.alias(c.name))
    summary = F.col("_sdl_summary")
    reasons = F.when(~summary, F.col("_sdl_reasons"))
    raw = F.col("_sdl_raw")
    if jvm_failures:
        joined = F.concat_ws(",", reasons, *jvm_failures)
        reasons = F.when(~summary & (joined != F.lit("")), joined)
        raw = F.when(summary | reasons.isNotNull(), raw)
    return parsed.select(
        summary, F.col("_sdl_file"), F.col("_sdl_record"), F.when(summary, F.col("_sdl_reasons")).alias("_sdl_problem"),
        raw.alias("_sdl_raw"), reasons.alias("_sdl_reasons"), *typed_cols,
    )


# ---------------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------------

def _read_ledger(spark, ledger_path: str) -> list[dict]:
    from delta.tables import DeltaTable

    if not DeltaTable.isDeltaTable(spark, ledger_path):
        return []
    # the two columns the plan needs (the ledger grows by a row per file per batch)
    return [r.asDict() for r in spark.read.format("delta").load(ledger_path).select("batch", "file_id").collect()]


def _ledger_schema():
    from pyspark.sql import types as T

    return T.StructType([
        T.StructField("batch", T.LongType(), False),
        T.StructField("status", T.StringType(), False),
        T.StructField("file_id", T.StringType(), False),
        T.StructField("file_uri", T.StringType(), False),
        T.StructField("records_read", T.LongType(), True),
        T.StructField("valid", T.LongType(), True),
        T.StructField("quarantined", T.LongType(), True),
        T.StructField("blank_lines", T.LongType(), True),
        T.StructField("file_problem", T.StringType(), True),
        T.StructField("content_sha256", T.StringType(), True),
        T.StructField("run_id", T.StringType(), False),
        T.StructField("schema_hash", T.StringType(), False),
        T.StructField("key_version", T.StringType(), True),
        T.StructField("reason", T.StringType(), True),
        T.StructField("recorded_at", T.TimestampType(), False),
    ])


def _append(df, path: str, app_id: str, batch: int, metadata: dict, table_properties: Optional[dict] = None) -> None:
    """An idempotent Delta append; `table_properties` apply when the write creates the table (Delta
    ignores them on an existing table)."""
    writer = (df.write.format("delta").mode("append")
              .option("txnAppId", app_id).option("txnVersion", batch)
              .option("userMetadata", json.dumps(metadata, sort_keys=True)))
    for k, v in (table_properties or {}).items():
        writer = writer.option(k, v)
    writer.save(path)


def data_table_properties(schema: TableSchema, lineage: list[str]) -> dict:
    """No min/max statistics on pseudonyms: HMAC output is uniformly random, so a file's range spans
    nearly all values and prunes nothing, while collecting it costs every write. Every other column,
    lineage included, keeps its statistics. Boolean columns cannot be listed (Delta refuses the
    property with DELTA_COLUMN_DATA_SKIPPING_NOT_SUPPORTED_TYPE; min/max would not prune them either)."""
    if not any(c.pii for c in schema.columns):
        return {}
    return {"delta.dataSkippingStatsColumns": ",".join([c.name for c in schema.columns if not c.pii and c.type != "boolean"] + lineage)}


def _normalize(uri: str) -> str:
    """The path Spark reports for a local file (`file:/a%20b.csv`) as the listing gives it (`/a b.csv`)."""
    from urllib.parse import unquote

    if uri.startswith("file://"):
        return unquote(uri[len("file://"):])
    if uri.startswith("file:"):
        return unquote(uri[len("file:"):])
    return uri


def _unfinished_batch(spark, quarantine_path: str, done_batches: set[int]) -> Optional[dict]:
    """The batch whose quarantine (the first commit of a batch) is committed but whose outcome is not."""
    from delta.tables import DeltaTable

    if not DeltaTable.isDeltaTable(spark, quarantine_path):
        return None
    last = DeltaTable.forPath(spark, quarantine_path).history(1).collect()[0]
    meta = json.loads(last["userMetadata"]) if last["userMetadata"] else {}
    return meta if meta.get("batch") is not None and meta["batch"] not in done_batches else None


def run_ingestion(spark, cfg: IngestConfig) -> RunResult:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    p = paths(cfg.table_uri)
    schema_hash = cfg.schema.hash
    key_version = cfg.key.version if cfg.key is not None else None
    ledger = _read_ledger(spark, p["ledger"])
    finished = {r["file_id"] for r in ledger}
    done_batches = {r["batch"] for r in ledger}
    unfinished = _unfinished_batch(spark, p["quarantine"], done_batches)

    listing = {s.file_id: s for s in cfg.source.list()}
    if unfinished is not None:
        # Repair: the same batch, the same files; Delta skips the steps already committed.
        batch = unfinished["batch"]
        batch_files = [(fid, uri) for fid, uri in zip(unfinished["files"], unfinished["uris"])]
    else:
        pending = [s for fid, s in sorted(listing.items()) if fid not in finished][: cfg.max_files_per_batch]
        if not pending:
            result = RunResult(batch=None, status="nothing-to-do", files=[])
            expired = expire_quarantine(spark, p["quarantine"], cfg)
            # A run that found nothing new still ran: the "no successful run" alarm counts it.
            cfg.metrics.emit({"RecordsRead": 0, "Files": 0, "RunsSucceeded": 1, **expired}, cfg.dimensions)
            print(result.summary())
            return result
        batch = max(done_batches, default=0) + 1
        batch_files = [(s.file_id, s.uri) for s in pending]

    now = cfg.clock()
    base_meta = {"batch": batch, "run_id": cfg.run_id, "schema_hash": schema_hash, "key_version": key_version,
                 "files": [fid for fid, _ in batch_files], "uris": [uri for _, uri in batch_files]}

    # Spark's file sources skip zero-length files: they are accounted for here, with no record.
    empty = [(fid, uri) for fid, uri in batch_files if fid in listing and listing[fid].size == 0]
    to_read = [(fid, uri) for fid, uri in batch_files if (fid, uri) not in empty]
    files: list[FileResult] = [FileResult(fid, problem=EMPTY_FILE, sha256=hashlib.sha256(b"").hexdigest()) for fid, _ in empty]

    # Parse once and validate; every later action reads the persisted result.
    uri_to_id = {_normalize(uri): fid for fid, uri in to_read}
    file_ids = [fid for fid, _ in to_read]
    # The file id of a row, from its index (the ids are the batch plan, also in the commit metadata).
    source_file = F.element_at(F.array(*[F.lit(fid) for fid in file_ids]), F.col("_sdl_file") + 1) if file_ids else F.lit(None).cast("string")
    if to_read:
        raw_files = spark.read.format("binaryFile").load([uri for _, uri in to_read]).select("path", "content")
    else:
        raw_files = spark.createDataFrame([], "path string, content binary")
    parsed = raw_files.mapInArrow(make_parse_stage(cfg.schema, cfg.key, uri_to_id, file_ids), parse_stage_schema(cfg.schema))
    validated = finish_validation(parsed, cfg.schema).persist(StorageLevel.MEMORY_AND_DISK_DESER)
    try:
        is_record = ~F.col("_sdl_summary")
        is_file = F.col("_sdl_summary")
        per_file = validated.groupBy("_sdl_file").agg(
            F.sum(F.when(is_record, 1).otherwise(0)).alias("total"),
            F.sum(F.when(is_record & F.col("_sdl_reasons").isNotNull(), 1).otherwise(0)).alias("bad"),
            F.max(F.when(is_file, F.col("_sdl_record"))).alias("declared"),
            # the summary row's text: a list (hash aggregation; a string max would sort every row)
            F.collect_list(F.when(is_file, F.struct(F.col("_sdl_problem").alias("problem"), F.col("_sdl_raw").alias("extra")))).alias("summary"),
        ).collect()
        for r in per_file:
            fid = file_ids[r["_sdl_file"]]
            if len(r["summary"]) != 1:
                raise RuntimeError(f"reconciliation failed for {fid}: {len(r['summary'])} summary rows, one expected")
            if r["total"] != r["declared"]:
                raise RuntimeError(f"reconciliation failed for {fid}: {r['declared']} records read, {r['total']} accounted for")
            summary = r["summary"][0]
            extra = json.loads(summary["extra"])
            files.append(FileResult(fid, r["total"], r["total"] - r["bad"], r["bad"], extra["blank_lines"], summary["problem"], extra["sha256"]))
        missing = {fid for fid, _ in batch_files} - {f.file_id for f in files}
        if missing:
            raise RuntimeError(f"{len(missing)} file(s) of the batch could not be read")
        files.sort(key=lambda f: f.file_id)
        read = sum(f.records_read for f in files)
        bad = sum(f.quarantined for f in files)
        ratio = bad / read if read else 0.0
        failed_closed = ratio > cfg.max_quarantine_ratio
        meta = {**base_meta, "records_read": read, "valid": read - bad, "quarantined": bad}
        records = validated.filter(is_record)

        # 1. quarantine: the batch's first commit; its metadata names the batch's files (the plan)
        quarantine = records.filter(F.col("_sdl_reasons").isNotNull()).select(
            F.lit(batch).cast("long").alias("batch"),
            source_file.alias("source_file"),
            F.col("_sdl_record").alias("record_number"),
            F.split(F.col("_sdl_reasons"), ",").alias("reasons"),
            (F.lit(None).cast("string") if cfg.redact_quarantine else F.col("_sdl_raw")).alias("raw_record"),
            F.lit(cfg.run_id).alias("run_id"),
            F.lit(now).cast("timestamp").alias("quarantined_at"),
        )
        _append(quarantine, p["quarantine"], QUARANTINE, batch, {**meta, "step": "quarantine"})
        _maybe_crash(cfg, "quarantine")

        # 2. data, unless the batch fails closed
        if not failed_closed:
            lineage = [F.lit(batch).cast("long").alias("_sdl_batch"), source_file.alias("_sdl_source_file"),
                       F.col("_sdl_record").alias("_sdl_record_number")]
            if key_version is not None:
                lineage.append(F.lit(key_version).alias("_sdl_key_version"))
            data = records.filter(F.col("_sdl_reasons").isNull()).select(*[F.col(f"`{c.name}`") for c in cfg.schema.columns], *lineage)
            _append(data, p["data"], DATA, batch, {**meta, "step": "data"},
                    data_table_properties(cfg.schema, [c for c in data.columns if c.startswith("_sdl_")]))
        _maybe_crash(cfg, "data")
    finally:
        validated.unpersist()

    # 3. outcome: the ledger rows that close the batch
    status = "failed_closed" if failed_closed else "committed"
    why = (f"quarantine ratio {ratio:.4f} is above the threshold {cfg.max_quarantine_ratio}; the main table was not committed"
           if failed_closed else None)
    done = cfg.clock()
    uris = dict(batch_files)
    outcome_rows = [(batch, status, f.file_id, uris[f.file_id], f.records_read, f.valid, f.quarantined, f.blank_lines, f.problem,
                     f.sha256, cfg.run_id, schema_hash, key_version, why, done) for f in files]
    _append(spark.createDataFrame(outcome_rows, _ledger_schema()), p["ledger"], OUTCOME, batch, {**meta, "step": "outcome", "status": status})

    # 4. quarantine retention (after the batch is closed; idempotent)
    expired = expire_quarantine(spark, p["quarantine"], cfg)

    result = RunResult(batch, status, files, read, read - bad, bad, unfinished is not None, why or "")
    cfg.metrics.emit({"RecordsRead": read, "RecordsValid": read - bad, "RecordsQuarantined": bad, "Files": len(files),
                      "FailedClosed": 1 if failed_closed else 0, "RunsSucceeded": 0 if failed_closed else 1, **expired}, cfg.dimensions)
    print(result.summary())
    if failed_closed:
        raise IngestFailedClosed(why)
    return result


def expire_quarantine(spark, quarantine_path: str, cfg: IngestConfig) -> dict:
    """Delete the quarantine rows older than the retention, then VACUUM (see the module docstring)."""
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    if cfg.quarantine_retention_days is None or not DeltaTable.isDeltaTable(spark, quarantine_path):
        return {}
    cutoff = cfg.clock() - dt.timedelta(days=cfg.quarantine_retention_days)
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


def _maybe_crash(cfg: IngestConfig, step: str) -> None:
    if cfg.crash_after == step:
        raise SimulatedCrash(f"simulated crash after the {step} commit")
