"""The Arrow checks against Spark's own casts and datetime parsers, value by value (differential)."""
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from sdl_ingest import _hmac_sha256_hex
from sdl_schema import Column, TableSchema
from sdl_validate import arrow_format, arrow_type, check_columns, spark_ddl_type

NUMBERS = ["0", "7", "-7", "+7", "007", "-0", "2147483647", "2147483648", "-2147483648", "-2147483649",
           "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
           "99999999999999999999", " 7", "7 ", "7.0", "1e3", "0x10", "", "++7", "-", "٣", "1.5", "1.25", "1.255",
           "-1234567890.12", "12345678901.5", ".5", "1.", "+.5"]
DATES = ["2024-02-29", "2023-02-29", "2023-02-30", "2023-04-31", "2023-12-31", "2023-13-01", "2023-00-10", "2023-01-00",
         "2023-1-05", "2023-01-5", " 2023-01-05", "2023-01-05 ", "20230-01-05", "+2023-01-05", "0001-01-01", "9999-12-31",
         "2023-01-05T00:00", "２０２３-01-05", "2023/01/05", "2024/02/29", "2023/02/29", "05.01.2023", "29.02.2023", "29.02.2024", ""]
TIMESTAMPS = ["2024-02-29 23:59:59", "2024-02-29 24:00:00", "2024-02-29 23:60:00", "2024-02-29 23:59:60",
              "2024-02-29 23:59:59.5", "2024-02-29T23:59:59", "2024-02-29 7:05:09", "2024-02-30 00:00:00",
              "1970-01-01 00:00:00", "2024-02-29 23:59", ""]


def arrow_values(column: dict, values: list[str]):
    schema = TableSchema.from_columns([{**column, "name": "v", "nullable": True}])
    typed, reasons = check_columns(schema, [pa.array(values, pa.string())], pa.array([True] * len(values)), None)
    return typed[0].to_pylist(), reasons.to_pylist()


def spark_values(spark, expression: str, values: list[str]):
    df = spark.createDataFrame([(v,) for v in values], "v string")
    return [r[0] for r in df.selectExpr(expression).collect()]


@pytest.mark.parametrize("column,cast", [
    ({"type": "integer"}, "int"),
    ({"type": "long"}, "bigint"),
    ({"type": "decimal", "precision": 12, "scale": 2}, "decimal(12,2)"),
    ({"type": "decimal", "precision": 3, "scale": 3}, "decimal(3,3)"),
])
def test_numbers_are_spark_casts_of_the_strict_forms_only(spark, column, cast):
    ours, reasons = arrow_values(column, NUMBERS)
    theirs = spark_values(spark, f"cast(v as {cast})", NUMBERS)
    for value, mine, spark_says, reason in zip(NUMBERS, ours, theirs, reasons):
        if mine is not None:  # accepted: exactly Spark's value
            assert mine == spark_says, value
        elif value != "":
            assert reason == "TYPE:v", value
    accepted = {v for v, m in zip(NUMBERS, ours) if m is not None}
    # Spark's cast takes more than the contract does (" 7", "1e3", "7.0" into integers; rounds decimals): those are refused
    assert not accepted & {" 7", "7 ", "1e3", "0x10", "٣", "1.", "-", "++7", "1.255"}
    if column["type"] == "integer":
        assert accepted == {"0", "7", "-7", "+7", "007", "-0", "2147483647", "-2147483648"}
    if column["type"] == "long":
        assert "9223372036854775807" in accepted and "9223372036854775808" not in accepted and "-9223372036854775808" in accepted
    if column["type"] != "decimal":
        assert "7.0" not in accepted and "1.5" not in accepted
    if column.get("scale") == 2:
        assert {"7.0", "1.5", "1.25", "-1234567890.12"} <= accepted and not {".5", "12345678901.5"} & accepted
    if column.get("scale") == 3:  # all scale: 0 or a fraction
        assert accepted == {"0", "-0", ".5", "+.5"}


def test_booleans_are_true_or_false_in_any_case():
    values = ["true", "FALSE", "True", "t", "1", "yes", " true", ""]
    typed, reasons = arrow_values({"type": "boolean"}, values)
    assert typed == [True, False, True, None, None, None, None, None]
    assert reasons == [None, None, None, "TYPE:v", "TYPE:v", "TYPE:v", "TYPE:v", None]


