"""Real producers' files on real Spark and Delta: any name, compressed, unreadable, huge fields,
UTF-16, a crashing worker, and the streaming reader's block boundaries inside the job."""
import bz2
import gzip
import hashlib
import os
import time

import pytest

from sdl_adapters import LocalReader, LocalSourceFiles
from sdl_ingest import IngestFilesRefused, run_ingestion
from test_ingest import HEADER, config, good, write


def ledger(lake):
    """The ledger's rows by file name, as delta-rs reads them."""
    return {r["file_id"].split("#")[0]: r for r in lake.rows("ledger")}


def test_file_names_are_data_and_every_object_ends_in_the_ledger(spark, tmp_path, delta_rs):
    names = ["_leading.csv", ".hidden.csv", "glob[1].csv", "escaped%20name.csv", "with space.csv", "star*?{a,b}.csv", "UPPER.CSV"]
    for i, name in enumerate(names):
        write(tmp_path / "in", name, HEADER + good(i + 1))
    write(tmp_path / "in", "readme.txt", "not data")
    write(tmp_path / "in", "_SUCCESS", "")
    r = run_ingestion(spark, config(tmp_path))
    assert r.status == "committed" and r.valid == len(names)
    lake = delta_rs(tmp_path)
    rows = ledger(lake)
    assert {n for n, x in rows.items() if x["status"] == "committed" and x["valid"] == 1} == set(names)
    assert {n: (x["status"], x["file_problem"]) for n, x in rows.items() if n not in names} == {
        "readme.txt": ("refused", "NOT_CSV"), "_SUCCESS": ("refused", "NOT_CSV")}
    assert sorted(x["_sdl_source_file"].split("#")[0] for x in lake.rows("data")) == sorted(names)
    assert run_ingestion(spark, config(tmp_path, run_id="run-2")).status == "nothing-to-do"
    assert lake.batches("ledger") == [1] and len(lake.rows("ledger")) == len(names) + 2


def test_gzip_and_bz2_files_are_read_like_csv_and_hashed_as_stored(spark, tmp_path, delta_rs):
    gz = gzip.compress((HEADER + good(1) + good(2)).encode())
    bz = bz2.compress((HEADER + good(3) + "3,bad,User 3,DE,1.00,2026-01-01,true\n").encode())
    write(tmp_path / "in", "a.csv.gz", gz)
    write(tmp_path / "in", "b.CSV.BZ2", bz)
    r = run_ingestion(spark, config(tmp_path))
    assert (r.records_read, r.valid, r.quarantined) == (4, 3, 1)
    rows = ledger(delta_rs(tmp_path))
    assert rows["a.csv.gz"]["content_sha256"] == hashlib.sha256(gz).hexdigest()
    assert rows["b.CSV.BZ2"]["content_sha256"] == hashlib.sha256(bz).hexdigest()


