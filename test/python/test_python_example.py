"""The example pipeline in Python (examples/python/app.py), from the built wheel, synthesizes the
same templates as the TypeScript example: same resources, same properties."""

import pytest

from binding_kit import ROOT, run_python, synth_typescript_example, templates

EXAMPLE = ROOT / "examples" / "python" / "app.py"
STACKS = ["SecureDeltaLakeData", "SecureDeltaLakePipeline"]


@pytest.fixture(scope="module")
def python_templates(binding_python, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("python-example") / "cdk.out"
    result = run_python(binding_python, EXAMPLE, str(outdir))
    assert result.returncode == 0, result.stderr
    return templates(outdir, STACKS)


@pytest.fixture(scope="module")
def typescript_templates(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("ts-example") / "cdk.out"
    result = synth_typescript_example(outdir)
    assert result.returncode == 0, result.stderr
    return templates(outdir, STACKS)


def test_the_python_example_synthesizes_the_same_resources(python_templates, typescript_templates):
    for stack in STACKS:
        py = {k: v["Type"] for k, v in python_templates[stack]["Resources"].items()}
        ts = {k: v["Type"] for k, v in typescript_templates[stack]["Resources"].items()}
        assert py == ts, stack
    assert len(python_templates["SecureDeltaLakePipeline"]["Resources"]) > 50


@pytest.mark.parametrize("kind", [
    "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::KMS::Key", "AWS::IAM::Role", "AWS::IAM::ManagedPolicy",
    "AWS::Glue::Job", "AWS::Glue::SecurityConfiguration", "AWS::CloudTrail::Trail", "AWS::SNS::Topic",
    "AWS::Events::Rule", "AWS::SecretsManager::Secret", "AWS::SecretsManager::RotationSchedule", "AWS::Athena::WorkGroup",
])
def test_the_python_example_has_the_same_security_properties(python_templates, typescript_templates, kind):
    for stack in STACKS:
        py = {k: v for k, v in python_templates[stack]["Resources"].items() if v["Type"] == kind}
        ts = {k: v for k, v in typescript_templates[stack]["Resources"].items() if v["Type"] == kind}
        assert py == ts, f"{kind} differs in {stack}"


def test_the_python_example_templates_are_identical(python_templates, typescript_templates):
    assert python_templates == typescript_templates
