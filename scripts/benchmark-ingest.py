"""Benchmark: the validated ingestion against a plain typed CSV-to-Delta load, side by side in one run.

    ./scripts/dev python scripts/benchmark-ingest.py [--rows 1000000] [--files 4] [--repeat 3]

Generates N rows of a customers table (7 columns, 2 of them PII, about 0.5% invalid rows) split
over several CSV files, then times, alternately and after a warm-up on a small file set:
  (a) the full ingestion: strict CSV reading, validation, pseudonymization, quarantine, ledger,
      three Delta commits;
  (b) the baseline: Spark's CSV reader with the same typed schema, one Delta append, no validation;
  (c) the protocol floor: the baseline's rows written under the ingestion's commit protocol (an
      empty quarantine commit, the rows, a ledger row per file: three idempotent Delta appends), no
      validation. (c)/(b) is what the protocol alone costs; (a)/(c) what validation costs on top.
Each is timed twice per round: into new tables (the first load), and into tables that already
hold a small earlier batch (the steady state of an incremental pipeline; the earlier batch is
written untimed). What is timed is the wall-clock of each call, Spark session already up, output
on local disk. It prints rows/s for each, the ratio (a)/(b) of the medians and of the fastest runs
(the least disturbed by other load), and the same ratios for (c); the project's goal for (a)/(b) is
1.2 or less.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from typing import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src", "glue", "job-script"))

from sdl_adapters import JsonMetricsSink, LocalSourceFiles, PseudonymKey  # noqa: E402
from sdl_ingest import IngestConfig, run_ingestion  # noqa: E402
from sdl_schema import TableSchema  # noqa: E402
from sdl_spark import local_session  # noqa: E402

SCHEMA = TableSchema.from_columns([
    {"name": "customer_id", "type": "long", "constraints": {"minimum": 1}},
    {"name": "email", "type": "string", "pii": True, "constraints": {"pattern": "[^@\\s]+@[^@\\s]+"}},
    {"name": "full_name", "type": "string", "pii": True},
    {"name": "country", "type": "string", "constraints": {"allowedValues": ["DE", "FR", "NL", "SE", "ES", "IT"]}},
    {"name": "balance", "type": "decimal", "precision": 12, "scale": 2, "nullable": True},
    {"name": "signup_date", "type": "date"},
    {"name": "active", "type": "boolean"},
])
BASELINE_DDL = "customer_id bigint, email string, full_name string, country string, balance decimal(12,2), signup_date date, active boolean"
FIRST = ["Anna", "Björn", "Chloé", "Daan", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Müller", "Dubois", "de Vries", "Andersson", "García", "Rossi", "Smith", "O'Neil"]


def generate(folder: str, rows: int, files: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    per_file = rows // files
    header = ",".join(c.name for c in SCHEMA.columns) + "\n"
    n = 0
    for f in range(files):
        count = per_file if f < files - 1 else rows - per_file * (files - 1)
        lines = [header]
        for _ in range(count):
            n += 1
            name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
            row = [str(n), f"customer{n}@example.com", f'"{name}"' if "'" in name else name, rnd.choice(["DE", "FR", "NL", "SE", "ES", "IT"]),
                   f"{rnd.randint(0, 99999)}.{rnd.randint(0, 99):02d}", f"20{rnd.randint(10, 25)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                   rnd.choice(["true", "false"])]
            if rnd.random() < 0.005:  # an invalid value, as real feeds have
                row[rnd.choice([0, 3, 4, 5, 6])] = "n/a"
            lines.append(",".join(row) + "\n")
        with open(os.path.join(folder, f"part-{f:03d}.csv"), "w", encoding="utf-8") as fh:
            fh.writelines(lines)


def _link_all(src: str, into: str) -> None:
    os.makedirs(into, exist_ok=True)
    for name in os.listdir(src):
        os.link(os.path.join(src, name), os.path.join(into, f"{os.path.basename(src)}-{name}"))


def validated(spark, src: str, out: str, earlier: str = "") -> float:
    """(a) over the files of `src`; with `earlier`, the tables first get those files as batch 1 (untimed)."""
    shutil.rmtree(out, ignore_errors=True)
    landing = out + "-landing"
    shutil.rmtree(landing, ignore_errors=True)
    cfg = IngestConfig(source=LocalSourceFiles(landing), table_uri=out, schema=SCHEMA, metrics=JsonMetricsSink(os.devnull, "Bench"),
                       run_id="bench", key=PseudonymKey(b"b" * 32, "v1"), max_quarantine_ratio=1.0)
    if earlier:
        _link_all(earlier, landing)
        run_ingestion(spark, cfg)
    _link_all(src, landing)  # only these files are pending now
    t = time.perf_counter()
    run_ingestion(spark, cfg)
    return time.perf_counter() - t


def _typed_csv(spark, folder: str):
    """Spark's CSV reader with the table's typed schema: what (b) and (c) load."""
    return spark.read.schema(BASELINE_DDL).option("header", True).option("dateFormat", "yyyy-MM-dd").csv(folder)


def _time_second(load: Callable[[str, int], None], src: str, earlier: str) -> float:
    """`load(earlier, 1)` untimed when there is an earlier batch, then `load(src, 2)` timed."""
    if earlier:
        load(earlier, 1)
    t = time.perf_counter()
    load(src, 2)
    return time.perf_counter() - t


def baseline(spark, src: str, out: str, earlier: str = "") -> float:
    """(b): one plain Delta append of the typed rows."""
    shutil.rmtree(out, ignore_errors=True)
    return _time_second(lambda folder, _batch: _typed_csv(spark, folder).write.format("delta").mode("append").save(out), src, earlier)


def protocol_floor(spark, src: str, out: str, earlier: str = "") -> float:
    """(c): the baseline's load as the ingestion commits a batch, without reading, checking or caching."""
    shutil.rmtree(out, ignore_errors=True)

    def load(folder: str, batch: int) -> None:
        rows = _typed_csv(spark, folder)
        ledger = spark.createDataFrame([(batch, name) for name in sorted(os.listdir(folder))], "batch long, file_id string")
        for table, frame in (("quarantine", rows.limit(0)), ("data", rows), ("_ingest_log", ledger)):
            (frame.write.format("delta").mode("append").option("txnAppId", f"floor-{table}").option("txnVersion", batch)
             .save(os.path.join(out, table)))

    return _time_second(load, src, earlier)


