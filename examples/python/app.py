"""The example pipeline in Python, from the wheel: the same stacks, ids and props as
examples/ingestion-pipeline/pipeline.ts, so the two synthesize the same templates.

    python app.py [outdir]      # default: ./cdk.out
"""
import os
import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

import cdk_secure_delta_lake as sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "data" / "customers.schema.json"


def example_pipeline(app: cdk.App) -> sdl.AuditedPipeline:
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION"))

    data = cdk.Stack(app, "SecureDeltaLakeData", env=env, description="Secure Delta Lake: raw (CSV) and curated (Delta) zones")
    raw = sdl.SecureDeltaLakeBucket(data, "Raw", zone=sdl.LakeZone.RAW)
    curated = sdl.SecureDeltaLakeBucket(data, "Curated", zone=sdl.LakeZone.CURATED)

    stack = cdk.Stack(app, "SecureDeltaLakePipeline", env=env, description="Secure Delta Lake: the audited customers ingestion pipeline")
    pipeline = sdl.AuditedPipeline(
        stack, "Customers",
        table_name="customers",
        schema=sdl.TableSchema.from_json(SCHEMA_FILE.read_text(encoding="utf-8")),
        raw_bucket=raw,
        curated_bucket=curated,
        trigger=sdl.PipelineTrigger.on_object_created(batch_size=10),
        alert_emails=["data-platform@example.com"],
    )

    def role(construct_id: str, description: str) -> iam.Role:
        return iam.Role(stack, construct_id, assumed_by=iam.AccountRootPrincipal(),
                        path=sdl.SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH, description=description)

    raw.grant_write(role("Producers", "uploads customers CSV files"), pipeline.source_prefix)
    pipeline.grant_operate(role("DataEngineers", "operates the customers pipeline"))
    pipeline.grant_read_curated(role("Analysts", "queries the curated customers table in Athena"))
    return pipeline


if __name__ == "__main__":
    outdir = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent / "cdk.out")
    app = cdk.App(outdir=outdir)
    example_pipeline(app)
    app.synth()
    print(outdir)
