import { Annotations, ArnFormat, Duration, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
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
import {
  ALARM_TAMPER_EVENTS, EVENTS_TAMPER_EVENTS, GLUE_CONFIG_TAMPER_EVENTS, GLUE_JOB_TAMPER_EVENTS, GLUE_RUN_OVERRIDE_EVENTS,
  GLUE_TABLE_TAMPER_EVENTS, GLUE_TRIGGER_TAMPER_EVENTS, IAM_POLICY_TAMPER_EVENTS, IAM_ROLE_TAMPER_EVENTS, IAM_TAMPER_EVENTS,
  KMS_TAMPER_EVENTS, LAMBDA_TAMPER_EVENT_PREFIXES, LOGS_DATA_PROTECTION_TAMPER_EVENTS, LOGS_TAMPER_EVENTS, QUEUE_TAMPER_EVENTS,
  S3_TAMPER_EVENTS, SECRET_TAMPER_EVENTS, SNS_TAMPER_EVENTS, TRAIL_TAMPER_EVENTS, catalogTableCalls, denyTopicAdministration,
  topicCalls, triggersNaming,
} from '../audit/pipeline-alerts';
import { acknowledge } from '../private/compliance';

/** @internal */
export interface LakeAlertsProps {
  /** Every rule, alarm and per-table resource name of the lake starts with `<namePrefix>-`. */
  readonly namePrefix: string;
  readonly key: kms.Key;
  readonly topic?: sns.ITopic;
  readonly emails: string[];
  readonly buckets: s3.IBucket[];
  readonly keys: kms.IKey[];
  readonly trailName: string;
  readonly trailArn: string;
  readonly roles: iam.IRole[];
  readonly logGroups: logs.ILogGroup[];
  /** The prefix of the names of every table's job log groups. */
  readonly jobLogGroupPrefix: string;
  /** The lake's Glue database: every table in it is the lake's. */
  readonly databaseName: string;
  /** The principals that may administer the alert topic: the deployment role and `administratorArns`. */
  readonly administrators: string[];
  /** The ARNs of the tables' alarms, built from literal names (no reference to a table's stack). */
  readonly tableAlarmArns: () => string[];
}

/**
 * The lake's alerting: the encrypted topic and its dead-letter queue, and the rules every table
 * shares. Rules on a table's job, role, policies, workflow, trigger, security configuration,
 * alarms and rules match the lake's name prefix, which every table's resources carry: adding a
 * table never changes them, and a table in another stack is covered without a reference to it.
 *
 * @internal
 */
export class LakeAlerts extends Construct {
  public readonly topic: sns.ITopic;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly rules: events.Rule[] = [];
  public readonly jobRunFailedRule: events.Rule;
  /** The alarm on alerts that could not be delivered and wait in the dead-letter queue. */
  public readonly undeliveredAlarm: cloudwatch.Alarm;
  /** The target every rule of the lake and its tables uses: the topic, with the dead-letter queue. */
  public readonly target: events.IRuleTarget;
  private readonly props: LakeAlertsProps;
  private readonly byId = new Map<string, events.Rule>();
  /** The names of the lake's and its tables' resources, `<namePrefix>-*`, as a pattern value. */
  private readonly lakeNames: { prefix: string };

  constructor(scope: Construct, id: string, props: LakeAlertsProps) {
    super(scope, id);
    this.props = props;
    this.lakeNames = { prefix: `${props.namePrefix}-` };
    this.topic = props.topic ? this.useAppTopic(props.topic) : this.createTopic();
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.subscribeEmails();
    this.admitPublishers();
    const dlq = this.deadLetterQueue;
    this.target = { bind: () => ({ arn: this.topic.topicArn, deadLetterConfig: { arn: dlq.queueArn } }) };

    this.jobRunFailedRule = this.addJobRunFailedRule();
    this.addStorageAndTrailRules();
    this.addGlueRules();
    this.addIamRules();
    this.addAlertRuleAndTopicRules();
    this.addLogGroupRules();
    this.addAlarmAndQueueRules();
    this.undeliveredAlarm = this.addUndeliveredAlarm();
  }

  /**
   * Rules on the pseudonymization key's secret and rotation function, once the lake has them; its
   * KMS key, the function's role and log group join the key, role and log-group rules.
   */
  public watchPseudonymKey(secret: secretsmanager.ISecret, fn?: lambda.IFunction, key?: kms.IKey, logGroup?: logs.ILogGroup): void {
    const detail = (d: { [k: string]: any }) => ({ detail: d });
    if (key) this.byId.get('KeyTampering')?.addEventPattern(detail({ resources: { ARN: [key.keyArn] } }));
    if (fn?.role) this.byId.get('RoleTampering')?.addEventPattern(detail({ requestParameters: { roleName: [fn.role.roleName] } }));
    if (logGroup) {
      const arn = this.logGroupArn(logGroup.logGroupName);
      this.byId.get('LogGroupTampering')?.addEventPattern(detail({
        $or: [{ requestParameters: { logGroupName: [logGroup.logGroupName] } }, { requestParameters: { resourceIdentifier: [{ prefix: arn }] } }],
      }));
      this.byId.get('LogProtectionTampering')?.addEventPattern(detail({ requestParameters: { logGroupIdentifier: [logGroup.logGroupName, { prefix: arn }] } }));
    }
    this.addRule('SecretTampering', 'the pseudonymization key\'s resource policy, rotation or key changed, a new value was written or made current (every rotation does both), or it was deleted',
      apiCall('aws.secretsmanager', 'secretsmanager.amazonaws.com', SECRET_TAMPER_EVENTS, anyOf('secretId', [secret.secretArn, secret.secretName])));
    if (fn) this.addRotationFunctionRule(fn);
  }

  private named(suffix: string): string {
    return `${this.props.namePrefix}-${suffix}`;
  }

  private logGroupArn(name: string): string {
    return Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private useAppTopic(topic: sns.ITopic): sns.ITopic {
    Annotations.of(this).addWarningV2('cdk-secure-delta-lake:userAlertTopic',
      'alerts go to a topic supplied by the app: its encryption, TLS policy and key policy (EventBridge and CloudWatch must be able to publish) are not managed by this construct');
    return topic;
  }

  private createTopic(): sns.ITopic {
    const topicName = this.named('alerts');
    this.props.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeAndCloudWatchToPublishToTheAlertTopic',
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': Stack.of(this).formatArn({ service: 'sns', resource: topicName }) } },
    }));
    const topic = new sns.Topic(this, 'Topic', { topicName, displayName: 'cdk-secure-delta-lake lake alerts', masterKey: this.props.key, enforceSSL: true });
    denyTopicAdministration(topic, this.props.administrators);
    return topic;
  }

  private createDeadLetterQueue(): sqs.Queue {
    const queueName = this.named('undelivered-alerts');
    this.props.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeAndSnsToUseTheAlertDeadLetterQueue',
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:sqs:arn': Stack.of(this).formatArn({ service: 'sqs', resource: queueName }) } },
    }));
    const queue = new sqs.Queue(this, 'DeadLetters', {
      queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(queue, 'alertDeadLetterQueue');
    return queue;
  }

  private subscribeEmails(): void {
    for (const email of this.props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: this.deadLetterQueue }));
    }
  }

  /** The rules of the lake and its tables may use the queue and the topic; the lake's alarms may publish. */
  private admitPublishers(): void {
    const stack = Stack.of(this);
    // The rules of the lake and of its tables (in any stack) send undeliverable alerts here. The
    // queue admits them by the rule-name prefix, a literal: naming each rule's ARN would make the
    // lake's stack reference the tables' stacks, which reference the lake (a cycle).
    this.deadLetterQueue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesOfThisLake',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [this.deadLetterQueue.queueArn],
      conditions: { ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: this.named('*') }) } },
    }));
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesOfThisAccount',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    // Alarms by their exact ARNs (a name prefix would admit look-alike alarms and their false
    // all-clears); the tables' alarm ARNs are built from literal names.
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisLake',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: () => [...this.alarms.map((a) => a.alarmArn), ...this.props.tableAlarmArns()] }) },
      },
    }));
  }

  /** A rule named `<namePrefix>-<ruleId>` that alerts through the topic; `watchPseudonymKey` widens some by id. */
  private addRule(ruleId: string, description: string, pattern: events.EventPattern): events.Rule {
    const r = new events.Rule(this, ruleId, {
      ruleName: this.named(ruleId),
      description: `cdk-secure-delta-lake: ${description}`.slice(0, 512),
      eventPattern: pattern,
      targets: [this.target],
    });
    this.rules.push(r);
    this.byId.set(ruleId, r);
    return r;
  }

  /** Runs of any table's job that did not succeed. */
  private addJobRunFailedRule(): events.Rule {
    return this.addRule('JobRunFailed', 'a run of an ingestion job of the lake failed, timed out or was stopped', {
      source: ['aws.glue'],
      detailType: ['Glue Job State Change'],
      detail: { jobName: [this.lakeNames], state: ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR'] },
    });
  }

  private addStorageAndTrailRules(): void {
    const { buckets, keys, trailName, trailArn } = this.props;
    this.addRule('BucketTampering', 'a lake bucket\'s policy, public access, lifecycle, versioning, encryption, replication, logging or ownership changed',
      apiCall('aws.s3', 's3.amazonaws.com', S3_TAMPER_EVENTS, anyOf('bucketName', buckets.map((b) => b.bucketName))));
    this.addRule('KeyTampering', 'a lake key\'s policy, state, rotation or grants changed',
      apiCall('aws.kms', 'kms.amazonaws.com', KMS_TAMPER_EVENTS, { resources: { ARN: keys.map((k) => k.keyArn) } }));
    const trailIds = [trailName, trailArn];
    this.addRule('TrailTampering', 'the lake trail was stopped, deleted or reconfigured',
      apiCall('aws.cloudtrail', 'cloudtrail.amazonaws.com', TRAIL_TAMPER_EVENTS, { $or: [anyOf('name', trailIds), anyOf('trailName', trailIds)] }));
  }

  /** The tables' jobs, their configuration, workflows and triggers, the catalog tables, and runs started by hand. */
  private addGlueRules(): void {
    const tables = this.lakeNames;
    const glueCall = (eventNames: string[], detail: { [k: string]: any }) => apiCall('aws.glue', 'glue.amazonaws.com', eventNames, detail);
    this.addRule('JobTampering', 'an ingestion job of the lake was updated (a swapped script), deleted or its bookmark reset',
      glueCall(GLUE_JOB_TAMPER_EVENTS, anyOf('jobName', [tables])));
    this.addRule('GlueConfigurationTampering', 'a job\'s security configuration, workflow or trigger of the lake was changed, started, stopped or deleted',
      glueCall(GLUE_CONFIG_TAMPER_EVENTS, anyOf('name', [tables])));
    this.addRule('JobTriggerTampering', 'a trigger that starts an ingestion job of the lake (with its own arguments, timeout or security configuration) was created or changed',
      glueCall(GLUE_TRIGGER_TAMPER_EVENTS, triggersNaming([tables])));
    this.addRule('CatalogTableTampering', 'a table of the lake\'s database was changed (its location, columns or parameters) or deleted in the Glue catalog',
      glueCall(GLUE_TABLE_TAMPER_EVENTS, catalogTableCalls(this.props.databaseName)));
    // Operators start the workflows; runs Glue starts for a workflow's trigger come from glue.amazonaws.com.
    const byPrincipal = { sourceIPAddress: [{ 'anything-but': ['glue.amazonaws.com'] }] };
    this.addRule('JobRunStartedByPrincipal', 'a run of an ingestion job of the lake was started by a principal rather than by its workflow (the jobs\' '
      + 'NonOverridableArguments keep their managed and code-bearing arguments; the run may still choose other arguments, workers, timeout, execution class or security configuration)',
    glueCall(GLUE_RUN_OVERRIDE_EVENTS, { ...byPrincipal, requestParameters: { jobName: [tables] } }));
  }

  /** IAM events reach EventBridge in us-east-1 only (DESIGN-NOTES 8). */
  private addIamRules(): void {
    const stack = Stack.of(this);
    const region = stack.region;
    const todo = 'To be alerted, deploy the lake in us-east-1, or create in us-east-1 an EventBridge rule on aws.iam events '
      + `(${IAM_TAMPER_EVENTS.join(', ')}) for roles named '${this.props.namePrefix}-*' and their policies, with a topic of that region as its target`;
    if (Token.isUnresolved(region)) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:iamEventsOnlyInUsEast1',
        'IAM API events reach EventBridge in us-east-1 only, and this stack\'s region is unknown at synthesis: the rules on the lake roles fire only if it is deployed in us-east-1. ' + todo);
    } else if (region !== 'us-east-1') {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:iamEventsOnlyInUsEast1',
        `IAM API events reach EventBridge in us-east-1 only, and this stack is in ${region}: it cannot alert on changes to the policies or trust of the lake's roles. ` + todo);
      return;
    }
    this.addRule('RoleTampering', 'the permissions or trust of a lake role (a table job\'s included) changed',
      apiCall('aws.iam', 'iam.amazonaws.com', IAM_ROLE_TAMPER_EVENTS, anyOf('roleName', [...this.props.roles.map((r) => r.roleName), this.lakeNames])));
    const policyPrefix = stack.formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: `${this.props.namePrefix}-` });
    this.addRule('RolePolicyTampering', 'a new version of a customer-managed policy of a lake role was created, made the default or deleted',
      apiCall('aws.iam', 'iam.amazonaws.com', IAM_POLICY_TAMPER_EVENTS, anyOf('policyArn', [{ prefix: policyPrefix }])));
  }

  /** The alert rules, watched by two rules that report each other (a rule does not report its own deletion), and the topic. */
  private addAlertRuleAndTopicRules(): void {
    const tables = this.lakeNames;
    for (const watcher of ['RuleTamperingA', 'RuleTamperingB']) {
      this.addRule(watcher, 'an alert rule of this lake or of one of its tables was disabled, deleted, rewritten or retargeted',
        apiCall('aws.events', 'events.amazonaws.com', EVENTS_TAMPER_EVENTS, { $or: [anyOf('name', [tables]), anyOf('rule', [tables])] }));
    }
    this.addRule('TopicTampering', 'the alert topic was deleted, reconfigured, opened or subscribed to, its data protection policy changed, or a subscription was removed or changed',
      apiCall('aws.sns', 'sns.amazonaws.com', SNS_TAMPER_EVENTS, topicCalls(this.topic.topicArn)));
  }

  /**
   * The lake's own log groups by name, and every table's job log groups by the lake's prefix (by
   * name or ARN): a table in another stack is covered without a reference to it.
   */
  private addLogGroupRules(): void {
    const { logGroups, jobLogGroupPrefix } = this.props;
    const logGroupNames: any[] = [...logGroups.map((g) => g.logGroupName), { prefix: jobLogGroupPrefix }];
    const logGroupArns = [...logGroups.map((g) => ({ prefix: this.logGroupArn(g.logGroupName) })), { prefix: this.logGroupArn(jobLogGroupPrefix) }];
    this.addRule('LogGroupTampering', 'a log group or stream of the lake or of a table\'s job was deleted, its retention shortened or removed, its key changed, or a subscription added or removed',
      apiCall('aws.logs', 'logs.amazonaws.com', LOGS_TAMPER_EVENTS, { $or: [anyOf('logGroupName', logGroupNames), anyOf('resourceIdentifier', logGroupArns)] }));
    this.addRule('LogProtectionTampering', 'the data protection policy of a log group of the lake or of a table\'s job was changed or deleted',
      apiCall('aws.logs', 'logs.amazonaws.com', LOGS_DATA_PROTECTION_TAMPER_EVENTS, anyOf('logGroupIdentifier', [...logGroupNames, ...logGroupArns])));
  }

  private addAlarmAndQueueRules(): void {
    const tables = this.lakeNames;
    this.addRule('AlarmTampering', 'an alarm of this lake or of one of its tables was deleted, rewritten, its actions disabled or its state set by hand',
      apiCall('aws.cloudwatch', 'monitoring.amazonaws.com', ALARM_TAMPER_EVENTS, { $or: [anyOf('alarmNames', [tables]), anyOf('alarmName', [tables])] }));
    this.addRule('DeadLetterQueueTampering', 'the alerts\' dead-letter queue was reconfigured, purged or deleted',
      apiCall('aws.sqs', 'sqs.amazonaws.com', QUEUE_TAMPER_EVENTS, anyOf('queueUrl', [this.deadLetterQueue.queueUrl])));
  }

  private addUndeliveredAlarm(): cloudwatch.Alarm {
    const undelivered = new cloudwatch.Alarm(this, 'UndeliveredAlerts', {
      alarmName: this.named('UndeliveredAlerts'),
      alarmDescription: 'cdk-secure-delta-lake: alerts could not be delivered and wait in the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    undelivered.addAlarmAction(new cwActions.SnsAction(this.topic));
    this.alarms.push(undelivered);
    return undelivered;
  }

  private addRotationFunctionRule(fn: lambda.IFunction): void {
    const partialArn = Fn.join('', [Stack.of(this).account, ':function:', fn.functionName]);
    const ids = [fn.functionName, fn.functionArn, partialArn];
    this.addRule('RotationFunctionTampering', 'the function that rotates the pseudonymization key was changed (code, configuration, runtime, invocation destinations), opened, throttled or deleted',
      apiCall('aws.lambda', 'lambda.amazonaws.com', LAMBDA_TAMPER_EVENT_PREFIXES.map((p) => ({ prefix: p })),
        anyOf('functionName', [...ids, ...ids.map((i) => ({ prefix: `${i}:` }))])));
  }
}

/** The pattern of a CloudTrail-recorded API call of a service; `detail` adds to the event source and names. */
function apiCall(source: string, eventSource: string, eventNames: any[], detail: { [k: string]: any }): events.EventPattern {
  return {
    source: [source],
    detailType: ['AWS API Call via CloudTrail'],
    detail: { eventSource: [eventSource], eventName: eventNames, ...detail },
  };
}

/** A request parameter that matches any of the values. */
function anyOf(field: string, values: any[]): { [k: string]: any } {
  return { requestParameters: { [field]: values } };
}
