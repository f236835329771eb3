"""Byte ranges read in parallel give exactly the strict sequential reader's records (no Spark needed):
differential tests on random inputs with tiny split sizes."""
import io
import random

import pytest

from sdl_csv import RECORD_TOO_LONG, FileRefused, FileStats
from sdl_ranges import Misaligned, plan_ranges, read_range, record_start, scan_file
from test_sdl_csv import COLS, TRICKY, exact


def ranged(data: bytes, split_bytes: int, block_bytes: int = 7, max_record_bytes: int = 1 << 20):
    """(records, stats, how) of `data` read range by range as the job does, numbered on across the
    ranges; `how` is "ranges", "one range" or "fallback" (a misaligned range: read sequentially)."""
    scan = scan_file(io.BytesIO(data), COLS, split_bytes, chunk_bytes=5)
    ranges = plan_ranges(scan, split_bytes)
    assert [r.start for r in ranges[1:]] == [r.end for r in ranges[:-1]] and ranges[0].start == 0 and ranges[-1].end == len(data)
    out, total = [], FileStats()
    for rng in ranges:
        stats = FileStats()
        try:
            blocks = list(read_range(lambda offset: io.BytesIO(data[offset:]), rng, COLS, stats, block_bytes, max_record_bytes))
        except Misaligned:
            records, exact_stats = exact(data)
            return records, exact_stats, "fallback"
        for b in blocks:
            cols = [c.to_pylist() for c in b.columns]
            for i, (number, reason, raw) in enumerate(zip(b.numbers.to_pylist(), b.structural.to_pylist(), b.raw.to_pylist())):
                out.append((number + total.records, [c[i] for c in cols] if reason is None else None, raw, reason))
        total.records += stats.records
        total.blank_lines += stats.blank_lines
        total.structural_rejects += stats.structural_rejects
        for k, v in stats.reasons.items():
            total.reasons[k] = total.reasons.get(k, 0) + v
        if rng.index == 0:
            total.problem = stats.problem
    total.sha256 = scan.sha256
    return out, total, "ranges" if len(ranges) > 1 else "one range"


def check(data: bytes, split_bytes: int, block_bytes: int = 7) -> str:
    records, stats = exact(data)
    got, got_stats, how = ranged(data, split_bytes, block_bytes)
    assert got == records, (data, split_bytes, how)
    assert (got_stats.records, got_stats.blank_lines, got_stats.problem, got_stats.structural_rejects, got_stats.reasons, got_stats.sha256) == (
        stats.records, stats.blank_lines, stats.problem, stats.structural_rejects, stats.reasons, stats.sha256), (data, split_bytes)
    return how


def test_ranges_agree_with_the_strict_reader_on_tricky_inputs_at_every_split_size():
    hows = set()
    for data in TRICKY + [b"", b"\xef\xbb\xbf", b"\n\n", b"  \n\t\n", b"id,name,note\n  \n1,a,b\n \t \r\n", b'id,name,note\n1,"a\n\n",b\n\n2,c,d\n']:
        for split_bytes in range(1, 40):
            hows.add(check(data, split_bytes))
    assert {"ranges", "one range"} <= hows


def test_ranges_agree_with_the_strict_reader_on_random_inputs_with_tiny_split_sizes():
    rnd = random.Random(1313)
    # quoted commas and newlines, doubled quotes, CRLF/LF/CR, blank and whitespace-only lines, wrong
    # widths, bad quoting (a quote after a closing quote, a quote inside an unquoted field, an
    # unterminated quote), invalid and multi-byte UTF-8, a BOM, U+2028, long fields
    alphabet = [b"a", b"b", b" ", b"\t", b",", b'"', b'""', b"\n", b"\r\n", b"\r", b"\xc3\xa9", b"\xff", b"x,y", b'"q\nr"', b'"s,t"',
                b"1,2,3\n", b'"1","2","3"\n', b'"1","a\r\nb","3"\r\n', b"\n\n", b"  \n", b"\xe2\x80\xa8", b"\xef\xbb\xbf", b"z" * 60,
                b'"' + b"w\n" * 20 + b'"']
    hows = {"ranges": 0, "one range": 0, "fallback": 0}
    for _ in range(3000):
        body = b"".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        if rnd.random() < 0.5:  # mostly well-formed records, some of them quoted across lines
            body = b"".join(rnd.choice([b"1,2,3\n", b'"1","a\nb","3"\n', b'4,"x,""y""",z\r\n', b"\n"]) for _ in range(rnd.randint(0, 12))) + body
        header = rnd.choice([b"id,name,note\n", b"id,name,note\r\n", b"\xef\xbb\xbfid,name,note\n", b"", b"id,nom,note\n", b"\n \nid,name,note\r",
                             b'"id","name","note"\n', b'"id\n",name,note\n'])
        data = header + body
        hows[check(data, rnd.randint(1, 50), rnd.choice([1, 3, 8, 64, 1 << 20]))] += 1
    assert min(hows.values()) > 100, hows


def test_a_quote_inside_an_unquoted_field_puts_the_parity_off_and_the_file_is_read_sequentially():
    # The strict tokenizer reads a"b as the field a"b: after it the quote parity is odd outside quotes.
    data = b'id,name,note\n1,a"b,x\n2,"c\nd",y\n3,e,z\n'
    records, _ = exact(data)
    assert [r[3] for r in records] == [None, None, None]
    hows = {split: ranged(data, split)[2] for split in range(1, len(data))}
    assert "fallback" in hows.values()
    for split in range(1, len(data)):
        check(data, split)


