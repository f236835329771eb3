/**
 * The pipeline's alert rules, proven with Event Ruler (the matcher EventBridge is built on): for
 * every API call of every tamper rule, a CloudTrail record of the documented shape on the
 * pipeline's own resource matches the rule's synthesized pattern, and the same call on another
 * resource does not. The alarm path to the topic is proven with the policy evaluator.
 *
 * The example app is synthesized in us-east-1 (the only region where IAM events reach EventBridge)
 * and resolved to concrete names and ARNs by the policy kit.
 */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { examplePipeline, ExamplePipeline } from '../../examples/ingestion-pipeline/pipeline';
import {
  ALARM_TAMPER_EVENTS, EVENTS_TAMPER_EVENTS, GLUE_CODE_BEARING_ARGUMENTS, GLUE_CONFIG_TAMPER_EVENTS, GLUE_JOB_TAMPER_EVENTS, GLUE_RUN_OVERRIDE_FIELDS,
  GLUE_TABLE_TAMPER_EVENTS, GLUE_TRIGGER_TAMPER_EVENTS, IAM_POLICY_TAMPER_EVENTS, IAM_ROLE_TAMPER_EVENTS, KMS_TAMPER_EVENTS,
  LAMBDA_TAMPER_EVENT_PREFIXES, LOGS_DATA_PROTECTION_TAMPER_EVENTS, LOGS_TAMPER_EVENTS, QUEUE_TAMPER_EVENTS,
  S3_TAMPER_EVENTS, SECRET_TAMPER_EVENTS, SNS_TAMPER_EVENTS, TRAIL_TAMPER_EVENTS,
} from '../../src/audit/pipeline-alerts';
import { LakeAlerts } from '../../src/lake/lake-alerts';
import { MatchCase, matchAll } from '../kit/event-ruler';
import { PolicyWorld } from '../kit/policy-kit';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const OTHER_ACCOUNT = '222222222222';

