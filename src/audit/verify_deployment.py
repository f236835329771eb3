"""verify-deployment: checks the deploy-time assumptions of a deployed pipeline against the account.

The security report proves what the templates can prove. What depends on the services' behaviour
(log-group names, log deliveries, trail status, alert deliveries, the account's management trail)
is listed there as deploy-time assumptions; this command checks each of them after a deploy:

    python -m verify_deployment --report cdk.out/security-report.json [--region eu-west-1]

It reads the stacks' physical resources through CloudFormation and only calls read APIs. Each
check ends PASS, WARN, PENDING (the assumption cannot be judged yet, for example before the first
run) or FAIL; the exit code is 1 when any check fails.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudtrail import CloudTrailClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_glue import GlueClient
    from mypy_boto3_glue.type_defs import JobTypeDef
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_s3 import S3Client

PASS, WARN, PENDING, FAIL = "PASS", "WARN", "PENDING", "FAIL"

# Every check this command reports, by name. The controls' deploy-time assumptions name them
# (src/controls/<family>.ts); a jest test checks that each name here is named by a control and
# each named check is here, and test_verify_deployment_checks.py that the checks report only these.
CHECKS = (
    "glue_log_groups",
    "emrfs_markers",
    "locked_job_arguments",
    "access_log_delivery",
    "trail_status",
    "alert_delivery",
    "workflow_trigger",
    "management_trail",
    "iam_events_region",
)


@dataclass
class Result:
    check: str
    status: str
    detail: str


@dataclass
class Deployment:
    """The deployed stacks' resources: logical id -> (type, physical id), per stack."""

    resources: dict[str, dict[str, tuple[str, str]]]
    region: str

    def of_type(self, kind: str) -> list[tuple[str, str, str]]:
        return [(stack, logical, physical) for stack, rs in self.resources.items()
                for logical, (t, physical) in sorted(rs.items()) if t == kind]


def load_deployment(cloudformation: CloudFormationClient, stacks: list[str], region: str) -> Deployment:
    resources: dict[str, dict[str, tuple[str, str]]] = {}
    for stack in stacks:
        found: dict[str, tuple[str, str]] = {}
        for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack):
            for r in page["StackResourceSummaries"]:
                found[r["LogicalResourceId"]] = (r["ResourceType"], r.get("PhysicalResourceId", ""))
        resources[stack] = found
    return Deployment(resources, region)


def job_arguments(job: JobTypeDef) -> dict[str, str]:
    """The arguments a run of the job gets: the overridable defaults, then the locked ones."""
    return {**job.get("DefaultArguments", {}), **job.get("NonOverridableArguments", {})}


# Glue's special parameters that load code before the script runs; the construct locks each.
CODE_BEARING_ARGUMENTS = (
    "--scriptLocation", "--extra-py-files", "--extra-jars", "--extra-files", "--additional-python-modules",
    "--python-modules-installer-option", "--user-jars-first", "--conf",
)


def check_locked_job_arguments(d: Deployment, glue: GlueClient) -> list[Result]:
    """The code-bearing parameters are non-overridable, and the job still runs with the unused ones
    locked empty (the assumption: Glue treats an empty value as unset)."""
    out = []
    for _, _, job in d.of_type("AWS::Glue::Job"):
        locked = glue.get_job(JobName=job)["Job"].get("NonOverridableArguments", {})
        open_keys = [k for k in CODE_BEARING_ARGUMENTS if k not in locked]
        if open_keys:
            out.append(Result("locked_job_arguments", FAIL, f"{job}: a run may still set {', '.join(open_keys)}; redeploy the job"))
            continue
        runs = glue.get_job_runs(JobName=job, MaxResults=10)["JobRuns"]
        empty = sorted(k for k in CODE_BEARING_ARGUMENTS if locked.get(k) == "")
        if any(r.get("JobRunState") == "SUCCEEDED" for r in runs):
            out.append(Result("locked_job_arguments", PASS, f"{job}: locked, and a run succeeded with {', '.join(empty) or 'no'} empty parameter(s)"))
            continue
        blamed = [r for r in runs if r.get("JobRunState") == "FAILED" and any(k in r.get("ErrorMessage", "") for k in empty)]
        if blamed:
            out.append(Result("locked_job_arguments", FAIL, f"{job}: run {blamed[0].get('Id')} failed on an empty locked parameter: "
                              f"{blamed[0].get('ErrorMessage', '')[:300]}"))
        else:
            out.append(Result("locked_job_arguments", PENDING, f"{job}: locked; no successful run yet shows that Glue accepts the empty parameters"))
    return out