def test_bad_quoting_is_read_exactly_whether_or_not_the_ranges_stay_aligned():
    data = b'id,name,note\n1,"ann"x,y\n2,bob,z\n3,"un\nterminated,y\n4,c,d\n'
    # "ann"x: the tokenizer drops the rest of the line; the unterminated quote takes the rest of the file
    assert {check(data, split) for split in range(1, len(data))} == {"ranges"}


def test_the_ranges_own_the_records_that_start_in_them():
    data = b"id,name,note\n1,a,b\n2,c,d\n3,e,f\n"
    scan = scan_file(io.BytesIO(data), COLS, 10)
    ranges = plan_ranges(scan, 10)
    assert scan.header_end == 13 and scan.header_ok and [(r.start, r.end) for r in ranges] == [(0, 20), (20, 30), (30, 31)]
    open_at = lambda offset: io.BytesIO(data[offset:])  # noqa: E731
    assert [record_start(open_at, r.start, r.parity_start, len(data), 100) for r in ranges] == [0, 25, 31]
    assert ranged(data, 10)[0] == exact(data)[0]


def test_what_is_not_split():
    text = b"id,name,note\n" + b"1,a,b\n" * 50
    for data, why in ((text.decode().encode("utf-16"), "UTF-16"), (b"id,name\x00,note\n" + b"1,a,b\n" * 50, "NUL bytes"),
                      (b"\n" * 400 + text, "no header within the first block")):
        scan = scan_file(io.BytesIO(data), COLS, 16, header_bytes=256)
        assert (scan.splittable, scan.why_not, len(plan_ranges(scan, 16))) == (False, why, 1)
    assert len(plan_ranges(scan_file(io.BytesIO(text), COLS, 16), 16)) == 20


def test_a_record_over_the_limit_in_any_range_refuses_the_file():
    data = b"id,name,note\n1,a,b\n" + b"2," + b"x" * 5000 + b",y\n3,c,d\n"
    scan = scan_file(io.BytesIO(data), COLS, 8)
    with pytest.raises(FileRefused) as e:
        for rng in plan_ranges(scan, 8):
            list(read_range(lambda offset: io.BytesIO(data[offset:]), rng, COLS, FileStats(), 64, 1000))
    assert e.value.code == RECORD_TOO_LONG


class FakeS3:
    """GetObject over local bytes (one object, one version), as S3 serves it: the body streamed,
    `Range: bytes=N-` honoured, another version than the stored one NoSuchVersion."""

    def __init__(self, data: bytes, version: str):
        self.data, self.version, self.ranges, self.whole = data, version, [], 0

    def get_object(self, Bucket, Key, VersionId=None, Range=None):  # boto3's parameter names
        from botocore.exceptions import ClientError
        from botocore.response import StreamingBody

        if VersionId != self.version:
            raise ClientError({"Error": {"Code": "NoSuchVersion", "Message": "The specified version does not exist."}}, "GetObject")
        start = 0
        if Range is None:
            self.whole += 1
        else:
            assert Range.startswith("bytes=") and Range.endswith("-"), Range
            start = int(Range[len("bytes="):-1])
            self.ranges.append(start)
        return {"Body": StreamingBody(io.BytesIO(self.data[start:]), len(self.data) - start)}


def test_an_s3_object_is_split_and_its_ranges_give_the_strict_readers_records():
    from sdl_adapters import S3Reader
    from sdl_ranges import can_split, opener

    rnd = random.Random(13)
    data = b"id,name,note\r\n" + b"".join(rnd.choice([b"1,2,3\n", b'"1","a\nb","3"\r\n', b'4,"x,""y""",z\n', b"\n", b"5,6\n"]) for _ in range(400))
    uri = "s3://raw/landing/big.csv"
    reader = S3Reader("eu-west-1", {uri: "v7"}, client=FakeS3(data, "v7"))
    assert can_split(reader)
    with reader.open(uri) as stored:
        scan = scan_file(stored, COLS, 512)
    ranges = plan_ranges(scan, 512)
    assert len(ranges) >= 4
    got, total = [], 0
    for rng in ranges:
        stats = FileStats()
        for b in read_range(opener(reader, uri), rng, COLS, stats, 64):
            cols = [c.to_pylist() for c in b.columns]
            for i, (number, reason, raw) in enumerate(zip(b.numbers.to_pylist(), b.structural.to_pylist(), b.raw.to_pylist())):
                got.append((number + total, [c[i] for c in cols] if reason is None else None, raw, reason))
        total += stats.records
    records, stats = exact(data)
    assert got == records and scan.sha256 == stats.sha256
    # every range was read from its own offset of the listed version (ranged GetObjects, no whole reads)
    fake = reader._client
    assert fake.whole == 1 and {r.start - 1 for r in ranges[1:]} <= set(fake.ranges)
    # another version in its place: no range reads other bytes, the read is refused
    reader = S3Reader("eu-west-1", {uri: "v7"}, client=FakeS3(data, "v8"))
    with pytest.raises(FileRefused) as e:
        list(read_range(opener(reader, uri), ranges[1], COLS, FileStats(), 64))
    assert e.value.code == "UNREADABLE" and "NoSuchVersion" in str(e.value)