def test_an_unreadable_file_is_refused_with_its_cause_the_rest_commits_and_a_rerun_is_not_blocked(spark, tmp_path, delta_rs):
    good_gz = gzip.compress((HEADER + good(1)).encode())
    broken = good_gz[: len(good_gz) // 2]
    write(tmp_path / "in", "a.csv.gz", good_gz)
    write(tmp_path / "in", "broken.csv.gz", broken)
    write(tmp_path / "in", "c.csv", HEADER + good(2))
    with pytest.raises(IngestFilesRefused, match=r"broken\.csv\.gz#sha256:[0-9a-f]+: UNREADABLE: EOFError"):
        run_ingestion(spark, config(tmp_path))
    # by delta-rs: the other files' rows are committed, the refused file has its ledger row and none in the data
    lake = delta_rs(tmp_path)
    assert sorted((x["_sdl_source_file"].split("#")[0], x["customer_id"]) for x in lake.rows("data")) == [("a.csv.gz", 1), ("c.csv", 2)]
    rows = ledger(lake)
    assert {n: (x["batch"], x["status"], x["file_problem"]) for n, x in rows.items()} == {
        "a.csv.gz": (1, "committed", None), "broken.csv.gz": (1, "refused", "UNREADABLE"), "c.csv": (1, "committed", None)}
    assert rows["broken.csv.gz"]["records_read"] == 0 and "EOFError" in rows["broken.csv.gz"]["reason"]
    # the committed files' hashes are those of the stored objects; the refused one was never read to its end,
    # so only its id (from the listing) carries a hash
    assert rows["a.csv.gz"]["content_sha256"] == hashlib.sha256(good_gz).hexdigest()
    assert rows["broken.csv.gz"]["file_id"] == f"broken.csv.gz#sha256:{hashlib.sha256(broken).hexdigest()}"
    assert rows["broken.csv.gz"]["content_sha256"] is None
    assert run_ingestion(spark, config(tmp_path, run_id="run-2")).status == "nothing-to-do"
    assert lake.batches("ledger") == [1] and lake.batches("data") == [1] and len(lake.rows("ledger")) == 3


def test_a_crashing_python_worker_ends_the_run_promptly_naming_the_file_and_the_cause(spark, tmp_path, delta_rs):
    write(tmp_path / "in", "a.csv", HEADER + good(1))
    write(tmp_path / "in", "boom.csv", HEADER + good(2))
    write(tmp_path / "in", "c.csv", HEADER + good(3))

    # Classes defined here travel to the Python workers by value (cloudpickle): the worker that
    # opens boom.csv ends at once, as a crash in native code would end it.
    class CrashingReader(LocalReader):
        def open(self, uri):
            if uri.endswith("boom.csv"):
                os._exit(70)
            return super().open(uri)

    class CrashingSource(LocalSourceFiles):
        def reader(self):
            return CrashingReader()

    started = time.monotonic()
    with pytest.raises(IngestFilesRefused, match=r"boom\.csv#sha256:[0-9a-f]+: UNREADABLE: the task reading it failed: "
                                                 r"the Python worker exited unexpectedly \(crashed\)"):
        run_ingestion(spark, config(tmp_path, source=CrashingSource(str(tmp_path / "in"))))
    assert time.monotonic() - started < 120
    lake = delta_rs(tmp_path)
    assert sorted(x["customer_id"] for x in lake.rows("data")) == [1, 3]
    assert ledger(lake)["boom.csv"]["status"] == "refused"
    assert run_ingestion(spark, config(tmp_path, run_id="run-2")).status == "nothing-to-do"


def test_tiny_blocks_give_the_same_tables_as_the_default_ones(spark, tmp_path, delta_rs):
    # quoted newlines, CRLF, blank and whitespace-only lines, a BOM and bad records across many 64-byte blocks
    body = "".join(good(i) if i % 7 else f'{i},u{i}@example.com,"User\r\n{i}",FR,1.00,2026-01-01,false\r\n' for i in range(1, 120))
    text = "\ufeff" + HEADER + body[:2000] + "\n  \n\t\n" + "999,oops\n" + body[2000:] + "\n"  # (the cut splits a line)
    results = {}
    for name, block in (("small", 64), ("default", 8 << 20)):
        write(tmp_path / name / "in", "a.csv", text)
        r = run_ingestion(spark, config(tmp_path / name, block_bytes=block))
        lake = delta_rs(tmp_path / name)
        rows = sorted(tuple(v for k, v in x.items() if k != "_sdl_source_file") for x in lake.rows("data"))
        quarantine = sorted((x["record_number"], tuple(x["reasons"]), x["raw_record"]) for x in lake.rows("quarantine"))
        results[name] = (r.records_read, r.valid, r.quarantined, r.files[0].blank_lines, rows, quarantine)
    assert results["small"] == results["default"]
    # and the counts are the whole-file reader's
    from sdl_csv import FileStats, read_records
    from test_ingest import SCHEMA

    stats = FileStats()
    records = list(read_records(text.encode(), [c.name for c in SCHEMA.columns], stats))
    assert results["small"][0] == len(records) == 121 and results["small"][3] == stats.blank_lines == 3
    assert results["small"][2] == 3  # the bad record and the two halves of the line the cut split


def test_long_fields_whitespace_lines_and_utf16_read_correctly(spark, tmp_path):
    long_name = "N" * 200_000
    write(tmp_path / "in", "long.csv", HEADER + f'1,u1@example.com,"{long_name}",DE,1.00,2026-01-01,true\n' + "\n" + good(2))
    write(tmp_path / "in", "blank.csv", HEADER + good(3) + "   \n\t\n" + good(4))
    write(tmp_path / "in", "utf16.csv", (HEADER + good(5) + "6,u6@example.com,Zoë,FR,1.00,2026-01-01,true\n").encode("utf-16"))
    r = run_ingestion(spark, config(tmp_path))
    by = {f.file_id.split("#")[0]: f for f in r.files}
    assert {n: (f.records_read, f.valid, f.blank_lines) for n, f in by.items()} == {
        "long.csv": (2, 2, 1), "blank.csv": (2, 2, 2), "utf16.csv": (2, 2, 0)}


def test_a_record_over_the_limit_refuses_its_file(spark, tmp_path, delta_rs):
    write(tmp_path / "in", "huge.csv", HEADER + f'1,u1@example.com,"{"x" * 5000}",DE,1.00,2026-01-01,true\n')
    write(tmp_path / "in", "ok.csv", HEADER + good(2))
    with pytest.raises(IngestFilesRefused, match=r"huge\.csv.*RECORD_TOO_LONG"):
        run_ingestion(spark, config(tmp_path, block_bytes=256, max_record_bytes=1024))
    lake = delta_rs(tmp_path)
    assert len(lake.rows("data")) == 1
    assert ledger(lake)["huge.csv"]["file_problem"] == "RECORD_TOO_LONG"


def test_a_second_run_on_a_table_being_written_fails_at_once_naming_the_single_writer_rule(spark, tmp_path):
    import json
    import os
    import socket

    from sdl_ingest import IngestConcurrentRun, TableLock

    write(tmp_path / "in", "a.csv", HEADER + good(1))
    lock = TableLock(str(tmp_path / "lake" / "customers"), "run-1")
    lock.acquire()  # a run of this process is writing the table
    started = time.monotonic()
    with pytest.raises(IngestConcurrentRun, match=r"run id run-1.*the ingestion is single-writer: one run per table at a time"):
        run_ingestion(spark, config(tmp_path, run_id="run-2"))
    assert time.monotonic() - started < 5
    lock.release()
    # a lock left by a process that is gone (a killed run) does not block the next run
    os.makedirs(os.path.dirname(lock.path), exist_ok=True)
    with open(lock.path, "w") as f:
        json.dump({"run_id": "killed", "host": socket.gethostname(), "pid": 2 ** 22 + 12345, "expires": "2999-01-01T00:00:00+00:00"}, f)
    assert run_ingestion(spark, config(tmp_path, run_id="run-3")).status == "committed"
    assert not os.path.exists(lock.path)