def check_glue_log_groups(d: Deployment, glue: GlueClient, logs: CloudWatchLogsClient) -> list[Result]:
    out = []
    for _, _, job in d.of_type("AWS::Glue::Job"):
        args = job_arguments(glue.get_job(JobName=job)["Job"])
        prefix = args.get("--custom-logGroup-prefix")
        if not prefix:
            out.append(Result("glue_log_groups", FAIL, f"{job}: no --custom-logGroup-prefix argument"))
            continue
        groups = {g["logGroupName"]: g for g in logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]}
        missing = [n for n in (f"{prefix}/output", f"{prefix}/error") if n not in groups]
        unencrypted = [n for n, g in groups.items() if not g.get("kmsKeyId")]
        if missing or unencrypted:
            out.append(Result("glue_log_groups", FAIL, f"{job}: missing {missing}, not KMS-encrypted {unencrypted}"))
            continue
        runs = glue.get_job_runs(JobName=job, MaxResults=1)["JobRuns"]
        if not runs:
            out.append(Result("glue_log_groups", PENDING, f"{job}: the log groups exist and are encrypted; run the job once to see it write there"))
            continue
        streams = logs.describe_log_streams(logGroupName=f"{prefix}/output", limit=1)["logStreams"]
        status = PASS if streams else FAIL
        out.append(Result("glue_log_groups", status, f"{job}: {'runs write to' if streams else 'a run wrote nothing to'} {prefix}/output"))
    return out


def _s3_location(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key.rstrip("/")


def check_emrfs_markers(d: Deployment, glue: GlueClient, s3: S3Client) -> list[Result]:
    out = []
    for _, _, job in d.of_type("AWS::Glue::Job"):
        uri = job_arguments(glue.get_job(JobName=job)["Job"]).get("--table-uri", "")
        bucket, table = _s3_location(uri)
        parent = table.rsplit("/", 1)[0] + "/" if "/" in table else ""
        markers = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=parent)
                   for o in page.get("Contents", []) if o["Key"].endswith("_$folder$")]
        if markers:
            out.append(Result("emrfs_markers", WARN, f"{job}: {len(markers)} EMRFS marker object(s) beside the table, e.g. {markers[0]}; "
                              "they hold no data, and the job role may not delete them: remove them as an administrator"))
        else:
            out.append(Result("emrfs_markers", PASS, f"{job}: no _$folder$ marker objects under s3://{bucket}/{parent}"))
    return out


def check_access_log_delivery(d: Deployment, s3: S3Client) -> list[Result]:
    out = []
    for _, _, bucket in d.of_type("AWS::S3::Bucket"):
        logging = s3.get_bucket_logging(Bucket=bucket).get("LoggingEnabled")
        if not logging:  # absent when logging is off, although the type stubs call it required
            continue  # type: ignore[unreachable]
        target, prefix = logging["TargetBucket"], logging.get("TargetPrefix", "")
        delivered = s3.list_objects_v2(Bucket=target, Prefix=prefix, MaxKeys=1).get("KeyCount", 0) > 0
        out.append(Result("access_log_delivery", PASS if delivered else PENDING,
                          f"{bucket}: {'access logs delivered to' if delivered else 'no access log yet in'} s3://{target}/{prefix} "
                          f"{'' if delivered else '(delivery can take hours after the first request)'}".rstrip()))
    return out


def check_trail_status(d: Deployment, cloudtrail: CloudTrailClient) -> list[Result]:
    out = []
    for _, _, trail in d.of_type("AWS::CloudTrail::Trail"):
        s = cloudtrail.get_trail_status(Name=trail)
        errors = {k: s[k] for k in ("LatestDeliveryError", "LatestCloudWatchLogsDeliveryError", "LatestDigestDeliveryError") if s.get(k)}
        if not s.get("IsLogging") or errors:
            out.append(Result("trail_status", FAIL, f"{trail}: logging {s.get('IsLogging')}, errors {errors}"))
        else:
            out.append(Result("trail_status", PASS, f"{trail}: logging, no delivery error"))
    return out