@pytest.mark.parametrize("fmt", ["yyyy-MM-dd", "dd.MM.yyyy", "yyyy/MM/dd"])
def test_dates_are_exactly_what_spark_parses(spark, fmt):
    assert arrow_format(fmt) is not None
    ours, _ = arrow_values({"type": "date", "format": fmt}, DATES)
    theirs = spark_values(spark, f"to_date(v, '{fmt}')", DATES)
    assert ours == theirs
    assert sum(v is not None for v in ours) >= 2  # the vectors hold valid dates in every format


@pytest.mark.parametrize("fmt", ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"])
def test_timestamps_are_exactly_what_spark_parses(spark, fmt):
    assert arrow_format(fmt) is not None
    ours, _ = arrow_values({"type": "timestamp", "format": fmt}, TIMESTAMPS)
    theirs = spark_values(spark, f"to_timestamp(v, \"{fmt}\")", TIMESTAMPS)
    # Spark gives session-time (UTC) datetimes without a zone; Arrow's carry UTC
    assert [v.replace(tzinfo=None) if v else None for v in ours] == theirs
    assert any(v is not None for v in ours)


def test_other_formats_are_left_to_spark():
    for fmt in ["d/M/yyyy", "dd-MMM-yyyy", "yyyy-MM-dd HH:mm:ss.SSS", "yy-MM-dd", "yyyy-MM-dd'Z'", "yyyyMMdd'"]:
        assert arrow_format(fmt) is None, fmt
    assert arrow_format("yyyy-MM-dd'T'HH:mm").strptime == "%Y-%m-%dT%H:%M"


def test_constraints_and_nulls():
    schema = TableSchema.from_columns([
        {"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]{2}\\d", "allowedValues": ["AB1", "CD2", "x"]}},
        {"name": "n", "type": "decimal", "precision": 5, "scale": 2, "nullable": True, "constraints": {"minimum": -1.5, "maximum": 10}},
    ])
    codes = ["AB1", "x", "", "CD2", "ab1", "EF3"]
    amounts = ["-1.50", "-1.51", "", "10.00", "10.01", "abc"]
    _, reasons = check_columns(schema, [pa.array(codes), pa.array(amounts)], pa.array([True] * 6), None)
    assert reasons.to_pylist() == [None, "PATTERN:code,BELOW_MINIMUM:n", "NULL:code", None,
                                   "PATTERN:code,NOT_ALLOWED:code,ABOVE_MAXIMUM:n", "NOT_ALLOWED:code,TYPE:n"]


def test_unreadable_records_get_no_value_checks_and_pii_is_checked_in_clear_then_pseudonymized():
    schema = TableSchema.from_columns([{"name": "email", "type": "string", "pii": True, "constraints": {"pattern": "[^@]+@[^@]+"}}])
    pseudonym = _hmac_sha256_hex(b"k" * 32)
    values = pa.array(["a@b", "nope", None, "a@b", ""])
    typed, reasons = check_columns(schema, [values], pa.array([True, True, False, True, True]), pseudonym)
    assert reasons.to_pylist() == [None, "PATTERN:email", None, None, "NULL:email"]
    assert typed[0].to_pylist() == [pseudonym(b"a@b"), pseudonym(b"nope"), None, pseudonym(b"a@b"), None]


def test_a_date_format_only_spark_parses_is_checked_in_the_jvm(spark, tmp_path):
    from sdl_adapters import JsonMetricsSink, LocalSourceFiles
    from sdl_ingest import IngestConfig, paths, run_ingestion

    schema = TableSchema.from_columns([{"name": "id", "type": "integer"}, {"name": "day", "type": "date", "format": "d/M/yyyy"}])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("id,day\n1,5/1/2026\n2,31/2/2026\nx,29/2/2024\n3,\n")
    cfg = IngestConfig(source=LocalSourceFiles(str(tmp_path / "in")), table_uri=str(tmp_path / "t"), schema=schema,
                       metrics=JsonMetricsSink(str(tmp_path / "m.jsonl"), "T"), run_id="r", max_quarantine_ratio=1.0)
    r = run_ingestion(spark, cfg)
    assert (r.records_read, r.valid, r.quarantined) == (4, 1, 3)
    data = spark.read.format("delta").load(paths(cfg.table_uri)["data"]).collect()
    assert [(x["id"], x["day"]) for x in data] == [(1, dt.date(2026, 1, 5))]
    quarantine = spark.read.format("delta").load(paths(cfg.table_uri)["quarantine"]).collect()
    q = {x["record_number"]: (sorted(x["reasons"]), x["raw_record"]) for x in quarantine}
    assert q == {2: (["TYPE:day"], "2,31/2/2026\n"), 3: (["TYPE:id"], "x,29/2/2024\n"), 4: (["NULL:day"], "3,\n")}


