"""Large files read as byte ranges in parallel, with exactly the records the sequential reader gives.

A file is split when it is stored uncompressed and is larger than the split size (128 MiB by
default, as Spark's maxPartitionBytes); a gzip or bz2 file, a UTF-16 file, a file with NUL bytes at
its start and a file whose header is not within its first block are read by one task, as before.

Stage 1 (`scan_file`, one task per large file, one sequential pass at C speed) hashes the stored
object (the ledger's hash stays the hash of the stored bytes), counts the quote bytes up to every
multiple of the split size (their parity) and reads the header (its end, and whether it is the
columns).

The rule: a record starts at offset 0 or right after a line end (LF; CR not followed by LF; CRLF)
with an even number of quote bytes before it. Range k = [s_k, s_k+1) owns the records that start in
it: its task finds its first record start p_k >= s_k and the first record start p_k+1 >= s_k+1
(`record_start`, from the parity of stage 1) and parses the bytes [p_k, p_k+1) as the sequential
reader does (sdl_csv.stream_records; range 0 with the byte-order mark and the header, the others
numbering their records from 1 and told whether the header was the columns).

Why it is exact, and the check that makes it so: quote parity is the strict tokenizer's in-quote
state only while every quote is placed as RFC 4180 says. The strict tokenizer also accepts a quote
inside an unquoted field (`a"b` is the field a"b), and after BAD_QUOTING it starts again at the next
line, whatever the parity; either puts the parity rule off. So each range checks its own end: if
its parse, started at a true record start, is not at a record's end at p_k+1 (a quoted field is
still open: sdl_csv.OpenRecordAtEnd), the range is misaligned. Range 0 starts at a true record start;
if range k did and its parse closed at p_k+1, then p_k+1 is a true record start of the sequential
parse and the bytes between were parsed as the sequential reader parses them (same bytes, same
tokenizer state): by induction, when no range is misaligned the ranges' records are the sequential
records. A file with a misaligned range is read again by one task (its ranged results discarded).
The first range in file order that refuses the file (RECORD_TOO_LONG, unreadable) refuses it, as the
sequential reader, which reads the same bytes up to there, would.

Record numbers: each range numbers its records from 1 (range 0 from the header's 0); the driver adds
the records of the ranges before.

The same bytes at every read: stage 1 and the range tasks read the object several times. On S3 each
read is a GetObject of the listed version (sdl_adapters.S3Reader, ranged from an offset), and a
version is immutable, so every read sees the bytes stage 1 hashed. A local file may change between
the reads: its file id holds its content hash, which the sequential reader checks, but the range
tasks do not re-hash (a local folder is for development and tests).
"""
from __future__ import annotations

import csv
import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, cast

