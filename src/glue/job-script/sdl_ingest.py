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

Modules: the parse stage (sdl_parse: sdl_csv, sdl_ranges, sdl_validate on the executors), quarantine
retention (sdl_retention), and here the plan, the commit protocol and the run.

Reading: every object under the source prefix is a file of the batch (names are data). One task per
file streams it from its stored object in bounded memory (sdl_csv.stream_records); an uncompressed
file larger than `split_bytes` is read as byte ranges, one task each, with the same records
(sdl_ranges: a stage-1 scan first, and a file whose ranges do not line up is read in one task). A file that
cannot be read (not CSV by its name, corrupt, too long a record, or a task that died reading it) is
refused: its records are dropped, the ledger's outcome row says why (status refused), the rest of
the batch commits, and the run then fails naming it (not for NOT_CSV). A died task is found by its
partition (one file per partition), its file refused, and the batch read again without it.

Fail closed: when the quarantined share of a batch is above the threshold, steps 1 and 3 commit
(the quarantine and the run record) and step 2 does not; the run then fails and says why.

Quarantine retention: the quarantine holds raw records, PII in clear. After the outcome commit, a
run with a retention deletes the quarantine rows older than it (a Delta DELETE) and runs VACUUM, which
removes the files that DELETEs of earlier runs dropped once they are older than the table's
deleted-file retention (7 days by default). A crash there loses nothing: the next run does it again.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sdl_retention
from sdl_adapters import MetricsSink, PseudonymKey, SourceFiles
from sdl_contract import CONTRACT
from sdl_csv import DEFAULT_BLOCK_BYTES, DEFAULT_MAX_RECORD_BYTES, NOT_CSV, UNREADABLE, compression_of
from sdl_parse import _hmac_sha256_hex as _hmac_sha256_hex  # (tests import it from here)
from sdl_parse import finish_validation, make_parse_stage, parse_stage_schema
from sdl_ranges import DEFAULT_SPLIT_BYTES, FileScan, can_split, plan_ranges, scan_files
from sdl_schema import TableSchema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

QUARANTINE, DATA, OUTCOME = "sdl-quarantine", "sdl-data", "sdl-outcome"

# The metric names, from the job contract (one source: the construct's alarms read the same names).
METRIC = {m["constant"]: m["name"] for m in CONTRACT["metrics"]["names"]}


class IngestFailedClosed(RuntimeError):
    """The batch's quarantine ratio passed the threshold: quarantine and ledger committed, data not."""


class IngestFilesRefused(RuntimeError):
    """Files of the batch could not be read: the rest of the batch committed, the ledger refuses them
    with the cause, and the run fails naming them. A rerun does not read them again (a new version
    or new content is a new file)."""


class IngestReadFailed(RuntimeError):
    """Reading the batch failed in a way no single file explains: nothing was committed."""


class IngestConcurrentRun(RuntimeError):
    """Another run is writing the table: the ingestion is single-writer."""


SINGLE_WRITER = ("the ingestion is single-writer: one run per table at a time (on Glue the job's maxConcurrentRuns is 1 and "
                 "its workflow's concurrency 1)")


