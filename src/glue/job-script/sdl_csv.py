"""Strict CSV reading: one source file to logical records, nothing lost, nothing guessed, in bounded memory.

Spark's CSV reader silently pads or truncates rows of the wrong width, splits quoted newlines,
turns invalid UTF-8 into U+FFFD and gives no record numbers. This module reads a file and:

- strips a UTF-8 byte-order mark; decodes UTF-8 strictly (a record with an invalid byte sequence is
  quarantined as INVALID_UTF8, the rest of the file is still read); a file that starts with a
  UTF-16 byte-order mark is read as UTF-16; a file with NUL bytes is refused (UTF-16 without a
  byte-order mark, or not text);
- tokenizes RFC 4180 (doubled quotes, quoted commas and newlines, CRLF, LF or CR line ends) with
  the standard library's C tokenizer in strict mode: bad quoting is BAD_QUOTING; fields of any
  length up to the record limit;
- checks the header against the declared columns: a different header sends every record of the
  file to quarantine as BAD_HEADER (a file is never half-trusted);
- numbers logical records from 1 (the header is record 0) and checks every record's width:
  WRONG_COLUMN_COUNT;
- treats blank lines (empty, or spaces and tabs only) as no record (counted apart, not
  quarantined); an empty file has 0 records.

Two readers give the same records: `read_records` over a whole file's bytes (the reference), and
`stream_records` over the file's chunks, which never holds more than one block of `block_bytes`
of text plus one record of at most `max_record_bytes` (a longer record refuses the file:
RECORD_TOO_LONG). Blocks end at a line end; a record whose quoted field runs past a block's end is
carried into the next block. A block where every line is one well-formed record is read by
Arrow's C++ CSV reader (`fast_read`), any other by the strict tokenizer. Differential tests compare
the two readers with tiny blocks on random inputs.
"""
from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hashlib import _Hash

    from _typeshed import WriteableBuffer

# Record-level and file-level reason codes.
INVALID_UTF8 = "INVALID_UTF8"
BAD_QUOTING = "BAD_QUOTING"
WRONG_COLUMN_COUNT = "WRONG_COLUMN_COUNT"
BAD_HEADER = "BAD_HEADER"
EMPTY_FILE = "EMPTY_FILE"
# File-level refusals: the file's records are not loaded, the ledger says why.
NOT_CSV = "NOT_CSV"
UNREADABLE = "UNREADABLE"
RECORD_TOO_LONG = "RECORD_TOO_LONG"

BOM = "\ufeff"

# The memory bound of the streaming reader (per file being read, so per task).
DEFAULT_BLOCK_BYTES = 8 << 20          # text handed to the parser, and rows per Arrow batch, at a time
DEFAULT_MAX_RECORD_BYTES = 64 << 20    # one logical record (a field of any length up to this)

# Python's csv module refuses fields over 131,072 characters by default; the record limit bounds them here.
csv.field_size_limit(2 ** 31 - 1)


class OpenRecordAtEnd(Exception):
    """A piece of a file ended inside a record (a quoted field still open): the piece does not end
    where a record ends (see sdl_ranges)."""


class FileRefused(Exception):
    """The file cannot be read as CSV; `code` is the ledger's file problem, the message says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Record:
    """One logical record: its number, its fields (None when it was rejected) and its raw text."""

    number: int
    fields: list[str] | None
    raw: str
    reason: str | None = None


@dataclass
class FileStats:
    """What reading one file found."""

    sha256: str = ""
    records: int = 0
    blank_lines: int = 0
    problem: str | None = None
    structural_rejects: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def _has_invalid_utf8(text: str) -> bool:
    # surrogateescape maps each undecodable byte to U+DC80..U+DCFF
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _printable(text: str) -> str:
    """The raw text as stored in quarantine: undecodable bytes become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _split_lines(text: str) -> list[str]:
    """Physical lines with their ends: LF, CRLF or CR only (str.splitlines would also split at
    U+2028, form feeds and the like, which are data in a CSV field)."""
    return io.StringIO(text, newline="").readlines()