/** Synthesize the example app with the environment the example reads from the CDK's variables. */
function synthesizeExample(env: { account?: string; region?: string }): { app: App; example: ExamplePipeline } {
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const set = (k: string, v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
  set('CDK_DEFAULT_ACCOUNT', env.account);
  set('CDK_DEFAULT_REGION', env.region);
  try {
    const app = new App();
    return { app, example: examplePipeline(app) };
  } finally {
    set('CDK_DEFAULT_ACCOUNT', saved.account);
    set('CDK_DEFAULT_REGION', saved.region);
  }
}

const { example } = synthesizeExample({ account: ACCOUNT, region: REGION });
const { pipeline, pipelineStack: stack } = example;
const world = PolicyWorld.of(example.data, stack);
const t = world.template(stack);
// An AuditedPipeline is a one-table lake: the lake's alerts, named under the lake's name.
const alerts = pipeline.node.findChild('Alerts') as LakeAlerts;
const namePrefix = pipeline.lakeName;
const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId((c instanceof CfnResource ? c : c.node.defaultChild) as CfnResource);
const ref = (c: IConstruct) => world.locate(c)[0].ref(world.locate(c)[1]);
const ofType = (type: string) => t.logicalIdsOfType(type).map((id) => ({ id, props: t.resources[id].Properties }));

/** A rule's resolved event pattern, by the id LakeAlerts gives it (its name is `<prefix>-<id>`). */
function patternOf(ruleId: string): any {
  const found = ofType('AWS::Events::Rule').find((r) => r.props.Name === `${namePrefix}-${ruleId}`);
  if (!found) throw new Error(`no rule ${ruleId} in the pipeline stack`);
  return found.props.EventPattern;
}

/** The identifiers a CloudTrail record names, for one side: the pipeline's own resources or others. */
interface Ids {
  readonly buckets: string[];
  readonly keyArns: string[];
  readonly trailIds: string[];
  readonly jobName: string;
  readonly glueNames: string[];
  /** The catalog table: its database and name, as Glue stores them (lower case). */
  readonly databaseName: string;
  readonly tableName: string;
  readonly secretIds: string[];
  readonly roleNames: string[];
  readonly policyArns: string[];
  readonly ruleNames: string[];
  readonly topicArn: string;
  readonly logGroupNames: string[];
  readonly alarmNames: string[];
  readonly functionIds: string[];
  readonly queueUrl: string;
}

const rotationFunction = (pipeline.node.findChild('PseudonymKey') as any).rotationFunction;
const jobRoleName = ref(pipeline.job.role);
const rotationRoleName = ref(pipeline.node.findChild('PseudonymKey').node.findChild('RotationRole'));
const eventsRoleName = ref(pipeline.eventsRole);
const trailResource = ofType('AWS::CloudTrail::Trail')[0];
const rotationFunctionName = ref(rotationFunction);
const functionArn = t.getAtt(logicalId(rotationFunction), 'Arn');
const ownTopicArn = ref(pipeline.alertTopic);
const objectCreatedRule = pipeline.table.node.findChild('ObjectCreated');

/** The pipeline's own resources, read from the resolved template (not from the rules). */
const own: Ids = {
  buckets: [pipeline.rawBucket.bucket, pipeline.curatedBucket.bucket, pipeline.queryResultsBucket.bucket, pipeline.trailBucket,
    ...[pipeline.rawBucket, pipeline.curatedBucket, pipeline.queryResultsBucket].map((b) => b.accessLogBucket!)].map(ref),
  keyArns: [pipeline.rawBucket.encryptionKey, pipeline.curatedBucket.encryptionKey, pipeline.job.key, pipeline.auditKey,
    pipeline.pseudonymKey!.encryptionKey!].map((k) => world.keyArn(k)),
  trailIds: [trailResource.props.TrailName, t.getAtt(trailResource.id, 'Arn')],
  jobName: ref(pipeline.job.job),
  glueNames: [ref(pipeline.job.securityConfiguration), ref(pipeline.workflow), ofType('AWS::Glue::Trigger')[0].props.Name],
  databaseName: ofType('AWS::Glue::Table')[0].props.DatabaseName,
  tableName: ofType('AWS::Glue::Table')[0].props.TableInput.Name,
  // By ARN: the kit's stand-in secret names lack the random part of CloudFormation's generated names.
  secretIds: [ref(pipeline.pseudonymKey!)],
  roleNames: [jobRoleName, rotationRoleName, eventsRoleName],
  policyArns: ofType('AWS::IAM::ManagedPolicy')
    .filter((p) => (p.props.Roles ?? []).some((r: string) => [jobRoleName, rotationRoleName, eventsRoleName].includes(r)))
    .map((p) => t.ref(p.id)),
  // The object-created rule starts the workflow: the watchers cover it too.
  ruleNames: [...alerts.rules, objectCreatedRule].map((r) => ref(r)),
  topicArn: ownTopicArn,
  logGroupNames: [...pipeline.job.logGroups, pipeline.trailLogGroup, rotationFunction.logGroup].map(ref),
  alarmNames: pipeline.alarms.map((a) => ref(a)),
  functionIds: [rotationFunctionName, functionArn, `${functionArn}:$LATEST`, `${ACCOUNT}:function:${rotationFunctionName}`],
  queueUrl: ref(alerts.deadLetterQueue),
};

/** The same kinds of resources, of someone else: the rules must stay silent. */
const other: Ids = {
  buckets: ['another-teams-bucket', `${own.buckets[0]}-copy`],
  keyArns: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-a000-000000000000`],
  trailIds: ['another-trail', `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/another-trail`],
  jobName: 'another-job',
  glueNames: ['another-security-configuration', 'another-workflow', 'another-trigger'],
  databaseName: 'another_database',
  tableName: 'another_table',
  secretIds: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:another-secret-AbCdEf`, 'another-secret'],
  roleNames: ['another-role'],
  policyArns: [`arn:aws:iam::${ACCOUNT}:policy/another-policy`],
  ruleNames: ['another-rule', 'securedeltalake-another-pipeline-JobRunFailed'],
  topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:another-topic`,
  logGroupNames: ['/aws/lambda/another-function', '/aws-glue/jobs/output'],
  alarmNames: ['another-alarm'],
  functionIds: ['another-function', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:another-function`],
  queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/another-queue`,
};

/**
 * One API call: the CloudTrail `requestParameters` (and `resources`) AWS records for it, with the
 * field names of the service's API reference and CloudTrail documentation, built for every
 * identifier of a side (one record each).
 */
type Call = (ids: Ids) => Array<{ requestParameters: any; resources?: any[] }>;
const each = <T>(values: T[], f: (v: T) => any) => values.map((v) => ({ requestParameters: f(v) }));
const logArn = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;

interface RuleTable {
  readonly source: string;
  readonly eventSource: string;
  /** The event names the rule's pattern lists (the table must cover them all). */
  readonly listed: string[];
  /** eventName as CloudTrail records it → the records of that call. */
  readonly calls: { [eventName: string]: Call };
}

const TABLE: { [ruleId: string]: RuleTable } = {
  // S3 bucket-configuration APIs: `bucketName` (and `Host`).
  BucketTampering: {
    source: 'aws.s3',
    eventSource: 's3.amazonaws.com',
    listed: S3_TAMPER_EVENTS,
    calls: Object.fromEntries(S3_TAMPER_EVENTS.map((name) => [name, (ids: Ids) =>
      each(ids.buckets, (b) => ({ bucketName: b, Host: `${b}.s3.${REGION}.amazonaws.com`, ...(name === 'PutBucketPolicy' ? { bucketPolicy: { Statement: [] } } : {}) }))])),
  },
  // KMS: `keyId` as the caller gave it (an id, ARN or alias); the record's resources name the key by ARN.
  KeyTampering: {
    source: 'aws.kms',
    eventSource: 'kms.amazonaws.com',
    listed: KMS_TAMPER_EVENTS,
    calls: Object.fromEntries(KMS_TAMPER_EVENTS.map((name) => [name, (ids: Ids) => ids.keyArns.map((arn) => ({
      requestParameters: { keyId: arn.split('/').pop(), ...(name === 'PutKeyPolicy' ? { policyName: 'default', policy: '{}' } : {}), ...(name === 'ScheduleKeyDeletion' ? { pendingWindowInDays: 7 } : {}) },
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: arn }],
    }))])),
  },
  // CloudTrail: StopLogging, DeleteTrail, UpdateTrail record `name`; the selector APIs record `trailName`.
  TrailTampering: {
    source: 'aws.cloudtrail',
    eventSource: 'cloudtrail.amazonaws.com',
    listed: TRAIL_TAMPER_EVENTS,
    calls: {
      StopLogging: (ids) => each(ids.trailIds, (name) => ({ name })),
      DeleteTrail: (ids) => each(ids.trailIds, (name) => ({ name })),
      UpdateTrail: (ids) => each(ids.trailIds, (name) => ({ name, isMultiRegionTrail: false })),
      PutEventSelectors: (ids) => each(ids.trailIds, (trailName) => ({ trailName, advancedEventSelectors: [{ name: 'nothing', fieldSelectors: [] }] })),
      PutInsightSelectors: (ids) => each(ids.trailIds, (trailName) => ({ trailName, insightSelectors: [] })),
    },
  },
  // Glue jobs: `jobName`.
  JobTampering: {
    source: 'aws.glue',
    eventSource: 'glue.amazonaws.com',
    listed: GLUE_JOB_TAMPER_EVENTS,
    calls: {
      UpdateJob: (ids) => each([ids.jobName], (jobName) => ({ jobName, jobUpdate: { command: { scriptLocation: 's3://elsewhere/evil.py' } } })),
      DeleteJob: (ids) => each([ids.jobName], (jobName) => ({ jobName })),
      ResetJobBookmark: (ids) => each([ids.jobName], (jobName) => ({ jobName })),
    },
  },
  // Glue triggers of any name whose actions start the job: `actions[].jobName`, `triggerUpdate.actions[].jobName`.
  JobTriggerTampering: {
    source: 'aws.glue',
    eventSource: 'glue.amazonaws.com',
    listed: GLUE_TRIGGER_TAMPER_EVENTS,
    calls: {
      CreateTrigger: (ids) => [
        ...each([ids.jobName], (jobName) => ({
          name: 'nightly',
          type: 'SCHEDULED',
          schedule: 'cron(0 2 * * ? *)',
          startOnCreation: true,
          actions: [{ jobName, arguments: { '--TempDir': 's3://elsewhere/tmp/' }, timeout: 2880, securityConfiguration: 'no-encryption' }],
        })),
        // The job as the second action of a trigger.
        ...each([ids.jobName], (jobName) => ({ name: 'chained', type: 'ON_DEMAND', actions: [{ crawlerName: 'a-crawler' }, { jobName }] })),
      ],
      UpdateTrigger: (ids) => each([ids.jobName], (jobName) => ({
        name: 'an-existing-trigger', triggerUpdate: { name: 'an-existing-trigger', actions: [{ jobName, arguments: { '--TempDir': 's3://elsewhere/tmp/' } }] },
      })),
    },
  },
  // Glue catalog tables: `databaseName` with `tableInput.name` (UpdateTable), `name` (DeleteTable),
  // `tablesToDelete` (BatchDeleteTable); Glue folds names to lower case, callers may not.
  CatalogTableTampering: {
    source: 'aws.glue',
    eventSource: 'glue.amazonaws.com',
    listed: GLUE_TABLE_TAMPER_EVENTS,
    calls: {
      UpdateTable: (ids) => [ids.tableName, ids.tableName.toUpperCase()].map((name) => ({
        requestParameters: { catalogId: ACCOUNT, databaseName: ids.databaseName, tableInput: { name, storageDescriptor: { location: 's3://elsewhere/table/' } } },
      })),
      DeleteTable: (ids) => [
        { requestParameters: { catalogId: ACCOUNT, databaseName: ids.databaseName, name: ids.tableName } },
        { requestParameters: { catalogId: ACCOUNT, databaseName: ids.databaseName.toUpperCase(), name: ids.tableName } },
      ],
      BatchDeleteTable: (ids) => [{ requestParameters: { catalogId: ACCOUNT, databaseName: ids.databaseName, tablesToDelete: ['unrelated', ids.tableName] } }],
    },
  },
  // Glue security configurations, workflows and triggers: `name`.
  GlueConfigurationTampering: {
    source: 'aws.glue',
    eventSource: 'glue.amazonaws.com',
    listed: GLUE_CONFIG_TAMPER_EVENTS,
    calls: Object.fromEntries(GLUE_CONFIG_TAMPER_EVENTS.map((name) => [name, (ids: Ids) => each(ids.glueNames, (n) => ({ name: n }))])),
  },
  // Secrets Manager: `secretId`, a name or an ARN.
  SecretTampering: {
    source: 'aws.secretsmanager',
    eventSource: 'secretsmanager.amazonaws.com',
    listed: SECRET_TAMPER_EVENTS,
    calls: Object.fromEntries(SECRET_TAMPER_EVENTS.map((name) => [name, (ids: Ids) => each(ids.secretIds, (secretId) => ({ secretId }))])),
  },
  // IAM role APIs: `roleName` (a name, never an ARN).
  RoleTampering: {
    source: 'aws.iam',
    eventSource: 'iam.amazonaws.com',
    listed: IAM_ROLE_TAMPER_EVENTS,
    calls: {
      AttachRolePolicy: (ids) => each(ids.roleNames, (roleName) => ({ roleName, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })),
      DetachRolePolicy: (ids) => each(ids.roleNames, (roleName) => ({ roleName, policyArn: `arn:aws:iam::${ACCOUNT}:policy/any` })),
      PutRolePolicy: (ids) => each(ids.roleNames, (roleName) => ({ roleName, policyName: 'inline', policyDocument: '{}' })),
      DeleteRolePolicy: (ids) => each(ids.roleNames, (roleName) => ({ roleName, policyName: 'inline' })),
      UpdateAssumeRolePolicy: (ids) => each(ids.roleNames, (roleName) => ({ roleName, policyDocument: '{}' })),
      PutRolePermissionsBoundary: (ids) => each(ids.roleNames, (roleName) => ({ roleName, permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/any` })),
      DeleteRolePermissionsBoundary: (ids) => each(ids.roleNames, (roleName) => ({ roleName })),
    },
  },
  // IAM policy-version APIs: `policyArn` (the role is not named).
  RolePolicyTampering: {
    source: 'aws.iam',
    eventSource: 'iam.amazonaws.com',
    listed: IAM_POLICY_TAMPER_EVENTS,
    calls: {
      CreatePolicyVersion: (ids) => each(ids.policyArns, (policyArn) => ({ policyArn, policyDocument: '{}', setAsDefault: true })),
      SetDefaultPolicyVersion: (ids) => each(ids.policyArns, (policyArn) => ({ policyArn, versionId: 'v1' })),
      DeletePolicyVersion: (ids) => each(ids.policyArns, (policyArn) => ({ policyArn, versionId: 'v2' })),
    },
  },
  // EventBridge: DisableRule, DeleteRule and PutRule record `name`; the target APIs record `rule`.
  ...Object.fromEntries(['RuleTamperingA', 'RuleTamperingB'].map((id) => [id, {
    source: 'aws.events',
    eventSource: 'events.amazonaws.com',
    listed: EVENTS_TAMPER_EVENTS,
    calls: {
      DisableRule: (ids: Ids) => each(ids.ruleNames, (name) => ({ name })),
      DeleteRule: (ids: Ids) => each(ids.ruleNames, (name) => ({ name, force: true })),
      PutRule: (ids: Ids) => each(ids.ruleNames, (name) => ({ name, eventPattern: '{"source":["nothing"]}', state: 'ENABLED' })),
      RemoveTargets: (ids: Ids) => each(ids.ruleNames, (rule) => ({ rule, ids: ['Target0'], force: false })),
      PutTargets: (ids: Ids) => each(ids.ruleNames, (rule) => ({ rule, targets: [{ id: 'Target0', arn: 'arn:aws:sns:us-east-1:222222222222:elsewhere' }] })),
    },
  } as RuleTable])),
  // SNS: `topicArn`; Unsubscribe and SetSubscriptionAttributes record `subscriptionArn`.
  TopicTampering: {
    source: 'aws.sns',
    eventSource: 'sns.amazonaws.com',
    listed: SNS_TAMPER_EVENTS,
    calls: {
      DeleteTopic: (ids) => each([ids.topicArn], (topicArn) => ({ topicArn })),
      SetTopicAttributes: (ids) => each([ids.topicArn], (topicArn) => ({ topicArn, attributeName: 'Policy', attributeValue: '{}' })),
      AddPermission: (ids) => each([ids.topicArn], (topicArn) => ({ topicArn, label: 'open', aWSAccountId: [OTHER_ACCOUNT], actionName: ['Subscribe'] })),
      RemovePermission: (ids) => each([ids.topicArn], (topicArn) => ({ topicArn, label: 'open' })),
      Subscribe: (ids) => each([ids.topicArn], (topicArn) => ({ topicArn, protocol: 'email', endpoint: 'someone@example.com', returnSubscriptionArn: false })),
      PutDataProtectionPolicy: (ids) => each([ids.topicArn], (resourceArn) => ({ resourceArn, dataProtectionPolicy: '{"Name":"deny-all","Statement":[]}' })),
      Unsubscribe: (ids) => each([ids.topicArn], (topicArn) => ({ subscriptionArn: `${topicArn}:0b1e7a53-7c6d-4f8a-9d2e-2f4c1a8b9e01` })),
      SetSubscriptionAttributes: (ids) => each([ids.topicArn], (topicArn) => ({
        subscriptionArn: `${topicArn}:0b1e7a53-7c6d-4f8a-9d2e-2f4c1a8b9e01`, attributeName: 'FilterPolicy', attributeValue: '{"never":["x"]}',
      })),
    },
  },
  // CloudWatch Logs: `logGroupName`.
  LogGroupTampering: {
    source: 'aws.logs',
    eventSource: 'logs.amazonaws.com',
    listed: LOGS_TAMPER_EVENTS,
    calls: {
      DeleteLogGroup: (ids) => each(ids.logGroupNames, (logGroupName) => ({ logGroupName })),
      DeleteLogStream: (ids) => each(ids.logGroupNames, (logGroupName) => ({ logGroupName, logStreamName: 'jr_0123456789abcdef' })),
      PutSubscriptionFilter: (ids) => each(ids.logGroupNames, (logGroupName) => ({
        logGroupName, filterName: 'elsewhere', filterPattern: '', destinationArn: `arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:destination:collector`,
      })),
      PutRetentionPolicy: (ids) => each(ids.logGroupNames, (logGroupName) => ({ logGroupName, retentionInDays: 1 })),
      DeleteRetentionPolicy: (ids) => each(ids.logGroupNames, (logGroupName) => ({ logGroupName })),
      AssociateKmsKey: (ids) => each(ids.logGroupNames, (logGroupName) => ({ logGroupName, kmsKeyId: `arn:aws:kms:${REGION}:${OTHER_ACCOUNT}:key/x` })),
      DisassociateKmsKey: (ids) => [
        ...each(ids.logGroupNames, (logGroupName) => ({ logGroupName })),
        // The newer form names the log group by ARN.
        ...each(ids.logGroupNames, (name) => ({ resourceIdentifier: logArn(name) })),
      ],
      DeleteSubscriptionFilter: (ids) => each(ids.logGroupNames, (logGroupName) => ({ logGroupName, filterName: 'to-siem' })),
    },
  },
  // CloudWatch Logs data protection: `logGroupIdentifier`, a name or an ARN.
  LogProtectionTampering: {
    source: 'aws.logs',
    eventSource: 'logs.amazonaws.com',
    listed: LOGS_DATA_PROTECTION_TAMPER_EVENTS,
    calls: {
      PutDataProtectionPolicy: (ids) => [
        ...each(ids.logGroupNames, (logGroupIdentifier) => ({ logGroupIdentifier, policyDocument: '{}' })),
        ...each(ids.logGroupNames, (name) => ({ logGroupIdentifier: logArn(name), policyDocument: '{}' })),
      ],
      DeleteDataProtectionPolicy: (ids) => each(ids.logGroupNames, (logGroupIdentifier) => ({ logGroupIdentifier })),
    },
  },
  // CloudWatch: DeleteAlarms and DisableAlarmActions record `alarmNames` (a list); the others `alarmName`.
  AlarmTampering: {
    source: 'aws.cloudwatch',
    eventSource: 'monitoring.amazonaws.com',
    listed: ALARM_TAMPER_EVENTS,
    calls: {
      DisableAlarmActions: (ids) => [{ requestParameters: { alarmNames: ids.alarmNames } }, ...each(ids.alarmNames, (a) => ({ alarmNames: ['unrelated-alarm', a] }))],
      DeleteAlarms: (ids) => each(ids.alarmNames, (a) => ({ alarmNames: [a] })),
      PutMetricAlarm: (ids) => each(ids.alarmNames, (alarmName) => ({ alarmName, alarmActions: [], metricName: 'RunsSucceeded', threshold: 0 })),
      SetAlarmState: (ids) => each(ids.alarmNames, (alarmName) => ({ alarmName, stateValue: 'OK', stateReason: 'manual' })),
    },
  },
  // Lambda: `functionName` (a name, an ARN, a qualified or a partial ARN); eventName carries the API version.
  RotationFunctionTampering: {
    source: 'aws.lambda',
    eventSource: 'lambda.amazonaws.com',
    listed: LAMBDA_TAMPER_EVENT_PREFIXES,
    calls: {
      UpdateFunctionCode20150331v2: (ids) => each(ids.functionIds, (functionName) => ({ functionName, s3Bucket: 'elsewhere', s3Key: 'evil.zip', publish: false })),
      UpdateFunctionConfiguration20150331v2: (ids) => each(ids.functionIds, (functionName) => ({ functionName, environment: {} })),
      AddPermission20150331v2: (ids) => each(ids.functionIds, (functionName) => ({ functionName, statementId: 'open', action: 'lambda:InvokeFunction', principal: '*' })),
      RemovePermission20150331v2: (ids) => each(ids.functionIds, (functionName) => ({ functionName, statementId: 'secretsmanager' })),
      DeleteFunction20150331: (ids) => each(ids.functionIds, (functionName) => ({ functionName })),
      PutFunctionConcurrency20171031: (ids) => each(ids.functionIds, (functionName) => ({ functionName, reservedConcurrentExecutions: 0 })),
      PutFunctionEventInvokeConfig20190925: (ids) => each(ids.functionIds, (functionName) => ({
        functionName, destinationConfig: { onSuccess: { destination: `arn:aws:sqs:${REGION}:${OTHER_ACCOUNT}:collector` } },
      })),
      UpdateFunctionEventInvokeConfig20190925: (ids) => each(ids.functionIds, (functionName) => ({ functionName, maximumRetryAttempts: 0 })),
      PutRuntimeManagementConfig20221231: (ids) => each(ids.functionIds, (functionName) => ({
        functionName, updateRuntimeOn: 'Manual', runtimeVersionArn: `arn:aws:lambda:${REGION}::runtime:0000`,
      })),
    },
  },
  // SQS: `queueUrl`.
  DeadLetterQueueTampering: {
    source: 'aws.sqs',
    eventSource: 'sqs.amazonaws.com',
    listed: QUEUE_TAMPER_EVENTS,
    calls: {
      SetQueueAttributes: (ids) => each([ids.queueUrl], (queueUrl) => ({ queueUrl, attributes: { Policy: '{}' } })),
      DeleteQueue: (ids) => each([ids.queueUrl], (queueUrl) => ({ queueUrl })),
      PurgeQueue: (ids) => each([ids.queueUrl], (queueUrl) => ({ queueUrl })),
    },
  },
};

