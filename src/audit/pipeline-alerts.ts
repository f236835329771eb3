import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../private/compliance';

/** S3 API calls that weaken a bucket (DESIGN-NOTES 8). */
export const S3_TAMPER_EVENTS = [
  'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock',
  'PutBucketLifecycle', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle', 'PutBucketVersioning',
  'PutBucketEncryption', 'DeleteBucketEncryption', 'PutBucketReplication', 'DeleteBucketReplication',
  'PutBucketLogging', 'PutBucketOwnershipControls', 'DeleteBucketOwnershipControls', 'PutBucketAcl',
  'PutBucketNotification', 'PutObjectLockConfiguration',
];
/** KMS API calls that weaken a key. */
export const KMS_TAMPER_EVENTS = ['PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion', 'DisableKeyRotation', 'CreateGrant'];
/** CloudTrail API calls that blind the trail. */
export const TRAIL_TAMPER_EVENTS = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'];
/** Glue API calls that swap what the job runs or how it is protected. */
export const GLUE_JOB_TAMPER_EVENTS = ['UpdateJob', 'DeleteJob'];
export const GLUE_CONFIG_TAMPER_EVENTS = ['DeleteSecurityConfiguration', 'UpdateWorkflow', 'DeleteWorkflow', 'UpdateTrigger', 'DeleteTrigger', 'StopTrigger'];
/** Secrets Manager API calls that open or freeze a secret. */
export const SECRET_TAMPER_EVENTS = ['PutResourcePolicy', 'DeleteResourcePolicy', 'CancelRotateSecret', 'DeleteSecret', 'UpdateSecret'];
/** IAM API calls that change what the job role may do. */
export const IAM_TAMPER_EVENTS = [
  'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy', 'UpdateAssumeRolePolicy',
  'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary',
];

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
  readonly roleNames: string[];
}

/**
 * The pipeline's alerts: an SNS topic encrypted with a customer key (whose policy admits
 * EventBridge and CloudWatch for this topic), TLS-only, and the rules and alarms that publish to it.
 *
 * @internal
 */
export class PipelineAlerts extends Construct {
  public readonly topic: sns.ITopic;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rules: events.Rule[] = [];
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);

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
    const dlq = this.deadLetterQueue;
    const target: events.IRuleTarget = {
      bind: (r: events.IRule) => {
        targets.addToDeadLetterQueueResourcePolicy(r, dlq);
        return { arn: this.topic.topicArn, deadLetterConfig: { arn: dlq.queueArn } };
      },
    };
    const rule = (ruleId: string, description: string, pattern: events.EventPattern) => {
      const r = new events.Rule(this, ruleId, { description: `cdk-secure-delta-lake: ${description}`, eventPattern: pattern, targets: [target] });
      this.rules.push(r);
      return r;
    };
    const apiCall = (source: string, eventSource: string, eventNames: string[], detail: { [k: string]: any }): events.EventPattern => ({
      source: [source],
      detailType: ['AWS API Call via CloudTrail'],
      detail: { eventSource: [eventSource], eventName: eventNames, ...detail },
    });

    // Runs that did not succeed.
    rule('JobRunFailed', 'a run of the ingestion job failed, timed out or was stopped', {
      source: ['aws.glue'],
      detailType: ['Glue Job State Change'],
      detail: { jobName: [props.jobName], state: ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR'] },
    });

    // Tampering (management events: they reach EventBridge from the account's trail).
    rule('BucketTampering', 'a pipeline bucket\'s policy, public access, lifecycle, versioning, encryption, replication, logging or ownership changed',
      apiCall('aws.s3', 's3.amazonaws.com', S3_TAMPER_EVENTS, { requestParameters: { bucketName: props.buckets.map((b) => b.bucketName) } }));
    rule('KeyTampering', 'a pipeline key\'s policy, state, rotation or grants changed',
      apiCall('aws.kms', 'kms.amazonaws.com', KMS_TAMPER_EVENTS, { resources: { ARN: props.keys.map((k) => k.keyArn) } }));
    rule('TrailTampering', 'the pipeline trail was stopped, deleted or reconfigured',
      apiCall('aws.cloudtrail', 'cloudtrail.amazonaws.com', TRAIL_TAMPER_EVENTS, { requestParameters: { name: [props.trailName, props.trailArn] } }));
    rule('JobTampering', 'the ingestion job was updated (a swapped script) or deleted',
      apiCall('aws.glue', 'glue.amazonaws.com', GLUE_JOB_TAMPER_EVENTS, { requestParameters: { jobName: [props.jobName] } }));
    rule('GlueConfigurationTampering', 'the job\'s security configuration, workflow or trigger was changed or deleted',
      apiCall('aws.glue', 'glue.amazonaws.com', GLUE_CONFIG_TAMPER_EVENTS, { requestParameters: { name: props.glueResourceNames } }));
    if (props.secrets.length > 0) {
      rule('SecretTampering', 'a pipeline secret\'s resource policy, rotation or key changed, or it was deleted',
        apiCall('aws.secretsmanager', 'secretsmanager.amazonaws.com', SECRET_TAMPER_EVENTS,
          { requestParameters: { secretId: props.secrets.flatMap((s) => [s.secretArn, s.secretName]) } }));
    }
    // IAM is a global service: its events reach EventBridge in us-east-1 only.
    if (!Token.isUnresolved(stack.region) && stack.region === 'us-east-1') {
      rule('RoleTampering', 'the permissions or trust of a pipeline role changed',
        apiCall('aws.iam', 'iam.amazonaws.com', IAM_TAMPER_EVENTS, { requestParameters: { roleName: props.roleNames } }));
    } else {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:iamEventsOnlyInUsEast1',
        'IAM API events reach EventBridge in us-east-1 only, so this stack cannot alert on changes to the job role\'s policies; the trail records them when account auditing is on. ' +
        'Deploy the pipeline in us-east-1, or add a rule there that forwards iam.amazonaws.com events to this region\'s default bus');
    }

    // Alarms on the job's own metrics.
    const dims = { JobName: props.jobName, Table: props.tableDimension };
    const metric = (name: string, period: Duration) => new cloudwatch.Metric({
      namespace: props.metricsNamespace, metricName: name, dimensionsMap: dims, statistic: 'Sum', period,
    });
    const period = props.expectedRunInterval.toSeconds() >= 86400 ? Duration.days(1) : props.expectedRunInterval;
    const evaluationPeriods = Math.ceil(props.expectedRunInterval.toSeconds() / period.toSeconds());
    const noRun = new cloudwatch.Alarm(this, 'NoSuccessfulRun', {
      alarmDescription: `cdk-secure-delta-lake: no successful run of ${props.jobName} within ${props.expectedRunInterval.toHumanString()}`,
      metric: metric('RunsSucceeded', period),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const ratio = new cloudwatch.Alarm(this, 'QuarantineRatio', {
      alarmDescription: `cdk-secure-delta-lake: more than ${props.quarantineAlertRatio * 100}% of the records of a run of ${props.jobName} were quarantined`,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(r > 0, q / r, 0)',
        usingMetrics: { q: metric('RecordsQuarantined', Duration.hours(1)), r: metric('RecordsRead', Duration.hours(1)) },
        label: 'quarantine ratio',
        period: Duration.hours(1),
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: props.quarantineAlertRatio,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const undelivered = new cloudwatch.Alarm(this, 'UndeliveredAlerts', {
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
}
