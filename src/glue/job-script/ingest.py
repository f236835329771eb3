"""The ingestion job: CSV files under a prefix to validated Delta tables.

On AWS Glue 5 (the arguments come from LeastPrivilegeGlueJob):
    --source-uri s3://raw/landing/customers/ --table-uri s3://curated/tables/customers
    --schema '<canonical JSON>' --schema-hash <sha256> --metrics-namespace <ns>
    --max-quarantine-ratio 0.05 [--pseudonym-key <secret ARN>] [--redact-quarantine true]

Locally (real Spark and Delta, the key from a file, metrics to a JSON file):
    python ingest.py --source-uri ./csv --table-uri ./lake/customers --schema-file schema.json \\
        [--key-file key.json] [--metrics-file metrics.jsonl]

It prints one summary line; it never prints row text or key material.
"""
from __future__ import annotations

import argparse
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sdl_adapters import (
    CloudWatchMetrics,
    JsonMetricsSink,
    LocalKeyFile,
    LocalSourceFiles,
    MetricsSink,
    S3SourceFiles,
    SecretsManagerKey,
    SourceFiles,
)
from sdl_ingest import IngestConcurrentRun, IngestConfig, IngestFailedClosed, IngestFilesRefused, IngestReadFailed, run_ingestion
from sdl_schema import TableSchema


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="ingest.py", description=__doc__.split("\n")[0])
    p.add_argument("--source-uri", required=True)
    p.add_argument("--table-uri", required=True)
    p.add_argument("--schema")
    p.add_argument("--schema-file")
    p.add_argument("--schema-hash")
    p.add_argument("--metrics-namespace", default="CdkSecureDeltaLake")
    p.add_argument("--metrics-file")
    p.add_argument("--max-quarantine-ratio", type=float, default=0.05)
    p.add_argument("--quarantine-retention-days", type=int, help="delete quarantined records older than this (default: keep)")
    p.add_argument("--redact-quarantine", default="false")
    p.add_argument("--pseudonym-key")
    p.add_argument("--key-file")
    p.add_argument("--run-id")
    p.add_argument("--JOB_NAME", dest="job_name")
    p.add_argument("--JOB_RUN_ID", dest="job_run_id")
    args, _unknown = p.parse_known_args(argv)  # Glue adds arguments of its own
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if (args.schema is None) == (args.schema_file is None):
        print("sdl-ingest: give exactly one of --schema and --schema-file", file=sys.stderr)
        return 2
    text = args.schema if args.schema is not None else open(args.schema_file, encoding="utf-8").read()
    schema = TableSchema.from_json(text)
    if args.schema_hash and args.schema_hash != schema.hash:
        print("sdl-ingest: --schema-hash does not match --schema; refusing to run", file=sys.stderr)
        return 2

    on_aws = args.source_uri.startswith("s3://")
    source: SourceFiles
    metrics: MetricsSink
    if on_aws:
        import boto3

        from sdl_spark import glue_session

        spark = glue_session()
        source = S3SourceFiles(boto3.client("s3"), args.source_uri)
        key = SecretsManagerKey(boto3.client("secretsmanager"), args.pseudonym_key).get() if args.pseudonym_key else None
        metrics = CloudWatchMetrics(boto3.client("cloudwatch"), args.metrics_namespace)
    else:
        from sdl_spark import local_session

        spark = local_session()
        source = LocalSourceFiles(args.source_uri)
        key = LocalKeyFile(args.key_file).get() if args.key_file else None
        metrics = JsonMetricsSink(args.metrics_file or os.devnull, args.metrics_namespace)

    cfg = IngestConfig(
        source=source, table_uri=args.table_uri, schema=schema, metrics=metrics,
        run_id=args.job_run_id or args.run_id or f"local-{uuid.uuid4()}", key=key,
        max_quarantine_ratio=args.max_quarantine_ratio, redact_quarantine=args.redact_quarantine.lower() == "true",
        quarantine_retention_days=args.quarantine_retention_days,
        dimensions={"Table": args.table_uri.rstrip("/").rsplit("/", 1)[-1], **({"JobName": args.job_name} if args.job_name else {})},
    )
    try:
        run_ingestion(spark, cfg)
    except IngestFailedClosed as e:
        print(f"sdl-ingest: failed closed: {e}", file=sys.stderr)
        return 3
    except IngestFilesRefused as e:
        print(f"sdl-ingest: files refused: {e}", file=sys.stderr)
        return 4
    except IngestConcurrentRun as e:
        print(f"sdl-ingest: concurrent run: {e}", file=sys.stderr)
        return 6
    except IngestReadFailed as e:
        print(f"sdl-ingest: read failed: {e}", file=sys.stderr)
        return 5
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
