"""The rotation function against stubbed Secrets Manager responses: each step, the retries Secrets
Manager makes, the refusals, and that no key material reaches the output or an error."""
import base64
import json
import sys
import traceback
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

sys.path.insert(0, str(Path(__file__).parent))

import pseudonym_key_rotation as rotation

ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:PseudonymKey-AbCdEf"
CURRENT, PENDING = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
NEW_KEY = "N3wK3yN3wK3yN3wK3yN3wK3yN3wK3yN3wK3yN3wK3yN3wK3yN3wK3yN3wK3yN3wK"  # 64 characters, 48 bytes as base64


@pytest.fixture
def sm():
    client = boto3.client("secretsmanager", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def event(step, token=PENDING):
    return {"SecretId": ARN, "ClientRequestToken": token, "Step": step}


def described(stubber, stages=None, rotation_enabled=True):
    stages = stages if stages is not None else {CURRENT: ["AWSCURRENT"], PENDING: ["AWSPENDING"]}
    stubber.add_response("describe_secret", {"ARN": ARN, "RotationEnabled": rotation_enabled, "VersionIdsToStages": stages},
                         {"SecretId": ARN})


def pending_value(stubber, text):
    stubber.add_response("get_secret_value", {"ARN": ARN, "VersionId": PENDING, "SecretString": text, "VersionStages": ["AWSPENDING"]},
                         {"SecretId": ARN, "VersionId": PENDING, "VersionStage": "AWSPENDING"})


def test_create_secret_stores_a_new_random_key_as_the_pending_version(sm, capsys):
    client, stubber = sm
    described(stubber)
    stubber.add_client_error("get_secret_value", "ResourceNotFoundException",
                             expected_params={"SecretId": ARN, "VersionId": PENDING, "VersionStage": "AWSPENDING"})
    stubber.add_response("get_random_password", {"RandomPassword": NEW_KEY},
                         {"PasswordLength": 64, "ExcludePunctuation": True, "IncludeSpace": False})
    stubber.add_response("put_secret_value", {"ARN": ARN, "VersionId": PENDING, "VersionStages": ["AWSPENDING"]},
                         {"SecretId": ARN, "ClientRequestToken": PENDING, "SecretString": json.dumps({"key": NEW_KEY}),
                          "VersionStages": ["AWSPENDING"]})
    rotation.rotate(client, event("createSecret"))
    assert len(base64.b64decode(NEW_KEY, validate=True)) == 48
    out = capsys.readouterr()
    assert NEW_KEY not in out.out + out.err and "createSecret" in out.out


def test_create_secret_retried_keeps_the_pending_key_already_stored(sm, capsys):
    client, stubber = sm
    described(stubber)
    pending_value(stubber, json.dumps({"key": NEW_KEY}))
    rotation.rotate(client, event("createSecret"))  # no get_random_password, no put_secret_value
    out = capsys.readouterr()
    assert NEW_KEY not in out.out + out.err


def test_set_secret_calls_nothing_beyond_describe(sm):
    client, stubber = sm
    described(stubber)
    rotation.rotate(client, event("setSecret"))


def test_test_secret_accepts_a_key_of_32_bytes_or_more(sm, capsys):
    client, stubber = sm
    described(stubber)
    pending_value(stubber, json.dumps({"key": NEW_KEY}))
    rotation.rotate(client, event("testSecret"))
    out = capsys.readouterr()
    assert NEW_KEY not in out.out + out.err


@pytest.mark.parametrize("text, message", [
    (json.dumps({"key": base64.b64encode(b"s3cr3t-short-key-31-bytes-long!").decode()}), "shorter than 32 bytes"),
    (json.dumps({"key": "not base64 s3cr3t!"}), "not a JSON object with a base64 key"),
    ("s3cr3t plain text", "not a JSON object with a base64 key"),
    (json.dumps({"other": "s3cr3t"}), "not a JSON object with a base64 key"),
])
def test_test_secret_fails_on_a_short_or_malformed_key_without_quoting_it(sm, capsys, text, message):
    client, stubber = sm
    described(stubber)
    pending_value(stubber, text)
    with pytest.raises(ValueError, match=message) as failure:
        rotation.rotate(client, event("testSecret"))
    # what Lambda reports: the error with its chain (a JSON or base64 error would quote the value)
    report = "".join(traceback.format_exception(failure.value))
    out = capsys.readouterr()
    for shown in (report, out.out, out.err):
        assert "s3cr3t" not in shown and text not in shown


def test_finish_secret_moves_awscurrent_from_the_current_version_to_the_pending_one(sm, capsys):
    client, stubber = sm
    described(stubber)
    stubber.add_response("update_secret_version_stage", {"ARN": ARN},
                         {"SecretId": ARN, "VersionStage": "AWSCURRENT", "MoveToVersionId": PENDING, "RemoveFromVersionId": CURRENT})
    rotation.rotate(client, event("finishSecret"))
    assert f"finishSecret: version {PENDING}" in capsys.readouterr().out


@pytest.mark.parametrize("step", ["createSecret", "setSecret", "testSecret", "finishSecret"])
def test_a_version_already_current_is_done_whatever_the_step(sm, step):
    client, stubber = sm
    described(stubber, {PENDING: ["AWSCURRENT"], CURRENT: ["AWSPREVIOUS"]})
    rotation.rotate(client, event(step))  # describe_secret only


@pytest.mark.parametrize("stages", [{CURRENT: ["AWSCURRENT"]}, {CURRENT: ["AWSCURRENT"], PENDING: ["AWSPREVIOUS"]}])
def test_fails_when_the_version_is_not_pending(sm, stages):
    client, stubber = sm
    described(stubber, stages)
    with pytest.raises(ValueError, match="is not pending"):
        rotation.rotate(client, event("createSecret"))


def test_fails_when_rotation_is_not_enabled(sm):
    client, stubber = sm
    described(stubber, rotation_enabled=False)
    with pytest.raises(ValueError, match="rotation is not enabled"):
        rotation.rotate(client, event("createSecret"))


def test_fails_on_an_unknown_step(sm):
    client, stubber = sm
    described(stubber)
    with pytest.raises(ValueError, match="unknown rotation step 'rollback'"):
        rotation.rotate(client, event("rollback"))


def test_the_handler_rotates_with_a_client_made_once(sm, monkeypatch):
    client, stubber = sm
    made = []
    monkeypatch.setattr(rotation, "_client", None)
    monkeypatch.setattr(boto3, "client", lambda name: made.append(name) or client)
    described(stubber)
    described(stubber)
    rotation.handler(event("setSecret"), None)
    rotation.handler(event("setSecret"), None)
    assert made == ["secretsmanager"]