def _ratio(x: list[float], y: list[float]) -> str:
    return f"{statistics.median(x) / statistics.median(y):.2f}; of the fastest runs: {min(x) / min(y):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sdl-bench-")
    try:
        src, warm = os.path.join(work, "csv"), os.path.join(work, "warm")
        generate(src, args.rows, args.files)
        generate(warm, 20_000, 2, seed=1)
        spark = local_session("sdl-benchmark")
        baseline(spark, warm, os.path.join(work, "wb"))
        validated(spark, warm, os.path.join(work, "wv"))
        protocol_floor(spark, warm, os.path.join(work, "wc"))
        runs = {"a": validated, "b": baseline, "c": protocol_floor}
        times: dict[str, list[float]] = {f"{k}-{t}": [] for t in ("new", "existing") for k in "abc"}
        for i in range(args.repeat):
            for tables, earlier in (("new", ""), ("existing", warm)):
                for k in "bac":
                    times[f"{k}-{tables}"].append(runs[k](spark, src, os.path.join(work, f"{k}-{tables}-{i}"), earlier=earlier))
        print(f"rows: {args.rows} in {args.files} files, {args.repeat} alternating runs each (median), local[2]")
        labels = {"a": "validated ingest", "b": "baseline typed load", "c": "protocol floor"}
        for tables in ("new", "existing"):
            print(f"into {tables} tables:")
            for k in "abc":
                t = times[f"{k}-{tables}"]
                print(f"  ({k}) {labels[k]}: {statistics.median(t):.2f} s, {args.rows / statistics.median(t):,.0f} rows/s   runs: {', '.join(f'{x:.2f}' for x in t)}")
            a, b, c = (times[f"{k}-{tables}"] for k in "abc")
            print(f"  ratio (a)/(b): {_ratio(a, b)} (goal: 1.2 or less)")
            print(f"  ratio (c)/(b), the protocol alone: {_ratio(c, b)}")
            print(f"  ratio (a)/(c), validation on top of the protocol: {_ratio(a, c)}")
        spark.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
