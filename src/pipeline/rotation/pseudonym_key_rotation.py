"""The rotation function of the pseudonymization key (Secrets Manager's four rotation steps).

Each rotation stores a new random key as a new secret version; the ingestion job reads AWSCURRENT
and writes its version id beside every pseudonym, so rows written under the previous version stay
identifiable (DESIGN-NOTES 10). The function's role may read only the version it is creating
(AWSPENDING) and move only AWSCURRENT (the secret's resource policy). It logs the step and the
version id, never key material: no secret value reaches a log line or an error message.

Lambda runs `handler` (handler `pseudonym_key_rotation.handler`); `rotate` does the work with the
client it is given, so the tests stub Secrets Manager's responses.
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

MIN_KEY_BYTES = 32
# 64 characters from [A-Za-z0-9] are valid base64 for 48 bytes of key.
KEY_CHARACTERS = 64

_client: SecretsManagerClient | None = None


def handler(event: dict[str, str], _context: object) -> None:
    """Lambda's entry point: one rotation step of one secret version."""
    global _client
    if _client is None:
        import boto3

        _client = boto3.client("secretsmanager")
    rotate(_client, event)


def rotate(sm: SecretsManagerClient, event: dict[str, str]) -> None:
    """Run the step `event["Step"]` for the version `event["ClientRequestToken"]` of the secret
    `event["SecretId"]`. A version already AWSCURRENT is done (Secrets Manager retries steps); a
    version that is not AWSPENDING is refused."""
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    meta = sm.describe_secret(SecretId=arn)
    if not meta.get("RotationEnabled"):
        raise ValueError("rotation is not enabled on the secret")
    stages = meta["VersionIdsToStages"].get(token, [])
    if "AWSCURRENT" in stages:
        print(f"rotation {step}: version {token} is already AWSCURRENT; nothing to do")
        return
    if "AWSPENDING" not in stages:
        raise ValueError(f"the version to rotate ({token}) is not pending")
    print(f"rotation {step}: version {token}")
    if step == "createSecret":
        _create(sm, arn, token)
    elif step == "setSecret":
        pass  # the key lives only in the secret
    elif step == "testSecret":
        _test(sm, arn, token)
    elif step == "finishSecret":
        current = next(v for v, s in meta["VersionIdsToStages"].items() if "AWSCURRENT" in s)
        sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current)
    else:
        raise ValueError(f"unknown rotation step {step!r}")


def _create(sm: SecretsManagerClient, arn: str, token: str) -> None:
    """Store a new random key as the pending version, unless a retry finds it stored already."""
    try:
        sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        return
    except sm.exceptions.ResourceNotFoundException:
        pass
    key = sm.get_random_password(PasswordLength=KEY_CHARACTERS, ExcludePunctuation=True, IncludeSpace=False)["RandomPassword"]
    sm.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps({"key": key}), VersionStages=["AWSPENDING"])


def _test(sm: SecretsManagerClient, arn: str, token: str) -> None:
    """The pending key is base64 JSON of at least 32 bytes; the errors name the problem, never the value."""
    text = sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
    try:
        doc: Any = json.loads(text)
        key = base64.b64decode(doc["key"], validate=True)
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise ValueError("the new key is not a JSON object with a base64 key") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the new key is shorter than {MIN_KEY_BYTES} bytes")
