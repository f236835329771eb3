"""A large file split into byte ranges read in parallel (sdl_ranges) ingests exactly as read in one
task: the same table, the same quarantine with the same record numbers, the same ledger row (the
hash of the stored object); a file whose ranges do not line up is read again in one task."""
import hashlib

from sdl_ingest import run_ingestion
from test_ingest import HEADER, config, good, write


def contents(lake):
    """The three tables as delta-rs reads them (not Spark's reader of our own writes)."""
    data = sorted(tuple(v for k, v in r.items() if k != "_sdl_batch") for r in lake.rows("data"))
    quarantine = sorted((r["source_file"], r["record_number"], tuple(r["reasons"]), r["raw_record"]) for r in lake.rows("quarantine"))
    ledger = sorted((r["file_id"], r["status"], r["records_read"], r["valid"], r["quarantined"], r["blank_lines"], r["file_problem"],
                     r["content_sha256"]) for r in lake.rows("ledger"))
    # one commit per table, the batch's
    assert [lake.batches(name) for name in ("quarantine", "data", "ledger")] == [[1], [1], [1]]
    return data, quarantine, ledger


def ingest_both_ways(spark, delta_rs, tmp, files: dict[str, str | bytes], split_bytes: int):
    results = {}
    for how, split in (("one task", 0), ("ranges", split_bytes)):
        for name, text in files.items():
            write(tmp / how / "in", name, text)
        r = run_ingestion(spark, config(tmp / how, split_bytes=split, block_bytes=64))
        results[how] = (r, contents(delta_rs(tmp / how)))
    return results


def test_a_split_file_ingests_exactly_as_one_task_reads_it_and_the_tasks_grow_with_the_ranges(spark, tmp_path, delta_rs):
    lines = [good(i) for i in range(1, 41)]
    lines[5] = "6,bad email,User 6,DE,6.50,2026-01-07,true\n"  # quarantined: a value check
    lines[11] = '12,user12@example.com,"User\n12, jr",DE,12.50,2026-01-13,true\n'  # a quoted newline and comma
    lines[17] = "18,too,few\n"  # WRONG_COLUMN_COUNT
    lines[23] = "\n"  # a blank line: no record
    lines[29] = '30,user30@example.com,"User ""30""",DE,30.50,2026-01-03,true\r\n'
    big = HEADER + "".join(lines)
    files = {"big.csv": big, "small.csv": HEADER + good(100)}
    results = ingest_both_ways(spark, delta_rs, tmp_path, files, split_bytes=300)
    one, ranged = results["one task"], results["ranges"]
    assert one[1] == ranged[1]
    data, quarantine, ledger = ranged[1]
    assert [(q[0].split("#")[0], q[1]) for q in quarantine] == [("big.csv", 6), ("big.csv", 18)]
    big_row = next(x for x in ledger if x[0].startswith("big.csv"))
    assert big_row[1:7] == ("committed", 39, 37, 2, 1, None) and big_row[7] == hashlib.sha256(big.encode()).hexdigest()
    assert len(data) == 38
    # the parallelism is real: one task per range of the large file, one for the small file
    ranges = -(-len(big.encode()) // 300)
    assert (one[0].parse_tasks, ranged[0].parse_tasks) == (2, ranges + 1) and ranges > 5


def test_a_file_whose_ranges_do_not_line_up_is_read_again_in_one_task(spark, tmp_path, capfd, delta_rs):
    # a"b is a field to the strict reader, which puts the quote parity off for every range after it
    lines = [good(i) for i in range(1, 31)]
    lines[2] = '3,user3@example.com,Us"er 3,DE,3.50,2026-01-04,true\n'
    lines[8] = '9,user9@example.com,"User\n9",DE,9.50,2026-01-10,true\n'
    lines[14] = '15,"x"y,User 15,DE,15.50,2026-01-16,true\n'  # BAD_QUOTING
    big = HEADER + "".join(lines)
    results = ingest_both_ways(spark, delta_rs, tmp_path, {"big.csv": big}, split_bytes=64)
    assert results["one task"][1] == results["ranges"][1]
    assert "read again in one task" in capfd.readouterr().err
    quarantine = results["ranges"][1][1]
    assert [(q[1], q[2]) for q in quarantine] == [(15, ("BAD_QUOTING",))]
