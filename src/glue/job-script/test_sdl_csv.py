"""Strict CSV reading, one test per malformed-input kind (no Spark needed)."""
from sdl_csv import BAD_HEADER, BAD_QUOTING, EMPTY_FILE, INVALID_UTF8, WRONG_COLUMN_COUNT, FileStats, read_records

COLS = ["id", "name", "note"]


def read(data: bytes):
    stats = FileStats()
    return list(read_records(data, COLS, stats)), stats


def test_a_plain_file_gives_numbered_records():
    records, stats = read(b"id,name,note\n1,ann,x\n2,bob,y\n")
    assert [(r.number, r.fields) for r in records] == [(1, ["1", "ann", "x"]), (2, ["2", "bob", "y"])]
    assert stats.records == 2 and stats.problem is None and len(stats.sha256) == 64


def test_crlf_line_ends_are_read_like_lf():
    records, _ = read(b"id,name,note\r\n1,ann,x\r\n2,bob,y\r\n")
    assert [r.fields for r in records] == [["1", "ann", "x"], ["2", "bob", "y"]]


def test_a_byte_order_mark_is_stripped_before_the_header_check():
    records, stats = read(b"\xef\xbb\xbfid,name,note\n1,ann,x\n")
    assert stats.problem is None and records[0].fields == ["1", "ann", "x"]


def test_quoted_newlines_and_doubled_quotes_are_one_record_rfc4180():
    records, stats = read(b'id,name,note\n1,"ann, jr","line one\nline two"\n2,bob,"say ""hi"""\n')
    assert [r.fields for r in records] == [["1", "ann, jr", "line one\nline two"], ["2", "bob", 'say "hi"']]
    assert [r.number for r in records] == [1, 2] and stats.records == 2


def test_too_many_and_too_few_columns_are_quarantined_not_padded():
    records, stats = read(b"id,name,note\n1,ann\n2,bob,y,extra\n3,cy,z\n")
    assert [(r.number, r.reason) for r in records] == [(1, WRONG_COLUMN_COUNT), (2, WRONG_COLUMN_COUNT), (3, None)]
    assert records[0].raw == "1,ann\n" and stats.structural_rejects == 2


def test_bad_quoting_is_quarantined_and_reading_goes_on():
    records, stats = read(b'id,name,note\n1,"ann"x,y\n2,bob,z\n')
    assert [(r.number, r.reason) for r in records] == [(1, BAD_QUOTING), (2, None)]
    assert records[1].fields == ["2", "bob", "z"]


def test_an_unterminated_quote_takes_the_rest_of_the_file_as_one_bad_record():
    records, stats = read(b'id,name,note\n1,ann,x\n2,"bob,y\n3,cy,z\n')
    assert [(r.number, r.reason) for r in records] == [(1, None), (2, BAD_QUOTING)]
    assert "3,cy,z" in records[1].raw


def test_invalid_utf8_quarantines_the_record_not_the_file():
    records, stats = read(b"id,name,note\n1,ann,x\n2,b\xffb,y\n3,cy,z\n")
    assert [(r.number, r.reason) for r in records] == [(1, None), (2, INVALID_UTF8), (3, None)]
    assert records[1].raw == "2,b\ufffdb,y\n" and records[1].fields is None


def test_a_wrong_header_sends_every_record_of_the_file_to_quarantine():
    records, stats = read(b"id,nom,note\n1,ann,x\n2,bob,y\n")
    assert stats.problem == BAD_HEADER
    assert [r.reason for r in records] == [BAD_HEADER, BAD_HEADER]


def test_an_empty_file_has_no_records():
    for data in (b"", b"\xef\xbb\xbf", b"\n\n"):
        records, stats = read(data)
        assert records == [] and stats.problem == EMPTY_FILE and stats.records == 0


def test_a_header_only_file_has_no_records_and_no_problem():
    records, stats = read(b"id,name,note\n")
    assert records == [] and stats.problem is None


def test_blank_lines_are_counted_apart_not_as_records():
    records, stats = read(b"id,name,note\n1,ann,x\n\n2,bob,y\n\n")
    assert [r.number for r in records] == [1, 2] and stats.blank_lines == 2


def test_a_missing_final_newline_is_fine():
    records, _ = read(b"id,name,note\n1,ann,x")
    assert records[0].fields == ["1", "ann", "x"]


