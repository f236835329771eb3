"""The example lake in Python, from the wheel: three tables (customers with PII, orders, products)
on one SecureDeltaLake, with the same stacks, ids and props as
examples/ingestion-pipeline/lake.ts, so the two synthesize the same templates.

    python lake_app.py [outdir]      # default: ./cdk.out
"""
import os
import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

import cdk_secure_delta_lake as sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "data" / "customers.schema.json"
LAKE_STACKS = ["SecureDeltaLakeSales", "SecureDeltaLakeSalesTables", "SecureDeltaLakeSalesPeople"]


def example_lake(app: cdk.App) -> sdl.SecureDeltaLake:
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION"))

    lake_stack = cdk.Stack(app, LAKE_STACKS[0], env=env, description="Secure Delta Lake: the sales lake (zones, trail, alerts, catalog)")
    lake = sdl.SecureDeltaLake(lake_stack, "Lake", lake_name="sales", alert_emails=["data-platform@example.com"])

    # The tables, in a stack of their own: adding one never changes the lake's stack.
    tables_stack = cdk.Stack(app, LAKE_STACKS[1], env=env, description="Secure Delta Lake: the sales tables")
    customers = sdl.LakeTable(
        tables_stack, "Customers",
        lake=lake,
        table_name="customers",
        schema=sdl.TableSchema.from_json(SCHEMA_FILE.read_text(encoding="utf-8")),
        trigger=sdl.PipelineTrigger.on_object_created(batch_size=10),
    )
    orders = sdl.LakeTable(
        tables_stack, "Orders",
        lake=lake,
        table_name="orders",
        schema=sdl.TableSchema.of([
            sdl.TableColumn(name="order_id", type=sdl.ColumnType.LONG, nullable=False),
            sdl.TableColumn(name="customer_id", type=sdl.ColumnType.LONG, nullable=False),
            sdl.TableColumn(name="amount", type=sdl.ColumnType.DECIMAL, precision=12, scale=2),
        ]),
        trigger=sdl.PipelineTrigger.on_schedule("cron(0 2 * * ? *)"),
    )
    products = sdl.LakeTable(
        tables_stack, "Products",
        lake=lake,
        table_name="products",
        schema=sdl.TableSchema.of([
            sdl.TableColumn(name="product_id", type=sdl.ColumnType.LONG, nullable=False),
            sdl.TableColumn(name="name", type=sdl.ColumnType.STRING),
        ]),
    )

    # People, through roles on the path the lake buckets admit across stacks.
    people_stack = cdk.Stack(app, LAKE_STACKS[2], env=env, description="Secure Delta Lake: who loads, operates and reads the sales tables")

    def role(construct_id: str, description: str) -> iam.Role:
        return iam.Role(people_stack, construct_id, assumed_by=iam.AccountRootPrincipal(),
                        path=sdl.SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH, description=description)

    producers = role("Producers", "uploads the sales CSV files")
    engineers = role("DataEngineers", "operates the sales tables")
    for table in (customers, orders, products):
        lake.raw_bucket.grant_write(producers, table.source_prefix)
        table.grant_operate(engineers)
    customers.grant_read(role("CustomerAnalysts", "queries the customers table (pseudonymized)"))
    sales = role("SalesAnalysts", "queries the orders and products tables")
    orders.grant_read(sales)
    products.grant_read(sales)
    return lake


if __name__ == "__main__":
    outdir = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent / "cdk.out")
    app = cdk.App(outdir=outdir)
    example_lake(app)
    app.synth()
    print(outdir)
