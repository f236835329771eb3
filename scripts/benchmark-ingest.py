"""Benchmark: the validated ingestion against plain Spark CSV -> Delta, whole processes, with peak memory.

    ./scripts/dev python scripts/benchmark-ingest.py [--rows 4000000] [--files 4] [--big-mb 2048] [--repeat 3]
        [--only files|big] [--work DIR] [--runs a,b,c] [--check]

Generates the inputs (a customers table: 7 columns, 2 of them PII, about 0.5% invalid rows):
  - "files": --rows rows in --files CSV files;
  - "big": one CSV file of about --big-mb MB (0 skips it).
Then, for each input, runs alternately --repeat times, each as its own process on local[2] with the
job's own Spark settings (spark.driver.memory 2g):
  (a) the validated ingestion: the job itself (src/glue/job-script/ingest.py), into new tables;
  (b) the baseline: Spark's CSV reader with the same typed schema, one plain Delta append;
  (c) the protocol floor: the baseline's rows written as the ingestion commits a batch (an empty
      quarantine commit, the rows, a ledger row per file: three idempotent Delta appends), so that
      (c) - (b) is the fixed cost of the commit protocol.
Each time is the process's wall clock from start to exit (JVM start included: what a job run costs);
peak memory is the highest sum of the resident set sizes of the process and all its descendants
(the JVM, the Python workers), sampled every 0.5 s. It prints medians, the ratio (a)/(b) (the
project's goal is 1.3 or less on both inputs) and throughput per core (input MB/s and rows/s
divided by the 2 cores of local[2]). `--runs` picks runs (a single (a) on a 10 GB file: `--runs a`);
`--check` keeps (a)'s tables of the last repetition and prints whether their rows (data +
quarantine) equal the input's records and the ledger's count. An existing --work input folder is
reused (its data rows counted as lines, which the generated inputs are).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
JOB = os.path.join(HERE, "..", "src", "glue", "job-script")
sys.path.insert(0, JOB)

CORES = 2
COLUMNS = [
    {"name": "customer_id", "type": "long", "constraints": {"minimum": 1}},
    {"name": "email", "type": "string", "pii": True, "constraints": {"pattern": "[^@\\s]+@[^@\\s]+"}},
    {"name": "full_name", "type": "string", "pii": True},
    {"name": "country", "type": "string", "constraints": {"allowedValues": ["DE", "FR", "NL", "SE", "ES", "IT"]}},
    {"name": "balance", "type": "decimal", "precision": 12, "scale": 2, "nullable": True},
    {"name": "signup_date", "type": "date"},
    {"name": "active", "type": "boolean"},
]
BASELINE_DDL = "customer_id bigint, email string, full_name string, country string, balance decimal(12,2), signup_date date, active boolean"
FIRST = ["Anna", "Björn", "Chloé", "Daan", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Müller", "Dubois", "de Vries", "Andersson", "García", "Rossi", "Smith", "O'Neil"]


def _write_rows(path: str, rows: int, start: int, rnd: random.Random) -> int:
    header = ",".join(c["name"] for c in COLUMNS) + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header)
        n = start
        done = 0
        while done < rows:
            lines = []
            for _ in range(min(100_000, rows - done)):
                n += 1
                name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                row = [str(n), f"customer{n}@example.com", f'"{name}"' if "'" in name else name, rnd.choice(["DE", "FR", "NL", "SE", "ES", "IT"]),
                       f"{rnd.randint(0, 99999)}.{rnd.randint(0, 99):02d}", f"20{rnd.randint(10, 25)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                       rnd.choice(["true", "false"])]
                if rnd.random() < 0.005:  # an invalid value, as real feeds have
                    row[rnd.choice([0, 3, 4, 5, 6])] = "n/a"
                lines.append(",".join(row) + "\n")
            fh.writelines(lines)
            done += len(lines)
    return n


def generate_files(folder: str, rows: int, files: int, seed: int = 7) -> int:
    rnd = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    n = 0
    for f in range(files):
        count = rows // files if f < files - 1 else rows - rows // files * (files - 1)
        n = _write_rows(os.path.join(folder, f"part-{f:03d}.csv"), count, n, rnd)
    return rows


def generate_big(folder: str, megabytes: int, seed: int = 11) -> int:
    """One file of about `megabytes` MB (rows of about 95 bytes)."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "big.csv")
    rows = 0
    rnd = random.Random(seed)
    target = megabytes * 1_000_000
    probe = os.path.join(folder, "probe.csv")
    _write_rows(probe, 100_000, 0, random.Random(seed))
    per_row = os.path.getsize(probe) / 100_000
    os.remove(probe)
    rows = int(target / per_row)
    _write_rows(path, rows, 0, rnd)
    return rows


def _lines(path: str) -> int:
    """The line ends of a file, counted in 16 MiB chunks (a generated input has one per row)."""
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(16 << 20):
            n += chunk.count(b"\n")
    return n


# ------------------------------------------------------------------ the child processes

def child(mode: str, src: str, out: str) -> None:
    from sdl_spark import local_session

    spark = local_session(f"bench-{mode}")
    rows = spark.read.schema(BASELINE_DDL).option("header", True).option("dateFormat", "yyyy-MM-dd").csv(src)
    if mode == "baseline":
        rows.write.format("delta").mode("append").save(out)
    elif mode == "count":
        from pyspark.sql import functions as F

        counts = {name: spark.read.format("delta").load(os.path.join(out, name)).count() for name in ("data", "quarantine")}
        counts["ledger_records_read"] = (spark.read.format("delta").load(os.path.join(out, "_ingest_log"))
                                         .agg(F.sum("records_read")).collect()[0][0])
        print(json.dumps(counts))
    elif mode == "floor":
        ledger = spark.createDataFrame([(1, name) for name in sorted(os.listdir(src))], "batch long, file_id string")
        for table, frame in (("quarantine", rows.limit(0)), ("data", rows), ("_ingest_log", ledger)):
            (frame.write.format("delta").mode("append").option("txnAppId", f"floor-{table}").option("txnVersion", 1)
             .save(os.path.join(out, table)))
    spark.stop()