# The Arrow fast path must read exactly what the strict reader reads, or decline the file.
TRICKY = [
    b"id,name,note\n1,ann,x\n2,bob,y\n",
    b"id,name,note\r\n1,ann,x\r\n2,bob,y\r\n",
    b"\xef\xbb\xbfid,name,note\n1,ann,x\n",
    b'id,name,note\n1,"ann, jr","x ""q"" y"\n',
    b'"id","name","note"\n"1","ann",""\n',
    b"id,name,note\n1,ann,x",
    b'id,name,note\n1,"ann"x,y\n',
    b'id,name,note\n1,a"b,y\n',
    b'id,name,note\n1,"unterminated,y\n2,b,c\n',
    b'id,name,note\n1,"two\nlines",y\n',
    b"id,name,note\n1,ann,x\n\n2,bob,y\n",
    b"id,name,note\n1,ann\n",
    b"id,name,note\n1,ann,x,extra\n",
    b"id,name,note\n1,b\xffb,y\n",
    b"id,nom,note\n1,ann,x\n",
    b'id,name,note\n"1" ,ann,x\n',
    b"id,name,note\n1, ann ,x \n",
    b"id,name,note\n",
    b"id,name,note\r1,ann,x\r",
]


def exact(data: bytes):
    stats = FileStats()
    return [(r.number, r.fields, r.raw, r.reason) for r in read_records(data, COLS, stats)], stats


def test_the_fast_path_reads_like_the_strict_reader_or_declines():
    from sdl_csv import fast_read

    taken = 0
    for data in TRICKY:
        fast = fast_read(data, COLS)
        if fast is None:
            continue
        taken += 1
        table, raw, stats = fast
        records, exact_stats = exact(data)
        rows = list(zip(*[table.column(c).to_pylist() for c in COLS]))
        assert [(i + 1, list(row), line, None) for i, (row, line) in enumerate(zip(rows, raw.to_pylist()))] == records, data
        assert (stats.records, stats.sha256, exact_stats.blank_lines, exact_stats.problem) == (exact_stats.records, exact_stats.sha256, 0, None), data
    assert taken >= 6


def test_the_fast_path_declines_every_file_the_strict_reader_rejects_a_record_of():
    from sdl_csv import fast_read

    for data in TRICKY:
        records, stats = exact(data)
        if any(reason is not None for *_rest, reason in records) or stats.problem or stats.blank_lines:
            assert fast_read(data, COLS) is None, data


def test_the_fast_path_agrees_with_the_strict_reader_on_random_inputs():
    import random

    from sdl_csv import fast_read

    rnd = random.Random(4180)
    alphabet = [b"a", b"b", b" ", b",", b'"', b'""', b"\n", b"\r\n", b"\xc3\xa9", b"\xff", b"x,y"]
    agreed = declined = 0
    for _ in range(1500):
        body = b"".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        data = b"id,name,note\n" + body
        fast = fast_read(data, COLS)
        if fast is None:
            declined += 1
            continue
        table, raw, stats = fast
        records, exact_stats = exact(data)
        rows = list(zip(*[table.column(c).to_pylist() for c in COLS]))
        assert [(i + 1, list(row), line, None) for i, (row, line) in enumerate(zip(rows, raw.to_pylist()))] == records, data
        agreed += 1
    assert agreed > 20 and declined > 20


# The streaming reader gives what the whole-file reader gives, whatever the blocks and chunks.
def streamed(data: bytes, block_bytes: int, chunk_sizes, max_record_bytes: int = 1 << 20):
    from sdl_csv import stream_records

    def chunks():
        i, k = 0, 0
        while i < len(data):
            n = chunk_sizes[k % len(chunk_sizes)]
            yield data[i:i + n]
            i, k = i + n, k + 1

    stats = FileStats()
    out = []
    for b in stream_records(chunks(), COLS, stats, block_bytes=block_bytes, max_record_bytes=max_record_bytes):
        cols = [c.to_pylist() for c in b.columns]
        for i, (number, reason, raw) in enumerate(zip(b.numbers.to_pylist(), b.structural.to_pylist(), b.raw.to_pylist())):
            fields = [c[i] for c in cols] if reason is None else None
            out.append((number, fields, raw, reason))
    return out, stats


def same_as_whole_file(data: bytes, block_bytes: int, chunk_sizes) -> bool:
    records, stats = exact(data)
    got, got_stats = streamed(data, block_bytes, chunk_sizes)
    assert got == records, (data, block_bytes, chunk_sizes)
    assert (got_stats.records, got_stats.blank_lines, got_stats.problem) == (stats.records, stats.blank_lines, stats.problem), data
    return True


def test_the_streaming_reader_agrees_with_the_whole_file_reader_on_tricky_inputs_at_every_block_size():
    for data in TRICKY + [b"", b"\xef\xbb\xbf", b"\n\n", b"  \n\t\n", b"id,name,note\n  \n1,a,b\n \t \r\n"]:
        for block_bytes in (1, 2, 3, 5, 8, 13, 64, 1 << 20):
            same_as_whole_file(data, block_bytes, [1, 2, 7])


