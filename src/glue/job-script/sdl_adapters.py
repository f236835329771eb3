"""The AWS services the job uses, behind small adapters, with local stand-ins.

- source listing and reading: S3 (key + version id; GetObject streamed) or a local folder (path + content hash);
- the pseudonymization key: Secrets Manager (by ARN) or a local key file;
- metrics: CloudWatch or a local JSON file.

Spark and Delta are never behind an adapter: they run for real locally and on Glue.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol

from sdl_csv import StoredObject

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient


@dataclass(frozen=True)
class SourceFile:
    """An object under the source prefix: the URI the job reads and the identity the ledger records."""

    uri: str
    file_id: str
    size: int


class SourceReader(Protocol):
    """Opens a listed object's stored bytes as a stream (it travels to the executors: picklable)."""

    def open(self, uri: str) -> StoredObject: ...


class SourceFiles(Protocol):
    def list(self) -> list[SourceFile]: ...

    def reader(self) -> SourceReader: ...


class LocalReader:
    def open(self, uri: str) -> BinaryIO:
        return open(uri, "rb")


class LocalSourceFiles:
    """A local folder: every file below it (names are data: hidden, `_`-prefixed, `[1]`, `%20` alike),
    identified by relative path and content hash."""

    def __init__(self, folder: str):
        self.folder = os.path.abspath(folder)

    def list(self) -> list[SourceFile]:
        out = []
        for dirpath, _dirs, files in os.walk(self.folder):
            for name in files:
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    digest = hashlib.file_digest(f, "sha256").hexdigest()  # in chunks, never the whole file
                rel = os.path.relpath(path, self.folder)
                out.append(SourceFile(uri=path, file_id=f"{rel}#sha256:{digest}", size=os.path.getsize(path)))
        return sorted(out, key=lambda s: s.file_id)

    def reader(self) -> SourceReader:
        return LocalReader()


class S3Reader:
    """GetObject on the executor, streamed (the client is made where it runs: clients do not pickle)."""

    def __init__(self, region: str | None = None):
        self.region = region

    def open(self, uri: str) -> StoredObject:
        import boto3

        bucket, _, key = uri[len("s3://"):].partition("/")  # the key exactly as listed: no decoding
        return boto3.client("s3", region_name=self.region).get_object(Bucket=bucket, Key=key)["Body"]


class S3SourceFiles:
    """An S3 prefix of a versioned bucket: the current version of every object under it (names are
    data), identified by key + version id."""

    def __init__(self, s3_client: S3Client, uri: str):
        if not uri.startswith("s3://"):
            raise ValueError("the source URI must start with s3://")
        self.client = s3_client
        self.bucket, _, self.prefix = uri[len("s3://"):].partition("/")

    def list(self) -> list[SourceFile]:
        out = []
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for v in page.get("Versions", []):
                if not v.get("IsLatest"):
                    continue
                out.append(SourceFile(uri=f"s3://{self.bucket}/{v['Key']}", file_id=f"{v['Key']}@{v.get('VersionId', 'null')}", size=v["Size"]))
        return sorted(out, key=lambda s: s.file_id)

    def reader(self) -> SourceReader:
        return S3Reader(self.client.meta.region_name)


@dataclass(frozen=True)
class PseudonymKey:
    """Key material and its version. `repr` never shows the key."""

    key: bytes
    version: str

    def __repr__(self) -> str:
        return f"PseudonymKey(version={self.version!r}, key=<redacted>)"


def _key_from_text(text: str) -> bytes:
    """The key from a secret string: a JSON object with a base64 `key`, or the base64 text itself."""
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and "key" in doc:
            text = doc["key"]
    except json.JSONDecodeError:
        pass
    key = base64.b64decode(text, validate=True)
    if len(key) < 32:
        raise ValueError("the pseudonymization key must be at least 32 bytes")
    return key


class LocalKeyFile:
    """A local key file: JSON `{"version": "...", "key": "<base64>"}`."""

    def __init__(self, path: str):
        self.path = path

    def get(self) -> PseudonymKey:
        with open(self.path, encoding="utf-8") as f:
            doc = json.load(f)
        return PseudonymKey(_key_from_text(doc["key"]), str(doc["version"]))


class SecretsManagerKey:
    """The AWSCURRENT version of a Secrets Manager secret, read by ARN."""

    def __init__(self, client: SecretsManagerClient, secret_arn: str):
        self.client = client
        self.secret_arn = secret_arn

    def get(self) -> PseudonymKey:
        r = self.client.get_secret_value(SecretId=self.secret_arn)
        # a secret has SecretString or SecretBinary, whatever the response's type says
        text = r["SecretString"] if "SecretString" in r else base64.b64encode(r["SecretBinary"]).decode()
        return PseudonymKey(_key_from_text(text), r["VersionId"])


class MetricsSink(Protocol):
    def emit(self, metrics: dict[str, float], dimensions: dict[str, str]) -> None: ...


class JsonMetricsSink:
    """Appends one JSON line per emission to a local file."""

    def __init__(self, path: str, namespace: str):
        self.path = path
        self.namespace = namespace

    def emit(self, metrics: dict[str, float], dimensions: dict[str, str]) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"namespace": self.namespace, "dimensions": dimensions, "metrics": metrics}, sort_keys=True) + "\n")


class CloudWatchMetrics:
    """PutMetricData under the job's namespace (the role may only write there and to Glue)."""

    def __init__(self, client: CloudWatchClient, namespace: str):
        self.client = client
        self.namespace = namespace

    def emit(self, metrics: dict[str, float], dimensions: dict[str, str]) -> None:
        dims: list[DimensionTypeDef] = [{"Name": k, "Value": v} for k, v in sorted(dimensions.items())]
        data: list[MetricDatumTypeDef] = [{"MetricName": name, "Dimensions": dims, "Value": float(value), "Unit": "Count"}
                                          for name, value in sorted(metrics.items())]
        for i in range(0, len(data), 20):
            self.client.put_metric_data(Namespace=self.namespace, MetricData=data[i:i + 20])

