"""The Python binding: a clean venv installs the built wheel and synthesizes a stack with it."""
import json
import subprocess
from pathlib import Path

import pytest

from binding_kit import run_python

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def template(binding_python, tmp_path_factory):
    result = run_python(binding_python, HERE / "binding_app.py", str(tmp_path_factory.mktemp("cdk") / "cdk.out"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def resources(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_two_lake_buckets_with_their_keys_and_access_log_buckets(template):
    buckets = resources(template, "AWS::S3::Bucket")
    kms_buckets = [b for b in buckets.values()
                   if b["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"]
    assert len(kms_buckets) == 2
    assert len(buckets) == 4
    keys = resources(template, "AWS::KMS::Key")
    assert len(keys) == 3 and all(k["Properties"]["EnableKeyRotation"] for k in keys.values())  # two lake keys, the job key


def test_bucket_policies_carry_the_perimeter_and_encryption_denies(template):
    sids = [s.get("Sid") for p in resources(template, "AWS::S3::BucketPolicy").values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert sids.count("DataPerimeter") == 2
    assert sids.count("DenyKmsKeyOtherThanBucketKey") == 2


def test_the_glue_job_runs_the_ingestion_script_shipped_in_the_wheel(template):
    job = next(iter(resources(template, "AWS::Glue::Job").values()))["Properties"]
    assert job["GlueVersion"] == "5.0" and job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    # The managed arguments are non-overridable: a run cannot replace them.
    locked = job["NonOverridableArguments"]
    assert locked["--schema-hash"] == template["Outputs"]["SchemaHash"]["Value"]
    # one S3 object per module of the job script (sdl_*.py), shipped from the wheel's copy of the script
    modules = sorted(HERE.parent.parent.joinpath("src", "glue", "job-script").glob("sdl_*.py"))
    assert len(locked["--extra-py-files"].split(",")) == len(modules) > 0
    assert "DefaultArguments" not in job


def test_grants_from_python_land_in_a_managed_policy_of_the_role(template):
    policies = resources(template, "AWS::IAM::ManagedPolicy")
    assert len(policies) >= 2
    assert not resources(template, "AWS::IAM::Policy")
    roles = [r["Properties"] for r in resources(template, "AWS::IAM::Role").values()]
    assert all(r["Path"] == "/cdk-secure-delta-lake/" for r in roles if "glue.amazonaws.com" in json.dumps(r))


def test_synth_time_errors_reach_python(template):
    assert "tablePath 'tables/*' contains a wildcard" in template["Outputs"]["BadPrefixError"]["Value"]
    assert template["Outputs"]["ControlCount"]["Value"] == "28"


def test_the_wheel_is_the_library_under_test(binding_python):
    out = subprocess.run([str(binding_python), "-c", "import cdk_secure_delta_lake; print(cdk_secure_delta_lake.__file__)"],
                         capture_output=True, text=True, check=True).stdout
    assert "binding-venv" in out and "site-packages/cdk_secure_delta_lake" in out
