"""The ingestion on real Spark and Delta Lake, over small data the tests make."""
import base64
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from sdl_adapters import JsonMetricsSink, LocalKeyFile, LocalSourceFiles, PseudonymKey
from sdl_ingest import DATA, OUTCOME, QUARANTINE, DeltaCommits, IngestConfig, IngestFailedClosed, paths, run_ingestion
from sdl_schema import TableSchema

SCHEMA = TableSchema.from_columns([
    {"name": "customer_id", "type": "long", "constraints": {"minimum": 1}},
    {"name": "email", "type": "string", "pii": True, "constraints": {"pattern": "[^@\\s]+@[^@\\s]+"}},
    {"name": "full_name", "type": "string", "pii": True},
    {"name": "country", "type": "string", "constraints": {"allowedValues": ["DE", "FR", "NL", "SE"]}},
    {"name": "balance", "type": "decimal", "precision": 12, "scale": 2, "nullable": True},
    {"name": "signup_date", "type": "date"},
    {"name": "active", "type": "boolean"},
])
HEADER = "customer_id,email,full_name,country,balance,signup_date,active\n"
KEY = PseudonymKey(b"k" * 32, "v1")


def good(i: int) -> str:
    return f"{i},user{i}@example.com,User {i},DE,{i}.50,2026-01-{(i % 28) + 1:02d},true\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return p


def config(tmp: Path, **kw) -> IngestConfig:
    base = dict(source=LocalSourceFiles(str(tmp / "in")), table_uri=str(tmp / "lake" / "customers"), schema=SCHEMA,
                metrics=JsonMetricsSink(str(tmp / "metrics.jsonl"), "Test"), run_id="run-1", key=KEY, max_quarantine_ratio=0.9)
    base.update(kw)
    return IngestConfig(**base)


class SimulatedCrash(RuntimeError):
    """Stops a run right after one of its commits."""


class CrashAfter(DeltaCommits):
    """The run's real commits, and a crash right after the commit of the step named."""

    def __init__(self, step: str):
        self.app_id = {"quarantine": QUARANTINE, "data": DATA}[step]

    def append(self, df, path, app_id, batch, metadata, table_properties=None):
        super().append(df, path, app_id, batch, metadata, table_properties)
        if app_id == self.app_id:
            raise SimulatedCrash(f"simulated crash after the {app_id} commit of batch {batch}")


def table(spark, tmp: Path, name: str):
    return spark.read.format("delta").load(paths(str(tmp / "lake" / "customers"))[name])


MIXED = (HEADER + good(1) + good(2)
         + "3,not-an-email,User 3,DE,1.00,2026-01-01,true\n"       # PATTERN:email
         + "4,u4@example.com,User 4,XX,1.00,2026-01-01,true\n"     # NOT_ALLOWED:country
         + "5,u5@example.com,User 5,DE,1.005,2026-01-01,true\n"    # TYPE:balance (scale)
         + "6,u6@example.com,User 6,DE,1.00,2026-02-30,true\n"     # TYPE:signup_date
         + "0,u0@example.com,User 0,DE,1.00,2026-01-01,maybe\n"    # BELOW_MINIMUM:customer_id, TYPE:active
         + "7,u7@example.com,User 7,DE\n"                          # WRONG_COLUMN_COUNT
         + ",u8@example.com,,FR,,2026-01-01,false\n"               # NULL:customer_id, NULL:full_name
         + good(9))


