"""The ingestion job: CSV files under a prefix to validated Delta tables.

On AWS Glue 5 (the arguments come from LeastPrivilegeGlueJob):
    --source-uri s3://raw/landing/customers/ --table-uri s3://curated/tables/customers
    --schema '<canonical JSON>' --schema-hash <sha256> --metrics-namespace <ns>
    --max-quarantine-ratio 0.05 [--pseudonym-key <secret ARN>] [--redact-quarantine true]
(every argument, its type, default and who sets it: job-contract.json, through sdl_contract.py)

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
from collections.abc import Callable
from typing import Any

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
from sdl_contract import CONTRACT
from sdl_ingest import IngestConcurrentRun, IngestConfig, IngestFailedClosed, IngestFilesRefused, IngestReadFailed, run_ingestion
from sdl_schema import TableSchema

_TYPES: dict[str, Callable[[str], Any]] = {"string": str, "float": float, "int": int, "bool": lambda s: s.lower() == "true"}


def build_parser() -> argparse.ArgumentParser:
    """The parser of the job contract's arguments (sdl_contract.py, from job-contract.json): names, types and defaults."""
    p = argparse.ArgumentParser(prog="ingest.py", description=(__doc__ or "").split("\n")[0])
    for a in CONTRACT["arguments"]:
        p.add_argument(f"--{a['name']}", dest=a.get("dest", a["name"].replace("-", "_")), type=_TYPES[a["type"]],
                       required=a.get("required", False), default=a.get("default"), help=a["description"])
    return p


def parse_args(argv: list[str]) -> argparse.Namespace:
    args, _unknown = build_parser().parse_known_args(argv)  # Glue adds arguments of its own
    return args


def table_dimension(table_uri: str) -> str:
    """The `Table` dimension of the metrics: the last segment of the table URI (the job's metricsTable)."""
    return table_uri.rstrip("/").rsplit("/", 1)[-1]


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
        max_quarantine_ratio=args.max_quarantine_ratio, redact_quarantine=args.redact_quarantine,
        quarantine_retention_days=args.quarantine_retention_days,
        dimensions={"Table": table_dimension(args.table_uri), **({"JobName": args.job_name} if args.job_name else {})},
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
