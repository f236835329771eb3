"""The AWS adapters, against STUBBED AWS responses (botocore's Stubber checks every request against
the real service model; no AWS account is reached). The local adapters are tested for real."""
import base64
import json

import boto3
import pytest
from botocore.stub import Stubber

from sdl_adapters import CloudWatchMetrics, JsonMetricsSink, LocalSourceFiles, S3SourceFiles, SecretsManagerKey


def client(service: str):
    return boto3.client(service, region_name="eu-west-1", aws_access_key_id="stub", aws_secret_access_key="stub")


def test_stubbed_s3_listing_takes_every_current_version_with_its_version_id():
    s3 = client("s3")
    with Stubber(s3) as stub:
        stub.add_response("list_object_versions", {
            "Versions": [
                {"Key": "landing/a.csv", "VersionId": "v2", "IsLatest": True, "Size": 10},
                {"Key": "landing/a.csv", "VersionId": "v1", "IsLatest": False, "Size": 9},
                {"Key": "landing/readme.txt", "VersionId": "v1", "IsLatest": True, "Size": 3},
                {"Key": "landing/b.CSV", "VersionId": "v7", "IsLatest": True, "Size": 0},
            ],
            "IsTruncated": False,
        }, {"Bucket": "raw", "Prefix": "landing/"})
        files = S3SourceFiles(s3, "s3://raw/landing/").list()
    # every object is listed, CSV or not (the job refuses the others in the ledger, by name)
    assert [(f.uri, f.file_id, f.size) for f in files] == [
        ("s3://raw/landing/a.csv", "landing/a.csv@v2", 10),
        ("s3://raw/landing/b.CSV", "landing/b.CSV@v7", 0),
        ("s3://raw/landing/readme.txt", "landing/readme.txt@v1", 3),
    ]


def test_stubbed_secrets_manager_key_is_read_by_arn_with_its_version():
    sm = client("secretsmanager")
    arn = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:pseudonym-AbCdEf"
    secret = json.dumps({"key": base64.b64encode(b"k" * 32).decode()})
    with Stubber(sm) as stub:
        stub.add_response("get_secret_value", {"ARN": arn, "Name": "pseudonym", "VersionId": "a" * 32, "SecretString": secret},
                          {"SecretId": arn})
        key = SecretsManagerKey(sm, arn).get()
    assert key.key == b"k" * 32 and key.version == "a" * 32
    assert "k" * 32 not in repr(key)


def test_stubbed_cloudwatch_metrics_go_to_the_job_namespace_in_batches_of_20():
    cw = client("cloudwatch")
    metrics = {f"M{i:02d}": i for i in range(25)}
    with Stubber(cw) as stub:
        for chunk in (sorted(metrics)[:20], sorted(metrics)[20:]):
            stub.add_response("put_metric_data", {}, {
                "Namespace": "CdkSecureDeltaLake",
                "MetricData": [{"MetricName": m, "Dimensions": [{"Name": "Table", "Value": "customers"}], "Value": float(metrics[m]), "Unit": "Count"}
                               for m in chunk],
            })
        CloudWatchMetrics(cw, "CdkSecureDeltaLake").emit(metrics, {"Table": "customers"})
        stub.assert_no_pending_responses()


def test_local_source_files_are_every_file_identified_by_path_and_content(tmp_path):
    import hashlib

    (tmp_path / "sub").mkdir()
    names = ["sub/a.csv", "b.txt", "_c.csv", ".d.csv", "e[1].csv", "f%20g.csv", "h.csv.gz"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
    files = LocalSourceFiles(str(tmp_path)).list()
    assert sorted(f.file_id for f in files) == sorted(f"{n}#sha256:{hashlib.sha256(n.encode()).hexdigest()}" for n in names)
    with LocalSourceFiles(str(tmp_path)).reader().open(str(tmp_path / "e[1].csv")) as f:
        assert f.read() == b"e[1].csv"


def test_local_metrics_sink_writes_json_lines(tmp_path):
    sink = JsonMetricsSink(str(tmp_path / "m.jsonl"), "Ns")
    sink.emit({"RecordsRead": 3}, {"Table": "t"})
    assert json.loads((tmp_path / "m.jsonl").read_text()) == {"dimensions": {"Table": "t"}, "metrics": {"RecordsRead": 3}, "namespace": "Ns"}


def test_s3_source_needs_an_s3_uri():
    with pytest.raises(ValueError, match="s3://"):
        S3SourceFiles(None, "/local/path")