class TableLock:
    """The local runner's writer lock: `<table>/_ingest_log/_sdl_writer.lock`, created exclusively,
    holding the owner's host, pid and run id. A lock whose owner process is gone (same host), or
    whose lease has run out, is taken over, so a killed run never blocks the next one. On S3 the
    job is single-writer by construction (Glue's maxConcurrentRuns 1); Delta's concurrent-commit
    errors are reported with the same message there."""

    def __init__(self, table_uri: str, run_id: str, lease: dt.timedelta = dt.timedelta(hours=12)):
        self.path = os.path.join(paths(table_uri)["ledger"], "_sdl_writer.lock")
        self.run_id, self.lease = run_id, lease
        self.held = False

    def _owner_alive(self, owner: dict[str, Any]) -> bool:
        import socket

        if dt.datetime.fromisoformat(owner["expires"]) < dt.datetime.now(dt.UTC):
            return False
        if owner.get("host") != socket.gethostname():
            return True
        try:
            os.kill(int(owner["pid"]), 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def acquire(self) -> None:
        import socket

        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        body = json.dumps({"run_id": self.run_id, "host": socket.gethostname(), "pid": os.getpid(),
                           "expires": (dt.datetime.now(dt.UTC) + self.lease).isoformat()})
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                try:
                    with open(self.path, encoding="utf-8") as f:
                        owner = json.load(f)
                except (OSError, ValueError):
                    owner = {"expires": dt.datetime.min.replace(tzinfo=dt.UTC).isoformat()}
                if self._owner_alive(owner):
                    raise IngestConcurrentRun(
                        f"another run (run id {owner.get('run_id')}, pid {owner.get('pid')} on {owner.get('host')}) is writing "
                        f"this table: {SINGLE_WRITER}; this run changed nothing. Run it again when that run has ended "
                        f"(its lock {self.path} is taken over once its process is gone or at {owner.get('expires')})") from None
                os.remove(self.path)  # its owner is gone: take it over
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(body)
            self.held = True
            return
        raise IngestConcurrentRun(f"another run took this table's lock {self.path} at the same moment: {SINGLE_WRITER}")

    def release(self) -> None:
        if self.held:
            try:
                os.remove(self.path)
            except FileNotFoundError:
                pass
            self.held = False


def _is_local(uri: str) -> bool:
    return "://" not in uri or uri.startswith("file:")


class DeltaCommits:
    """The batch's commits: idempotent Delta appends (see the module docstring). The run makes every
    commit through `IngestConfig.commits`; the tests wrap it to stop a run between two commits."""

    def append(self, df: DataFrame, path: str, app_id: str, batch: int, metadata: dict[str, Any],
               table_properties: dict[str, str] | None = None) -> None:
        """An idempotent Delta append; `table_properties` apply when the write creates the table
        (Delta ignores them on an existing table)."""
        writer = (df.write.format("delta").mode("append")
                  .option("txnAppId", app_id).option("txnVersion", batch)
                  .option("userMetadata", json.dumps(metadata, sort_keys=True)))
        for k, v in (table_properties or {}).items():
            writer = writer.option(k, v)
        writer.save(path)


@dataclass
class IngestConfig:
    source: SourceFiles
    table_uri: str
    schema: TableSchema
    metrics: MetricsSink
    run_id: str
    key: PseudonymKey | None = None
    max_quarantine_ratio: float = 0.05
    redact_quarantine: bool = False
    max_files_per_batch: int = 10_000
    quarantine_retention_days: int | None = None  # None keeps the quarantine forever
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
    dimensions: dict[str, str] = field(default_factory=dict)
    block_bytes: int = DEFAULT_BLOCK_BYTES  # the streaming reader's memory bound (see sdl_csv)
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    split_bytes: int = DEFAULT_SPLIT_BYTES  # uncompressed files larger than this are read as ranges in parallel (sdl_ranges); 0: never
    commits: DeltaCommits = field(default_factory=DeltaCommits)


@dataclass
class FileResult:
    file_id: str
    records_read: int = 0
    valid: int = 0
    quarantined: int = 0
    blank_lines: int = 0
    problem: str | None = None
    sha256: str = ""


@dataclass
class RunResult:
    batch: int | None
    status: str
    files: list[FileResult]
    records_read: int = 0
    valid: int = 0
    quarantined: int = 0
    repaired: bool = False
    message: str = ""
    refused: dict[str, str] = field(default_factory=dict)  # file id -> "PROBLEM: why"
    parse_tasks: int = 0  # the parse stage's tasks: one per file, one per range of a split file

    def summary(self) -> str:
        return (f"sdl-ingest: status={self.status} batch={self.batch} files={len(self.files)} "
                f"read={self.records_read} valid={self.valid} quarantined={self.quarantined}"
                + (f" refused={len(self.refused)}" if self.refused else "") + (" repaired=true" if self.repaired else ""))


def paths(table_uri: str) -> dict[str, str]:
    root = table_uri.rstrip("/")
    return {"data": f"{root}/data", "quarantine": f"{root}/quarantine", "ledger": f"{root}/_ingest_log"}


# ---------------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------------

def _read_ledger(spark: SparkSession, ledger_path: str) -> list[dict[str, Any]]:
    from delta.tables import DeltaTable

    if not DeltaTable.isDeltaTable(spark, ledger_path):
        return []
    # the two columns the plan needs (the ledger grows by a row per file per batch)
    return [r.asDict() for r in spark.read.format("delta").load(ledger_path).select("batch", "file_id").collect()]


def _ledger_schema() -> StructType:
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


def data_table_properties(schema: TableSchema, lineage: list[str]) -> dict[str, str]:
    """No min/max statistics on pseudonyms: HMAC output is uniformly random, so a file's range spans
    nearly all values and prunes nothing, while collecting it costs every write. Every other column,
    lineage included, keeps its statistics. Boolean columns cannot be listed (Delta refuses the
    property with DELTA_COLUMN_DATA_SKIPPING_NOT_SUPPORTED_TYPE; min/max would not prune them either)."""
    if not any(c.pii for c in schema.columns):
        return {}
    return {"delta.dataSkippingStatsColumns": ",".join([c.name for c in schema.columns if not c.pii and c.type != "boolean"] + lineage)}


def _unfinished_batch(spark: SparkSession, quarantine_path: str, done_batches: set[int]) -> dict[str, Any] | None:
    """The batch whose quarantine (the first commit of a batch) is committed but whose outcome is not."""
    from delta.tables import DeltaTable

    if not DeltaTable.isDeltaTable(spark, quarantine_path):
        return None
    last = DeltaTable.forPath(spark, quarantine_path).history(1).collect()[0]
    meta = json.loads(last["userMetadata"]) if last["userMetadata"] else {}
    return meta if meta.get("batch") is not None and meta["batch"] not in done_batches else None


def _failed_task(error: BaseException) -> tuple[int | None, str]:
    """(the partition of the task that failed, its cause) from a Spark job failure. The cause is
    the JVM exception's class, or the Python worker's exception class, never its message (a
    library's message may quote the data)."""
    text = str(error)
    m = re.search(r"Lost task (\d+)\.\d+ in stage [^\n]*?\): ([\w.$]+)(?::\s*([^\n]*))?", text)
    if not m:
        first = next((line for line in text.splitlines() if "Exception" in line or "Error" in line), text[:200])
        return None, first.strip()[:300]
    cause = m.group(2)
    detail = (m.group(3) or "").strip()
    if cause.endswith("PythonException"):
        python = re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception|Interrupt|Exit))\b", text, flags=re.M)
        cause = f"Python worker raised {python[-1]}" if python else "Python worker raised an exception"
    elif "Python worker exited unexpectedly" in detail:
        cause = "the Python worker exited unexpectedly (crashed)"
    elif detail and "OutOfMemoryError" not in cause:
        cause = f"{cause}: {detail[:200]}" if not detail.startswith("Traceback") else cause
    return int(m.group(1)), cause


