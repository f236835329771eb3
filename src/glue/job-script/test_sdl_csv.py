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
