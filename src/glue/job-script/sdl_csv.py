"""Strict CSV reading: one source file's bytes to logical records, nothing lost, nothing guessed.

Spark's CSV reader silently pads or truncates rows of the wrong width, splits quoted newlines,
turns invalid UTF-8 into U+FFFD and gives no record numbers. This module reads a file's bytes and:

- strips a UTF-8 byte-order mark; decodes UTF-8 strictly (a record with an invalid byte sequence is
  quarantined as INVALID_UTF8, the rest of the file is still read);
- tokenizes RFC 4180 (doubled quotes, quoted commas and newlines, CRLF or LF line ends) with the
  standard library's C tokenizer in strict mode: bad quoting is BAD_QUOTING;
- checks the header against the declared columns: a different header sends every record of the
  file to quarantine as BAD_HEADER (a file is never half-trusted);
- numbers logical records from 1 (the header is record 0) and checks every record's width:
  WRONG_COLUMN_COUNT;
- treats blank lines as no record (counted apart, not quarantined); an empty file has 0 records.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

# Record-level and file-level reason codes.
INVALID_UTF8 = "INVALID_UTF8"
BAD_QUOTING = "BAD_QUOTING"
WRONG_COLUMN_COUNT = "WRONG_COLUMN_COUNT"
BAD_HEADER = "BAD_HEADER"
EMPTY_FILE = "EMPTY_FILE"

BOM = "\ufeff"


@dataclass
class Record:
    """One logical record: its number, its fields (None when it was rejected) and its raw text."""

    number: int
    fields: Optional[list[str]]
    raw: str
    reason: Optional[str] = None


@dataclass
class FileStats:
    """What reading one file found."""

    sha256: str = ""
    records: int = 0
    blank_lines: int = 0
    problem: Optional[str] = None
    structural_rejects: int = 0
    reasons: dict = field(default_factory=dict)


def _has_invalid_utf8(text: str) -> bool:
    # surrogateescape maps each undecodable byte to U+DC80..U+DCFF
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _printable(text: str) -> str:
    """The raw text as stored in quarantine: undecodable bytes become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_records(data: bytes, columns: list[str], stats: FileStats) -> Iterator[Record]:
    """Yield the data records of one CSV file (the header is checked, not yielded).

    The C tokenizer reads the lines directly; its `line_num` marks where each record ends, so a
    record's raw text is the slice of lines it consumed.
    """
    stats.sha256 = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
        check_utf8 = False
    except UnicodeDecodeError:
        text = data.decode("utf-8", "surrogateescape")
        check_utf8 = True
    if text.startswith(BOM):
        text = text[1:]
    if text.strip("\r\n") == "":
        stats.problem = EMPTY_FILE
        return
    lines = text.splitlines(keepends=True)
    reader = csv.reader(iter(lines), strict=True, doublequote=True, quotechar='"', delimiter=",", skipinitialspace=False)
    expected = len(columns)
    number = -1  # the header is record 0
    header_ok = True
    start = 0
    while True:
        try:
            fields = next(reader)
            reason = None
        except StopIteration:
            break
        except csv.Error:
            fields, reason = None, BAD_QUOTING
        end = reader.line_num
        if fields == [] and reason is None:
            stats.blank_lines += 1
            start = end
            continue
        number += 1
        if number == 0:
            if fields != columns:
                header_ok = False
                stats.problem = BAD_HEADER
            start = end
            continue
        stats.records += 1
        if check_utf8 and _has_invalid_utf8("".join(lines[start:end])):
            reason = INVALID_UTF8
        elif not header_ok:
            reason = BAD_HEADER
        elif reason is None and len(fields) != expected:
            reason = WRONG_COLUMN_COUNT
        if reason is not None:
            stats.structural_rejects += 1
            stats.reasons[reason] = stats.reasons.get(reason, 0) + 1
            yield Record(number, None, _printable("".join(lines[start:end])), reason)
        else:
            yield Record(number, fields, "".join(lines[start:end]) if end - start > 1 else lines[start])
        start = end
    if number < 0 and stats.problem is None:
        stats.problem = EMPTY_FILE


# A line of RFC 4180 fields, each either unquoted (no quote, comma or line break) or quoted with
# doubled quotes inside and nothing after the closing quote but a comma or the line end.
_FIELD = r'(?:"(?:[^"\r\n]|"")*"|[^",\r\n]*)'
_WELL_QUOTED_LINE = "^" + _FIELD + r"(?:," + _FIELD + r")*\r?\n?$"


def _line_offsets(text: Any) -> Any:
    """Where each physical line of a UTF-8 text (an Arrow buffer) starts, and where the last ends."""
    import numpy as np

    if text.size >= 2 ** 31:
        raise ValueError("a source file of 2 GiB or more cannot be read in one piece")
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


def fast_read(data: bytes, columns: list[str]):
    """Read a well-formed file with Arrow's C++ CSV reader, or return None for the exact reader.

    Arrow is lenient where this module is strict (text after a closing quote, unterminated quotes),
    pads nothing but skips blank lines, and gives no record numbers. So it is used only for a file
    that provably reads the same both ways: valid UTF-8, every quote part of a well-formed quoted
    field, the header equal to the columns, and one record per physical line (no blank lines, no
    quoted newlines), so that record i is line i. Anything else returns None. A differential test
    compares both readers on tricky inputs.

    Returns (arrow table of string columns, raw lines as an arrow string array, stats).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    stats = FileStats(sha256=hashlib.sha256(data).hexdigest())
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not body.strip(b"\r\n"):
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 26),
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
    if table.num_rows + 1 != len(lines):
        return None
    if b'"' in body:
        quoted = lines.filter(pc.match_substring(lines, '"'))
        if not pc.all(pc.match_substring_regex(quoted, _WELL_QUOTED_LINE)).as_py():
            return None
    stats.records = table.num_rows
    return table, _lines(text, offsets[1:]), stats  # the records: every line but the header
