"""The parse stage: runs on executors (mapInArrow), one source file, or one range of a large file,
at a time: strict CSV reading (sdl_csv, sdl_ranges), the checks and pseudonyms (sdl_validate), one
row per record plus one summary row per file or range; then the JVM's part of the validation."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sdl_adapters import PseudonymKey, SourceReader
from sdl_csv import DEFAULT_BLOCK_BYTES, DEFAULT_MAX_RECORD_BYTES, UNREADABLE, FileRefused, FileStats, compression_of, stream_records, text_chunks
from sdl_ranges import Misaligned, Range, opener, read_range
from sdl_schema import TableSchema
from sdl_validate import arrow_type, check_columns, jvm_format_columns, spark_ddl_type

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


META = ["_sdl_summary", "_sdl_file", "_sdl_range", "_sdl_record", "_sdl_reasons", "_sdl_raw"]


def parse_stage_schema(schema: TableSchema) -> str:
    cols = ", ".join(f"`{c.name}` {spark_ddl_type(c)}" for c in schema.columns)
    return f"_sdl_summary boolean, _sdl_file int, _sdl_range int, _sdl_record long, _sdl_reasons string, _sdl_raw string, {cols}"


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


def make_parse_stage(schema: TableSchema, key: PseudonymKey | None, file_ids: list[str], reader: SourceReader,
                     block_bytes: int = DEFAULT_BLOCK_BYTES, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
                     ) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """The function mapInArrow runs: file indexes and URIs in (one file per task), one row per
    record plus one summary row per file out.

    Each file is streamed from its stored object (`reader`), in chunks, hashed as stored,
    decompressed and parsed block by block (sdl_csv.stream_records): a task holds one block of
    `block_bytes` of text and one record of at most `max_record_bytes`, whatever the file's size,
    and hands Spark one Arrow batch per block.

    A record's row has its typed values (PII pseudonymized), `_sdl_reasons` (its failed checks
    joined with ",", null when it passed them all: see sdl_validate) and `_sdl_raw` (its raw text,
    only when it failed; every record's when Spark still has to parse a date or timestamp column).
    `_sdl_file` is the index of the ledger's file id in `file_ids` (a small integer travels and is
    cached cheaper than the id). A file's summary row (`_sdl_summary`) has the number of records
    read in `_sdl_record`, the file's problem in `_sdl_reasons` and, in `_sdl_raw` (JSON), its hash,
    blank lines and, when the file cannot be read, why it is refused (its records are then dropped
    by the driver: a file is loaded whole or not at all).

    A task row with a `_sdl_plan` (JSON of an sdl_ranges.Range) reads that range of a split file:
    its records numbered from 1 within the range (the driver adds the ranges before), one summary
    row per range (`_sdl_range`), which says `misaligned` when the range's parse did not end where a
    record ends (the driver then reads the file again in one task).
    """
    names = [c.name for c in schema.columns]
    types = [arrow_type(c) for c in schema.columns]
    if any(c.pii for c in schema.columns) and key is None:
        raise ValueError("the schema has PII columns: a pseudonymization key is required")
    key_bytes = key.key if key is not None else b""
    raw_for_all = bool(jvm_format_columns(schema))

    def stage(batches: Iterable[Any]) -> Iterator[Any]:
        import pyarrow as pa
        import pyarrow.compute as pc

        pseudonym = _hmac_sha256_hex(key_bytes)  # made here: hash states do not travel to executors
        def rows(block: Any, file_index: int, range_index: int) -> Any:
            n = len(block.numbers)
            # unreadable records have no fields: no value checks, their structural reason alone
            typed, checked = check_columns(schema, block.columns, pc.is_null(block.structural), pseudonym)
            reasons = pc.coalesce(block.structural, checked)
            raw = block.raw if raw_for_all else pc.if_else(pc.is_valid(reasons), block.raw, pa.scalar(None, pa.string()))
            return pa.RecordBatch.from_arrays(
                [pa.repeat(pa.scalar(False), n), pa.repeat(pa.scalar(file_index, pa.int32()), n), pa.repeat(pa.scalar(range_index, pa.int32()), n),
                 block.numbers, reasons, raw, *typed], names=META + names)

        for batch in batches:
            for file_index, uri, range_index, plan in zip(batch.column("_sdl_file").to_pylist(), batch.column("uri").to_pylist(),
                                                          batch.column("_sdl_range").to_pylist(), batch.column("_sdl_plan").to_pylist(), strict=True):
                file_id = file_ids[file_index]
                stats = FileStats()
                digest = hashlib.sha256()
                refused = None
                misaligned = False
                try:
                    if plan is not None:  # one range of a split file (its hash is stage 1's)
                        for block in read_range(opener(reader, uri), Range(**json.loads(plan)), names, stats, block_bytes, max_record_bytes):
                            yield rows(block, file_index, range_index)
                    else:
                        stored = reader.open(uri)
                        try:
                            chunks = text_chunks(stored, compression_of(uri) or "none", digest)
                            for block in stream_records(chunks, names, stats, block_bytes, max_record_bytes):
                                yield rows(block, file_index, range_index)
                        finally:
                            stored.close()
                        stats.sha256 = digest.hexdigest()
                        if "#sha256:" in file_id and not file_id.endswith(stats.sha256):
                            raise FileRefused(UNREADABLE, "the file changed after it was listed (its content no longer matches its file id)")
                except Misaligned:
                    misaligned = True
                except FileRefused as e:
                    refused = [e.code, str(e)]
                except Exception as e:  # noqa: BLE001 - any failure reading one file refuses that file, not the batch
                    refused = [UNREADABLE, _describe(e)]
                # the file's (the range's) summary row
                summary = json.dumps({"sha256": stats.sha256 or None, "blank_lines": stats.blank_lines, "refused": refused, "misaligned": misaligned})
                yield pa.RecordBatch.from_arrays(
                    [pa.array([True]), pa.array([file_index], pa.int32()), pa.array([range_index], pa.int32()), pa.array([stats.records], pa.int64()),
                     pa.array([refused[0] if refused else stats.problem], pa.string()), pa.array([summary])] + [pa.nulls(1, t) for t in types],
                    names=META + names)

    return stage


def _describe(e: BaseException) -> str:
    """A failure's class and, for I/O and service errors, its message (never a parser's or a
    library's message, which may quote the data)."""
    name = type(e).__name__
    if isinstance(e, OSError) or type(e).__module__.startswith("botocore"):
        return f"{name}: {str(e)[:200]}"
    return name


# ---------------------------------------------------------------------------------------------
# The JVM's part: the date and timestamp formats only Spark parses, the reasons as an array.
# ---------------------------------------------------------------------------------------------

def finish_validation(parsed: DataFrame, schema: TableSchema) -> DataFrame:
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
            assert c.format is not None  # a date or timestamp column has a format (sdl_schema)
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
        summary, F.col("_sdl_file"), F.col("_sdl_range"), F.col("_sdl_record"), F.when(summary, F.col("_sdl_reasons")).alias("_sdl_problem"),
        raw.alias("_sdl_raw"), reasons.alias("_sdl_reasons"), *typed_cols,
    )
