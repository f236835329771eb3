"""A CDK app written against the Python binding of the library: synthesizes and prints the template."""
import json
import sys

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

import cdk_secure_delta_lake as sdl

app = cdk.App(outdir=sys.argv[1])
stack = cdk.Stack(app, "Binding", env=cdk.Environment(account="111111111111", region="eu-west-1"))

raw = sdl.SecureDeltaLakeBucket(stack, "Raw", zone=sdl.LakeZone.RAW)
curated = sdl.SecureDeltaLakeBucket(stack, "Curated")
job_role = iam.Role(
    stack, "JobRole",
    assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
    path=sdl.SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH,
)
raw.grant_read(job_role, "landing/customers")
curated.grant_delta_write(job_role, "tables/customers", maintenance=sdl.DeltaMaintenance.NONE)

schema = sdl.TableSchema.of([
    sdl.TableColumn(name="customer_id", type=sdl.ColumnType.LONG, constraints=sdl.ColumnConstraints(minimum=1)),
    sdl.TableColumn(name="country", type=sdl.ColumnType.STRING, constraints=sdl.ColumnConstraints(allowed_values=["DE", "FR"])),
])
job = sdl.LeastPrivilegeGlueJob(
    stack, "Ingest",
    source=sdl.JobSource(bucket=raw.bucket, lake_bucket=raw, prefix="landing/orders"),
    target=curated,
    table_path="tables/orders",
    schema=schema,
)
cdk.CfnOutput(stack, "SchemaHash", value=schema.hash)

cdk.Tags.of(stack).add("sdl:control", sdl.SecurityControls.by_id("SDL-S3-02").id)
cdk.CfnOutput(stack, "ControlCount", value=str(len(sdl.SecurityControls.all())))

try:
    raw.grant_delta_write(job_role, "tables/*")
except Exception as e:  # a jsii error carries the construct's message
    cdk.CfnOutput(stack, "BadPrefixError", value=str(e).splitlines()[0][:200])

assembly = app.synth()
print(json.dumps(assembly.get_stack_by_name("Binding").template))