from sdl_csv import (
    DEFAULT_BLOCK_BYTES,
    DEFAULT_MAX_RECORD_BYTES,
    Block,
    FileStats,
    StoredObject,
    _cut,
    _decode,
    _is_blank,
    _split_lines,
    stream_records,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from sdl_adapters import SourceReader

DEFAULT_SPLIT_BYTES = 128 << 20  # as Spark's spark.sql.files.maxPartitionBytes

_BOM = b"\xef\xbb\xbf"

# Opens a stored object's bytes from an offset.
OpenAt = Callable[[int], StoredObject]


@dataclass
class FileScan:
    """What stage 1 found in one file."""

    sha256: str = ""
    size: int = 0
    splittable: bool = False
    why_not: str = ""
    header_ok: bool = True
    header_end: int = 0
    parities: dict[int, int] = field(default_factory=dict)  # offset (a multiple of the split size) -> quotes before it, mod 2


@dataclass(frozen=True)
class Range:
    """One range of a split file: bytes [start, end) of `size`, the quote parities at both ends."""

    index: int
    start: int
    end: int
    size: int
    parity_start: int
    parity_end: int
    header_ok: bool

    @property
    def last(self) -> bool:
        return self.end >= self.size


def _header(prefix: bytes, whole: bool, columns: list[str]) -> tuple[int, bool] | None:
    """(the offset right after the header record, whether it is the columns), read as the strict
    tokenizer reads it (blank lines before it are no record); None when `prefix` (the file's first
    bytes; all of them when `whole`) does not hold the whole header."""
    bom = 3 if prefix.startswith(_BOM) else 0
    body = prefix[bom:]
    cut = len(body) if whole else _cut(bytearray(body), len(body), final=False)
    text, _ = _decode(body[:cut])
    lines = _split_lines(text)
    reader = csv.reader(iter(lines), strict=True, doublequote=True, quotechar='"', delimiter=",", skipinitialspace=False)
    start = 0
    while True:
        try:
            fields: list[str] | None = next(reader)
        except StopIteration:
            return None
        except csv.Error as e:
            if not whole and str(e) == "unexpected end of data":
                return None
            fields = None
        end = reader.line_num
        if fields is not None and (fields == [] or (end - start == 1 and _is_blank(lines[start]))):
            start = end
            continue
        return bom + len("".join(lines[:end]).encode("utf-8", "surrogateescape")), fields == columns


def scan_file(stored: StoredObject, columns: list[str], split_bytes: int, chunk_bytes: int = 1 << 20,
              header_bytes: int = DEFAULT_BLOCK_BYTES) -> FileScan:
    """Stage 1: one pass over the stored bytes (see the module docstring)."""
    scan = FileScan()
    digest = hashlib.sha256()
    prefix = bytearray()
    quotes = 0
    offset = 0
    next_boundary = split_bytes
    while True:
        chunk = stored.read(chunk_bytes)
        if not chunk:
            break
        digest.update(chunk)
        end = offset + len(chunk)
        while next_boundary <= end:
            scan.parities[next_boundary] = (quotes + chunk.count(b'"', 0, next_boundary - offset)) & 1
            next_boundary += split_bytes
        quotes += chunk.count(b'"')
        if len(prefix) < header_bytes:
            prefix += chunk[: header_bytes - len(prefix)]
        offset = end
    scan.sha256, scan.size = digest.hexdigest(), offset
    head = bytes(prefix[:chunk_bytes])
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        scan.why_not = "UTF-16"
    elif b"\x00" in head:
        scan.why_not = "NUL bytes"
    else:
        header = _header(bytes(prefix), offset <= len(prefix), columns)
        if header is None:
            scan.why_not = "no header within the first block"
        else:
            scan.header_end, scan.header_ok = header
            scan.splittable = True
    return scan


def plan_ranges(scan: FileScan, split_bytes: int) -> list[Range]:
    """The ranges of a scanned file: cut at the multiples of the split size past its header; one
    range when it is not splittable or not larger than the split size."""
    if not scan.splittable:
        return [Range(0, 0, scan.size, scan.size, 0, 0, scan.header_ok)]
    cuts = [0] + [b for b in sorted(scan.parities) if scan.header_end <= b < scan.size] + [scan.size]
    parity = {0: 0, scan.size: 0, **scan.parities}
    return [Range(i, a, b, scan.size, parity[a], parity[b], scan.header_ok) for i, (a, b) in enumerate(itertools.pairwise(cuts))]


def record_start(open_at: OpenAt, offset: int, parity: int, size: int, limit: int, chunk_bytes: int = 1 << 16) -> int | None:
    """The first record start >= `offset` by the quote-parity rule (`parity`: the quotes before
    `offset`, mod 2): `size` when none is left; None when none is found within `limit` bytes (the
    caller reads the file sequentially)."""
    if offset <= 0:
        return 0
    if offset >= size:
        return size
    stored = open_at(offset - 1)
    try:
        base = offset - 1  # the file offset of buf[0]
        buf = bytearray(stored.read(chunk_bytes))
        i = 0  # the next byte to look at
        counted = 1  # quotes are counted in buf[1:counted] (from `offset` on)
        odd = parity & 1
        while True:
            if i >= len(buf):
                if base + len(buf) >= size:
                    return size
                if base + len(buf) - offset > limit:
                    return None
                more = stored.read(chunk_bytes)
                if not more:
                    return size
                buf += more
                continue
            lf = buf.find(b"\n", i)
            cr = buf.find(b"\r", i)
            ends = [x for x in (lf, cr) if x >= 0]
            if not ends:
                i = len(buf)
                continue
            j = min(ends)
            if buf[j] == 13:  # CR: a line end unless LF follows
                if j + 1 >= len(buf):
                    if base + j + 1 >= size:
                        return size
                    more = stored.read(chunk_bytes)
                    if not more:
                        return size
                    buf += more
                if buf[j + 1] == 10:
                    i = j + 1
                    continue
            odd ^= buf.count(b'"', counted, j) & 1
            counted = j
            i = j + 1
            if not odd:
                return base + j + 1
    finally:
        stored.close()


def _read_span(open_at: OpenAt, start: int, end: int, chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
    stored = open_at(start)
    try:
        left = end - start
        while left > 0:
            chunk = stored.read(min(chunk_bytes, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        stored.close()


class Misaligned(Exception):
    """The range's parse did not end at a record's end: the file is read sequentially."""


def read_range(open_at: OpenAt, rng: Range, columns: list[str], stats: FileStats, block_bytes: int = DEFAULT_BLOCK_BYTES,
               max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[Block]:
    """The records of one range (see the module docstring), numbered from 1 within the range (range
    0: as the sequential reader). Raises Misaligned, or FileRefused as the sequential reader."""
    from sdl_csv import OpenRecordAtEnd

    start = record_start(open_at, rng.start, rng.parity_start, rng.size, max_record_bytes)
    end = rng.size if rng.last else record_start(open_at, rng.end, rng.parity_end, rng.size, max_record_bytes)
    if start is None or end is None:
        raise Misaligned("no record start within the record limit")
    if rng.index > 0 and start >= end:
        return
    try:
        yield from stream_records(_read_span(open_at, start, end), columns, stats, block_bytes, max_record_bytes,
                                  header_ok=None if rng.index == 0 else rng.header_ok, open_end=end < rng.size)
    except OpenRecordAtEnd as e:
        raise Misaligned(str(e)) from e


def can_split(reader: object) -> bool:
    """Whether `reader` opens a stored object at an offset without reading what is before it: a
    reader with `open_range(uri, offset)` (S3: a ranged GetObject of the listed version), or local
    files."""
    from sdl_adapters import LocalReader

    return callable(getattr(reader, "open_range", None)) or isinstance(reader, LocalReader)


def opener(reader: SourceReader, uri: str) -> OpenAt:
    """`open_at` for one stored object of `reader` (see `can_split`)."""
    ranged = getattr(reader, "open_range", None)

    def open_at(offset: int) -> StoredObject:
        if callable(ranged):
            stored: StoredObject = ranged(uri, offset)
            return stored
        local = cast("BinaryIO", reader.open(uri))  # a local file: seekable
        local.seek(offset)
        return local

    return open_at


def scan_files(spark: SparkSession, reader: SourceReader, files: list[tuple[str, str]], columns: list[str],
               split_bytes: int) -> dict[str, FileScan]:
    """Stage 1 over the large files of a batch, one Spark task per file: file id -> its scan, for
    the files that can be split. A file whose scan fails, or whose content no longer matches its
    file id, is left to the sequential reader, which refuses it with the cause."""

    def scan(item: tuple[str, str]) -> tuple[str, FileScan | None]:
        file_id, uri = item
        try:
            stored = reader.open(uri)
            try:
                return file_id, scan_file(stored, columns, split_bytes)
            finally:
                stored.close()
        except Exception:  # noqa: BLE001 - the sequential reader reads it and says why
            return file_id, None

    out: dict[str, FileScan] = {}
    for file_id, found in spark.sparkContext.parallelize(files, len(files)).map(scan).collect():
        if found is not None and found.splittable and ("#sha256:" not in file_id or file_id.endswith(found.sha256)):
            out[file_id] = found
    return out