def test_every_record_is_valid_or_quarantined_per_file_and_per_run(spark, tmp_path, delta_rs):
    a = write(tmp_path / "in", "a.csv", MIXED)
    b = write(tmp_path / "in", "b.csv", HEADER + good(10) + good(11))
    r = run_ingestion(spark, config(tmp_path))
    assert r.status == "committed" and r.batch == 1
    assert (r.records_read, r.valid, r.quarantined) == (12, 5, 7)
    for f in r.files:
        assert f.records_read == f.valid + f.quarantined
    # what is committed, as an independent reader (delta-rs) reads the log and the files
    lake = delta_rs(tmp_path)
    data = lake.rows("data")
    assert sorted((x["_sdl_source_file"].split("#")[0], x["_sdl_record_number"], x["customer_id"]) for x in data) == [
        ("a.csv", 1, 1), ("a.csv", 2, 2), ("a.csv", 10, 9), ("b.csv", 1, 10), ("b.csv", 2, 11)]
    assert {x["email"] for x in data} == {hmac.new(KEY.key, f"user{i}@example.com".encode(), hashlib.sha256).hexdigest() for i in (1, 2, 9, 10, 11)}
    q = {row["record_number"]: sorted(row["reasons"]) for row in lake.rows("quarantine")}
    assert q == {
        3: ["PATTERN:email"], 4: ["NOT_ALLOWED:country"], 5: ["TYPE:balance"], 6: ["TYPE:signup_date"],
        7: ["BELOW_MINIMUM:customer_id", "TYPE:active"], 8: ["WRONG_COLUMN_COUNT"], 9: ["NULL:customer_id", "NULL:full_name"],
    }
    ledger = sorted((x["file_id"], x["status"], x["records_read"], x["valid"], x["quarantined"], x["content_sha256"], x["schema_hash"])
                    for x in lake.rows("ledger"))
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b)}
    assert ledger == [(f"a.csv#sha256:{digest['a.csv']}", "committed", 10, 3, 7, digest["a.csv"], SCHEMA.hash),
                      (f"b.csv#sha256:{digest['b.csv']}", "committed", 2, 2, 0, digest["b.csv"], SCHEMA.hash)]
    # one commit per table for the batch, each marked with its step's txn app id and the batch as txn version
    for name, app_id in (("quarantine", QUARANTINE), ("data", DATA), ("ledger", OUTCOME)):
        assert lake.batches(name) == [1] and lake.txn(name, app_id) == 1


def test_valid_rows_are_typed_and_carry_their_lineage(spark, tmp_path, delta_rs):
    write(tmp_path / "in", "a.csv", HEADER + good(1))
    run_ingestion(spark, config(tmp_path))
    [row] = delta_rs(tmp_path).rows("data")
    assert row["customer_id"] == 1 and str(row["balance"]) == "1.50" and row["active"] is True
    assert str(row["signup_date"]) == "2026-01-02"
    assert row["_sdl_batch"] == 1 and row["_sdl_record_number"] == 1 and row["_sdl_source_file"].startswith("a.csv#sha256:")
    assert row["_sdl_key_version"] == "v1"


def test_pseudonyms_get_no_min_max_statistics_every_other_column_does(spark, tmp_path):
    write(tmp_path / "in", "a.csv", HEADER + good(1) + good(2))
    run_ingestion(spark, config(tmp_path))
    log = Path(paths(str(tmp_path / "lake" / "customers"))["data"]) / "_delta_log" / "00000000000000000000.json"
    actions = [json.loads(line) for line in log.read_text().splitlines()]
    stats = [json.loads(a["add"]["stats"]) for a in actions if "add" in a]
    # (booleans have no min/max either way: Delta cannot list them)
    assert stats and all(set(s["minValues"]) == {"customer_id", "country", "balance", "signup_date", "_sdl_batch",
                                                 "_sdl_source_file", "_sdl_record_number", "_sdl_key_version"} for s in stats)


def test_a_rerun_over_the_same_files_never_duplicates_a_row(spark, tmp_path, delta_rs):
    write(tmp_path / "in", "a.csv", MIXED)
    run_ingestion(spark, config(tmp_path))
    again = run_ingestion(spark, config(tmp_path, run_id="run-2"))
    assert again.status == "nothing-to-do"
    lake = delta_rs(tmp_path)
    assert sorted(x["_sdl_record_number"] for x in lake.rows("data")) == [1, 2, 10]
    assert sorted(x["record_number"] for x in lake.rows("quarantine")) == [3, 4, 5, 6, 7, 8, 9]
    assert len(lake.rows("ledger")) == 1
    # the rerun committed nothing: one commit per table, the first run's
    assert all(lake.batches(name) == [1] for name in ("data", "quarantine", "ledger"))


def test_a_new_file_is_the_next_batch_alone(spark, tmp_path):
    write(tmp_path / "in", "a.csv", HEADER + good(1))
    run_ingestion(spark, config(tmp_path))
    write(tmp_path / "in", "b.csv", HEADER + good(2) + good(3))
    r = run_ingestion(spark, config(tmp_path, run_id="run-2"))
    assert r.batch == 2 and [f.file_id.split("#")[0] for f in r.files] == ["b.csv"]
    assert table(spark, tmp_path, "data").count() == 3


