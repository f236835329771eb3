"""The AWS services the job uses, behind small adapters, with local stand-ins.

- source listing and reading: S3 (key + version id; GetObject of the listed version, streamed, whole or
  from an offset) or a local folder (path + content hash);
- the pseudonymization key: Secrets Manager (by ARN) or a local key file;
- metrics: CloudWatch or a local JSON file.

Spark and Delta are never behind an adapter: they run for real locally and on Glue.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol

from sdl_csv import UNREADABLE, FileRefused, StoredObject

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import GetObjectRequestTypeDef
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


def _split_s3_uri(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")  # the key exactly as listed: no decoding
    return bucket, key


def _s3_file_id(key: str, version_id: str) -> str:
    return f"{key}@{version_id}"


def _version_of(file_id: str) -> str:
    """The version id of an S3 file id (`key@versionId`: keys may hold `@`, version ids do not)."""
    return file_id.rpartition("@")[2]


# GetObject of a listed version that is gone: deleted for good (NoSuchVersion), a delete marker in
# its place (MethodNotAllowed), or the key gone from an unversioned bucket (NoSuchKey).
_GONE = ("NoSuchVersion", "NoSuchKey", "MethodNotAllowed")


class S3Reader:
    """GetObject of exactly the listed version, streamed, on the executor (the client is made where
    it runs: clients do not pickle).

    `versions` (URI -> version id) pins each object to its listed version: a producer that
    overwrites an object after the listing cannot make the job load bytes the ledger attributes to
    another version, and every read of a file (stage 1's scan, each byte range, a sequential read
    again) reads the same immutable bytes. A version id 'null' (an object of an unversioned bucket,
    or written while versioning was suspended) is read without VersionId, i.e. its current bytes:
    such an object is not pinned. With `versions` None every object is read at its current version.
    A listed version that is gone when it is read refuses the file (UNREADABLE, with the cause).
    """

    def __init__(self, region: str | None = None, versions: dict[str, str] | None = None, client: S3Client | None = None):
        self.region = region
        self.versions = dict(versions) if versions is not None else None
        self._client = client

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_client": None}

    def pinned(self, files: list[tuple[str, str]]) -> S3Reader:
        """This reader pinned to the versions of the given (file id, URI) pairs: a batch's own files,
        also when a repaired batch's files are no longer the current versions."""
        return S3Reader(self.region, {uri: _version_of(file_id) for file_id, uri in files}, self._client)

    def _client_here(self) -> S3Client:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", region_name=self.region)
        return self._client

    def _get(self, uri: str, range_header: str | None) -> StoredObject:
        from botocore.exceptions import ClientError

        bucket, key = _split_s3_uri(uri)
        version = None
        if self.versions is not None:
            if uri not in self.versions:
                raise FileRefused(UNREADABLE, "the object was not in the listing this reader was pinned to")
            version = self.versions[uri]
        request: GetObjectRequestTypeDef = {"Bucket": bucket, "Key": key}
        if version is not None and version != "null":
            request["VersionId"] = version
        if range_header is not None:
            request["Range"] = range_header
        try:
            body: StoredObject = self._client_here().get_object(**request)["Body"]
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if code in _GONE:
                raise FileRefused(UNREADABLE, f"the listed version {version or '(current)'} is gone: it was deleted after the listing "
                                              f"({code})") from e
            if code == "InvalidRange":  # an offset at or past the end: no bytes
                return io.BytesIO(b"")
            raise
        return body

    def open(self, uri: str) -> StoredObject:
        return self._get(uri, None)

    def open_range(self, uri: str, offset: int) -> StoredObject:
        """The object's bytes from `offset` to its end (a ranged GetObject of the same version), streamed."""
        return self._get(uri, f"bytes={offset}-")


class S3SourceFiles:
    """An S3 prefix of a versioned bucket: the current version of every object under it (names are
    data), identified by key + version id; `reader()` reads exactly the listed versions."""

    def __init__(self, s3_client: S3Client, uri: str):
        if not uri.startswith("s3://"):
            raise ValueError("the source URI must start with s3://")
        self.client = s3_client
        self.bucket, _, self.prefix = uri[len("s3://"):].partition("/")
        self.listed: list[SourceFile] = []

    def list(self) -> list[SourceFile]:
        out = []
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for v in page.get("Versions", []):
                if not v.get("IsLatest"):
                    continue
                file_id = _s3_file_id(v["Key"], v.get("VersionId", "null"))
                out.append(SourceFile(uri=f"s3://{self.bucket}/{v['Key']}", file_id=file_id, size=v["Size"]))
        self.listed = sorted(out, key=lambda s: s.file_id)
        return list(self.listed)

    def reader(self) -> SourceReader:
        """A reader pinned to the last listing's versions (picklable: it travels to the executors)."""
        return S3Reader(self.client.meta.region_name).pinned([(s.file_id, s.uri) for s in self.listed])


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