def _combine_ranges(per_part: list[Any], file_ids: list[str], scans: dict[str, FileScan],
                    ) -> tuple[list[dict[str, Any]], dict[tuple[int, int], int], set[str]]:
    """The per-range counts to per-file counts: (one row per file as the ledger needs it, the record
    number offset of each (file, range), the split files whose ranges did not line up).

    Each range is reconciled (its records against its summary). Within a file the first range, in
    file order, that is misaligned or refused decides: misaligned, the file is read again in one
    task; refused, the file is refused (the sequential reader reads the same bytes up to there)."""
    parts: dict[int, list[Any]] = {}
    for r in per_part:
        fid = file_ids[r["_sdl_file"]]
        if len(r["summary"]) != 1:
            raise RuntimeError(f"reconciliation failed for {fid} (range {r['_sdl_range']}): {len(r['summary'])} summary rows, one expected")
        if r["total"] != r["declared"]:
            raise RuntimeError(f"reconciliation failed for {fid} (range {r['_sdl_range']}): {r['declared']} records read, {r['total']} accounted for")
        parts.setdefault(r["_sdl_file"], []).append(r)
    per_file: list[dict[str, Any]] = []
    offsets: dict[tuple[int, int], int] = {}
    misaligned: set[str] = set()
    for file_index, rows in sorted(parts.items()):
        rows.sort(key=lambda r: r["_sdl_range"])
        fid = file_ids[file_index]
        extras = [json.loads(r["summary"][0]["extra"]) for r in rows]
        first = next((i for i, e in enumerate(extras) if e["refused"] or e.get("misaligned")), None)
        if first is not None and extras[first].get("misaligned"):
            misaligned.add(fid)
            continue
        sha256 = scans[fid].sha256 if fid in scans and len(rows) > 1 else extras[0]["sha256"]
        if first is not None:
            extra = {**extras[first], "sha256": sha256}
            per_file.append({"_sdl_file": file_index, "total": 0, "bad": 0, "summary": [{"problem": None, "extra": json.dumps(extra)}]})
            continue
        seen = 0
        for r in rows:
            offsets[(file_index, r["_sdl_range"])] = seen
            seen += r["total"]
        extra = {"sha256": sha256, "blank_lines": sum(e["blank_lines"] for e in extras), "refused": None}
        per_file.append({"_sdl_file": file_index, "total": seen, "bad": sum(r["bad"] for r in rows),
                         "summary": [{"problem": rows[0]["summary"][0]["problem"], "extra": json.dumps(extra)}]})
    return per_file, offsets, misaligned


