"""The job contract (job-contract.json) and the script agree: the parser accepts exactly the contract's
arguments with its types and defaults, and a run publishes exactly the contract's metrics and dimensions."""
import argparse
import json
import re
import subprocess
from pathlib import Path

import ingest
import pytest

from sdl_contract import CONTRACT

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
JSON_CONTRACT = json.loads((HERE / "job-contract.json").read_text(encoding="utf-8"))
SAMPLE = {"string": ("x", "x"), "float": ("0.25", 0.25), "int": ("7", 7), "bool": ("TRUE", True)}


def parser_options() -> dict[str, argparse.Action]:
    return {a.option_strings[0]: a for a in ingest.build_parser()._actions if a.option_strings and a.dest != "help"}


def test_the_generated_module_is_the_json_contract():
    assert CONTRACT == JSON_CONTRACT, "sdl_contract.py is stale: run node scripts/gen-job-contract.js"


def test_the_generated_files_are_up_to_date():
    r = subprocess.run(["node", str(ROOT / "scripts" / "gen-job-contract.js"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_the_parser_accepts_exactly_the_contract_arguments():
    assert sorted(parser_options()) == sorted(f"--{a['name']}" for a in CONTRACT["arguments"])


def test_ingest_py_declares_no_argument_of_its_own():
    # an argument added to ingest.py beside the contract's loop would be one the construct does not know
    assert len(re.findall(r"add_argument\(", (HERE / "ingest.py").read_text(encoding="utf-8"))) == 1


@pytest.mark.parametrize("arg", CONTRACT["arguments"], ids=lambda a: a["name"])
def test_each_argument_has_the_contract_type_default_and_requirement(arg):
    action = parser_options()[f"--{arg['name']}"]
    assert action.required == arg.get("required", False)
    assert action.default == arg.get("default")
    text, value = SAMPLE[arg["type"]]
    required = [x for a in CONTRACT["arguments"] if a.get("required") and a is not arg for x in (f"--{a['name']}", "x")]
    parsed = ingest.parse_args([*required, f"--{arg['name']}", text])
    assert getattr(parsed, action.dest) == value and type(getattr(parsed, action.dest)) is type(value)


def test_every_argument_is_set_by_the_construct_secrets_glue_or_documented_local_only():
    for a in CONTRACT["arguments"]:
        assert a["setBy"] in ("construct", "constructWhenSet", "secrets", "glue", "localOnly"), a["name"]
        assert a["description"], a["name"]
        if a["setBy"] in ("construct", "constructWhenSet", "secrets"):
            assert a.get("prop") and a.get("constant"), f"--{a['name']} is set by the construct: name its prop and its JobArguments constant"


def test_the_table_dimension_is_the_last_segment_of_the_table_uri():
    assert [d["name"] for d in CONTRACT["metrics"]["dimensions"]] == ["Table", "JobName"]
    assert ingest.table_dimension("s3://curated/tables/customers") == "customers"
    assert ingest.table_dimension("s3://curated/tables/customers/") == "customers"


def test_a_run_publishes_exactly_the_contract_metrics_and_dimensions(spark, tmp_path, monkeypatch):
    import sdl_spark

    monkeypatch.setattr(sdl_spark, "local_session", lambda: spark)  # the session's modules are already added
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.csv").write_text("id,name\n1,a\n2,b\nx,c\n", encoding="utf-8")
    (tmp_path / "schema.json").write_text(json.dumps({"version": 1, "columns": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"}]}))
    metrics_file = tmp_path / "metrics.jsonl"
    args = ["--source-uri", str(source), "--table-uri", str(tmp_path / "lake" / "people/"), "--schema-file", str(tmp_path / "schema.json"),
            "--metrics-file", str(metrics_file), "--max-quarantine-ratio", "1", "--quarantine-retention-days", "1", "--JOB_NAME", "job"]
    assert ingest.main(args) == 0
    lines = [json.loads(x) for x in metrics_file.read_text().splitlines()]
    assert {name for line in lines for name in line["metrics"]} == {m["name"] for m in CONTRACT["metrics"]["names"]}
    assert all(line["dimensions"] == {"Table": "people", "JobName": "job"} for line in lines)
