import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { accountRootArn } from '../private/administrators';

// The API calls the tamper alerts watch, and the parts of their patterns the lake's alerts
// (src/lake/lake-alerts.ts) and the evidence of the controls share. The rules themselves are
// LakeAlerts': an AuditedPipeline is a one-table lake.
//
// CloudTrail records each API's request parameters under the API's own field names
// (requestParameters.<name>), which differ from service to service and sometimes from call to call
// of one service: each list below says which field its rule matches (DESIGN-NOTES 11).

/** S3 API calls that weaken a bucket (DESIGN-NOTES 8); `bucketName`. */
export const S3_TAMPER_EVENTS = [
  'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock',
  'PutBucketLifecycle', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle', 'PutBucketVersioning',
  'PutBucketEncryption', 'DeleteBucketEncryption', 'PutBucketReplication', 'DeleteBucketReplication',
  'PutBucketLogging', 'PutBucketOwnershipControls', 'DeleteBucketOwnershipControls', 'PutBucketAcl',
  'PutBucketNotification', 'PutObjectLockConfiguration',
];
/** KMS API calls that weaken a key; the record's `resources[].ARN`. */
export const KMS_TAMPER_EVENTS = ['PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion', 'DisableKeyRotation', 'CreateGrant'];
/**
 * CloudTrail API calls that blind the trail. `StopLogging`, `DeleteTrail` and `UpdateTrail` record
 * `name`; `PutEventSelectors` and `PutInsightSelectors` record `trailName` (a name or an ARN).
 */
export const TRAIL_TAMPER_EVENTS = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'];
/**
 * Glue API calls that swap what the job runs or how it is protected, or make it reprocess what it
 * has already read (`ResetJobBookmark`); `jobName`.
 */
export const GLUE_JOB_TAMPER_EVENTS = ['UpdateJob', 'DeleteJob', 'ResetJobBookmark'];
/** Glue API calls on the job's security configuration, workflow and trigger; `name`. */
export const GLUE_CONFIG_TAMPER_EVENTS = ['DeleteSecurityConfiguration', 'UpdateWorkflow', 'DeleteWorkflow', 'UpdateTrigger', 'DeleteTrigger', 'StopTrigger', 'StartTrigger'];
/**
 * Glue API calls that make any trigger start the job, with its own arguments, timeout or security
 * configuration: `CreateTrigger` records `actions[].jobName`, `UpdateTrigger`
 * `triggerUpdate.actions[].jobName`. Runs a trigger starts come from Glue itself, so the rules on
 * `StartJobRun` cannot see them: the trigger that names the job is what is reported. (`StartTrigger`
 * records the trigger's name only; a trigger that names the job was reported when it was created.)
 */
export const GLUE_TRIGGER_TAMPER_EVENTS = ['CreateTrigger', 'UpdateTrigger'];
/** Glue API calls that repoint or delete the curated table in the catalog; `databaseName` and `tableInput.name`, `name` or `tablesToDelete`. */
export const GLUE_TABLE_TAMPER_EVENTS = ['UpdateTable', 'DeleteTable', 'BatchDeleteTable'];
/**
 * The Glue API call that starts a run; `jobName`. In an `AuditedPipeline` operators start the
 * workflow: every `StartJobRun` of the job made by a principal (not by Glue for the workflow) is
 * reported, whatever its fields.
 */
export const GLUE_RUN_OVERRIDE_EVENTS = ['StartJobRun'];
/** The fields of `StartJobRun` by which a run departs from the job's definition. */
export const GLUE_RUN_OVERRIDE_FIELDS = [
  'arguments', 'securityConfiguration', 'workerType', 'numberOfWorkers', 'maxCapacity', 'allocatedCapacity', 'timeout', 'executionClass',
];
/** Glue's special parameters that load code or configure the runtime before the script runs. */
export const GLUE_CODE_BEARING_ARGUMENTS = [
  '--scriptLocation', '--extra-py-files', '--extra-jars', '--extra-files', '--additional-python-modules',
  '--python-modules-installer-option', '--user-jars-first', '--conf',
];
/**
 * Secrets Manager API calls that open, freeze or replace a secret; `secretId` (a name or an ARN).
 * `PutSecretValue` and `UpdateSecretVersionStage` (the moment a new value becomes current) are also
 * made by every legitimate rotation: each rotation is reported once by each.
 */
export const SECRET_TAMPER_EVENTS = [
  'PutResourcePolicy', 'DeleteResourcePolicy', 'CancelRotateSecret', 'DeleteSecret', 'UpdateSecret', 'PutSecretValue', 'UpdateSecretVersionStage',
];
/** IAM API calls that change what a pipeline role may do, or who may assume it; `roleName`. */
export const IAM_ROLE_TAMPER_EVENTS = [
  'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy', 'UpdateAssumeRolePolicy',
  'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary',
];
/** IAM API calls that change a customer-managed policy of a pipeline role; `policyArn`. */
export const IAM_POLICY_TAMPER_EVENTS = ['CreatePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicyVersion'];
/** Every IAM API call the alerts watch. */
export const IAM_TAMPER_EVENTS = [...IAM_ROLE_TAMPER_EVENTS, ...IAM_POLICY_TAMPER_EVENTS];
/**
 * EventBridge API calls that silence an alert rule. `DisableRule`, `DeleteRule` and `PutRule`
 * record `name`; `RemoveTargets` and `PutTargets` record `rule`.
 */
