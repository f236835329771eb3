"""Lets the job-script tests import the script's modules as Glue does (flat, from its folder), gives
them one SparkSession for the whole pytest session, and a reader independent of the Spark and Delta
Lake that wrote the tables: delta-rs (the `deltalake` package)."""
import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def spark():
    from sdl_spark import local_session

    session = local_session("sdl-tests")
    yield session
    session.stop()


class DeltaRs:
    """One ingestion table root's Delta tables (data, quarantine, ledger) as delta-rs reads them:
    what is committed in the log, not what Spark's reader makes of our own writes."""

    def __init__(self, table_uri: str):
        from sdl_ingest import paths

        self.paths = paths(table_uri)

    def table(self, name: str):
        from deltalake import DeltaTable

        return DeltaTable(self.paths[name])

    def exists(self, name: str) -> bool:
        from deltalake import DeltaTable

        return DeltaTable.is_deltatable(self.paths[name])

    def rows(self, name: str) -> list[dict[str, Any]]:
        """Every row of the table's current version, as Python values."""
        return self.table(name).to_pyarrow_table().to_pylist()

    def commits(self, name: str) -> list[dict[str, Any]]:
        """The table's commit infos, oldest first."""
        return sorted(self.table(name).history(), key=lambda c: c["version"])

    def batches(self, name: str) -> list[Any]:
        """The batch each commit names in its user metadata, oldest first (None: a commit without)."""
        return [json.loads(c["userMetadata"]).get("batch") if c.get("userMetadata") else None for c in self.commits(name)]

    def txn(self, name: str, app_id: str) -> int | None:
        """The last txnVersion the log records for the app id (Delta's idempotent-write marker)."""
        return self.table(name).transaction_version(app_id)


@pytest.fixture
def delta_rs():
    """delta_rs(tmp) reads the tables of the ingestion under tmp/lake/customers (the tests' layout)."""
    return lambda tmp: DeltaRs(str(Path(tmp) / "lake" / "customers"))