def _is_blank(line: str) -> bool:
    return line.strip(" \t\r\n") == ""


def _decode(data: bytes) -> tuple[str, bool]:
    """(text, whether it holds undecodable bytes as surrogate escapes)."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape"), True


class _Tokenizer:
    """The strict reader's state across the blocks of one file."""

    def __init__(self, columns: list[str], stats: FileStats):
        self.columns = columns
        self.stats = stats
        self.number = -1  # the header is record 0
        self.header_ok = True

    def records(self, lines: list[str], check_utf8: bool, final: bool) -> tuple[list[Record], list[str]]:
        """The complete records of `lines`, and the lines of a record that continues past them
        (empty when `final`: an unterminated quote then takes the rest of the file as one bad record)."""
        stats, out = self.stats, list[Record]()
        reader = csv.reader(iter(lines), strict=True, doublequote=True, quotechar='"', delimiter=",", skipinitialspace=False)
        start = 0
        while True:
            try:
                fields = next(reader)
                reason = None
            except StopIteration:
                break
            except csv.Error as e:
                if not final and str(e) == "unexpected end of data":
                    return out, lines[start:]
                fields, reason = None, BAD_QUOTING
            end = reader.line_num
            if reason is None and (fields == [] or (end - start == 1 and _is_blank(lines[start]))):
                stats.blank_lines += 1
                start = end
                continue
            self.number += 1
            if self.number == 0:
                if fields != self.columns:
                    self.header_ok = False
                    stats.problem = BAD_HEADER
                start = end
                continue
            stats.records += 1
            raw = "".join(lines[start:end]) if end - start > 1 else lines[start]
            if check_utf8 and _has_invalid_utf8(raw):
                reason = INVALID_UTF8
            elif not self.header_ok:
                reason = BAD_HEADER
            elif reason is None and fields is not None and len(fields) != len(self.columns):
                reason = WRONG_COLUMN_COUNT
            if reason is not None:
                stats.structural_rejects += 1
                stats.reasons[reason] = stats.reasons.get(reason, 0) + 1
                out.append(Record(self.number, None, _printable(raw), reason))
            else:
                out.append(Record(self.number, fields, raw))
            start = end
        return out, []

    def finish(self) -> None:
        if self.number < 0 and self.stats.problem is None:
            self.stats.problem = EMPTY_FILE


def read_records(data: bytes, columns: list[str], stats: FileStats) -> Iterator[Record]:
    """Yield the data records of one whole CSV file (the header is checked, not yielded): the
    reference the streaming reader is held to.

    The C tokenizer reads the lines directly; its `line_num` marks where each record ends, so a
    record's raw text is the slice of lines it consumed.
    """
    stats.sha256 = hashlib.sha256(data).hexdigest()
    text, check_utf8 = _decode(data)
    if text.startswith(BOM):
        text = text[1:]
    tokenizer = _Tokenizer(columns, stats)
    records, _ = tokenizer.records(_split_lines(text), check_utf8, final=True)
    yield from records
    tokenizer.finish()


# A line of RFC 4180 fields, each either unquoted (no quote, comma or line break) or quoted with
# doubled quotes inside and nothing after the closing quote but a comma or the line end.
_FIELD = r'(?:"(?:[^"\r\n]|"")*"|[^",\r\n]*)'
_WELL_QUOTED_LINE = "^" + _FIELD + r"(?:," + _FIELD + r")*\r?\n?$"


def _line_offsets(text: Any) -> Any:
    """Where each physical line of a UTF-8 text (an Arrow buffer) starts, and where the last ends."""
    import numpy as np

    if text.size >= 2 ** 31:
        raise ValueError("a block of 2 GiB or more cannot be read in one piece")
    data = np.frombuffer(text, np.uint8)
    ends = np.flatnonzero(data == 10) + 1
    tail = [text.size] if text.size and data[-1] != 10 else []
    return np.concatenate(([0], ends, tail)).astype(np.int32)


