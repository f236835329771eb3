"""verify-deployment's logic against STUBBED AWS responses (botocore Stubber): no account is
reachable here, so each test feeds the responses a deployed pipeline would give and checks the
verdict. The stubs also assert the request parameters, so the calls themselves are checked."""
import datetime as dt
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

import verify_deployment as vd

REGION = "eu-west-1"
NOW = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
JOB = "Customers-Job-abc"
PREFIX = "/aws-glue/jobs/sdl/SecureDeltaLakePipeline-Customers-Job-8C80C899"


@pytest.fixture
def stubbed():
    """Real botocore clients with a Stubber each; `verify` gets them through `clients(name)`."""
    session = boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="example", region_name=REGION)
    made = {}

    def clients(name):
        if name not in made:
            client = session.client(name)
            stub = Stubber(client)
            stub.activate()
            made[name] = (client, stub)
        return made[name][0]

    def stub(name):
        clients(name)
        return made[name][1]

    yield clients, stub
    for _, s in made.values():
        s.assert_no_pending_responses()


def deployment(**resources):
    return vd.Deployment({"SecureDeltaLakePipeline": resources}, REGION)


def job_response(args):
    return {"Job": {"Name": JOB, "Role": "r", "Command": {"Name": "glueetl"}, "DefaultArguments": args}}


def test_glue_log_groups_pass_when_a_run_wrote_to_the_encrypted_groups(stubbed):
    clients, stub = stubbed
    stub("glue").add_response("get_job", job_response({"--custom-logGroup-prefix": PREFIX}), {"JobName": JOB})
    stub("logs").add_response("describe_log_groups", {"logGroups": [
        {"logGroupName": f"{PREFIX}/output", "kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"},
        {"logGroupName": f"{PREFIX}/error", "kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"}]}, {"logGroupNamePrefix": PREFIX})
    stub("glue").add_response("get_job_runs", {"JobRuns": [{"Id": "jr_1"}]}, {"JobName": JOB, "MaxResults": 1})
    stub("logs").add_response("describe_log_streams", {"logStreams": [{"logStreamName": "jr_1"}]}, {"logGroupName": f"{PREFIX}/output", "limit": 1})
    [r] = vd.check_glue_log_groups(deployment(Job=("AWS::Glue::Job", JOB)), clients("glue"), clients("logs"))
    assert (r.check, r.status) == ("glue_log_groups", vd.PASS)


def test_glue_log_groups_fail_when_glue_renamed_them(stubbed):
    clients, stub = stubbed
    stub("glue").add_response("get_job", job_response({"--custom-logGroup-prefix": PREFIX}), {"JobName": JOB})
    stub("logs").add_response("describe_log_groups", {"logGroups": [{"logGroupName": f"{PREFIX}/output", "kmsKeyId": "k"}]}, {"logGroupNamePrefix": PREFIX})
    [r] = vd.check_glue_log_groups(deployment(Job=("AWS::Glue::Job", JOB)), clients("glue"), clients("logs"))
    assert r.status == vd.FAIL and f"{PREFIX}/error" in r.detail


def test_glue_log_groups_are_pending_before_the_first_run(stubbed):
    clients, stub = stubbed
    stub("glue").add_response("get_job", job_response({"--custom-logGroup-prefix": PREFIX}), {"JobName": JOB})
    stub("logs").add_response("describe_log_groups", {"logGroups": [
        {"logGroupName": f"{PREFIX}/output", "kmsKeyId": "k"}, {"logGroupName": f"{PREFIX}/error", "kmsKeyId": "k"}]}, {"logGroupNamePrefix": PREFIX})
    stub("glue").add_response("get_job_runs", {"JobRuns": []}, {"JobName": JOB, "MaxResults": 1})
    [r] = vd.check_glue_log_groups(deployment(Job=("AWS::Glue::Job", JOB)), clients("glue"), clients("logs"))
    assert r.status == vd.PENDING


def locked_job(locked, default=None):
    return {"Job": {"Name": JOB, "Role": "r", "Command": {"Name": "glueetl"}, "DefaultArguments": default or {}, "NonOverridableArguments": locked}}


LOCKED = {k: "" for k in vd.CODE_BEARING_ARGUMENTS} | {"--scriptLocation": "s3://assets/x.py", "--extra-py-files": "s3://assets/y.py",
                                                      "--conf": "spark.sql.extensions=x", "--user-jars-first": "false"}


def test_the_managed_arguments_are_read_from_the_locked_ones_too(stubbed):
    clients, stub = stubbed
    stub("glue").add_response("get_job", locked_job({"--table-uri": "s3://curated/tables/customers"}), {"JobName": JOB})
    stub("s3").add_response("list_objects_v2", {"Contents": [], "KeyCount": 0}, {"Bucket": "curated", "Prefix": "tables/"})
    [r] = vd.check_emrfs_markers(deployment(Job=("AWS::Glue::Job", JOB)), clients("glue"), clients("s3"))
    assert r.status == vd.PASS and "s3://curated/tables/" in r.detail