/** An EventBridge event of a CloudTrail management record, as the default bus delivers it. */
function cloudTrailEvent(source: string, eventSource: string, eventName: string, record: { requestParameters: any; resources?: any[] }): any {
  return {
    'version': '0',
    'id': '6f1e4b1c-0000-4000-8000-000000000000',
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    'account': ACCOUNT,
    'time': '2026-01-01T00:00:00Z',
    'region': REGION,
    'resources': [],
    'detail': {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', principalId: 'AROAEXAMPLE:someone', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Someone/someone`, accountId: ACCOUNT },
      eventTime: '2026-01-01T00:00:00Z',
      eventSource,
      eventName,
      awsRegion: REGION,
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2',
      requestParameters: record.requestParameters,
      responseElements: null,
      requestID: 'req-1',
      eventID: 'evt-1',
      readOnly: false,
      ...(record.resources ? { resources: record.resources } : {}),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

/** Every case of the file, matched in one JVM; each test reads its answers. */
interface Labelled extends MatchCase { readonly label: string; readonly expected: boolean }
const cases: Labelled[] = [];
const add = (label: string, pattern: any, event: any, expected: boolean) => {
  cases.push({ label, pattern, event, expected });
  return cases.length - 1;
};

for (const [ruleId, table] of Object.entries(TABLE)) {
  const pattern = patternOf(ruleId);
  for (const [eventName, call] of Object.entries(table.calls)) {
    call(own).forEach((record, i) =>
      add(`${ruleId}: ${eventName} on the pipeline's own resource #${i} ${JSON.stringify(record.requestParameters).slice(0, 160)}`,
        pattern, cloudTrailEvent(table.source, table.eventSource, eventName, record), true));
    call(other).forEach((record, i) =>
      add(`${ruleId}: ${eventName} on another resource #${i} ${JSON.stringify(record.requestParameters).slice(0, 160)}`,
        pattern, cloudTrailEvent(table.source, table.eventSource, eventName, record), false));
  }
  // The same call through another service's event source never matches.
  const [firstName, firstCall] = Object.entries(table.calls)[0];
  add(`${ruleId}: ${firstName} from another event source`, pattern,
    cloudTrailEvent(table.source, 'example.amazonaws.com', firstName, firstCall(own)[0]), false);
}

// Runs: every StartJobRun of the job made by a principal is reported, whatever its fields; runs of another job are not.
const runStarted = patternOf('JobRunStartedByPrincipal');
const startJobRun = (requestParameters: any) => cloudTrailEvent('aws.glue', 'glue.amazonaws.com', 'StartJobRun', { requestParameters });
const runCases: Array<[string, any, boolean]> = [
  ['arguments replacing a code-bearing parameter', { jobName: own.jobName, arguments: { '--extra-py-files': 's3://elsewhere/evil.zip' } }, true],
  ['arguments replacing the script location', { jobName: own.jobName, arguments: { '--scriptLocation': 's3://elsewhere/evil.py' } }, true],
  ['arguments replacing a managed argument', { jobName: own.jobName, arguments: { '--table-uri': 's3://elsewhere/tables/x' } }, true],
  ['only an argument the job does not lock (--TempDir)', { jobName: own.jobName, arguments: { '--TempDir': 's3://elsewhere/tmp/' } }, true],
  ['only an argument of its own', { jobName: own.jobName, arguments: { '--my-own-flag': 'x' } }, true],
  ['arguments recorded redacted', { jobName: own.jobName, arguments: 'HIDDEN_DUE_TO_SECURITY_REASONS' }, true],
  ...GLUE_CODE_BEARING_ARGUMENTS.map((k): [string, any, boolean] => [`arguments setting ${k}`, { jobName: own.jobName, arguments: { [k]: 's3://x/y' } }, true]),
  ...GLUE_RUN_OVERRIDE_FIELDS.filter((f) => f !== 'arguments').map((f): [string, any, boolean] =>
    [`its own ${f}`, { jobName: own.jobName, [f]: f === 'workerType' || f === 'executionClass' ? 'X' : 1 }, true]),
  ['no override', { jobName: own.jobName }, true],
  ['overrides, on another job', { jobName: other.jobName, numberOfWorkers: 299, arguments: { '--extra-py-files': 's3://x/y.zip' } }, false],
  ['no override, on another job', { jobName: other.jobName }, false],
];
const runIndexes = runCases.map(([label, params, expected]) => [label, add(`StartJobRun with ${label}`, runStarted, startJobRun(params), expected), expected] as const);

// The catalog table: another table of the pipeline's database, or a table of the same name in another database.
const catalogEvent = (requestParameters: any) => cloudTrailEvent('aws.glue', 'glue.amazonaws.com', 'UpdateTable', { requestParameters });
const catalogNeighbours = [
  // The pipeline is a one-table lake: every table of its database is the lake's, and watched.
  add('CatalogTableTampering (neighbour): UpdateTable of another table of the pipeline\'s database', patternOf('CatalogTableTampering'),
    catalogEvent({ databaseName: own.databaseName, tableInput: { name: `${own.tableName}_copy` } }), true),
  add('CatalogTableTampering (neighbour): UpdateTable of a table of the same name in another database', patternOf('CatalogTableTampering'),
    catalogEvent({ databaseName: `${own.databaseName}_copy`, tableInput: { name: own.tableName } }), false),
];

// Runs that did not succeed.
const failed = (jobName: string, state: string) => ({
  'version': '0',
  'id': 'x',
  'detail-type': 'Glue Job State Change',
  'source': 'aws.glue',
  'account': ACCOUNT,
  'time': '2026-01-01T00:00:00Z',
  'region': REGION,
  'resources': [],
  'detail': { jobName, severity: 'ERROR', state, jobRunId: 'jr_1', message: 'failed' },
});
const failedIndexes = {
  own: ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR'].map((s) => add(`own job ${s}`, patternOf('JobRunFailed'), failed(own.jobName, s), true)),
  succeeded: add('own job SUCCEEDED', patternOf('JobRunFailed'), failed(own.jobName, 'SUCCEEDED'), false),
  other: add('another job FAILED', patternOf('JobRunFailed'), failed(other.jobName, 'FAILED'), false),
};

let answers: boolean[] = [];
beforeAll(() => {
  answers = matchAll(cases);
});

/** The cases of a label prefix whose answer is not the expected one. */
const wrong = (prefix: string) => cases.map((c, i) => ({ c, i })).filter(({ c, i }) => c.label.startsWith(prefix) && answers[i] !== c.expected)
  .map(({ c, i }) => `${c.label}: expected ${c.expected ? 'a match' : 'no match'}, got ${answers[i] ? 'a match' : 'no match'}`);

describe('SDL-CMP-03: tamper rules, matched by Event Ruler', () => {
  test('the table covers every event name of every tamper rule, and every rule of the alerts', () => {
    for (const [ruleId, table] of Object.entries(TABLE)) {
      const names: any[] = patternOf(ruleId).detail.eventName;
      const byPrefix = names.some((n) => typeof n !== 'string');
      const listed = names.map((n) => (typeof n === 'string' ? n : n.prefix));
      expect(listed.sort()).toEqual([...table.listed].sort());
      const covers = (name: string, l: string) => (byPrefix ? name.startsWith(l) : name === l);
      const calls = Object.keys(table.calls);
      expect({ ruleId, uncovered: listed.filter((l) => !calls.some((name) => covers(name, l))) }).toEqual({ ruleId, uncovered: [] });
      expect({ ruleId, unlisted: calls.filter((name) => !listed.some((l) => covers(name, l))) }).toEqual({ ruleId, unlisted: [] });
    }
    const covered = new Set([...Object.keys(TABLE), 'JobRunStartedByPrincipal', 'JobRunFailed']);
    const ruleIds = alerts.rules.map((r) => t.resources[logicalId(r)].Properties.Name.slice(namePrefix.length + 1));
    expect(ruleIds.sort()).toEqual([...covered].sort());
  });

  test.each(Object.keys(TABLE))('%s: every call on the pipeline\'s resources matches, and none on other resources', (ruleId) => {
    expect(cases.filter((c) => c.label.startsWith(`${ruleId}: `)).length).toBeGreaterThan(0);
    expect(wrong(`${ruleId}: `)).toEqual([]);
  });

  test('the trail rule matches selector changes recorded with trailName, by name and by ARN', () => {
    const i = cases.findIndex((c) => c.label.startsWith('TrailTampering: PutEventSelectors on the pipeline\'s own resource #1'));
    expect(cases[i].event.detail.requestParameters).toEqual({ trailName: own.trailIds[1], advancedEventSelectors: expect.any(Array) });
    expect(answers[i]).toBe(true);
  });

  test('policy versions are matched for every customer-managed policy of the job role and the rotation role', () => {
    expect(own.policyArns.length).toBeGreaterThanOrEqual(2);
    expect(own.policyArns).toContain(t.ref(logicalId(pipeline.job.node.findChild('Policy'))));
    expect(wrong('RolePolicyTampering: ')).toEqual([]);
  });

  test.each(runIndexes.map(([label, idx, expected]) => [label, expected, idx]))('StartJobRun with %s: reported %s', (_label, expected, idx) => {
    expect(answers[idx as number]).toBe(expected);
  });

  test('a run that the workflow\'s trigger starts (the Glue service, with the workflow\'s arguments) is not reported; the same call by a principal is', () => {
    const params = { jobName: own.jobName, arguments: 'HIDDEN_DUE_TO_SECURITY_REASONS' };
    const byGlue = startJobRun(params);
    byGlue.detail.sourceIPAddress = 'glue.amazonaws.com';
    byGlue.detail.userIdentity = { ...byGlue.detail.userIdentity, invokedBy: 'glue.amazonaws.com' };
    expect(matchAll([{ pattern: runStarted, event: byGlue }, { pattern: runStarted, event: startJobRun(params) }])).toEqual([false, true]);
  });

  test('the rule that starts the workflow on new objects is named under the alerts\' prefix, so the watchers report it disabled or retargeted', () => {
    expect(ref(objectCreatedRule)).toBe(`${pipeline.table.jobName}-ObjectCreated`);
    expect(ref(objectCreatedRule).startsWith(`${namePrefix}-`)).toBe(true);
    const disable = (name: string) => cloudTrailEvent('aws.events', 'events.amazonaws.com', 'DisableRule', { requestParameters: { name } });
    const retarget = (rule: string) => cloudTrailEvent('aws.events', 'events.amazonaws.com', 'PutTargets', {
      requestParameters: { rule, targets: [{ id: 'Forward', arn: `arn:aws:events:${REGION}:${OTHER_ACCOUNT}:event-bus/default` }] },
    });
    const watchers = ['RuleTamperingA', 'RuleTamperingB'].map(patternOf);
    expect(matchAll(watchers.flatMap((pattern) => [disable, retarget].map((f) => ({ pattern, event: f(own.ruleNames[own.ruleNames.length - 1]) })))))
      .toEqual([true, true, true, true]);
  });

  test('a trigger is reported when it names the job, not when it names another job only', () => {
    expect(wrong('JobTriggerTampering: ')).toEqual([]);
    const i = cases.findIndex((c) => c.label.startsWith('JobTriggerTampering: CreateTrigger on the pipeline\'s own resource #1'));
    expect(cases[i].event.detail.requestParameters.actions[1]).toEqual({ jobName: own.jobName });
    expect(answers[i]).toBe(true);
  });

  test('every table of the pipeline\'s (its lake\'s) database is watched in the catalog, in any case, and no table of another database', () => {
    expect(catalogNeighbours.map((i) => answers[i])).toEqual([true, false]);
    expect(wrong('CatalogTableTampering')).toEqual([]);
  });

  test('failed, timed-out, stopped and errored runs of the job are alerts; successes and other jobs are not', () => {
    expect(failedIndexes.own.map((i) => answers[i])).toEqual([true, true, true, true]);
    expect(answers[failedIndexes.succeeded]).toBe(false);
    expect(answers[failedIndexes.other]).toBe(false);
  });

  test('each resolved pattern fits EventBridge\'s default 2,048 characters, with room for generated physical names', () => {
    const lengths = ofType('AWS::Events::Rule').map((r) => ({ rule: r.props.Name, length: JSON.stringify(r.props.EventPattern).length }));
    expect(lengths.length).toBeGreaterThan(15);
    expect(lengths.filter((l) => l.length > 2048 - 300)).toEqual([]);
  });
});

describe('SDL-CMP-03: alarms reach the topic', () => {
  const alarmArns = ofType('AWS::CloudWatch::Alarm')
    .filter((a) => (a.props.AlarmActions ?? []).includes(ownTopicArn))
    .map((a) => t.getAtt(a.id, 'Arn'));

  test('every alarm of the pipeline publishes to the alert topic, whose policy admits it', async () => {
    expect(alarmArns).toHaveLength(3);
    for (const arn of alarmArns) {
      expect(arn.startsWith(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${namePrefix}-`)).toBe(true);
      expect(await world.decide({
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: ownTopicArn,
        context: { 'aws:SourceArn': arn, 'aws:SourceAccount': ACCOUNT },
      })).toBe('Allowed');
    }
  });

  test('the topic\'s key lets CloudWatch encrypt for this topic only', async () => {
    const ctx = (topicArn: string) => ({ 'kms:EncryptionContext:aws:sns:topicArn': topicArn });
    const auditKey = world.keyArn(pipeline.auditKey);
    expect(await world.decide({ principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: auditKey, context: ctx(ownTopicArn) })).toBe('Allowed');
    expect(await world.decide({ principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: auditKey, context: ctx(other.topicArn) })).not.toBe('Allowed');
  });

  test('alarms of another account, or outside the pipeline\'s names, cannot publish', async () => {
    const publish = (sourceArn: string, sourceAccount: string) => world.decide({
      principal: 'cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: ownTopicArn,
      context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
    });
    expect(await publish(alarmArns[0].replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`), OTHER_ACCOUNT)).not.toBe('Allowed');
    expect(await publish(alarmArns[0], OTHER_ACCOUNT)).not.toBe('Allowed');
    expect(await publish(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:another-alarm`, ACCOUNT)).not.toBe('Allowed');
    expect(await publish(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:x-${namePrefix}-NoSuccessfulRun`, ACCOUNT)).not.toBe('Allowed');
  });
});

describe('IAM events reach EventBridge in us-east-1 only', () => {
  const warningId = 'cdk-secure-delta-lake:iamEventsOnlyInUsEast1';
  const warningsOf = (s: Stack) => Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('IAM API events'));

  test('in us-east-1 the pipeline alerts on its roles and policies, without a warning', () => {
    expect(warningsOf(stack)).toEqual([]);
    // The lake's own roles by name, every table's job role by the lake's prefix.
    expect(patternOf('RoleTampering').detail.requestParameters.roleName).toEqual(expect.arrayContaining([eventsRoleName, rotationRoleName, { prefix: `${namePrefix}-` }]));
    expect(jobRoleName.startsWith(`${namePrefix}-`)).toBe(true);
  });

  test('in another region it says so, and what to do', () => {
    const { example: elsewhere } = synthesizeExample({ account: ACCOUNT, region: 'eu-west-1' });
    const warnings = warningsOf(elsewhere.pipelineStack);
    expect(warnings).toHaveLength(1);
    const text = JSON.stringify(warnings[0].entry.data);
    expect(text).toContain(warningId);
    expect(text).toContain('this stack is in eu-west-1');
    expect(text).toContain('deploy the lake in us-east-1, or create in us-east-1 an EventBridge rule');
    const names = elsewhere.pipelineStack.node.findAll().filter((c) => c instanceof CfnResource && (c as CfnResource).cfnResourceType === 'AWS::Events::Rule')
      .map((c) => elsewhere.pipelineStack.resolve((c as any).eventPattern)?.detail?.eventSource?.[0]);
    expect(names).not.toContain('iam.amazonaws.com');
  });

  test('in an environment-agnostic stack it says the region is unknown at synthesis, and keeps the rules', () => {
    const { example: agnostic } = synthesizeExample({});
    const warnings = warningsOf(agnostic.pipelineStack);
    expect(warnings).toHaveLength(1);
    const text = JSON.stringify(warnings[0].entry.data);
    expect(text).toContain('region is unknown at synthesis');
    expect(text).not.toContain('this stack is in');
    const sources = agnostic.pipelineStack.node.findAll().filter((c) => c instanceof CfnResource && (c as CfnResource).cfnResourceType === 'AWS::Events::Rule')
      .map((c) => agnostic.pipelineStack.resolve((c as any).eventPattern)?.detail?.eventSource?.[0]);
    expect(sources.filter((s) => s === 'iam.amazonaws.com')).toHaveLength(2);
  });
});