def test_decimal_bounds_compare_exactly():
    typed, reasons = arrow_values({"type": "decimal", "precision": 20, "scale": 10, "constraints": {"minimum": 0.1}},
                                  ["0.1", "0.0999999999", "0.1000000001"])
    assert typed == [Decimal("0.1000000000"), Decimal("0.0999999999"), Decimal("0.1000000001")]
    assert reasons == [None, "BELOW_MINIMUM:v", None]


def test_bounds_beyond_exact_decimal_reach_compare_as_doubles_and_do_not_fail_the_job():
    _, reasons = arrow_values({"type": "decimal", "precision": 38, "scale": 38, "constraints": {"minimum": 0.1, "maximum": 0.9}},
                              [".05", "0.5", "0.95"])
    assert reasons == ["BELOW_MINIMUM:v", None, "ABOVE_MAXIMUM:v"]
    _, reasons = arrow_values({"type": "decimal", "precision": 12, "scale": 2, "constraints": {"minimum": -1e30, "maximum": 1e30}},
                              ["5.00", "-3"])
    assert reasons == [None, None]


def test_timestamps_reach_the_table_as_written_in_utc_from_both_paths(spark, tmp_path):
    from sdl_adapters import JsonMetricsSink, LocalSourceFiles
    from sdl_ingest import IngestConfig, paths, run_ingestion

    schema = TableSchema.from_columns([
        {"name": "at", "type": "timestamp"},  # checked in Arrow
        {"name": "at_ms", "type": "timestamp", "format": "yyyy-MM-dd HH:mm:ss.SSS", "nullable": True},  # parsed by Spark
    ])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("at,at_ms\n2026-03-29 01:30:00,2026-03-29 01:30:00.125\n2026-02-30 00:00:00,\n")
    cfg = IngestConfig(source=LocalSourceFiles(str(tmp_path / "in")), table_uri=str(tmp_path / "t"), schema=schema,
                       metrics=JsonMetricsSink(str(tmp_path / "m.jsonl"), "T"), run_id="r", max_quarantine_ratio=1.0)
    r = run_ingestion(spark, cfg)
    assert (r.valid, r.quarantined) == (1, 1)
    rows = spark.read.format("delta").load(paths(cfg.table_uri)["data"]).selectExpr("cast(at as string)", "cast(at_ms as string)").collect()
    # 01:30 on the night Europe's clocks go forward: a UTC session keeps it as written
    assert [tuple(x) for x in rows] == [("2026-03-29 01:30:00", "2026-03-29 01:30:00.125")]


CONTRACT = json.loads((Path(__file__).parent / "table-schema.schema.json").read_text())
CONTRACT_TYPES = CONTRACT["properties"]["columns"]["items"]["properties"]["type"]["enum"]


@pytest.mark.parametrize("ctype", CONTRACT_TYPES)
def test_every_type_of_the_contract_is_typed_and_checked_here(ctype):
    """A column type the contract allows must have an Arrow type, a Spark type and a check here;
    one that reaches the job without them fails here, not silently at run time."""
    extra = {"decimal": {"precision": 10, "scale": 2}, "date": {"format": "yyyy-MM-dd"},
             "timestamp": {"format": "yyyy-MM-dd HH:mm:ss"}}.get(ctype, {})
    schema = TableSchema.from_columns([{"name": "v", "type": ctype, "nullable": True, **extra}])
    column = schema.columns[0]
    assert arrow_type(column) is not None and spark_ddl_type(column)
    typed, reasons = check_columns(schema, [pa.array(["x"], pa.string())], pa.array([True]), None)
    assert len(typed[0]) == 1 and len(reasons) == 1
    if ctype != "string":
        assert arrow_type(column) != pa.decimal128(10, 2) or ctype == "decimal"


def test_a_type_outside_the_contract_fails_loudly():
    stray = Column(name="v", type="uuid", nullable=True)
    with pytest.raises(ValueError, match="type 'uuid' has no Arrow type"):
        arrow_type(stray)
    with pytest.raises(ValueError, match="type 'uuid' has no Spark type"):
        spark_ddl_type(stray)
    with pytest.raises(ValueError, match="type 'uuid' has no check"):
        check_columns(TableSchema(columns=(stray,)), [pa.array(["x"], pa.string())], pa.array([True]), None)