@pytest.mark.parametrize("step", ["quarantine", "data"])
def test_a_crash_between_commits_is_repaired_without_loss_or_duplicates(spark, tmp_path, step, delta_rs):
    write(tmp_path / "in", "a.csv", MIXED)
    with pytest.raises(SimulatedCrash):
        run_ingestion(spark, config(tmp_path, commits=CrashAfter(step)))
    lake = delta_rs(tmp_path)
    crashed = {name: lake.batches(name) if lake.exists(name) else None for name in ("quarantine", "data", "ledger")}
    assert crashed == {"quarantine": [1], "data": [1] if step == "data" else None, "ledger": None}
    write(tmp_path / "in", "late.csv", HEADER + good(50))  # arrives between the crash and the restart
    repaired = run_ingestion(spark, config(tmp_path, run_id="run-2"))
    assert repaired.repaired and repaired.batch == 1 and repaired.status == "committed"
    assert [f.file_id.split("#")[0] for f in repaired.files] == ["a.csv"]
    nxt = run_ingestion(spark, config(tmp_path, run_id="run-3"))
    assert nxt.batch == 2 and nxt.valid == 1
    # by delta-rs: every record exactly once, one commit per batch and table, the txn versions at the last batch
    data = sorted((x["_sdl_source_file"].split("#")[0], x["_sdl_record_number"], x["_sdl_batch"]) for x in lake.rows("data"))
    assert data == [("a.csv", 1, 1), ("a.csv", 2, 1), ("a.csv", 10, 1), ("late.csv", 1, 2)]
    assert sorted(x["record_number"] for x in lake.rows("quarantine")) == [3, 4, 5, 6, 7, 8, 9]
    assert sorted((x["batch"], x["file_id"].split("#")[0], x["status"]) for x in lake.rows("ledger")) == [
        (1, "a.csv", "committed"), (2, "late.csv", "committed")]
    for name, app_id in (("quarantine", QUARANTINE), ("data", DATA), ("ledger", OUTCOME)):
        assert lake.batches(name) == [1, 2] and lake.txn(name, app_id) == 2


def test_a_crash_after_an_empty_quarantine_commit_is_repaired_too(spark, tmp_path, delta_rs):
    write(tmp_path / "in", "a.csv", HEADER + good(1) + good(2))
    with pytest.raises(SimulatedCrash):
        run_ingestion(spark, config(tmp_path, commits=CrashAfter("quarantine")))
    write(tmp_path / "in", "late.csv", HEADER + good(3))
    repaired = run_ingestion(spark, config(tmp_path, run_id="run-2"))
    assert repaired.repaired and [f.file_id.split("#")[0] for f in repaired.files] == ["a.csv"]
    lake = delta_rs(tmp_path)
    assert sorted(x["customer_id"] for x in lake.rows("data")) == [1, 2]
    assert lake.rows("quarantine") == [] and lake.batches("quarantine") == [1] and lake.batches("data") == [1]


def test_a_run_over_the_quarantine_threshold_fails_closed(spark, tmp_path, capsys, delta_rs):
    write(tmp_path / "in", "a.csv", MIXED)
    with pytest.raises(IngestFailedClosed, match=r"quarantine ratio 0\.7000 is above the threshold 0\.1"):
        run_ingestion(spark, config(tmp_path, max_quarantine_ratio=0.1))
    from delta.tables import DeltaTable
    lake = delta_rs(tmp_path)
    assert not DeltaTable.isDeltaTable(spark, lake.paths["data"]) and not lake.exists("data")
    assert len(lake.rows("quarantine")) == 7
    ledger = lake.rows("ledger")
    assert len(ledger) == 1 and ledger[0]["status"] == "failed_closed" and "above the threshold" in ledger[0]["reason"]
    assert run_ingestion(spark, config(tmp_path, run_id="run-2")).status == "nothing-to-do"
    metrics = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert metrics[-2]["metrics"]["FailedClosed"] == 1 and metrics[-2]["metrics"]["RunsSucceeded"] == 0
    # the alarm on "no successful run" counts a run that found nothing new as a success
    assert metrics[-1]["metrics"] == {"RecordsRead": 0, "Files": 0, "RunsSucceeded": 1}