def test_the_streaming_reader_agrees_with_the_whole_file_reader_on_random_inputs_with_tiny_blocks():
    import random

    rnd = random.Random(13)
    # quotes, doubled quotes, CRLF, CR, quoted newlines, blank and whitespace-only lines, a BOM,
    # multi-byte and invalid UTF-8, U+2028 (data, not a line end)
    alphabet = [b"a", b"b", b" ", b"\t", b",", b'"', b'""', b"\n", b"\r\n", b"\r", b"\xc3\xa9", b"\xff", b"x,y", b'"q\nr"',
                b"1,2,3\n", b'"1","2","3"\n', b"\n\n", b"  \n", b"\xe2\x80\xa8"]
    for i in range(2500):
        body = b"".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        header = rnd.choice([b"id,name,note\n", b"id,name,note\r\n", b"\xef\xbb\xbfid,name,note\n", b"", b"id,nom,note\n"])
        data = header + body
        same_as_whole_file(data, rnd.choice([1, 2, 3, 4, 7, 16, 33, 1000]), [rnd.randint(1, 9) for _ in range(3)])


def test_the_fast_path_carries_block_to_block_and_numbers_records_on():
    data = b"id,name,note\n" + b"".join(b"%d,n%d,x\n" % (i, i) for i in range(1, 201))
    got, stats = streamed(data, 64, [50])
    assert [r[0] for r in got] == list(range(1, 201)) and stats.records == 200
    assert got[199] == (200, ["200", "n200", "x"], "200,n200,x\n", None)


def test_a_field_longer_than_the_csv_module_default_limit_is_read():
    long = "z" * 300_000
    records, stats = exact(f'id,name,note\n1,"{long}",x\n2,{long},y\n'.encode())
    assert [r[3] for r in records] == [None, None] and records[0][1][1] == long
    got, _ = streamed(f'id,name,note\n1,"{long}",x\n2,{long},y\n'.encode(), 4096, [1000])
    assert got == records


def test_whitespace_only_lines_are_blank_lines_not_records():
    records, stats = read(b"id,name,note\n1,a,b\n   \n\t\n2,c,d\n")
    assert [r.number for r in records] == [1, 2] and stats.blank_lines == 2 and stats.structural_rejects == 0


def test_a_record_over_the_limit_refuses_the_file():
    import pytest

    from sdl_csv import RECORD_TOO_LONG, FileRefused

    for data in (b'id,name,note\n1,"' + b"x\n" * 2000 + b'",y\n', b"id,name,note\n1," + b"x" * 5000 + b",y\n"):
        with pytest.raises(FileRefused) as e:
            streamed(data, 64, [100], max_record_bytes=1000)
        assert e.value.code == RECORD_TOO_LONG


def test_text_chunks_hash_the_stored_bytes_and_decompress_gzip_and_bz2_and_read_utf16():
    import bz2
    import gzip
    import hashlib
    import io

    from sdl_csv import text_chunks

    text = "id,name,note\n1,Zoë,x\n" * 1000
    for compression, stored in (("none", text.encode()), ("gzip", gzip.compress(text.encode())), ("bz2", bz2.compress(text.encode())),
                                ("gzip", gzip.compress(text[:10].encode()) + gzip.compress(text[10:].encode())),  # two members
                                ("none", text.encode("utf-16")), ("none", "\ufeff".encode("utf-16-be") + text.encode("utf-16-be"))):
        digest = hashlib.sha256()
        out = b"".join(text_chunks(io.BytesIO(stored), compression, digest, chunk_bytes=100))
        assert out == text.encode() and digest.hexdigest() == hashlib.sha256(stored).hexdigest()


def test_text_chunks_refuse_corrupt_compressed_data_and_nul_bytes():
    import gzip
    import hashlib
    import io

    import pytest

    from sdl_csv import UNREADABLE, FileRefused, text_chunks

    good = gzip.compress(b"id,name,note\n1,a,b\n" * 100)
    for compression, stored in (("gzip", good[: len(good) // 2]), ("gzip", b"not gzip at all"), ("bz2", b"BZh9 nope"),
                                ("none", "id,name,note\n".encode("utf-16-le"))):
        with pytest.raises(FileRefused) as e:
            list(text_chunks(io.BytesIO(stored), compression, hashlib.sha256(), chunk_bytes=64))
        assert e.value.code == UNREADABLE


def test_a_byte_order_mark_at_the_start_of_a_later_block_is_data_not_dropped():
    # Arrow's reader drops a BOM at the start of its buffer; after the file's start it is U+FEFF in a field.
    data = b"id,name,note\n\xef\xbb\xbf1,a,b\n2,c,d\n"
    for block_bytes in (1, 13, 14, 64):
        same_as_whole_file(data, block_bytes, [1, 5])