def _lines(text: Any, offsets: Any) -> Any:
    """The lines between consecutive offsets, each with its line end, as an Arrow string array that
    shares the text's memory (no Python object per line). The array starts at offset 0 of its own
    buffer: kernels mishandle a slice of an array made from buffers (see the README's design notes)."""
    import pyarrow as pa

    start = int(offsets[0])
    return pa.Array.from_buffers(pa.string(), len(offsets) - 1, [None, pa.py_buffer(offsets - start), text.slice(start)])


def _fast_block(body: bytes, columns: list[str], header: bool) -> tuple[Any, Any] | None:
    """Read a block of whole lines with Arrow's C++ CSV reader, or return None for the strict reader.

    Arrow is lenient where this module is strict (text after a closing quote, unterminated quotes),
    pads nothing but skips blank lines, and gives no record numbers. So it is used only for a block
    that provably reads the same both ways: valid UTF-8, every quote part of a well-formed quoted
    field, the header (when the block has it) equal to the columns, and one record per physical
    line (no blank lines, no quoted newlines), so that record i is line i. Anything else returns
    None. Such a block also ends where a record ends, so the next block starts at a record.

    Returns (arrow table of string columns, the records' raw lines as an arrow string array).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    if not body.strip(b"\r\n") or body.count(b"\r") != body.count(b"\r\n"):
        return None  # (Arrow ends a line at a lone CR, the line offsets below do not)
    if body.startswith(b"\xef\xbb\xbf"):
        return None  # Arrow drops a byte-order mark at a block's start: here it is data (U+FEFF in a first field)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=max(1 << 20, len(body) + 1),
                                           column_names=None if header else columns),
            parse_options=pacsv.ParseOptions(delimiter=",", quote_char='"', double_quote=True, escape_char=False,
                                              newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in columns}, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False, check_utf8=True),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None
    if table.column_names != columns:
        return None
    text = pa.py_buffer(body)
    offsets = _line_offsets(text)
    lines = _lines(text, offsets)
    if table.num_rows + (1 if header else 0) != len(lines):
        return None
    if b'"' in body:
        quoted = lines.filter(pc.match_substring(lines, '"'))
        if not pc.all(pc.match_substring_regex(quoted, _WELL_QUOTED_LINE)).as_py():
            return None
    if len(columns) == 1 and pc.any(pc.match_substring_regex(lines, r"^[ \t]*\r?\n?$")).as_py():
        return None  # a blank line of spaces Arrow took for a value
    return table, (_lines(text, offsets[1:]) if header else lines)


def fast_read(data: bytes, columns: list[str]) -> tuple[Any, Any, FileStats] | None:
    """A whole file through the fast path: (table, raw lines, stats), or None (see `_fast_block`)."""
    stats = FileStats(sha256=hashlib.sha256(data).hexdigest())
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    fast = _fast_block(body, columns, header=True)
    if fast is None:
        return None
    stats.records = fast[0].num_rows
    return fast[0], fast[1], stats


def _cut(buf: bytearray, block_bytes: int, final: bool) -> int:
    """Where the next block ends: after the last line end within `block_bytes`, else after the
    first line end (a line longer than a block); 0 when `buf` holds no whole line yet. A CR ends a
    line when a byte other than LF follows it, or at the end of the file (CRLF stays whole)."""
    def cr_ends_line(i: int) -> bool:
        return buf[i + 1] != 10 if i + 1 < len(buf) else final

    limit = min(len(buf), block_bytes)
    lf = buf.rfind(b"\n", 0, limit)
    cr = buf.rfind(b"\r", 0, limit)
    while cr > lf and not cr_ends_line(cr):
        cr = buf.rfind(b"\r", 0, cr)
    if max(lf, cr) >= 0:
        return max(lf, cr) + 1
    lf = buf.find(b"\n", limit)
    cr = buf.find(b"\r", limit)
    ends = [x for x in (lf, cr if cr >= 0 and cr_ends_line(cr) else -1) if x >= 0]
    return min(ends) + 1 if ends else 0


def _blocks(chunks: Iterator[bytes], block_bytes: int, max_record_bytes: int, bom: bool = True) -> Iterator[tuple[bytes, bool]]:
    """(block, is_last): the text cut into blocks of at most `block_bytes` that end at a line end
    (a longer line is a block alone, up to `max_record_bytes`). `bom`: the text starts at the file's
    start, where a byte-order mark is dropped."""
    buf = bytearray()
    first = bom
    for chunk in chunks:
        buf += chunk
        if first:
            if len(buf) < 3:
                continue
            if buf.startswith(b"\xef\xbb\xbf"):
                del buf[:3]
            first = False
        while len(buf) >= block_bytes:
            cut = _cut(buf, block_bytes, final=False)
            if cut > max_record_bytes or (cut == 0 and len(buf) > max_record_bytes):
                raise FileRefused(RECORD_TOO_LONG, f"a line is longer than {max_record_bytes} bytes")
            if cut == 0:
                break
            yield bytes(buf[:cut]), False
            del buf[:cut]
    if first and buf.startswith(b"\xef\xbb\xbf"):
        del buf[:3]
    while len(buf) > block_bytes:
        cut = _cut(buf, block_bytes, final=True)
        if cut == 0 or cut > max_record_bytes:
            if len(buf) > max_record_bytes:
                raise FileRefused(RECORD_TOO_LONG, f"a line is longer than {max_record_bytes} bytes")
            break
        yield bytes(buf[:cut]), False
        del buf[:cut]
    yield bytes(buf), True


@dataclass
class Block:
    """The records of one block, as Arrow arrays: numbers (int64), one string array per column
    (null where the record could not be read), the structural reason (null when readable) and
    the raw text."""

    numbers: Any
    columns: list[Any]
    structural: Any
    raw: Any
    fast: bool


def stream_records(chunks: Iterator[bytes], columns: list[str], stats: FileStats,
                   block_bytes: int = DEFAULT_BLOCK_BYTES, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
                   header_ok: bool | None = None, open_end: bool = False) -> Iterator[Block]:
    """The records of one CSV file read from its (decoded) chunks, block by block, in the order and
    with the numbers, fields, raw text and reasons `read_records` gives for the whole file.

    Memory: one block of at most `block_bytes` (plus the rest of its last line) and one carried
    record of at most `max_record_bytes`; a longer record raises FileRefused(RECORD_TOO_LONG).
    `stats.sha256` is left to the caller, who hashes the stored bytes.

    A piece of a file (sdl_ranges): `header_ok` not None says the chunks start at a record after
    the file's header (no byte-order mark, no header; records numbered from 1 within the piece,
    BAD_HEADER for all when the header was not the columns); `open_end` says the file goes on after
    the chunks, so a record still open at their end raises OpenRecordAtEnd instead of being read as
    an unterminated quote.
    """
    import numpy as np
    import pyarrow as pa

    tokenizer = _Tokenizer(columns, stats)
    if header_ok is not None:
        tokenizer.number, tokenizer.header_ok = 0, header_ok
        if not header_ok:
            stats.problem = BAD_HEADER
    width = len(columns)
    carry: list[str] = []
    carry_bytes, carry_invalid = 0, False
    for block, final in _blocks(chunks, block_bytes, max_record_bytes, bom=header_ok is None):
        if not carry and tokenizer.header_ok:
            fast = _fast_block(block, columns, header=tokenizer.number < 0)
            if fast is not None:
                table, raw = fast
                n = table.num_rows
                if tokenizer.number < 0:
                    tokenizer.number = 0
                first = tokenizer.number + 1
                tokenizer.number += n
                stats.records += n
                if n:
                    yield Block(pa.array(np.arange(first, first + n, dtype=np.int64)),
                                [table.column(j).combine_chunks() for j in range(width)], pa.nulls(n, pa.string()), raw, True)
                continue
        text, invalid = _decode(block)
        lines = carry + _split_lines(text)
        records, carry = tokenizer.records(lines, invalid or carry_invalid, final and not open_end)
        if carry:
            carry_bytes = sum(len(x) for x in carry)
            carry_invalid = carry_invalid or invalid
            if carry_bytes > max_record_bytes:
                raise FileRefused(RECORD_TOO_LONG, f"record {tokenizer.number + 1} is longer than {max_record_bytes} bytes")
        else:
            carry_bytes, carry_invalid = 0, False
        if records:
            rows = [r.fields if r.fields is not None else (None,) * width for r in records]
            cols = [pa.array(list(col), pa.string()) for col in zip(*rows, strict=True)]
            yield Block(pa.array([r.number for r in records], pa.int64()), cols,
                        pa.array([r.reason for r in records], pa.string()), pa.array([r.raw for r in records], pa.string()), False)
    if carry:
        raise OpenRecordAtEnd(f"the text ends inside record {tokenizer.number + 1}")
    tokenizer.finish()


# ---------------------------------------------------------------------------------------------
# Stored bytes to text chunks: hashing, decompression, encodings.
# ---------------------------------------------------------------------------------------------

def compression_of(name: str) -> str | None:
    """"none", "gzip" or "bz2" for a CSV file name (any case), None for any other name (NOT_CSV)."""
    low = name.lower()
    if low.endswith(".csv"):
        return "none"
    if low.endswith(".csv.gz"):
        return "gzip"
    if low.endswith(".csv.bz2"):
        return "bz2"
    return None


class StoredObject(Protocol):
    """A stored object's bytes as a stream: a local file, or an S3 GetObject body."""

    def read(self, amt: int = ..., /) -> bytes: ...

    def close(self) -> None: ...


