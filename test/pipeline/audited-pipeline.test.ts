/**
 * AuditedPipeline: what it synthesizes, what its policies allow (decided by the evaluator), what the
 * compliance packs say, and the compositions it refuses.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AuditedPipeline, ColumnType, LakeZone, PipelineTrigger, SecureDeltaLakeBucket, TableSchema } from '../../src';
import { acknowledgmentsIn, expectCompliant, testStack } from '../compliance/harness';
import { PolicyWorld } from '../kit/policy-kit';
import { problemAt, synthError } from '../kit/synth-error';

const schema = TableSchema.of([
  { name: 'customer_id', type: ColumnType.LONG, nullable: false },
  { name: 'email', type: ColumnType.STRING, pii: true },
  { name: 'country', type: ColumnType.STRING, constraints: { allowedValues: ['SE', 'NO', 'FI'] } },
]);
const plain = TableSchema.of([{ name: 'order_id', type: ColumnType.LONG }]);

// The default pipeline, with an analyst and an engineer; synthesized once for the file.
const stack = testStack('Pipeline');
const pipeline = new AuditedPipeline(stack, 'Customers', { tableName: 'customers', schema, alertEmails: ['data-platform@example.com'] });
const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
const engineer = new iam.Role(stack, 'Engineer', { assumedBy: new iam.AccountRootPrincipal() });
pipeline.grantReadCurated(analyst);
pipeline.grantOperate(engineer);
const template = Template.fromStack(stack);
const world = PolicyWorld.of(stack);
const t = world.template(stack);
const logicalId = (c: any) => stack.getLogicalId(c.node.defaultChild ?? c);
const curatedArn = world.bucketArn(pipeline.curatedBucket.bucket);
const rawArn = world.bucketArn(pipeline.rawBucket.bucket);
const resultsArn = world.bucketArn(pipeline.queryResultsBucket.bucket);
const auditKeyArn = world.keyArn(pipeline.auditKey);
const trailName = (Object.values(template.findResources('AWS::CloudTrail::Trail'))[0] as any).Properties.TrailName;
const trailArn = `arn:aws:cloudtrail:eu-west-1:111111111111:trail/${trailName}`;
const topicArn = t.ref(logicalId(pipeline.alertTopic));

describe('AuditedPipeline with default configuration', () => {
  test('SDL-LOG-02: a trail records the object-level events of the raw, curated and results buckets, and of no log bucket', () => {
    const trail = Object.values(template.findResources('AWS::CloudTrail::Trail'))[0] as any;
    const selectors = trail.Properties.AdvancedEventSelectors;
    expect(selectors).toHaveLength(1);
    const fields = Object.fromEntries(selectors[0].FieldSelectors.map((f: any) => [f.Field, f]));
    expect(fields.eventCategory.Equals).toEqual(['Data']);
    expect(fields['resources.type'].Equals).toEqual(['AWS::S3::Object']);
    const audited = t.resolve(fields['resources.ARN'].StartsWith);
    expect(audited).toEqual([`${rawArn}/`, `${curatedArn}/`, `${resultsArn}/`]);
    const logBuckets = [pipeline.rawBucket, pipeline.curatedBucket, pipeline.queryResultsBucket].map((b) => world.bucketArn(b.accessLogBucket!));
    logBuckets.push(world.bucketArn(pipeline.trailBucket));
    for (const b of logBuckets) expect(audited).not.toContain(`${b}/`);
    expect(trail.Properties.EventSelectors).toBeUndefined();
  });

  test('SDL-LOG-02: the trail is encrypted with the audit key, validates its log files and delivers to an encrypted log group', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      KMSKeyId: { 'Fn::GetAtt': [logicalId(pipeline.auditKey), 'Arn'] },
      EnableLogFileValidation: true,
      IsLogging: true,
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: false,
      S3BucketName: { Ref: logicalId(pipeline.trailBucket) },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [logicalId(pipeline.trailLogGroup), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/cdk-secure-delta-lake/trail/${trailName}`,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(pipeline.auditKey), 'Arn'] },
      RetentionInDays: 365,
    });
  });

  test('SDL-LOG-02: the audit key lets CloudTrail encrypt for this trail only, and CloudWatch Logs for the trail log group only', async () => {
    const ctx = (sourceArn: string) => ({ 'aws:SourceArn': sourceArn, 'kms:EncryptionContext:aws:cloudtrail:arn': sourceArn });
    const ask = (principal: string, action: string, context: { [k: string]: string }) =>
      world.decide({ principal, action, resource: auditKeyArn, context });
    expect(await ask('cloudtrail.amazonaws.com', 'kms:GenerateDataKey', ctx(trailArn))).toBe('Allowed');
    expect(await ask('cloudtrail.amazonaws.com', 'kms:GenerateDataKey', ctx('arn:aws:cloudtrail:eu-west-1:111111111111:trail/other'))).not.toBe('Allowed');
    const logGroupArn = `arn:aws:logs:eu-west-1:111111111111:log-group:/cdk-secure-delta-lake/trail/${trailName}`;
    expect(await ask('logs.eu-west-1.amazonaws.com', 'kms:GenerateDataKey', { 'kms:EncryptionContext:aws:logs:arn': logGroupArn })).toBe('Allowed');
    expect(await ask('logs.eu-west-1.amazonaws.com', 'kms:GenerateDataKey', { 'kms:EncryptionContext:aws:logs:arn': `${logGroupArn}-other` })).not.toBe('Allowed');
  });

  test('SDL-LOG-02: the trail bucket admits CloudTrail and is itself access-logged, versioned, KMS-encrypted and TLS-only', async () => {
    const bucketArn = world.bucketArn(pipeline.trailBucket);
    expect(await world.decide({
      principal: 'cloudtrail.amazonaws.com',
      action: 's3:PutObject',
      resource: `${bucketArn}/AWSLogs/111111111111/CloudTrail/x.json.gz`,
      context: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn },
    })).toBe('Allowed');
    expect(await world.decide({
      principal: 'cloudtrail.amazonaws.com',
      action: 's3:PutObject',
      resource: `${bucketArn}/AWSLogs/111111111111/CloudTrail/x.json.gz`,
      context: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn, 'aws:SecureTransport': 'false' },
    })).toBe('ExplicitlyDenied');
    // Another trail (of this account or another) cannot deliver under this account's prefix.
    for (const other of ['arn:aws:cloudtrail:eu-west-1:111111111111:trail/other', 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/intruder']) {
      expect(await world.decide({
        principal: 'cloudtrail.amazonaws.com',
        action: 's3:PutObject',
        resource: `${bucketArn}/AWSLogs/111111111111/CloudTrail/x.json.gz`,
        context: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': other },
      })).toBe('ExplicitlyDenied');
    }
    // Governance-mode retention cannot be bypassed, not even by a role allowed everything.
    expect(await world.decide({
      principal: 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1',
      action: 's3:BypassGovernanceRetention',
      resource: `${bucketArn}/AWSLogs/111111111111/CloudTrail/x.json.gz`,
      identityPolicies: [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    })).toBe('ExplicitlyDenied');
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.absent(),
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(pipeline.queryResultsBucket.accessLogBucket) }, LogFilePrefix: `trail/${trailName}/` },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(pipeline.auditKey), 'Arn'] } } })] },
    });
  });

  test('the trail\'s CloudWatch Logs role is trusted by this trail only and writes log streams of its group only', async () => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudtrail.amazonaws.com' } })] } } });
    const [role] = Object.values(roles) as any[];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceArn': { 'Fn::Join': expect.anything() } } });
    const roleArn = world.roleArn((pipeline.node.findChild('Trail').node.findChild('LogsRole')) as iam.IRole);
    const group = `arn:aws:logs:eu-west-1:111111111111:log-group:/cdk-secure-delta-lake/trail/${trailName}`;
    expect(await world.decide({ principal: roleArn, action: 'logs:PutLogEvents', resource: `${group}:log-stream:111111111111_CloudTrail_eu-west-1` })).toBe('Allowed');
    expect(await world.decide({ principal: roleArn, action: 'logs:PutLogEvents', resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:other:log-stream:x' })).toBe('ImplicitlyDenied');
  });

  test('SDL-CMP-03: alerts go to a topic encrypted with the audit key, whose policy admits EventBridge and CloudWatch for this topic', async () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(pipeline.auditKey), 'Arn'] } });
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      expect(await world.decide({ principal: service, action: 'kms:GenerateDataKey', resource: auditKeyArn, context: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } })).toBe('Allowed');
      expect(await world.decide({ principal: service, action: 'kms:GenerateDataKey', resource: auditKeyArn, context: { 'kms:EncryptionContext:aws:sns:topicArn': `${topicArn}-other` } })).not.toBe('Allowed');
    }
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'data-platform@example.com', RedrivePolicy: Match.anyValue() });
  });

  test('SDL-CMP-03: the topic admits EventBridge rules of this account only, and refuses publishing without TLS', async () => {
    const own = { 'aws:SourceAccount': '111111111111' };
    expect(await world.decide({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: topicArn, context: own })).toBe('Allowed');
    expect(await world.decide({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: topicArn, context: { ...own, 'aws:SecureTransport': 'false' } })).toBe('ExplicitlyDenied');
    expect(await world.decide({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: topicArn, context: { 'aws:SourceAccount': '222222222222' } })).not.toBe('Allowed');
  });

  test('SDL-CMP-03: failed, timed-out, stopped and errored runs of the job are alerts', () => {
    // The lake's rule matches every table's job by the lake's name prefix, which the job's name carries.
    const jobName = template.toJSON().Resources[logicalId(pipeline.job.job)].Properties.Name;
    expect(jobName.startsWith(`${pipeline.lakeName}-`)).toBe(true);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.glue'], 'detail-type': ['Glue Job State Change'], 'detail': { jobName: [{ prefix: `${pipeline.lakeName}-` }], state: ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR'] } },
      Targets: [Match.objectLike({ Arn: { Ref: logicalId(pipeline.alertTopic) }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  test.each([
    ['s3.amazonaws.com', ['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketPublicAccessBlock', 'PutBucketLifecycleConfiguration', 'PutBucketVersioning', 'PutBucketEncryption', 'PutBucketReplication', 'PutBucketLogging', 'PutBucketOwnershipControls']],
    ['kms.amazonaws.com', ['PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion', 'DisableKeyRotation', 'CreateGrant']],
    ['cloudtrail.amazonaws.com', ['StopLogging', 'DeleteTrail', 'PutEventSelectors']],
    ['glue.amazonaws.com', ['UpdateJob']],
    ['glue.amazonaws.com', ['DeleteSecurityConfiguration']],
    ['secretsmanager.amazonaws.com', ['PutResourcePolicy', 'CancelRotateSecret']],
  ])('SDL-CMP-03: tampering through %s (%s) is an alert', (eventSource, names) => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    const matching = rules.filter((r) => r.Properties.EventPattern.detail?.eventSource?.[0] === eventSource
      && names.every((n) => r.Properties.EventPattern.detail.eventName.includes(n)));
    expect(matching).toHaveLength(1);
    expect(matching[0].Properties.Targets[0].Arn).toEqual({ Ref: logicalId(pipeline.alertTopic) });
  });

  test('SDL-CMP-03: tamper rules name the pipeline\'s own buckets, keys, trail, job and secret', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    const detail = (source: string) => rules.find((r) =>
      r.Properties.EventPattern.detail?.eventSource?.[0] === source
      && r.Properties.EventPattern.detail.eventName.length > 1)!.Properties.EventPattern.detail;
    const buckets = detail('s3.amazonaws.com').requestParameters.bucketName;
    for (const b of [pipeline.rawBucket.bucket, pipeline.curatedBucket.bucket, pipeline.queryResultsBucket.bucket, pipeline.trailBucket]) {
      expect(buckets).toContainEqual({ Ref: logicalId(b) });
    }
    const keys = detail('kms.amazonaws.com').resources.ARN;
    const own = [pipeline.rawBucket.encryptionKey, pipeline.curatedBucket.encryptionKey, pipeline.job.key, pipeline.auditKey,
      pipeline.pseudonymKey!.encryptionKey!];
    for (const k of own) {
      expect(keys).toContainEqual({ 'Fn::GetAtt': [logicalId(k), 'Arn'] });
    }
    // StopLogging, DeleteTrail and UpdateTrail record `name`; the selector APIs record `trailName`.
    const trailRule = detail('cloudtrail.amazonaws.com');
    expect(trailRule.eventName).toEqual(expect.arrayContaining(['StopLogging', 'PutEventSelectors', 'PutInsightSelectors']));
    expect(t.resolve(trailRule.$or)).toEqual([
      { requestParameters: { name: [trailName, trailArn] } },
      { requestParameters: { trailName: [trailName, trailArn] } },
    ]);
    expect(detail('secretsmanager.amazonaws.com').requestParameters.secretId).toContainEqual({ Ref: logicalId(pipeline.pseudonymKey) });
  });

  test('IAM events reach EventBridge in us-east-1 only: elsewhere the pipeline says so', () => {
    Annotations.fromStack(stack).hasWarning('/Pipeline/Customers/Alerts', Match.stringLikeRegexp('IAM API events reach EventBridge in us-east-1 only'));
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    expect(rules.some((r) => r.Properties.EventPattern.detail?.eventSource?.[0] === 'iam.amazonaws.com')).toBe(false);
  });

  test('SDL-CMP-03: no successful run within a day is an alarm, and missing data counts as no run', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RunsSucceeded',
      Namespace: 'CdkSecureDeltaLake',
      Dimensions: Match.arrayWith([{ Name: 'JobName', Value: { Ref: logicalId(pipeline.job.job) } }, { Name: 'Table', Value: 'customers' }]),
      Statistic: 'Sum',
      Period: 86400,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: logicalId(pipeline.alertTopic) }],
    });
  });

  test('SDL-CMP-03: a quarantine ratio above 1% in an hour is an alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(r > 0, q / r, 0)' })]),
      Threshold: 0.01,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalId(pipeline.alertTopic) }],
    });
  });

  test('undeliverable alerts wait in an encrypted dead-letter queue that raises its own alarm', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(pipeline.auditKey), 'Arn'] }, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
  });

  test('new CSV objects under the source prefix start the workflow, which runs the job once at a time', async () => {
    template.hasResourceProperties('AWS::Glue::Workflow', { MaxConcurrentRuns: 1 });
    template.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'EVENT',
      WorkflowName: { Ref: logicalId(pipeline.workflow) },
      EventBatchingCondition: { BatchSize: 100, BatchWindow: 900 },
      Actions: [{ JobName: { Ref: logicalId(pipeline.job.job) } }],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [{ Ref: logicalId(pipeline.rawBucket.bucket) }] }, object: { key: [{ prefix: 'landing/customers/' }] } },
      },
    });
    const role = world.roleArn(pipeline.node.findChild('EventsRole') as iam.IRole);
    const workflowArn = `arn:aws:glue:eu-west-1:111111111111:workflow/${t.ref(logicalId(pipeline.workflow))}`;
    expect(await world.decide({ principal: role, action: 'glue:NotifyEvent', resource: workflowArn })).toBe('Allowed');
    expect(await world.decide({ principal: role, action: 'glue:NotifyEvent', resource: 'arn:aws:glue:eu-west-1:111111111111:workflow/other' })).toBe('ImplicitlyDenied');
    expect(await world.decide({ principal: role, action: 'glue:StartJobRun', resource: `arn:aws:glue:eu-west-1:111111111111:job/${t.ref(logicalId(pipeline.job.job))}` })).toBe('ImplicitlyDenied');
  });

  test('the curated table is a Delta table in the catalog, located at the job\'s data table', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: pipeline.databaseName,
      TableInput: {
        Name: 'customers',
        TableType: 'EXTERNAL_TABLE',
        Parameters: { table_type: 'DELTA', EXTERNAL: 'TRUE' },
        StorageDescriptor: { Location: { 'Fn::Join': ['', ['s3://', { Ref: logicalId(pipeline.curatedBucket.bucket) }, '/tables/customers/data/']] } },
      },
    });
  });

  test('SDL-ACC-03: the Athena workgroup enforces encrypted results in the query-results bucket, with engine v3', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [logicalId(pipeline.queryResultsBucket.encryptionKey), 'Arn'] } },
          ExpectedBucketOwner: '111111111111',
        },
      },
    });
  });

  test('SDL-ACC-03: an analyst reads the curated table and queries it in the workgroup; not the quarantine, not the raw CSV', async () => {
    const a = world.roleArn(analyst);
    const get = (resource: string) => world.decide({ principal: a, action: 's3:GetObject', resource });
    expect(await get(`${curatedArn}/tables/customers/data/part-0.parquet`)).toBe('Allowed');
    expect(await get(`${curatedArn}/tables/customers/data/_delta_log/00000000000000000000.json`)).toBe('Allowed');
    expect(await get(`${curatedArn}/tables/customers/quarantine/part-0.parquet`)).not.toBe('Allowed');
    expect(await get(`${curatedArn}/tables/customers/_ingest_log/part-0.parquet`)).not.toBe('Allowed');
    expect(await get(`${rawArn}/landing/customers/a.csv`)).not.toBe('Allowed');
    const wg = `arn:aws:athena:eu-west-1:111111111111:workgroup/${pipeline.workGroupName}`;
    expect(await world.decide({ principal: a, action: 'athena:StartQueryExecution', resource: wg })).toBe('Allowed');
    expect(await world.decide({ principal: a, action: 'athena:StartQueryExecution', resource: 'arn:aws:athena:eu-west-1:111111111111:workgroup/primary' })).toBe('ImplicitlyDenied');
    expect(await world.decide({ principal: a, action: 'glue:GetTable', resource: `arn:aws:glue:eu-west-1:111111111111:table/${pipeline.databaseName}/customers` })).toBe('Allowed');
    expect(await world.decide({ principal: a, action: 'glue:GetTable', resource: `arn:aws:glue:eu-west-1:111111111111:table/${pipeline.databaseName}/other` })).toBe('ImplicitlyDenied');
    const result = `${resultsArn}/athena-results/${pipeline.workGroupName}/q.csv`;
    const resultsKey = world.keyArn(pipeline.queryResultsBucket.encryptionKey);
    expect(await world.decide({ principal: a, action: 's3:PutObject', resource: result, context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': resultsKey } })).toBe('Allowed');
    expect(await world.decide({ principal: a, action: 's3:GetObject', resource: result })).toBe('Allowed');
    expect(await world.decide({ principal: a, action: 's3:PutObject', resource: `${resultsArn}/athena-results/primary/q.csv` })).not.toBe('Allowed');
  });

  test('SDL-ACC-01: an engineer operates the workflow, follows the job, and reads no data', async () => {
    const e = world.roleArn(engineer);
    const workflowArn = `arn:aws:glue:eu-west-1:111111111111:workflow/${t.ref(logicalId(pipeline.workflow))}`;
    expect(await world.decide({ principal: e, action: 'glue:StartWorkflowRun', resource: workflowArn })).toBe('Allowed');
    // Operators start the workflow, not the job: a direct run could choose its own workers, timeout and security configuration.
    expect(await world.decide({ principal: e, action: 'glue:StartJobRun', resource: `arn:aws:glue:eu-west-1:111111111111:job/${t.ref(logicalId(pipeline.job.job))}` })).toBe('ImplicitlyDenied');
    expect(await world.decide({ principal: e, action: 'glue:GetJobRuns', resource: `arn:aws:glue:eu-west-1:111111111111:job/${t.ref(logicalId(pipeline.job.job))}` })).toBe('Allowed');
    expect(await world.decide({ principal: e, action: 'glue:UpdateJob', resource: `arn:aws:glue:eu-west-1:111111111111:job/${t.ref(logicalId(pipeline.job.job))}` })).toBe('ImplicitlyDenied');
    for (const object of [`${curatedArn}/tables/customers/data/part-0.parquet`, `${curatedArn}/tables/customers/quarantine/part-0.parquet`, `${rawArn}/landing/customers/a.csv`]) {
      expect(await world.decide({ principal: e, action: 's3:GetObject', resource: object })).not.toBe('Allowed');
    }
  });

  test('SDL-SEC-03: the created pseudonymization key is rotated every 90 days by the pipeline\'s own function, with its own KMS key', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: logicalId(pipeline.pseudonymKey) },
      RotationLambdaARN: Match.anyValue(),
      RotationRules: { ScheduleExpression: 'rate(90 days)' },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [logicalId(pipeline.pseudonymKey!.encryptionKey), 'Arn'] } });
    template.hasResourceProperties('AWS::Glue::Job', { NonOverridableArguments: Match.objectLike({ '--pseudonym-key': { Ref: logicalId(pipeline.pseudonymKey) } }) });
  });

  test('the rotation function may rotate this secret only, and its permissions are in a customer-managed policy', async () => {
    const role = world.roleArn(pipeline.node.findChild('PseudonymKey').node.findChild('RotationRole') as iam.IRole);
    const secretArn = t.ref(logicalId(pipeline.pseudonymKey));
    expect(await world.decide({ principal: role, action: 'secretsmanager:PutSecretValue', resource: secretArn })).toBe('Allowed');
    expect(await world.decide({ principal: role, action: 'secretsmanager:PutSecretValue', resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-AbCdEf' })).toBe('ImplicitlyDenied');
    expect(Object.keys(template.findResources('AWS::IAM::Policy'))).toEqual([]);
  });

  test('SDL-CMP-01: PII columns are pseudonymized with the rotated key, and analysts never see the quarantine\'s clear text', async () => {
    template.hasResourceProperties('AWS::Glue::Job', { NonOverridableArguments: Match.objectLike({ '--pseudonym-key': { Ref: logicalId(pipeline.pseudonymKey) } }) });
    const quarantine = `${curatedArn}/tables/customers/quarantine/part-0.parquet`;
    expect(await world.decide({ principal: world.roleArn(analyst), action: 's3:GetObject', resource: quarantine })).not.toBe('Allowed');
  });

  test('every resource carries the data-classification tag', () => {
    const taggable = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Glue::Job', 'AWS::CloudTrail::Trail', 'AWS::SNS::Topic', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret', 'AWS::Lambda::Function', 'AWS::Athena::WorkGroup', 'AWS::IAM::Role'];
    for (const type of taggable) {
      for (const [id, r] of Object.entries(template.findResources(type)) as any[]) {
        if (id.startsWith('Analyst') || id.startsWith('Engineer')) continue;
        const tags = Array.isArray(r.Properties.Tags) ? Object.fromEntries(r.Properties.Tags.map((x: any) => [x.Key, x.Value])) : r.Properties.Tags;
        expect({ id, classification: tags?.['data-classification'] }).toEqual({ id, classification: 'confidential' });
      }
    }
  });

  test('SDL-CMP-02: the four packs and the Serverless pack report no unacknowledged finding', () => {
    expectCompliant(stack);
  });

  test('the acknowledgments of the pipeline are pinned', () => {
    // Rules per construct; the granular IAM5 findings (one per prefix or log stream) are counted.
    const pinned: { [path: string]: string[] } = {};
    for (const a of acknowledgmentsIn(pipeline)) {
      const path = a.path.replace('Pipeline/Customers/', '');
      const id = a.id.startsWith('AwsSolutions-IAM5[') ? 'AwsSolutions-IAM5[...]' : a.id.replace(/^(HIPAA\.Security|NIST\.800\.53\.R5|PCI\.DSS\.321)-/, '*-');
      pinned[path] = [...new Set([...(pinned[path] ?? []), id])];
    }
    const logBucket = ['AwsSolutions-S1', 'CKV_AWS_18', '*-S3BucketLoggingEnabled', 's3_bucket_logging_enabled_check', '*-S3BucketReplicationEnabled',
      '*-S3DefaultEncryptionKMS', 's3_bucket_default_encryption_kms_check', 's3_bucket_object_lock_enabled_check'];
    const lake = ['*-S3BucketReplicationEnabled', 's3_bucket_object_lock_enabled_check'];
    const sorted = (o: { [k: string]: string[] }) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [...v].sort()]));
    expect(sorted(pinned)).toEqual(sorted({
      'Alerts/DeadLetters': ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy', 'sqs_dlq_check'],
      'Raw/AccessLogs': logBucket,
      'Raw/Resource': lake,
      'Curated/AccessLogs': logBucket,
      'Curated/Resource': lake,
      'QueryResults/AccessLogs': logBucket,
      'QueryResults/Resource': lake,
      'Trail/Bucket': ['*-S3BucketReplicationEnabled'],
      'Trail/Resource': ['CKV_AWS_67'],
      'Trail/LogsPolicy': ['AwsSolutions-IAM5[...]'],
      // The table of the one-table lake (construct id Default: left out of logical ids).
      'Default/Job/Policy': ['AwsSolutions-IAM5[...]'],
      'Default/Job/Role/SecureDeltaLakeAccessPipelineCustomersRaw3DBE61CE': ['AwsSolutions-IAM5[...]'],
      'Default/Job/Role/SecureDeltaLakeAccessPipelineCustomersCuratedA14F2B9D': ['AwsSolutions-IAM5[...]'],
      // The lake's events role notifies the lake's workflows (workflow/<lakeName>-*).
      'EventsPolicy': ['AwsSolutions-IAM5[...]'],
      'PseudonymKey/RotationFunction': ['CKV_AWS_116', '*-LambdaDLQ', 'CKV_AWS_117', '*-LambdaInsideVPC', 'lambda_inside_vpc_check',
        'Serverless-LambdaAsyncFailureDestination', 'Serverless-LambdaDLQ'],
      'PseudonymKey/RotationPolicy': ['AwsSolutions-IAM5[...]'],
    }));
    // 84, the events policy's workflow prefix, and the job's read of its source files' listed versions (GetObjectVersion on the prefix).
    expect(acknowledgmentsIn(pipeline)).toHaveLength(86);
    for (const a of acknowledgmentsIn(pipeline)) expect(a.reason.length).toBeGreaterThan(40);
  });
});

describe('AuditedPipeline with custom configuration', () => {
  test('SDL-LOG-02: accountTrail records management events of every region with global services', () => {
    const s = testStack('Account');
    new AuditedPipeline(s, 'P', { tableName: 'orders', schema: plain, accountTrail: true, trigger: PipelineTrigger.onDemand() });
    const trail = Object.values(Template.fromStack(s).findResources('AWS::CloudTrail::Trail'))[0] as any;
    expect(trail.Properties.IsMultiRegionTrail).toBe(true);
    expect(trail.Properties.IncludeGlobalServiceEvents).toBe(true);
    expect(trail.Properties.AdvancedEventSelectors[1].FieldSelectors).toEqual([{ Field: 'eventCategory', Equals: ['Management'] }]);
  });

  test('SDL-CMP-01: a data steward granted the quarantine reads it, and nothing else of the lake', async () => {
    const s = testStack('Steward');
    const p = new AuditedPipeline(s, 'P', { tableName: 'customers', schema, trigger: PipelineTrigger.onDemand() });
    const steward = new iam.Role(s, 'Steward', { assumedBy: new iam.AccountRootPrincipal() });
    p.grantReadQuarantine(steward);
    const w = PolicyWorld.of(s);
    const curated = w.bucketArn(p.curatedBucket.bucket);
    const get = (resource: string) => w.decide({ principal: w.roleArn(steward), action: 's3:GetObject', resource });
    expect(await get(`${curated}/tables/customers/quarantine/part-0.parquet`)).toBe('Allowed');
    expect(await get(`${curated}/tables/customers/data/part-0.parquet`)).not.toBe('Allowed');
  });

  test('zones in one stack and the pipeline in another synthesize without a cycle', () => {
    const app = new App();
    const data = new Stack(app, 'Zones', { env: { account: '111111111111', region: 'eu-west-1' } });
    const raw = new SecureDeltaLakeBucket(data, 'Raw', { zone: LakeZone.RAW });
    const curated = new SecureDeltaLakeBucket(data, 'Curated');
    const s = new Stack(app, 'Pipe', { env: { account: '111111111111', region: 'eu-west-1' } });
    const p = new AuditedPipeline(s, 'P', { tableName: 'customers', schema, rawBucket: raw, curatedBucket: curated });
    p.grantReadCurated(new iam.Role(s, 'Analysts', { assumedBy: new iam.AccountRootPrincipal(), path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH }));
    const assembly = app.synth();
    expect(assembly.getStackByName('Pipe').dependencies.map((d) => d.id)).toContain('Zones');
    expect(assembly.getStackByName('Zones').dependencies.map((d) => d.id)).not.toContain('Pipe');
  });

  test('in us-east-1, changes to the job role\'s policies are alerts', () => {
    const app = new App();
    const s = new Stack(app, 'East', { env: { account: '111111111111', region: 'us-east-1' } });
    const p = new AuditedPipeline(s, 'P', { tableName: 'orders', schema: plain, trigger: PipelineTrigger.onDemand() });
    const east = Template.fromStack(s);
    // The job role is named under the lake's prefix, which the rule matches.
    expect(east.toJSON().Resources[s.getLogicalId(p.job.role.node.defaultChild as any)].Properties.RoleName.startsWith(`${p.lakeName}-`)).toBe(true);
    east.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { eventSource: ['iam.amazonaws.com'], eventName: Match.arrayWith(['AttachRolePolicy', 'PutRolePolicy']), requestParameters: { roleName: Match.arrayWith([{ prefix: `${p.lakeName}-` }]) } } },
    });
  });

  test('a schedule starts the workflow on Glue cron; without PII no key is created', () => {
    const s = testStack('Scheduled');
    new AuditedPipeline(s, 'P', { tableName: 'orders', schema: plain, trigger: PipelineTrigger.onSchedule('cron(0 2 * * ? *)') });
    const tpl = Template.fromStack(s);
    tpl.hasResourceProperties('AWS::Glue::Trigger', { Type: 'SCHEDULED', Schedule: 'cron(0 2 * * ? *)', StartOnCreation: true });
    tpl.resourceCountIs('AWS::SecretsManager::Secret', 0);
    tpl.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('passed-in buckets are used and tagged; an existing topic replaces the created one', () => {
    const s = testStack('Passed');
    const raw = new SecureDeltaLakeBucket(s, 'Raw', { zone: LakeZone.RAW });
    const curated = new SecureDeltaLakeBucket(s, 'Curated');
    const topic = new sns.Topic(s, 'Existing');
    const p = new AuditedPipeline(s, 'P', { tableName: 'orders', schema: plain, rawBucket: raw, curatedBucket: curated, alertTopic: topic, encryptDataCatalog: true, dataClassification: 'restricted' });
    expect(p.rawBucket).toBe(raw);
    const tpl = Template.fromStack(s);
    tpl.resourceCountIs('AWS::SNS::Topic', 1);
    tpl.hasResourceProperties('AWS::S3::Bucket', { Tags: Match.arrayWith([{ Key: 'data-classification', Value: 'restricted' }]), BucketEncryption: Match.anyValue(), LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'access-logs/' }) });
    tpl.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', { DataCatalogEncryptionSettings: { EncryptionAtRest: { CatalogEncryptionMode: 'SSE-KMS', SseAwsKmsKeyId: Match.anyValue() }, ConnectionPasswordEncryption: Match.anyValue() } });
    Annotations.fromStack(s).hasWarning('/Passed/P/Alerts', Match.stringLikeRegexp('alerts go to a topic supplied by the app'));
  });

  test('fails when an additional audited bucket is a log bucket', () => {
    const s = testStack('LogAudited');
    const p = new AuditedPipeline(s, 'P', { tableName: 'orders', schema: plain, trigger: PipelineTrigger.onDemand(), additionalAuditedBuckets: [] });
    const s2 = testStack('LogAudited2');
    const lake = new SecureDeltaLakeBucket(s2, 'Lake');
    new AuditedPipeline(s2, 'P', { tableName: 'orders', schema: plain, trigger: PipelineTrigger.onDemand(), additionalAuditedBuckets: [lake.accessLogBucket!] });
    expect(() => Template.fromStack(s2)).toThrow(/additionalAuditedBuckets: LogAudited2\/Lake\/AccessLogs receives server access logs or trail logs.*Remove it/);
    expect(() => Template.fromStack(s)).not.toThrow();
    expect(p.trailBucket).toBeDefined();
  });
});

describe('AuditedPipeline refuses bad compositions at synth', () => {
  /** The error synth throws for the pipeline (its constructor must not throw). */
  const build = (props: any, setup?: (s: Stack) => any) => synthError(() => {
    const s = testStack('Bad');
    const extra = setup ? setup(s) : {};
    return new AuditedPipeline(s, 'P', { tableName: 'customers', schema: plain, ...extra, ...props });
  });
  /** Synth of the pipeline passes. */
  const builds = (props: any, setup?: (s: Stack) => any) => () => {
    const s = testStack('Good');
    const extra = setup ? setup(s) : {};
    new AuditedPipeline(s, 'P', { tableName: 'customers', schema: plain, ...extra, ...props });
    Template.fromStack(s);
  };
  test.each([
    ['a trigger prefix outside the source prefix', { trigger: PipelineTrigger.onObjectCreated({ prefix: 'landing/orders' }) },
      /trigger prefix 'landing\/orders' is outside the source prefix 'landing\/customers' of the raw bucket.*use 'landing\/customers' or a prefix under it/],
    ['a trigger prefix that only shares characters', { trigger: PipelineTrigger.onObjectCreated({ prefix: 'landing/customers-old' }) }, /is outside the source prefix/],
    ['a batch size above 100', { trigger: PipelineTrigger.onObjectCreated({ batchSize: 500 }) }, /trigger batchSize must be an integer from 1 to 100 \(got 500\)/],
    ['a batch window above 15 minutes', { trigger: PipelineTrigger.onObjectCreated({ batchWindow: Duration.hours(1) }) }, /trigger batchWindow must be from 1 second to 15 minutes \(got 1 hour\)/],
    ['a rate schedule', { trigger: PipelineTrigger.onSchedule('rate(1 day)') }, /trigger schedule 'rate\(1 day\)' does not parse: it must look like cron\(.*for example cron\(0 2 \* \* \? \*\)/],
    ['a five-field cron', { trigger: PipelineTrigger.onSchedule('cron(0 2 * * *)') }, /has 5 fields, Glue cron needs 6/],
    ['a cron with both days set', { trigger: PipelineTrigger.onSchedule('cron(0 2 * * MON *)') }, /exactly one of day-of-month and day-of-week must be \?/],
    ['an hour out of range', { trigger: PipelineTrigger.onSchedule('cron(0 25 * * ? *)') }, /hours '25' must be 0-23/],
    ['an alert email that is not an address', { alertEmails: ['data-platform'] }, /alertEmails: 'data-platform' is not an email address/],
    ['a table name with capitals', { tableName: 'Customers' }, /tableName 'Customers' must be lowercase letters, digits and _/],
    ['a table path colliding with a quarantine', { tablePath: 'tables/orders/quarantine' }, /tablePath 'tables\/orders\/quarantine' ends in 'quarantine', which collides with the job's own sub-tables/],
    ['a table path colliding with a ledger', { tablePath: 'tables/orders/_ingest_log' }, /collides with the job's own sub-tables/],
    ['an alert ratio above the fail-closed ratio', { maxQuarantineRatio: 0.02, quarantineAlertRatio: 0.05 }, /quarantineAlertRatio must be above 0 and at most maxQuarantineRatio 0.02 \(got 0.05\)/],
    ['an expected run interval of 10 days', { expectedRunInterval: Duration.days(10) }, /expectedRunInterval must be from 1 hour to 7 days/],
    ['a rotation in hours', { pseudonymKeyRotation: Duration.hours(36) }, /pseudonymKeyRotation must be whole days/],
  ])('fails with %s', (_name, props, message) => {
    expect(build(props)).toMatch(problemAt('Bad/P', message));
  });

  test('fails when raw and curated are one bucket with overlapping prefixes, and names both props', () => {
    const setup = (s: Stack) => {
      const lake = new SecureDeltaLakeBucket(s, 'Lake', { zone: LakeZone.RAW });
      return { rawBucket: lake, curatedBucket: lake };
    };
    expect(build({ sourcePrefix: 'tables/customers/incoming' }, setup)).toMatch(problemAt('Bad/P',
      /rawBucket and curatedBucket are the same bucket and sourcePrefix 'tables\/customers\/incoming' overlaps tablePath 'tables\/customers'; give them disjoint prefixes/));
    expect(builds({}, setup)).not.toThrow();
  });

  test('fails when the raw bucket is a curated-zone bucket', () => {
    expect(build({}, (s) => ({ rawBucket: new SecureDeltaLakeBucket(s, 'C') }))).toMatch(problemAt('Bad/P', /rawBucket Bad\/C serves the CURATED zone; pass a bucket created with zone: LakeZone.RAW/));
  });

  test('collects every problem and throws once', () => {
    const message = build({ tableName: 'X', alertEmails: ['nope'] });
    expect(message).toMatch(new RegExp(`${problemAt('Bad/P', /tableName 'X'.*/).source}[\\s\\S]*${problemAt('Bad/P', /alertEmails: 'nope'/).source}`));
    // Each problem once: the table and the job under the pipeline do not repeat the pipeline's.
    expect(message.split('\n').slice(1)).toHaveLength(2);
  });

  test('fails when an additional audited bucket is another pipeline\'s trail bucket', () => {
    const s = testStack('TrailAudited');
    const first = new AuditedPipeline(s, 'First', { tableName: 'orders', schema: plain, trigger: PipelineTrigger.onDemand() });
    new AuditedPipeline(s, 'Second', { tableName: 'refunds', schema: plain, trigger: PipelineTrigger.onDemand(), additionalAuditedBuckets: [first.trailBucket] });
    expect(() => Template.fromStack(s)).toThrow(/additionalAuditedBuckets: TrailAudited\/First\/Trail\/Bucket receives server access logs or trail logs/);
  });
});
