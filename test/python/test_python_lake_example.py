"""The example lake in Python (examples/python/lake_app.py: three tables on one SecureDeltaLake),
from the built wheel, synthesizes the same templates as the TypeScript example lake
(examples/ingestion-pipeline/lake.ts): same stacks, resources and properties."""

import pytest

from binding_kit import ROOT, run_python, synth_typescript_example, templates

EXAMPLE = ROOT / "examples" / "python" / "lake_app.py"
STACKS = ["SecureDeltaLakeSales", "SecureDeltaLakeSalesTables", "SecureDeltaLakeSalesPeople"]


@pytest.fixture(scope="module")
def python_templates(binding_python, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("python-lake-example") / "cdk.out"
    result = run_python(binding_python, EXAMPLE, str(outdir))
    assert result.returncode == 0, result.stderr
    return templates(outdir, STACKS)


@pytest.fixture(scope="module")
def typescript_templates(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("ts-lake-example") / "cdk.out"
    result = synth_typescript_example(outdir, "lake")
    assert result.returncode == 0, result.stderr
    return templates(outdir, STACKS)


def test_the_python_lake_has_three_tables_on_one_trail(python_templates):
    tables = python_templates["SecureDeltaLakeSalesTables"]["Resources"].values()
    assert sorted(r["Properties"]["TableInput"]["Name"] for r in tables if r["Type"] == "AWS::Glue::Table") == ["customers", "orders", "products"]
    assert sum(r["Type"] == "AWS::Glue::Job" for r in tables) == 3
    trails = [r for t in python_templates.values() for r in t["Resources"].values() if r["Type"] == "AWS::CloudTrail::Trail"]
    assert len(trails) == 1


def test_the_python_lake_synthesizes_the_same_resources(python_templates, typescript_templates):
    for stack in STACKS:
        py = {k: v["Type"] for k, v in python_templates[stack]["Resources"].items()}
        ts = {k: v["Type"] for k, v in typescript_templates[stack]["Resources"].items()}
        assert py == ts, stack


def test_the_python_lake_templates_are_identical(python_templates, typescript_templates):
    assert python_templates == typescript_templates