export const EVENTS_TAMPER_EVENTS = ['DisableRule', 'DeleteRule', 'PutRule', 'RemoveTargets', 'PutTargets'];
/**
 * SNS API calls that silence or open the alert topic. They record `topicArn`, except
 * `Unsubscribe` and `SetSubscriptionAttributes`, which record `subscriptionArn` (the topic ARN, a
 * colon and an id), and `PutDataProtectionPolicy`, which records `resourceArn`.
 */
export const SNS_TAMPER_EVENTS = [
  'DeleteTopic', 'SetTopicAttributes', 'AddPermission', 'RemovePermission', 'Subscribe', 'Unsubscribe', 'SetSubscriptionAttributes',
  'PutDataProtectionPolicy',
];
/**
 * The actions on the alert topic that the topic policy denies to all but the administrators (and
 * the account root, the break-glass path). A topic policy cannot deny `Unsubscribe` or
 * `SetSubscriptionAttributes` (they are authorized on the subscription, by its owner or the
 * topic's): the tamper rule reports them.
 */
export const SNS_ADMINISTRATION_ACTIONS = [
  'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:AddPermission', 'sns:RemovePermission', 'sns:Subscribe', 'sns:PutDataProtectionPolicy',
];
/**
 * CloudWatch Logs API calls that delete, shorten, unprotect or forward a pipeline log group;
 * `logGroupName` (`AssociateKmsKey` and `DisassociateKmsKey` may name the log group by ARN,
 * `resourceIdentifier`). `PutSubscriptionFilter` can forward every log event to another account.
 */
export const LOGS_TAMPER_EVENTS = [
  'DeleteLogGroup', 'DeleteLogStream', 'PutRetentionPolicy', 'DeleteRetentionPolicy', 'AssociateKmsKey', 'DisassociateKmsKey',
  'PutSubscriptionFilter', 'DeleteSubscriptionFilter',
];
/**
 * CloudWatch Logs API calls on a log group's data protection policy (its masking, and where its
 * audit findings go); `logGroupIdentifier`, a name or an ARN.
 */
export const LOGS_DATA_PROTECTION_TAMPER_EVENTS = ['PutDataProtectionPolicy', 'DeleteDataProtectionPolicy'];
/**
 * CloudWatch API calls that silence an alarm. `DeleteAlarms` and `DisableAlarmActions` record
 * `alarmNames` (a list), `PutMetricAlarm` and `SetAlarmState` record `alarmName`.
 */
export const ALARM_TAMPER_EVENTS = ['DisableAlarmActions', 'DeleteAlarms', 'PutMetricAlarm', 'SetAlarmState'];
/**
 * Lambda API calls that swap the rotation function's code or configuration, open or close its
 * invocation, throttle or delete it; `functionName` (a name or an ARN). Lambda records them with
 * the API version as a suffix (`UpdateFunctionCode20150331v2`): the rule matches these prefixes.
 */
export const LAMBDA_TAMPER_EVENT_PREFIXES = [
  'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'AddPermission', 'RemovePermission', 'DeleteFunction', 'PutFunctionConcurrency',
  'PutFunctionEventInvokeConfig', 'UpdateFunctionEventInvokeConfig', 'PutRuntimeManagementConfig',
];
/** SQS API calls that open, empty or delete the alerts' dead-letter queue; `queueUrl`. */
export const QUEUE_TAMPER_EVENTS = ['SetQueueAttributes', 'DeleteQueue', 'PurgeQueue'];

/**
 * The topic policy denies deleting the topic, changing its policy or attributes, adding or
 * removing permissions, subscribing and changing its data protection policy to all but the
 * administrators and the account root (the break-glass path). AWS services (which only publish)
 * carry no principal ARN and pass.
 *
 * @internal
 */
export function denyTopicAdministration(topic: sns.ITopic, administrators: string[]): void {
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyTopicAdministrationOutsideAdministrators',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: SNS_ADMINISTRATION_ACTIONS,
    resources: [topic.topicArn],
    conditions: {
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      ArnNotLikeIfExists: { 'aws:PrincipalArn': [...administrators, accountRootArn(topic)] },
    },
  }));
}

/** The `requestParameters` of the SNS calls on a topic: `topicArn`, `subscriptionArn` or `resourceArn`. @internal */
export function topicCalls(topicArn: string): { [k: string]: any } {
  return {
    $or: [
      { requestParameters: { topicArn: [topicArn] } },
      { requestParameters: { subscriptionArn: [{ prefix: `${topicArn}:` }] } },
      { requestParameters: { resourceArn: [topicArn] } },
    ],
  };
}

/** The `requestParameters` of `CreateTrigger` and `UpdateTrigger` whose actions name one of the jobs. @internal */
export function triggersNaming(jobNames: any[]): { [k: string]: any } {
  return {
    $or: [
      { requestParameters: { actions: { jobName: jobNames } } },
      { requestParameters: { triggerUpdate: { actions: { jobName: jobNames } } } },
    ],
  };
}

/**
 * The `requestParameters` of `UpdateTable`, `DeleteTable` and `BatchDeleteTable` on tables of a
 * database (all of them when no table is named). Glue folds names to lower case, so a caller may
 * spell them in any case: they are matched ignoring case.
 *
 * @internal
 */
export function catalogTableCalls(databaseName: string, tableNames?: string[]): { [k: string]: any } {
  const anyCase = (names: string[]) => names.map((n) => ({ 'equals-ignore-case': n }));
  const databaseNames = anyCase([databaseName]);
  if (!tableNames) return { requestParameters: { databaseName: databaseNames } };
  const tables = anyCase(tableNames);
  return {
    requestParameters: {
      databaseName: databaseNames,
      $or: [{ tableInput: { name: tables } }, { name: tables }, { tablesToDelete: tables }],
    },
  };
}