class _Hashing(io.RawIOBase):
    """A raw stream that hashes every byte read from the stored object."""

    def __init__(self, raw: StoredObject, digest: _Hash):
        self.raw, self.digest = raw, digest

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        view = memoryview(b)
        data = self.raw.read(len(view))
        n = len(data)
        view[:n] = data
        self.digest.update(data)
        return n


def text_chunks(stored: StoredObject, compression: str, digest: _Hash, chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
    """The file's text as UTF-8 chunks of at most about `chunk_bytes`: read from the stored object
    in chunks (hashed as stored, so the hash of a .gz is the hash of the .gz), decompressed as
    the name says, and a UTF-16 file (byte-order mark) transcoded. A file with NUL bytes in its
    first chunk is refused: UTF-16 without a byte-order mark, or not text."""
    hashed = io.BufferedReader(_Hashing(stored, digest), buffer_size=chunk_bytes)
    try:
        if compression == "gzip":
            source: Any = gzip.GzipFile(fileobj=hashed, mode="rb")
        elif compression == "bz2":
            source = bz2.BZ2File(hashed, mode="rb")
        else:
            source = hashed
        try:
            first = source.read(chunk_bytes)
            utf16 = first[:2] in (b"\xff\xfe", b"\xfe\xff")
            if not utf16 and b"\x00" in first:
                raise FileRefused(UNREADABLE, "the file has NUL bytes: UTF-16 without a byte-order mark, or not text")
            decoder = codecs.getincrementaldecoder("utf-16")("strict") if utf16 else None
            chunk = first
            while chunk:
                yield decoder.decode(chunk).encode("utf-8") if decoder else chunk
                chunk = source.read(chunk_bytes)
            if decoder:
                tail = decoder.decode(b"", final=True)
                if tail:
                    yield tail.encode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError) as e:  # corrupt or truncated compressed data, bad UTF-16
            raise FileRefused(UNREADABLE, f"{type(e).__name__}: {_cause(e)}") from e
        while hashed.read(chunk_bytes):  # the stored object to its end, for its hash
            pass
    finally:
        hashed.close()


def _cause(e: BaseException) -> str:
    """An error's message without data: decoders name positions, not bytes."""
    if isinstance(e, UnicodeDecodeError):
        return f"cannot decode {e.encoding} at byte {e.start}"
    return str(e)[:200]