# ------------------------------------------------------------------ measuring

def _tree_rss(root: int) -> int:
    """RSS in bytes of `root` and every descendant (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) < root:  # descendants start after the root (pids wrap only at pid_max)
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(d)] = int(fields[1])
            rss[int(d)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(p for p, pp in parents.items() if pp == pid)
    return total


def measure(cmd: list[str]) -> tuple[float, int]:
    """(wall-clock seconds, peak RSS bytes of the process tree)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.5)
    elapsed = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-3000:]}")
    return elapsed, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=4_000_000)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--big-mb", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", choices=["files", "big"], help="run one input only")
    ap.add_argument("--work", help="a folder for the inputs and tables (default: a temporary one, removed)")
    ap.add_argument("--runs", default="a,b,c", help="the runs to make, of a, b, c (default: all three)")
    ap.add_argument("--check", action="store_true", help="check (a)'s row counts against the input's records")
    args = ap.parse_args()
    runs = [k for k in "bac" if k in args.runs.split(",")]
    work = args.work or tempfile.mkdtemp(prefix="sdl-bench-")
    os.makedirs(work, exist_ok=True)
    schema_file, key_file = os.path.join(work, "schema.json"), os.path.join(work, "key.json")
    with open(schema_file, "w") as f:
        json.dump({"version": 1, "columns": COLUMNS}, f)
    with open(key_file, "w") as f:
        json.dump({"version": "v1", "key": "YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI="}, f)
    py = sys.executable
    inputs = {"files": os.path.join(work, "files")}
    if args.big_mb:
        inputs["big"] = os.path.join(work, "big")
    if args.only:
        inputs = {args.only: os.path.join(work, args.only)}
    try:
        rows = {}
        for name, folder in inputs.items():
            if os.path.isdir(folder):
                rows[name] = sum(_lines(os.path.join(folder, fn)) for fn in os.listdir(folder)) - len(os.listdir(folder))
            else:
                rows[name] = generate_files(folder, args.rows, args.files) if name == "files" else generate_big(folder, args.big_mb)
        print(f"local[{CORES}], spark.driver.memory 2g, {args.repeat} alternating runs of each, whole processes, medians")
        print("| input | run | time (s) | peak RSS (GiB) | rows/s per core | MB/s per core | runs (s) |")
        print("|---|---|---|---|---|---|---|")
        for name, folder in inputs.items():
            size_mb = sum(os.path.getsize(os.path.join(folder, fn)) for fn in os.listdir(folder)) / 1e6
            times: dict[str, list[float]] = {k: [] for k in "abc"}
            peaks: dict[str, list[int]] = {k: [] for k in "abc"}
            for i in range(args.repeat):
                for k in runs:
                    out = os.path.join(work, f"out-{name}-{k}-{i}")
                    shutil.rmtree(out, ignore_errors=True)
                    cmd = ([py, os.path.join(JOB, "ingest.py"), "--source-uri", folder, "--table-uri", out, "--schema-file", schema_file,
                            "--key-file", key_file, "--max-quarantine-ratio", "1"] if k == "a"
                           else [py, os.path.abspath(__file__), "--child", "baseline" if k == "b" else "floor", folder, out])
                    t, peak = measure(cmd)
                    print(f"  {name} run {i + 1} ({k}): {t:.1f} s, peak RSS {peak / 2**30:.2f} GiB", file=sys.stderr, flush=True)
                    times[k].append(t)
                    peaks[k].append(peak)
                    if k == "a" and args.check and i == args.repeat - 1:
                        got = json.loads(subprocess.run([py, os.path.abspath(__file__), "--child", "count", folder, out], check=True,
                                                        capture_output=True, text=True).stdout.strip().splitlines()[-1])
                        total = got["data"] + got["quarantine"]
                        same = total == rows[name] == got["ledger_records_read"]
                        print(f"  {name} (a) check: data {got['data']:,} + quarantine {got['quarantine']:,} = {total:,}; input records "
                              f"{rows[name]:,}; ledger records_read {got['ledger_records_read']:,}: {'equal' if same else 'NOT EQUAL'}", flush=True)
                    shutil.rmtree(out, ignore_errors=True)
            labels = {"a": "(a) validated ingestion", "b": "(b) plain Spark CSV -> Delta", "c": "(c) protocol floor"}
            for k in sorted(runs):
                med = statistics.median(times[k])
                print(f"| {name}: {rows[name]:,} rows, {size_mb:,.0f} MB | {labels[k]} | {med:.1f} | {max(peaks[k]) / 2**30:.2f} | "
                      f"{rows[name] / med / CORES:,.0f} | {size_mb / med / CORES:.1f} | {', '.join(f'{x:.1f}' for x in times[k])} |")
            med = {k: statistics.median(times[k]) for k in runs}
            if "a" in med and "b" in med:
                print(f"| {name} | ratio (a)/(b) (goal 1.3) | {med['a'] / med['b']:.2f} | | | | |")
            if "b" in med and "c" in med:
                print(f"| {name} | commit protocol's fixed cost (c) - (b) | {med['c'] - med['b']:+.1f} s | | | | |")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