@pytest.mark.parametrize("runs,verdict", [
    ([{"Id": "jr_2", "JobRunState": "FAILED", "ErrorMessage": "boom"}, {"Id": "jr_1", "JobRunState": "SUCCEEDED"}], vd.PASS),
    ([], vd.PENDING),
    ([{"Id": "jr_1", "JobRunState": "FAILED", "ErrorMessage": "Invalid input provided: --extra-jars must not be empty"}], vd.FAIL),
    ([{"Id": "jr_1", "JobRunState": "FAILED", "ErrorMessage": "the quarantine ratio was exceeded"}], vd.PENDING),
])
def test_locked_job_arguments_pass_once_a_run_succeeds_with_the_empty_parameters(stubbed, runs, verdict):
    clients, stub = stubbed
    stub("glue").add_response("get_job", locked_job(LOCKED), {"JobName": JOB})
    stub("glue").add_response("get_job_runs", {"JobRuns": runs}, {"JobName": JOB, "MaxResults": 10})
    [r] = vd.check_locked_job_arguments(deployment(Job=("AWS::Glue::Job", JOB)), clients("glue"))
    assert (r.check, r.status) == ("locked_job_arguments", verdict)


def test_a_code_bearing_parameter_left_overridable_fails(stubbed):
    clients, stub = stubbed
    open_jars = {k: v for k, v in LOCKED.items() if k != "--extra-jars"}
    stub("glue").add_response("get_job", locked_job(open_jars), {"JobName": JOB})
    [r] = vd.check_locked_job_arguments(deployment(Job=("AWS::Glue::Job", JOB)), clients("glue"))
    assert r.status == vd.FAIL and "--extra-jars" in r.detail


def test_emrfs_markers_beside_the_table_are_a_warning(stubbed):
    clients, stub = stubbed
    stub("glue").add_response("get_job", job_response({"--table-uri": "s3://curated/tables/customers"}), {"JobName": JOB})
    stub("s3").add_response("list_objects_v2", {"Contents": [{"Key": "tables/customers/data/part-0.parquet"}, {"Key": "tables/customers_$folder$"}], "KeyCount": 2},
                            {"Bucket": "curated", "Prefix": "tables/"})
    [r] = vd.check_emrfs_markers(deployment(Job=("AWS::Glue::Job", JOB)), clients("glue"), clients("s3"))
    assert r.status == vd.WARN and "tables/customers_$folder$" in r.detail


def test_access_logs_delivered_pass_and_not_yet_delivered_are_pending(stubbed):
    clients, stub = stubbed
    s3 = stub("s3")
    s3.add_response("get_bucket_logging", {"LoggingEnabled": {"TargetBucket": "logs", "TargetPrefix": "access-logs/"}}, {"Bucket": "raw"})
    s3.add_response("list_objects_v2", {"KeyCount": 1, "Contents": [{"Key": "access-logs/2026-11-27"}]}, {"Bucket": "logs", "Prefix": "access-logs/", "MaxKeys": 1})
    s3.add_response("get_bucket_logging", {"LoggingEnabled": {"TargetBucket": "logs", "TargetPrefix": "access-logs/"}}, {"Bucket": "zcurated"})
    s3.add_response("list_objects_v2", {"KeyCount": 0}, {"Bucket": "logs", "Prefix": "access-logs/", "MaxKeys": 1})
    s3.add_response("get_bucket_logging", {}, {"Bucket": "zlogs"})
    d = deployment(A=("AWS::S3::Bucket", "raw"), B=("AWS::S3::Bucket", "zcurated"), C=("AWS::S3::Bucket", "zlogs"))
    results = vd.check_access_log_delivery(d, clients("s3"))
    assert [r.status for r in results] == [vd.PASS, vd.PENDING]


@pytest.mark.parametrize("status,verdict", [
    ({"IsLogging": True}, vd.PASS),
    ({"IsLogging": False}, vd.FAIL),
    ({"IsLogging": True, "LatestDeliveryError": "AccessDenied"}, vd.FAIL),
    ({"IsLogging": True, "LatestCloudWatchLogsDeliveryError": "KMS"}, vd.FAIL),
])
def test_trail_status(stubbed, status, verdict):
    clients, stub = stubbed
    stub("cloudtrail").add_response("get_trail_status", status, {"Name": "pipeline-trail"})
    [r] = vd.check_trail_status(deployment(T=("AWS::CloudTrail::Trail", "pipeline-trail")), clients("cloudtrail"))
    assert r.status == verdict