def run_ingestion(spark: SparkSession, cfg: IngestConfig) -> RunResult:
    """Ingest the pending files of `cfg.source` as one batch (see the module docstring)."""
    lock = TableLock(cfg.table_uri, cfg.run_id) if _is_local(cfg.table_uri) else None
    if lock is not None:
        lock.acquire()
    try:
        return _run(spark, cfg)
    except Exception as e:
        if type(e).__name__.startswith("Concurrent") or "DELTA_CONCURRENT" in str(e) or "ConcurrentAppendException" in str(e):
            raise IngestConcurrentRun(f"another run committed to this table while this one was writing: {SINGLE_WRITER}; "
                                      "what this run committed is repaired by the next run") from e
        raise
    finally:
        if lock is not None:
            lock.release()


def _run(spark: SparkSession, cfg: IngestConfig) -> RunResult:
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
    # file id -> (problem, why): the files of the batch whose records are not loaded
    refused: dict[str, tuple[str, str]] = {}
    if unfinished is not None:
        # Repair: the same batch, the same files, the same refusals; Delta skips the steps already committed.
        batch = unfinished["batch"]
        batch_files = [(fid, uri) for fid, uri in zip(unfinished["files"], unfinished["uris"], strict=True)]
        refused.update({fid: (code, why) for fid, (code, why) in unfinished.get("refused", {}).items()})
    else:
        pending = [s for fid, s in sorted(listing.items()) if fid not in finished][: cfg.max_files_per_batch]
        if not pending:
            result = RunResult(batch=None, status="nothing-to-do", files=[])
            expired = expire_quarantine(spark, p["quarantine"], cfg)
            # A run that found nothing new still ran: the "no successful run" alarm counts it.
            cfg.metrics.emit({METRIC["RECORDS_READ"]: 0, METRIC["FILES"]: 0, METRIC["RUNS_SUCCEEDED"]: 1, **expired}, cfg.dimensions)
            print(result.summary())
            return result
        batch = max(done_batches, default=0) + 1
        batch_files = [(s.file_id, s.uri) for s in pending]
    for fid, uri in batch_files:
        if compression_of(uri) is None:
            refused[fid] = (NOT_CSV, "the name does not end in .csv, .csv.gz or .csv.bz2 (any case)")

    now = cfg.clock()
    reader = cfg.source.reader()
    pinned = getattr(reader, "pinned", None)
    if callable(pinned):  # S3: read exactly the versions of the batch's file ids (a repaired batch's too)
        reader = pinned(batch_files)
    is_record = ~F.col("_sdl_summary")
    is_file = F.col("_sdl_summary")
    validated = None
    # Stage 1 (sdl_ranges): the large uncompressed files are scanned once (hash, quote parities, header)
    # and then read as ranges in parallel; a file whose ranges do not line up is read again in one task.
    scans = {}
    if cfg.split_bytes > 0 and can_split(reader):
        large = [(fid, uri) for fid, uri in batch_files if fid not in refused and compression_of(uri) == "none"
                 and fid in listing and listing[fid].size > cfg.split_bytes]
        if large:
            try:
                scans = scan_files(spark, reader, large, [c.name for c in cfg.schema.columns], cfg.split_bytes)
            except Exception as e:  # noqa: BLE001 - a task of stage 1 died: read those files in one task each, as before
                print(f"sdl-ingest: scanning the large files failed ({_failed_task(e)[1]}); they are read in one task each", file=sys.stderr)
    sequential: set[str] = set()
    while True:
        # Parse once and validate (one task per file or range); every later action reads the persisted result.
        to_read = [(fid, uri) for fid, uri in batch_files if fid not in refused]
        file_ids = [fid for fid, _ in to_read]
        plan: list[tuple[int, str, int, str | None]] = []
        for i, (fid, uri) in enumerate(to_read):
            ranges = plan_ranges(scans[fid], cfg.split_bytes) if fid in scans and fid not in sequential else []
            if len(ranges) > 1:
                plan += [(i, uri, r.index, json.dumps(dataclasses.asdict(r))) for r in ranges]
            else:
                plan.append((i, uri, 0, None))
        task_files = [file_ids[i] for i, *_ in plan]
        task_schema = "_sdl_file int, uri string, _sdl_range int, _sdl_plan string"
        if plan:
            tasks = spark.createDataFrame(spark.sparkContext.parallelize(plan, len(plan)), task_schema)
        else:
            tasks = spark.createDataFrame([], task_schema)
        parsed = tasks.mapInArrow(make_parse_stage(cfg.schema, cfg.key, file_ids, reader, cfg.block_bytes, cfg.max_record_bytes),
                                  parse_stage_schema(cfg.schema))
        # A batch with split files is large: its cache goes straight to disk. Memory-first, two range
        # tasks each unroll a partition into the storage pool at once and overrun a 2g driver heap
        # (OutOfMemoryError building the cached batches; measured on the 2.2 GB input).
        split = len(plan) > len(to_read)
        validated = finish_validation(parsed, cfg.schema).persist(StorageLevel.DISK_ONLY if split else StorageLevel.MEMORY_AND_DISK_DESER)
        try:
            per_part = validated.groupBy("_sdl_file", "_sdl_range").agg(
                F.sum(F.when(is_record, 1).otherwise(0)).alias("total"),
                F.sum(F.when(is_record & F.col("_sdl_reasons").isNotNull(), 1).otherwise(0)).alias("bad"),
                F.max(F.when(is_file, F.col("_sdl_record"))).alias("declared"),
                # the summary row's text: a list (hash aggregation; a string max would sort every row)
                F.collect_list(F.when(is_file, F.struct(F.col("_sdl_problem").alias("problem"), F.col("_sdl_raw").alias("extra")))).alias("summary"),
            ).collect()
        except Exception as e:  # a task failed: a Python worker or the JVM died reading a file
            validated.unpersist()
            index, cause = _failed_task(e)
            if index is None or index >= len(task_files):
                raise IngestReadFailed(f"batch {batch}: reading the batch failed ({cause}); nothing was committed") from e
            fid = task_files[index]
            # Refuse that file and read the batch again without it: no file blocks the others, and
            # the run still fails at the end, naming it.
            refused[fid] = (UNREADABLE, f"the task reading it failed: {cause}")
            print(f"sdl-ingest: {fid}: the task reading it failed ({cause}); the file is refused, the batch goes on without it", file=sys.stderr)
            continue
        per_file, offsets, misaligned = _combine_ranges(per_part, file_ids, scans)
        if not misaligned:
            break
        # A split file whose ranges did not line up: read it again in one task (its ranged results discarded).
        validated.unpersist()
        sequential |= misaligned
        print(f"sdl-ingest: {len(misaligned)} file(s) read again in one task (their ranges did not line up): {', '.join(sorted(misaligned))}",
              file=sys.stderr)
    base_meta = {"batch": batch, "run_id": cfg.run_id, "schema_hash": schema_hash, "key_version": key_version,
                 "files": [fid for fid, _ in batch_files], "uris": [uri for _, uri in batch_files]}
    try:
        files: list[FileResult] = []
        for r in per_file:
            fid = file_ids[r["_sdl_file"]]
            summary = r["summary"][0]
            extra = json.loads(summary["extra"])
            if extra["refused"]:
                refused[fid] = tuple(extra["refused"])
                files.append(FileResult(fid, problem=extra["refused"][0], sha256=extra["sha256"] or ""))
            else:
                files.append(FileResult(fid, r["total"], r["total"] - r["bad"], r["bad"], extra["blank_lines"], summary["problem"], extra["sha256"]))
        files += [FileResult(fid, problem=code) for fid, (code, _why) in refused.items() if fid not in file_ids]
        missing = {fid for fid, _ in batch_files} - {f.file_id for f in files}
        if missing:
            raise RuntimeError(f"{len(missing)} file(s) of the batch were not accounted for: {', '.join(sorted(missing))}")
        files.sort(key=lambda f: f.file_id)
        read = sum(f.records_read for f in files)
        bad = sum(f.quarantined for f in files)
        ratio = bad / read if read else 0.0
        failed_closed = ratio > cfg.max_quarantine_ratio
        meta = {**base_meta, "records_read": read, "valid": read - bad, "quarantined": bad,
                "refused": {fid: list(v) for fid, v in sorted(refused.items())}}
        # The file id of a row, from its index (the ids are the batch plan, also in the commit metadata).
        source_file = F.element_at(F.array(*[F.lit(fid) for fid in file_ids]), F.col("_sdl_file") + 1) if file_ids else F.lit(None).cast("string")
        records = validated.filter(is_record)
        # a split file's records are numbered within their range: add the records of the ranges before
        record_number = F.col("_sdl_record")
        if offsets:
            keyed = {(file_index << 32) + range_index: n for (file_index, range_index), n in offsets.items() if n}
            if keyed:
                table = F.create_map(*[F.lit(x) for k, n in sorted(keyed.items()) for x in (k, n)])
                key = F.col("_sdl_file").cast("long") * F.lit(1 << 32) + F.col("_sdl_range")
                record_number = record_number + F.coalesce(F.element_at(table, key), F.lit(0).cast("long"))
        dropped = [i for i, fid in enumerate(file_ids) if fid in refused]
        if dropped:  # a refused file's records are not loaded, not even those read before it failed
            records = records.filter(~F.col("_sdl_file").isin(dropped))

        # 1. quarantine: the batch's first commit; its metadata names the batch's files (the plan)
        quarantine = records.filter(F.col("_sdl_reasons").isNotNull()).select(
            F.lit(batch).cast("long").alias("batch"),
            source_file.alias("source_file"),
            record_number.alias("record_number"),
            F.split(F.col("_sdl_reasons"), ",").alias("reasons"),
            (F.lit(None).cast("string") if cfg.redact_quarantine else F.col("_sdl_raw")).alias("raw_record"),
            F.lit(cfg.run_id).alias("run_id"),
            F.lit(now).cast("timestamp").alias("quarantined_at"),
        )
        cfg.commits.append(quarantine, p["quarantine"], QUARANTINE, batch, {**meta, "step": "quarantine"})

        # 2. data, unless the batch fails closed
        if not failed_closed:
            lineage = [F.lit(batch).cast("long").alias("_sdl_batch"), source_file.alias("_sdl_source_file"),
                       record_number.alias("_sdl_record_number")]
            if key_version is not None:
                lineage.append(F.lit(key_version).alias("_sdl_key_version"))
            data = records.filter(F.col("_sdl_reasons").isNull()).select(*[F.col(f"`{c.name}`") for c in cfg.schema.columns], *lineage)
            cfg.commits.append(data, p["data"], DATA, batch, {**meta, "step": "data"},
                               data_table_properties(cfg.schema, [c for c in data.columns if c.startswith("_sdl_")]))
    finally:
        validated.unpersist()

    # 3. outcome: the ledger rows that close the batch
    status = "failed_closed" if failed_closed else "committed"
    why = (f"quarantine ratio {ratio:.4f} is above the threshold {cfg.max_quarantine_ratio}; the main table was not committed"
           if failed_closed else None)
    done = cfg.clock()
    uris = dict(batch_files)
    outcome_rows = [(batch, "refused" if f.file_id in refused else status, f.file_id, uris[f.file_id], f.records_read, f.valid,
                     f.quarantined, f.blank_lines, f.problem, f.sha256 or None, cfg.run_id, schema_hash, key_version,
                     refused[f.file_id][1] if f.file_id in refused else why, done) for f in files]
    cfg.commits.append(spark.createDataFrame(outcome_rows, _ledger_schema()), p["ledger"], OUTCOME, batch,
                       {**meta, "step": "outcome", "status": status})

    # 4. quarantine retention (after the batch is closed; idempotent)
    expired = expire_quarantine(spark, p["quarantine"], cfg)

    unreadable = {fid: v for fid, v in refused.items() if v[0] != NOT_CSV}
    result = RunResult(batch, status, files, read, read - bad, bad, unfinished is not None, why or "",
                       refused={fid: f"{code}: {why_}" for fid, (code, why_) in sorted(refused.items())}, parse_tasks=len(plan))
    cfg.metrics.emit({METRIC["RECORDS_READ"]: read, METRIC["RECORDS_VALID"]: read - bad, METRIC["RECORDS_QUARANTINED"]: bad,
                      METRIC["FILES"]: len(files), METRIC["FILES_REFUSED"]: len(refused), METRIC["FAILED_CLOSED"]: 1 if failed_closed else 0,
                      METRIC["RUNS_SUCCEEDED"]: 0 if failed_closed or unreadable else 1, **expired}, cfg.dimensions)
    print(result.summary())
    if failed_closed:
        raise IngestFailedClosed(why)
    if unreadable:
        raise IngestFilesRefused(f"batch {batch} committed without {len(unreadable)} unreadable file(s), refused in the ledger: "
                                 + "; ".join(f"{fid}: {code}: {w}" for fid, (code, w) in sorted(unreadable.items())))
    return result


def expire_quarantine(spark: SparkSession, quarantine_path: str, cfg: IngestConfig) -> dict[str, int]:
    """Delete the quarantine rows older than the retention, then VACUUM (sdl_retention): the
    `QUARANTINE_RECORDS_EXPIRED` metric (none when the retention is off)."""
    expired = sdl_retention.expire_quarantine(spark, quarantine_path, cfg.quarantine_retention_days, cfg.clock)
    return {METRIC["QUARANTINE_RECORDS_EXPIRED"]: sum(expired.values())} if expired else {}
