import { createHash } from 'crypto';
import { Annotations, ArnFormat, Duration, Fn, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { JobMetrics } from '../glue/least-privilege-glue-job';
import { accountRootArn } from '../private/administrators';
import { acknowledge } from '../private/compliance';

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

/** EventBridge rule names are at most 64 characters: the prefix leaves room for the longest id. */
const NAME_PREFIX_LENGTH = 36;

/** @internal */
export interface PipelineAlertsProps {
  readonly topicName: string;
  readonly deadLetterQueueName: string;
  readonly key: kms.Key;
  readonly topic?: sns.ITopic;
  readonly emails: string[];
  readonly jobName: string;
  readonly metricsNamespace: string;
  readonly tableDimension: string;
  readonly expectedRunInterval: Duration;
  readonly quarantineAlertRatio: number;
  readonly buckets: s3.IBucket[];
  readonly keys: kms.IKey[];
  readonly trailName: string;
  readonly trailArn: string;
  readonly glueResourceNames: string[];
  readonly secrets: secretsmanager.ISecret[];
  /**
   * The pipeline's roles: changes to their policies and trust are alerts, and so are new versions
   * of the customer-managed policies of this stack attached to them (found at synthesis).
   */
  readonly roles: iam.IRole[];
  /** The Glue database and table of the curated table in the catalog. */
  readonly catalogTable: { readonly databaseName: string; readonly tableName: string };
  /**
   * The principals that may administer the alert topic (delete it, change its policy or
   * attributes, subscribe): the deployment role and `administratorArns`.
   */
  readonly administrators: string[];
  /** The pipeline's log groups (job, trail, rotation function). */
  readonly logGroups: logs.ILogGroup[];
  /** The function that rotates the pseudonymization key, when the pipeline created one. */
  readonly rotationFunction?: lambda.IFunction;
}

/**
 * The pipeline's alerts: an SNS topic encrypted with a customer key (whose policy admits
 * EventBridge and CloudWatch for this topic), TLS-only, and the rules and alarms that publish to it.
 * Rules and alarms carry names that start with one prefix derived from the topic name, so that
 * the topic policy can admit the alarms by ARN and the alerts can watch themselves.
 *
 * @internal
 */
export class PipelineAlerts extends Construct {
  public readonly topic: sns.ITopic;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rules: events.Rule[] = [];
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The rule that matches failed, timed-out, stopped and errored runs of the job. */
  public readonly jobRunFailedRule: events.Rule;
  /** The prefix of the names of the rules and alarms. */
  public readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: PipelineAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.namePrefix = namePrefixOf(props.topicName, () => Names.uniqueResourceName(this, { maxLength: NAME_PREFIX_LENGTH, separator: '-' }));
    const named = (suffix: string) => `${this.namePrefix}-${suffix}`;

    if (props.topic) {
      this.topic = props.topic;
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:userAlertTopic',
        'alerts go to a topic supplied by the app: its encryption, TLS policy and key policy (EventBridge and CloudWatch must be able to publish) are not managed by this construct');
    } else {
      const topicArn = stack.formatArn({ service: 'sns', resource: props.topicName });
      props.key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEventBridgeAndCloudWatchToPublishToTheAlertTopic',
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
      }));
      const topic = new sns.Topic(this, 'Topic', {
        topicName: props.topicName,
        displayName: 'cdk-secure-delta-lake pipeline alerts',
        masterKey: props.key,
        enforceSSL: true,
      });
      denyTopicAdministration(topic, props.administrators);
      this.topic = topic;
    }
    // Alerts that EventBridge or SNS could not deliver land here (and raise an alarm), not nowhere.
    const queueArn = stack.formatArn({ service: 'sqs', resource: props.deadLetterQueueName });
    props.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeAndSnsToUseTheAlertDeadLetterQueue',
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:sqs:arn': queueArn } },
    }));
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      queueName: props.deadLetterQueueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'alertDeadLetterQueue');
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: this.deadLetterQueue }));
    }

    // EventBridge publishes as its service principal. The L2 SnsTopic target would also grant it the
    // whole key without conditions (grantPublish on an encrypted topic): the topic policy and the
    // key statement above admit it for this account's rules and this topic only.
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesOfThisAccount',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    // A topic policy replaces SNS's default one: CloudWatch alarm actions publish only if the
    // policy admits cloudwatch.amazonaws.com, here for this pipeline's own alarms by their exact
    // ARNs (a name prefix would admit any alarm someone names alike, and its false all-clears).
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisPipeline',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: () => this.alarms.map((a) => a.alarmArn) }) },
      },
    }));
    const dlq = this.deadLetterQueue;
    const target: events.IRuleTarget = {
      bind: (r: events.IRule) => {
        targets.addToDeadLetterQueueResourcePolicy(r, dlq);
        return { arn: this.topic.topicArn, deadLetterConfig: { arn: dlq.queueArn } };
      },
    };
    const rule = (ruleId: string, description: string, pattern: events.EventPattern) => {
      const r = new events.Rule(this, ruleId, {
        ruleName: named(ruleId),
        description: `cdk-secure-delta-lake: ${description}`.slice(0, 512),
        eventPattern: pattern,
        targets: [target],
      });
      this.rules.push(r);
      return r;
    };
    const apiCall = (source: string, eventSource: string, eventNames: any[], detail: { [k: string]: any }): events.EventPattern => ({
      source: [source],
      detailType: ['AWS API Call via CloudTrail'],
      detail: { eventSource: [eventSource], eventName: eventNames, ...detail },
    });
    const anyOf = (field: string, values: any[]) => ({ requestParameters: { [field]: values } });

    // Runs that did not succeed.
    this.jobRunFailedRule = rule('JobRunFailed', 'a run of the ingestion job failed, timed out or was stopped', {
      source: ['aws.glue'],
      detailType: ['Glue Job State Change'],
      detail: { jobName: [props.jobName], state: ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR'] },
    });

    // Tampering (management events: they reach EventBridge from the account's trail).
    rule('BucketTampering', 'a pipeline bucket\'s policy, public access, lifecycle, versioning, encryption, replication, logging or ownership changed',
      apiCall('aws.s3', 's3.amazonaws.com', S3_TAMPER_EVENTS, anyOf('bucketName', props.buckets.map((b) => b.bucketName))));
    rule('KeyTampering', 'a pipeline key\'s policy, state, rotation or grants changed',
      apiCall('aws.kms', 'kms.amazonaws.com', KMS_TAMPER_EVENTS, { resources: { ARN: props.keys.map((k) => k.keyArn) } }));
    const trailIds = [props.trailName, props.trailArn];
    rule('TrailTampering', 'the pipeline trail was stopped, deleted or reconfigured',
      apiCall('aws.cloudtrail', 'cloudtrail.amazonaws.com', TRAIL_TAMPER_EVENTS, { $or: [anyOf('name', trailIds), anyOf('trailName', trailIds)] }));
    rule('JobTampering', 'the ingestion job was updated (a swapped script), deleted or its bookmark reset',
      apiCall('aws.glue', 'glue.amazonaws.com', GLUE_JOB_TAMPER_EVENTS, anyOf('jobName', [props.jobName])));
    rule('GlueConfigurationTampering', 'the job\'s security configuration, workflow or trigger was changed, started, stopped or deleted',
      apiCall('aws.glue', 'glue.amazonaws.com', GLUE_CONFIG_TAMPER_EVENTS, anyOf('name', props.glueResourceNames)));
    rule('JobTriggerTampering', 'a trigger that starts the ingestion job (with its own arguments, timeout or security configuration) was created or changed',
      apiCall('aws.glue', 'glue.amazonaws.com', GLUE_TRIGGER_TAMPER_EVENTS, triggersNaming([props.jobName])));
    rule('CatalogTableTampering', 'the curated table was changed (its location, columns or parameters) or deleted in the Glue catalog',
      apiCall('aws.glue', 'glue.amazonaws.com', GLUE_TABLE_TAMPER_EVENTS, catalogTableCalls(props.catalogTable.databaseName, [props.catalogTable.tableName])));
    // Operators start the workflow; runs that Glue starts itself for the workflow's trigger come from
    // glue.amazonaws.com. Any other StartJobRun of the job is reported, whatever its fields: a run
    // can choose arguments the job does not lock, its workers, timeout, execution class and security
    // configuration, and a pattern cannot list the keys of a map it does not know.
    const byPrincipal = { sourceIPAddress: [{ 'anything-but': ['glue.amazonaws.com'] }] };
    rule('JobRunStartedByPrincipal', 'a run of the ingestion job was started by a principal rather than by the workflow (the job\'s NonOverridableArguments '
      + 'keep its managed and code-bearing arguments; the run may still choose other arguments, workers, timeout, execution class or security configuration)',
    apiCall('aws.glue', 'glue.amazonaws.com', GLUE_RUN_OVERRIDE_EVENTS, { ...byPrincipal, requestParameters: { jobName: [props.jobName] } }));
    if (props.secrets.length > 0) {
      rule('SecretTampering', 'a pipeline secret\'s resource policy, rotation or key changed, a new value was written or made current (every rotation does both), or it was deleted',
        apiCall('aws.secretsmanager', 'secretsmanager.amazonaws.com', SECRET_TAMPER_EVENTS,
          anyOf('secretId', props.secrets.flatMap((s) => [s.secretArn, s.secretName]))));
    }
    this.addIamRules(rule, apiCall, anyOf, props.roles);

    // Tampering with the alerting itself.
    // Two rules watch every rule of this construct, each other and themselves included: disabling,
    // deleting, retargeting or rewriting one of them is reported by the other. What remains is
    // silencing both before CloudTrail delivers the first call to EventBridge: the account trail
    // records those calls, and nothing here alerts on them.
    const ownRules = [{ prefix: named('') }];
    for (const watcher of ['RuleTamperingA', 'RuleTamperingB']) {
      rule(watcher, 'an alert rule of this pipeline was disabled, deleted, rewritten or retargeted',
        apiCall('aws.events', 'events.amazonaws.com', EVENTS_TAMPER_EVENTS, { $or: [anyOf('name', ownRules), anyOf('rule', ownRules)] }));
    }
    rule('TopicTampering', 'the alert topic was deleted, reconfigured, opened or subscribed to, its data protection policy changed, or a subscription was removed or changed',
      apiCall('aws.sns', 'sns.amazonaws.com', SNS_TAMPER_EVENTS, topicCalls(this.topic.topicArn)));
    const logGroupNames = props.logGroups.map((g) => g.logGroupName);
    // By ARN, with or without the trailing `:*`.
    const logGroupArns = logGroupNames.map((name) =>
      ({ prefix: stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) }));
    rule('LogGroupTampering', 'a pipeline log group or stream was deleted, its retention shortened or removed, its key changed, or a subscription added or removed',
      apiCall('aws.logs', 'logs.amazonaws.com', LOGS_TAMPER_EVENTS, { $or: [anyOf('logGroupName', logGroupNames), anyOf('resourceIdentifier', logGroupArns)] }));
    rule('LogProtectionTampering', 'the data protection policy of a pipeline log group was changed or deleted',
      apiCall('aws.logs', 'logs.amazonaws.com', LOGS_DATA_PROTECTION_TAMPER_EVENTS, anyOf('logGroupIdentifier', [...logGroupNames, ...logGroupArns])));
    const ownAlarms = [{ prefix: named('') }];
    rule('AlarmTampering', 'an alarm of this pipeline was deleted, rewritten, its actions disabled or its state set by hand',
      apiCall('aws.cloudwatch', 'monitoring.amazonaws.com', ALARM_TAMPER_EVENTS, { $or: [anyOf('alarmNames', ownAlarms), anyOf('alarmName', ownAlarms)] }));
    if (props.rotationFunction) {
      const fn = props.rotationFunction;
      const partialArn = Fn.join('', [stack.account, ':function:', fn.functionName]);
      const ids = [fn.functionName, fn.functionArn, partialArn];
      rule('RotationFunctionTampering', 'the function that rotates the pseudonymization key was changed (code, configuration, runtime, invocation destinations), opened, throttled or deleted',
        apiCall('aws.lambda', 'lambda.amazonaws.com', LAMBDA_TAMPER_EVENT_PREFIXES.map((p) => ({ prefix: p })),
          anyOf('functionName', [...ids, ...ids.map((i) => ({ prefix: `${i}:` }))])));
    }
    rule('DeadLetterQueueTampering', 'the alerts\' dead-letter queue was reconfigured, purged or deleted',
      apiCall('aws.sqs', 'sqs.amazonaws.com', QUEUE_TAMPER_EVENTS, anyOf('queueUrl', [this.deadLetterQueue.queueUrl])));

    // Alarms on the job's own metrics.
    const dims = { JobName: props.jobName, Table: props.tableDimension };
    const metric = (name: string, period: Duration) => new cloudwatch.Metric({
      namespace: props.metricsNamespace, metricName: name, dimensionsMap: dims, statistic: 'Sum', period,
    });
    const period = props.expectedRunInterval.toSeconds() >= 86400 ? Duration.days(1) : props.expectedRunInterval;
    const evaluationPeriods = Math.ceil(props.expectedRunInterval.toSeconds() / period.toSeconds());
    const noRun = new cloudwatch.Alarm(this, 'NoSuccessfulRun', {
      alarmName: named('NoSuccessfulRun'),
      alarmDescription: `cdk-secure-delta-lake: no successful run of ${props.jobName} within ${props.expectedRunInterval.toHumanString()}`,
      metric: metric(JobMetrics.RUNS_SUCCEEDED, period),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const ratio = new cloudwatch.Alarm(this, 'QuarantineRatio', {
      alarmName: named('QuarantineRatio'),
      alarmDescription: `cdk-secure-delta-lake: more than ${props.quarantineAlertRatio * 100}% of the records of a run of ${props.jobName} were quarantined`,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(r > 0, q / r, 0)',
        usingMetrics: { q: metric(JobMetrics.RECORDS_QUARANTINED, Duration.hours(1)), r: metric(JobMetrics.RECORDS_READ, Duration.hours(1)) },
        label: 'quarantine ratio',
        period: Duration.hours(1),
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: props.quarantineAlertRatio,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const undelivered = new cloudwatch.Alarm(this, 'UndeliveredAlerts', {
      alarmName: named('UndeliveredAlerts'),
      alarmDescription: 'cdk-secure-delta-lake: alerts could not be delivered and wait in the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [noRun, ratio, undelivered]) {
      alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
      this.alarms.push(alarm);
    }
  }

  /**
   * IAM is a global service: its events reach EventBridge in us-east-1 only. Changes to a role
   * (`roleName`) and new versions of its customer-managed policies (`policyArn`) are two rules.
   */
  private addIamRules(
    rule: (id: string, description: string, pattern: events.EventPattern) => events.Rule,
    apiCall: (source: string, eventSource: string, eventNames: any[], detail: { [k: string]: any }) => events.EventPattern,
    anyOf: (field: string, values: any[]) => { [k: string]: any },
    roles: iam.IRole[],
  ): void {
    const region = Stack.of(this).region;
    const unknown = Token.isUnresolved(region);
    const todo = 'To be alerted, deploy the pipeline in us-east-1, or create in us-east-1 an EventBridge rule on aws.iam events '
      + `(${IAM_TAMPER_EVENTS.join(', ')}) for the pipeline's roles (requestParameters.roleName) and their customer-managed policies `
      + '(requestParameters.policyArn), with a topic of that region as its target; the account trail records these calls either way';
    if (unknown) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:iamEventsOnlyInUsEast1',
        'IAM API events reach EventBridge in us-east-1 only, and this stack\'s region is unknown at synthesis (an environment-agnostic stack): '
        + 'the rules on the pipeline roles are created, and fire only if the stack is deployed in us-east-1. Give the stack an explicit env to know. ' + todo);
    } else if (region !== 'us-east-1') {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:iamEventsOnlyInUsEast1',
        `IAM API events reach EventBridge in us-east-1 only, and this stack is in ${region}: it cannot alert on changes to the policies or trust of the pipeline's roles. ` + todo);
      return;
    }
    const roleNames = roles.map((r) => r.roleName);
    rule('RoleTampering', 'the permissions or trust of a pipeline role changed',
      apiCall('aws.iam', 'iam.amazonaws.com', IAM_ROLE_TAMPER_EVENTS, anyOf('roleName', roleNames)));
    const policyArns = Lazy.list({ produce: () => this.customerManagedPoliciesOf(roles) });
    rule('RolePolicyTampering', 'a new version of a customer-managed policy of a pipeline role was created, made the default or deleted',
      apiCall('aws.iam', 'iam.amazonaws.com', IAM_POLICY_TAMPER_EVENTS, anyOf('policyArn', policyArns)));
    this.node.addValidation({
      validate: () => this.customerManagedPoliciesOf(roles).length > 0 ? []
        : ['no customer-managed policy of this stack is attached to the pipeline roles: the rule on policy versions would have nothing to match'],
    });
  }

  /** The ARNs of the customer-managed policies of this stack attached to the roles, at synthesis. */
  private customerManagedPoliciesOf(roles: iam.IRole[]): string[] {
    const stack = Stack.of(this);
    const names = new Set(roles.map((r) => JSON.stringify(stack.resolve(r.roleName))));
    const arns: string[] = [];
    for (const c of stack.node.findAll()) {
      if (!(c instanceof iam.CfnManagedPolicy) || Stack.of(c) !== stack) continue;
      const attached = stack.resolve(c.roles);
      if (Array.isArray(attached) && attached.some((n) => names.has(JSON.stringify(n)))) arns.push(c.ref);
    }
    return arns;
  }
}

/**
 * The prefix of the names of the rules and alarms: the topic name, shortened with a hash of it when
 * it is longer than the rule names allow.
 */
function namePrefixOf(topicName: string, fallback: () => string): string {
  if (Token.isUnresolved(topicName)) return fallback();
  const clean = topicName.replace(/[^A-Za-z0-9_-]/g, '-');
  if (clean.length <= NAME_PREFIX_LENGTH) return clean;
  const hash = createHash('sha256').update(topicName, 'utf8').digest('hex').slice(0, 8);
  return `${clean.slice(0, NAME_PREFIX_LENGTH - 9)}-${hash}`;
}

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
