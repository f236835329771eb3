"""The SparkSession: Glue's own on AWS, a local one with the same Delta setup for tests and local runs."""
from __future__ import annotations

import glob
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

HERE = os.path.dirname(os.path.abspath(__file__))

# Settings the ingestion relies on, wherever it runs.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.ansi.enabled": "false",
    # The validated batch is cached once and read three times (counts, quarantine, data): building
    # the cache uncompressed costs less CPU than the compression saves here, and in batches of
    # 100,000 rows rather than 10,000 about a CPU-second less per million rows (measured).
    "spark.sql.inMemoryColumnarStorage.compressed": "false",
    "spark.sql.inMemoryColumnarStorage.batchSize": "100000",
}


def jars_dir() -> str:
    root = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
    return os.environ.get("SDL_JARS_DIR", os.path.join(root, ".cache", "jars"))


def local_session(app_name: str = "sdl-ingest", cores: int = 2) -> SparkSession:
    """A local Spark with Delta from the project's jar cache (scripts/dev fetches the jars)."""
    from pyspark.sql import SparkSession

    jars = sorted(glob.glob(os.path.join(jars_dir(), "*.jar")))
    if not jars:
        raise RuntimeError(f"no Delta jars in {jars_dir()}: run ./scripts/dev, which fetches them")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(f"local[{cores}]").appName(app_name)
               .config("spark.jars", ",".join(jars))
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
               .config("spark.sql.shuffle.partitions", str(cores))
               .config("spark.default.parallelism", str(cores))
               .config("spark.databricks.delta.snapshotPartitions", str(cores))
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", "2g"))
    for k, v in SESSION_CONF.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    for module in sorted(glob.glob(os.path.join(HERE, "sdl_*.py"))):  # as Glue's --extra-py-files does
        spark.sparkContext.addPyFile(module)
    return spark


def glue_session() -> SparkSession:
    """Glue's session (Delta is configured by the job's --datalake-formats and --conf arguments)."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    for k, v in SESSION_CONF.items():
        spark.conf.set(k, v)
    return spark