def test_failed_alert_and_trigger_deliveries_fail(stubbed):
    clients, stub = stubbed
    stub("events").add_response("list_targets_by_rule", {"Targets": [{"Id": "t", "Arn": "arn:aws:sns:eu-west-1:1:alerts"}]}, {"Rule": "alerts-rule"})
    stub("cloudwatch").add_response("get_metric_statistics", {"Datapoints": [{"Sum": 2.0}]}, {
        "Namespace": "AWS/Events", "MetricName": "FailedInvocations", "Dimensions": [{"Name": "RuleName", "Value": "alerts-rule"}],
        "StartTime": ANY, "EndTime": ANY, "Period": 86400, "Statistics": ["Sum"]})
    stub("events").add_response("list_targets_by_rule", {"Targets": [{"Id": "t", "Arn": "arn:aws:glue:eu-west-1:1:workflow/wf"}]}, {"Rule": "trigger-rule"})
    stub("cloudwatch").add_response("get_metric_statistics", {"Datapoints": []}, {
        "Namespace": "AWS/Events", "MetricName": "FailedInvocations", "Dimensions": [{"Name": "RuleName", "Value": "trigger-rule"}],
        "StartTime": ANY, "EndTime": ANY, "Period": 86400, "Statistics": ["Sum"]})
    d = deployment(A=("AWS::Events::Rule", "alerts-rule"), B=("AWS::Events::Rule", "trigger-rule"))
    results = vd.check_rule_deliveries(d, clients("events"), clients("cloudwatch"), NOW)
    assert [(r.check, r.status) for r in results] == [("alert_delivery", vd.FAIL), ("workflow_trigger", vd.PASS)]


def test_a_trail_with_management_events_passes_and_none_fails(stubbed):
    clients, stub = stubbed
    ct = stub("cloudtrail")
    arn = "arn:aws:cloudtrail:eu-west-1:1:trail/pipeline"
    ct.add_response("describe_trails", {"trailList": [{"Name": "pipeline", "TrailARN": arn}]}, {"includeShadowTrails": True})
    ct.add_response("get_event_selectors", {"AdvancedEventSelectors": [{"Name": "data", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}]}, {"TrailName": arn})
    [r] = vd.check_management_trail(clients("cloudtrail"))
    assert r.status == vd.FAIL and "tamper alerts never fire" in r.detail

    org = "arn:aws:cloudtrail:eu-west-1:1:trail/org"
    ct.add_response("describe_trails", {"trailList": [{"Name": "org", "TrailARN": org}]}, {"includeShadowTrails": True})
    ct.add_response("get_event_selectors", {"EventSelectors": [{"IncludeManagementEvents": True, "ReadWriteType": "All"}]}, {"TrailName": org})
    ct.add_response("get_trail_status", {"IsLogging": True}, {"Name": org})
    [r] = vd.check_management_trail(clients("cloudtrail"))
    assert r.status == vd.PASS


def test_iam_events_region():
    assert vd.check_iam_events_region(vd.Deployment({}, "us-east-1"))[0].status == vd.PASS
    assert vd.check_iam_events_region(vd.Deployment({}, REGION))[0].status == vd.WARN


def test_verify_reads_the_stacks_of_the_report_and_covers_every_assumption(stubbed):
    clients, stub = stubbed
    cfn = stub("cloudformation")
    cfn.add_response("list_stack_resources", {"StackResourceSummaries": []}, {"StackName": "SecureDeltaLakeData"})
    cfn.add_response("list_stack_resources", {"StackResourceSummaries": [
        {"LogicalResourceId": "Trail", "PhysicalResourceId": "pipeline-trail", "ResourceType": "AWS::CloudTrail::Trail",
         "LastUpdatedTimestamp": NOW, "ResourceStatus": "CREATE_COMPLETE"}]}, {"StackName": "SecureDeltaLakePipeline"})
    ct = stub("cloudtrail")
    ct.add_response("get_trail_status", {"IsLogging": True}, {"Name": "pipeline-trail"})
    ct.add_response("describe_trails", {"trailList": []}, {"includeShadowTrails": True})
    report = {"stacks": [{"path": "SecureDeltaLakeData"}, {"path": "SecureDeltaLakePipeline"}],
              "deployTimeAssumptions": [{"verifyDeploymentCheck": c} for c in ["glue_log_groups", "trail_status", "management_trail", "alert_delivery"]]}
    results = vd.verify(report, clients, REGION, NOW)
    by_check = {r.check: r.status for r in results}
    assert by_check == {"trail_status": vd.PASS, "management_trail": vd.FAIL, "iam_events_region": vd.WARN,
                        "glue_log_groups": vd.PENDING, "alert_delivery": vd.PENDING}


def test_the_cli_prints_json_and_fails_on_a_failed_check(tmp_path, monkeypatch, capsys):
    report = tmp_path / "security-report.json"
    report.write_text(json.dumps({"stacks": [], "deployTimeAssumptions": []}))

    def fake_verify(_report, _clients, region, now=None):
        return [vd.Result("trail_status", vd.FAIL, f"stopped in {region}")]
    monkeypatch.setattr(vd, "verify", fake_verify)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    assert vd.main(["--report", str(report), "--region", REGION, "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == [{"check": "trail_status", "status": "FAIL", "detail": f"stopped in {REGION}"}]