def _failed_invocations(cloudwatch: CloudWatchClient, rule: str, now: dt.datetime) -> float:
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/Events", MetricName="FailedInvocations", Dimensions=[{"Name": "RuleName", "Value": rule}],
        StartTime=now - dt.timedelta(days=1), EndTime=now, Period=86400, Statistics=["Sum"])["Datapoints"]
    return sum(p["Sum"] for p in points)


def check_rule_deliveries(d: Deployment, events: EventBridgeClient, cloudwatch: CloudWatchClient, now: dt.datetime) -> list[Result]:
    """alert_delivery for rules that target a topic, workflow_trigger for rules that target a Glue workflow."""
    out = []
    for _, _, rule in d.of_type("AWS::Events::Rule"):
        name = rule.split("|")[-1]
        targets = events.list_targets_by_rule(Rule=name)["Targets"]
        check = "workflow_trigger" if any(":workflow/" in t["Arn"] for t in targets) else "alert_delivery"
        failed = _failed_invocations(cloudwatch, name, now)
        out.append(Result(check, FAIL if failed > 0 else PASS, f"{name}: {failed:.0f} failed invocation(s) in the last day"))
    return out


def check_management_trail(cloudtrail: CloudTrailClient) -> list[Result]:
    for trail in cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]:
        selectors = cloudtrail.get_event_selectors(TrailName=trail["TrailARN"])
        basic = any(s.get("IncludeManagementEvents") for s in selectors.get("EventSelectors", []) or [])
        advanced = any(f.get("Field") == "eventCategory" and "Management" in f.get("Equals", [])
                       for s in selectors.get("AdvancedEventSelectors", []) or [] for f in s.get("FieldSelectors", []))
        if (basic or advanced) and cloudtrail.get_trail_status(Name=trail["TrailARN"]).get("IsLogging"):
            return [Result("management_trail", PASS, f"{trail['Name']} records management events (tamper alerts can fire)")]
    return [Result("management_trail", FAIL, "no logging trail records management events: tamper alerts never fire; "
                   "set accountTrail: true or enable the organization trail")]


def check_iam_events_region(d: Deployment) -> list[Result]:
    if d.region == "us-east-1":
        return [Result("iam_events_region", PASS, "the pipeline is in us-east-1, where IAM events reach EventBridge")]
    return [Result("iam_events_region", WARN, f"the pipeline is in {d.region}: IAM events reach EventBridge in us-east-1 only; "
                   "add a rule there that forwards iam.amazonaws.com events to this region, or accept the gap")]


def verify(report: dict[str, Any], clients: Callable[[str], Any], region: str, now: dt.datetime | None = None) -> list[Result]:
    now = now or dt.datetime.now(dt.UTC)
    stacks = [s["path"] for s in report["stacks"]]
    d = load_deployment(clients("cloudformation"), stacks, region)
    results: list[Result] = []
    results += check_glue_log_groups(d, clients("glue"), clients("logs"))
    results += check_emrfs_markers(d, clients("glue"), clients("s3"))
    results += check_locked_job_arguments(d, clients("glue"))
    results += check_access_log_delivery(d, clients("s3"))
    results += check_trail_status(d, clients("cloudtrail"))
    results += check_rule_deliveries(d, clients("events"), clients("cloudwatch"), now)
    results += check_management_trail(clients("cloudtrail"))
    results += check_iam_events_region(d)
    expected = {a["verifyDeploymentCheck"] for a in report.get("deployTimeAssumptions", [])}
    for check in sorted(expected - {r.check for r in results}):
        results.append(Result(check, PENDING, "nothing deployed to check yet"))
    return results


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="verify-deployment", description=__doc__.split("\n\n")[0])
    p.add_argument("--report", required=True, help="security-report.json written at synthesis")
    p.add_argument("--region", help="the region the stacks are deployed to (default: the AWS configuration's)")
    p.add_argument("--profile", help="an AWS profile")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    args = p.parse_args(argv)
    import boto3  # the check functions take clients, so the tests stub them

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    cache: dict[str, Any] = {}

    def clients(name: str) -> Any:
        if name not in cache:
            cache[name] = session.client(name)  # type: ignore[call-overload]  # one of the services the checks name
        return cache[name]

    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    results = verify(report, clients, session.region_name or "")
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        for r in results:
            print(f"{r.status:8} {r.check:20} {r.detail}")
    return 1 if any(r.status == FAIL for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