def test_pseudonyms_are_hmac_sha256_stable_per_key_version_and_change_with_it(spark, tmp_path):
    write(tmp_path / "in", "a.csv", HEADER + good(1))
    run_ingestion(spark, config(tmp_path))
    first = table(spark, tmp_path, "data").collect()[0]
    expected = hmac.new(KEY.key, b"user1@example.com", hashlib.sha256).hexdigest()
    assert first["email"] == expected and first["full_name"] != "User 1"
    write(tmp_path / "in", "b.csv", HEADER + good(1) + "\n")  # same row, another file (a blank line makes it differ)
    run_ingestion(spark, config(tmp_path, run_id="run-2"))
    rotated = PseudonymKey(b"r" * 32, "v2")
    write(tmp_path / "in", "c.csv", HEADER + "\n" + good(1))
    run_ingestion(spark, config(tmp_path, run_id="run-3", key=rotated))
    rows = {r["_sdl_batch"]: r for r in table(spark, tmp_path, "data").collect()}
    assert rows[2]["email"] == rows[1]["email"]            # same key version, same pseudonym
    assert rows[3]["email"] != rows[1]["email"]            # other version, other pseudonym
    assert rows[3]["_sdl_key_version"] == "v2" and rows[1]["_sdl_key_version"] == "v1"


def test_sdl_cmp_01_commits_carry_lineage_in_their_user_metadata(spark, tmp_path, delta_rs):
    write(tmp_path / "in", "a.csv", MIXED)
    run_ingestion(spark, config(tmp_path))
    for name, step in (("data", "data"), ("quarantine", "quarantine")):
        [commit] = delta_rs(tmp_path).commits(name)  # as delta-rs reads the log
        meta = json.loads(commit["userMetadata"])
        assert meta["step"] == step and meta["batch"] == 1 and meta["run_id"] == "run-1"
        assert meta["schema_hash"] == SCHEMA.hash and meta["key_version"] == "v1"
        assert meta["records_read"] == 10 and meta["valid"] + meta["quarantined"] == 10
        assert meta["files"][0].startswith("a.csv#sha256:")


def test_quarantined_records_older_than_the_retention_are_deleted_and_vacuumed(spark, tmp_path):
    from delta.tables import DeltaTable

    day0 = dt.datetime(2026, 1, 1)
    at = lambda days: (lambda: day0 + dt.timedelta(days=days))  # noqa: E731
    write(tmp_path / "in", "a.csv", MIXED)                      # 7 quarantined on day 0
    run_ingestion(spark, config(tmp_path, clock=at(0), quarantine_retention_days=30))
    write(tmp_path / "in", "b.csv", HEADER + good(10) + "11,bad,User 11,DE,1.00,2026-01-01,true\n")  # 1 more on day 20
    run_ingestion(spark, config(tmp_path, run_id="run-2", clock=at(20), quarantine_retention_days=30))
    assert table(spark, tmp_path, "quarantine").count() == 8

    # day 31: the first batch's records are past 30 days, the second batch's are not
    r = run_ingestion(spark, config(tmp_path, run_id="run-3", clock=at(31), quarantine_retention_days=30))
    assert r.status == "nothing-to-do"
    left = table(spark, tmp_path, "quarantine").collect()
    assert [row["record_number"] for row in left] == [2] and left[0]["source_file"].startswith("b.csv")
    operations = [h["operation"] for h in DeltaTable.forPath(spark, paths(str(tmp_path / "lake" / "customers"))["quarantine"]).history().collect()]
    assert "DELETE" in operations and "VACUUM END" in operations
    metrics = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert metrics[-1]["metrics"]["QuarantineRecordsExpired"] == 7
    # the data table and the ledger are untouched
    assert table(spark, tmp_path, "data").count() == 4


def test_without_a_retention_the_quarantine_is_kept(spark, tmp_path):
    write(tmp_path / "in", "a.csv", MIXED)
    run_ingestion(spark, config(tmp_path, clock=lambda: dt.datetime(2020, 1, 1)))
    run_ingestion(spark, config(tmp_path, run_id="run-2"))
    assert table(spark, tmp_path, "quarantine").count() == 7


