"""The AWS adapters, against STUBBED AWS responses (botocore's Stubber checks every request against
the real service model; no AWS account is reached). The local adapters are tested for real."""
import base64
import io
import json
import pickle

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from sdl_adapters import CloudWatchMetrics, JsonMetricsSink, LocalSourceFiles, S3Reader, S3SourceFiles, SecretsManagerKey
from sdl_csv import UNREADABLE, FileRefused


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


def body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def listed_reader(s3, stub: Stubber, versions: list[tuple[str, str]]) -> S3Reader:
    """The reader of an S3 source after its listing of `versions` ((key, version id), all current)."""
    stub.add_response("list_object_versions", {
        "Versions": [{"Key": k, "VersionId": v, "IsLatest": True, "Size": 10} for k, v in versions], "IsTruncated": False,
    }, {"Bucket": "raw", "Prefix": "landing/"})
    source = S3SourceFiles(s3, "s3://raw/landing/")
    source.list()
    reader = source.reader()
    assert isinstance(reader, S3Reader)
    reader._client = s3  # the stubbed client (a reader makes its own where it runs)
    return reader


def test_stubbed_s3_reader_reads_exactly_the_listed_version():
    s3 = client("s3")
    with Stubber(s3) as stub:
        reader = listed_reader(s3, stub, [("landing/a.csv", "v2"), ("landing/x@y.csv", "v9")])
        stub.add_response("get_object", {"Body": body(b"id\n1\n"), "VersionId": "v2"}, {"Bucket": "raw", "Key": "landing/a.csv", "VersionId": "v2"})
        stub.add_response("get_object", {"Body": body(b"id\n2\n")}, {"Bucket": "raw", "Key": "landing/x@y.csv", "VersionId": "v9"})
        assert reader.open("s3://raw/landing/a.csv").read() == b"id\n1\n"
        assert reader.open("s3://raw/landing/x@y.csv").read() == b"id\n2\n"
        stub.assert_no_pending_responses()


def test_stubbed_s3_ranged_read_asks_for_the_listed_version_from_the_offset():
    s3 = client("s3")
    with Stubber(s3) as stub:
        reader = listed_reader(s3, stub, [("landing/a.csv", "v2")])
        stub.add_response("get_object", {"Body": body(b"2,b\n"), "ContentRange": "bytes 7-10/11"},
                          {"Bucket": "raw", "Key": "landing/a.csv", "VersionId": "v2", "Range": "bytes=7-"})
        assert reader.open_range("s3://raw/landing/a.csv", 7).read() == b"2,b\n"
        # an offset at the end of the object: S3 answers InvalidRange (416), the reader no bytes
        stub.add_client_error("get_object", "InvalidRange", http_status_code=416,
                              expected_params={"Bucket": "raw", "Key": "landing/a.csv", "VersionId": "v2", "Range": "bytes=11-"})
        assert reader.open_range("s3://raw/landing/a.csv", 11).read() == b""
        stub.assert_no_pending_responses()


def test_stubbed_s3_object_of_an_unversioned_bucket_is_read_without_a_version_id():
    # ListObjectVersions lists an unversioned bucket's objects with VersionId "null": GetObject then
    # reads the current bytes (such an object is not pinned; the source bucket is versioned).
    s3 = client("s3")
    with Stubber(s3) as stub:
        reader = listed_reader(s3, stub, [("landing/a.csv", "null")])
        stub.add_response("get_object", {"Body": body(b"id\n")}, {"Bucket": "raw", "Key": "landing/a.csv"})
        stub.add_response("get_object", {"Body": body(b"\n")}, {"Bucket": "raw", "Key": "landing/a.csv", "Range": "bytes=2-"})
        assert reader.open("s3://raw/landing/a.csv").read() == b"id\n"
        assert reader.open_range("s3://raw/landing/a.csv", 2).read() == b"\n"
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(("code", "status"), [("NoSuchVersion", 404), ("MethodNotAllowed", 405)])
def test_stubbed_s3_listed_version_gone_refuses_the_file_as_unreadable(code, status):
    s3 = client("s3")
    with Stubber(s3) as stub:
        reader = listed_reader(s3, stub, [("landing/a.csv", "v2")])
        stub.add_client_error("get_object", code, http_status_code=status,
                              expected_params={"Bucket": "raw", "Key": "landing/a.csv", "VersionId": "v2"})
        with pytest.raises(FileRefused) as e:
            reader.open("s3://raw/landing/a.csv")
    assert e.value.code == UNREADABLE and "v2" in str(e.value) and code in str(e.value)


def test_s3_reader_refuses_an_object_outside_its_listing_and_travels_without_its_client():
    reader = S3Reader("eu-west-1", {"s3://raw/landing/a.csv": "v2"}, client=client("s3"))
    with pytest.raises(FileRefused, match="not in the listing"):
        reader.open("s3://raw/landing/b.csv")
    copy = pickle.loads(pickle.dumps(reader))
    assert (copy.region, copy.versions, copy._client) == ("eu-west-1", {"s3://raw/landing/a.csv": "v2"}, None)
    # a repaired batch reads the versions of its own file ids, whatever the listing is now
    assert reader.pinned([("landing/a@b.csv@v1", "s3://raw/landing/a@b.csv")]).versions == {"s3://raw/landing/a@b.csv": "v1"}


def test_a_vanished_version_refuses_its_file_and_the_rest_of_the_batch_is_read():
    """The parse stage (no Spark: its function on an Arrow batch of two tasks): the first file's
    version is gone, its summary row refuses it as UNREADABLE with the cause; the second is read."""
    import pyarrow as pa

    from sdl_parse import make_parse_stage
    from sdl_schema import TableSchema

    schema = TableSchema.from_columns([{"name": "id", "type": "long"}])
    s3 = client("s3")
    with Stubber(s3) as stub:
        reader = listed_reader(s3, stub, [("landing/a.csv", "v1"), ("landing/b.csv", "v2")])
        stub.add_client_error("get_object", "NoSuchVersion", http_status_code=404,
                              expected_params={"Bucket": "raw", "Key": "landing/a.csv", "VersionId": "v1"})
        stub.add_response("get_object", {"Body": body(b"id\n1\n2\n")}, {"Bucket": "raw", "Key": "landing/b.csv", "VersionId": "v2"})
        stage = make_parse_stage(schema, None, ["landing/a.csv@v1", "landing/b.csv@v2"], reader)
        tasks = pa.RecordBatch.from_pydict({"_sdl_file": pa.array([0, 1], pa.int32()), "uri": ["s3://raw/landing/a.csv", "s3://raw/landing/b.csv"],
                                            "_sdl_range": pa.array([0, 0], pa.int32()), "_sdl_plan": pa.array([None, None], pa.string())})
        rows = pa.Table.from_batches(list(stage([tasks]))).to_pylist()
    summaries = {r["_sdl_file"]: r for r in rows if r["_sdl_summary"]}
    refused = json.loads(summaries[0]["_sdl_raw"])["refused"]
    assert summaries[0]["_sdl_reasons"] == UNREADABLE and refused[0] == UNREADABLE and "NoSuchVersion" in refused[1]
    assert summaries[1]["_sdl_reasons"] is None and summaries[1]["_sdl_record"] == 2
    assert [r["id"] for r in rows if not r["_sdl_summary"]] == [1, 2]