def test_a_record_failing_checks_of_two_pii_columns_lists_both(spark, tmp_path):
    # PII checks run once per distinct value of each column; the reasons of both columns are joined
    write(tmp_path / "in", "a.csv",
          HEADER + good(1) + "2,not-an-email,,DE,1.00,2026-01-01,true\n" + "3,not-an-email,User 3,DE,1.00,2026-01-01,true\n")
    run_ingestion(spark, config(tmp_path))
    q = {r["record_number"]: sorted(r["reasons"]) for r in table(spark, tmp_path, "quarantine").collect()}
    assert q == {2: ["NULL:full_name", "PATTERN:email"], 3: ["PATTERN:email"]}
    assert table(spark, tmp_path, "data").count() == 1


def test_the_quarantine_keeps_the_raw_record_or_redacts_it(spark, tmp_path):
    write(tmp_path / "in", "a.csv", HEADER + "7,u7@example.com,User 7,DE\n")
    run_ingestion(spark, config(tmp_path, max_quarantine_ratio=1.0))
    assert table(spark, tmp_path, "quarantine").collect()[0]["raw_record"] == "7,u7@example.com,User 7,DE\n"
    other = tmp_path / "other"
    write(other / "in", "a.csv", HEADER + "7,u7@example.com,User 7,DE\n")
    run_ingestion(spark, config(other, redact_quarantine=True, max_quarantine_ratio=1.0))
    assert table(spark, other, "quarantine").collect()[0]["raw_record"] is None


def test_malformed_files_are_all_accounted_for(spark, tmp_path):
    write(tmp_path / "in", "bom_crlf.csv", ("\ufeff" + HEADER + good(1) + good(2)).replace("\n", "\r\n"))
    write(tmp_path / "in", "empty.csv", "")
    write(tmp_path / "in", "bad_header.csv", HEADER.replace("email", "mail") + good(3))
    write(tmp_path / "in", "utf8.csv", HEADER.encode() + b"4,u4@example.com,Us\xffer,DE,1.00,2026-01-01,true\n" + good(5).encode())
    write(tmp_path / "in", "multiline.csv", HEADER + '6,u6@example.com,"User\nSix",DE,1.00,2026-01-01,true\n')
    r = run_ingestion(spark, config(tmp_path, max_quarantine_ratio=1.0))
    by = {f.file_id.split("#")[0]: f for f in r.files}
    assert (by["bom_crlf.csv"].valid, by["bom_crlf.csv"].quarantined) == (2, 0)
    assert by["empty.csv"].records_read == 0 and by["empty.csv"].problem == "EMPTY_FILE"
    assert (by["bad_header.csv"].quarantined, by["bad_header.csv"].problem) == (1, "BAD_HEADER")
    assert (by["utf8.csv"].valid, by["utf8.csv"].quarantined) == (1, 1)
    assert (by["multiline.csv"].valid, by["multiline.csv"].records_read) == (1, 1)
    assert r.records_read == r.valid + r.quarantined == 6


def test_no_row_text_and_no_key_material_reach_the_logs(spark, tmp_path, capfd):
    marker = "zq-private-marker"
    write(tmp_path / "in", "a.csv", HEADER + f"1,{marker}@example.com,{marker} name,DE,1.00,2026-01-01,true\n"
          + f"2,{marker}-bad,{marker},XX,oops,2026-13-01,nope\n" + f"3,{marker}\n")
    key = PseudonymKey(b"S" * 40, "v9")
    run_ingestion(spark, config(tmp_path, key=key, max_quarantine_ratio=1.0))
    out, err = capfd.readouterr()
    logs = out + err
    assert "sdl-ingest: status=committed batch=1 files=1 read=3 valid=1 quarantined=2" in logs
    assert marker not in logs
    assert base64.b64encode(key.key).decode() not in logs and key.key.decode() not in logs
    assert "key=<redacted>" in repr(key)


def test_the_local_key_file_adapter(tmp_path):
    p = tmp_path / "key.json"
    p.write_text(json.dumps({"version": "v3", "key": base64.b64encode(b"x" * 32).decode()}))
    k = LocalKeyFile(str(p)).get()
    assert k.version == "v3" and k.key == b"x" * 32
    p.write_text(json.dumps({"version": "v3", "key": base64.b64encode(b"short").decode()}))
    with pytest.raises(ValueError, match="at least 32 bytes"):
        LocalKeyFile(str(p)).get()
