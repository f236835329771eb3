import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  ColumnType, GlueJobVersion, GlueWorkerType, JobArguments, JobScript, LakeZone, LeastPrivilegeGlueJob, SecureDeltaLakeBucket, TableSchema,
} from '../../src';
import { acknowledgmentsIn, expectCompliant } from '../compliance/harness';
import { PolicyWorld } from '../kit/policy-kit';
import { problemAt, synthError } from '../kit/synth-error';

import { FIXTURE, env, jobStack, schema } from './fixtures/job-stack';

/** A job reading a secret of the app that has no rotation schedule (argument --key). */
function jobWithUnrotatedSecret(id: string, allowSecretsWithoutRotation: boolean): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, id, { env });
  const curated = new SecureDeltaLakeBucket(stack, 'Curated');
  new LeastPrivilegeGlueJob(stack, 'Ingest', {
    source: { bucket: curated.bucket, prefix: 'in' },
    target: curated,
    tablePath: 't',
    schema,
    script: JobScript.fromAsset(FIXTURE),
    secrets: { key: new secretsmanager.Secret(stack, 'S') },
    allowSecretsWithoutRotation,
  });
  return { app, stack };
}

describe('LeastPrivilegeGlueJob with default configuration', () => {
  const { stack, curated, job } = jobStack('Job');
  const t = Template.fromStack(stack);
  const jobProps = Object.values(t.findResources('AWS::Glue::Job'))[0].Properties;
  // A run cannot replace what the construct manages: those arguments are non-overridable.
  const args = jobProps.NonOverridableArguments;

  // StartJobRun arguments replace DefaultArguments for that run, Glue's special parameters included.
  test.each([
    '--datalake-formats', '--conf', '--enable-auto-scaling', '--custom-logGroup-prefix', '--job-bookmark-option',
    JobArguments.SOURCE_URI, JobArguments.TABLE_URI, JobArguments.SCHEMA, JobArguments.SCHEMA_HASH, JobArguments.METRICS_NAMESPACE,
    JobArguments.MAX_QUARANTINE_RATIO, JobArguments.QUARANTINE_RETENTION_DAYS, '--pseudonym-key',
    '--scriptLocation', '--extra-py-files', '--extra-jars', '--extra-files', '--additional-python-modules',
    '--python-modules-installer-option', '--user-jars-first', '--job-language',
  ])('SDL-GLUE-02: a run cannot override %s (non-overridable, and absent from the overridable defaults)', (key) => {
    expect(Object.keys(jobProps.NonOverridableArguments)).toContain(key);
    expect(Object.keys(jobProps.DefaultArguments ?? {})).not.toContain(key);
  });

  test('SDL-GLUE-02: the locked script location is the job\'s own script, and unused code-bearing parameters are locked empty', () => {
    expect(jobProps.NonOverridableArguments['--scriptLocation']).toEqual(jobProps.Command.ScriptLocation);
    for (const key of ['--extra-jars', '--extra-files', '--additional-python-modules', '--python-modules-installer-option']) {
      expect(jobProps.NonOverridableArguments[key]).toBe('');
    }
    expect(jobProps.NonOverridableArguments['--user-jars-first']).toBe('false');
  });

  test('the app\'s own defaultArguments stay overridable by a run', () => {
    const { stack: s2 } = jobStack('Own', { defaultArguments: { '--my-flag': 'on' } });
    const p = Object.values(Template.fromStack(s2).findResources('AWS::Glue::Job'))[0].Properties as any;
    expect(p.DefaultArguments).toEqual({ '--my-flag': 'on' });
    expect(p.NonOverridableArguments['--my-flag']).toBeUndefined();
  });

  test('SDL-GLUE-01: a dedicated role trusted only by glue.amazonaws.com, on the reserved path, with no AWS managed policy', () => {
    const roles = Object.values(t.findResources('AWS::IAM::Role')).map((r: any) => r.Properties)
      .filter((p: any) => JSON.stringify(p.AssumeRolePolicyDocument).includes('glue.amazonaws.com'));
    expect(roles).toHaveLength(1);
    expect(roles[0].AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' } },
    ]);
    expect(roles[0].Path).toBe('/cdk-secure-delta-lake/');
    expect(roles[0].ManagedPolicyArns).toBeUndefined();
    expect(roles[0].Policies).toBeUndefined();
  });

  test('Glue 5.0 with Delta: --datalake-formats delta, the Delta session extension and catalog', () => {
    expect(jobProps.GlueVersion).toBe('5.0');
    expect(jobProps.Command).toEqual(expect.objectContaining({ Name: 'glueetl', PythonVersion: '3' }));
    expect(args['--datalake-formats']).toBe('delta');
    expect(args['--conf']).toBe('spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog');
  });

  test('SDL-GLUE-03: a security configuration with S3 SSE-KMS (the curated key), CloudWatch Logs SSE-KMS and bookmark CSE-KMS', () => {
    const sc = Object.values(t.findResources('AWS::Glue::SecurityConfiguration'))[0] as any;
    const enc = sc.Properties.EncryptionConfiguration;
    expect(enc.S3Encryptions).toEqual([{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^CuratedKey/), 'Arn'] } }]);
    expect(enc.CloudWatchEncryption).toEqual({ CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^IngestKey/), 'Arn'] } });
    expect(enc.JobBookmarksEncryption).toEqual({ JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^IngestKey/), 'Arn'] } });
    expect(jobProps.SecurityConfiguration).toEqual({ Ref: expect.stringMatching(/^IngestSecurityConfiguration/) });
  });

  test('SDL-LOG-01: Glue 5 log groups pre-created with KMS and a year of retention, named from --custom-logGroup-prefix', () => {
    const prefix = args['--custom-logGroup-prefix'];
    expect(prefix).toMatch(/^\/aws-glue\/jobs\/sdl\/Job-Ingest-[0-9A-F]+$/);
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup')).map((g: any) => g.Properties);
    expect(groups.map((g) => g.LogGroupName).sort()).toEqual([`${prefix}/error`, `${prefix}/output`]);
    for (const g of groups) {
      expect(g.RetentionInDays).toBe(365);
      expect(g.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^IngestKey/), 'Arn'] });
    }
    // Glue 5 logs to the pre-created groups; the 4.0-style continuous logging is locked off.
    expect(args['--enable-continuous-cloudwatch-log']).toBe('false');
  });

  test('SDL-IAM-03: the logs key admits CloudWatch Logs for exactly the job\'s log groups', () => {
    const key = Object.values(t.findResources('AWS::KMS::Key')).find((k: any) => JSON.stringify(k.Properties.KeyPolicy).includes('AllowCloudWatchLogs')) as any;
    const st = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowCloudWatchLogsForTheJobLogGroups');
    expect(st.Principal).toEqual({ Service: 'logs.eu-west-1.amazonaws.com' });
    expect(JSON.stringify(st.Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn'])).toContain(`${args['--custom-logGroup-prefix']}/output`);
    expect(st.Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn']).toHaveLength(2);
  });

  test('single writer: one run at a time; auto scaling up to 10 G.1X workers, 2-hour timeout, no retries', () => {
    expect(jobProps.ExecutionProperty).toEqual({ MaxConcurrentRuns: 1 });
    expect(args['--enable-auto-scaling']).toBe('true');
    expect(jobProps.WorkerType).toBe('G.1X');
    expect(jobProps.NumberOfWorkers).toBe(10);
    expect(jobProps.Timeout).toBe(120);
    expect(jobProps.MaxRetries).toBe(0);
  });

  test('SDL-GLUE-02: the default script is the library\'s ingestion script, its modules passed as --extra-py-files', () => {
    expect(jobProps.Command.ScriptLocation).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.py$/);
    // every sdl_*.py beside the script is a module of it (sdl_contract.py, the job contract, among them)
    const modules = fs.readdirSync(path.join(__dirname, '..', '..', 'src', 'glue', 'job-script')).filter((f) => /^sdl_[a-z_]+\.py$/.test(f));
    expect(modules).toContain('sdl_contract.py');
    const extra = JSON.stringify(args['--extra-py-files']);
    expect(extra.match(/\.py/g)).toHaveLength(modules.length);
    const read = Object.values(t.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Resource).includes('cdk-hnb659fds-assets'));
    expect(read).toHaveLength(1);
    expect(read[0].Action).toBe('s3:GetObject');
    expect(read[0].Resource).toHaveLength(modules.length + 1);
  });

  test('the script gets its source, table, schema and metrics namespace as arguments', () => {
    expect(JSON.stringify(args[JobArguments.SOURCE_URI])).toContain('/landing/customers/');
    expect(JSON.stringify(args[JobArguments.TABLE_URI])).toContain('/tables/customers');
    expect(args[JobArguments.SCHEMA]).toBe(schema.toJson());
    expect(args[JobArguments.SCHEMA_HASH]).toBe(schema.hash);
    expect(args[JobArguments.METRICS_NAMESPACE]).toBe('CdkSecureDeltaLake');
    expect(args[JobArguments.MAX_QUARANTINE_RATIO]).toBe('0.05');
    expect(args[JobArguments.QUARANTINE_RETENTION_DAYS]).toBe('90');
    expect(args['--job-bookmark-option']).toBe('job-bookmark-disable');
  });

  test('SDL-SEC-01: secrets are passed by ARN, never by value', () => {
    expect(args['--pseudonym-key']).toEqual({ Ref: expect.stringMatching(/^PseudonymKey/) });
  });

  test('SDL-IAM-05: no inline policy, and a * resource only where AWS offers nothing narrower', () => {
    t.resourceCountIs('AWS::IAM::Policy', 0);
    const star = Object.values(t.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [].concat(s.Resource).includes('*' as never));
    expect(star).toEqual([expect.objectContaining({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': ['Glue', 'CdkSecureDeltaLake'] } } })]);
  });

  test('SDL-CMP-02: no unacknowledged finding in the four compliance packs', () => {
    expect(expectCompliant(job).findings).toEqual([]);
  });

  test('acknowledgments of the job are specific and generated from its statements', () => {
    const acks = acknowledgmentsIn(job).map((a) => a.id);
    expect(acks).toContain('AwsSolutions-IAM5[Resource::*]');
    for (const a of acknowledgmentsIn(job)) expect(a.reason.length).toBeGreaterThan(30);
    expect(acks.every((id) => id.startsWith('AwsSolutions-IAM5['))).toBe(true);
  });

  test('the job is exposed with its role, key and log groups', () => {
    expect(job.logGroups).toHaveLength(2);
    expect(job.tablePath).toBe('tables/customers');
    expect(curated.encryptionKey).not.toBe(job.key);
  });
});

describe('LeastPrivilegeGlueJob with custom configuration', () => {
  test('Glue 5.1, G.2X Flex with 20 workers, 4-hour timeout and 2 retries', () => {
    const { stack } = jobStack('Custom', { glueVersion: GlueJobVersion.V5_1, workerType: GlueWorkerType.G_2X, flex: true, maxWorkers: 20, timeout: Duration.hours(4), maxRetries: 2 });
    const p = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Job'))[0].Properties as any;
    expect(p).toEqual(expect.objectContaining({ GlueVersion: '5.1', WorkerType: 'G.2X', NumberOfWorkers: 20, Timeout: 240, MaxRetries: 2, ExecutionClass: 'FLEX' }));
  });

  test('a customer-managed bootstrap key is granted for decryption of the script objects', () => {
    const app = new App();
    const stack = new Stack(app, 'Bootstrap', { env });
    const assetsKey = kms.Key.fromKeyArn(stack, 'AssetsKey', 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-4333-a444-555555555555');
    const curated = new SecureDeltaLakeBucket(stack, 'Curated');
    new LeastPrivilegeGlueJob(stack, 'Ingest', {
      source: { bucket: curated.bucket, prefix: 'in' },
      target: curated,
      tablePath: 't',
      schema: TableSchema.of([{ name: 'id', type: ColumnType.LONG }]),
      script: JobScript.ingestion(assetsKey),
    });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-4333-a444-555555555555' }));
  });

  test('a plain source bucket (opted in with allowPlainSourceBucket) is read through the job policy alone', () => {
    const app = new App();
    const stack = new Stack(app, 'Plain', { env });
    const src = new s3.Bucket(stack, 'Src', { enforceSSL: true });
    const job = new LeastPrivilegeGlueJob(stack, 'Ingest', {
      source: { bucket: src, prefix: 'in' },
      target: new SecureDeltaLakeBucket(stack, 'Curated'),
      tablePath: 't',
      schema,
      script: JobScript.fromBucket(src, 'scripts/job.py'),
      allowPlainSourceBucket: true,
    });
    const docs = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(docs).toContain('"s3:prefix":["in","in/*"]');
    expect(docs).toContain('/scripts/job.py');
    expect(job.role).toBeDefined();
  });

  test('a user-supplied role works with a warning', () => {
    const app = new App();
    const stack = new Stack(app, 'UserRole', { env });
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const curated = new SecureDeltaLakeBucket(stack, 'Curated');
    new LeastPrivilegeGlueJob(stack, 'Ingest', { source: { bucket: curated.bucket, prefix: 'in' }, target: curated, tablePath: 't', schema, script: JobScript.fromAsset(FIXTURE), role });
    Annotations.fromStack(stack).hasWarning('/UserRole/Ingest', Match.stringLikeRegexp('cdk-secure-delta-lake:userRole'));
  });

  test('a short log retention warns', () => {
    const { stack } = jobStack('ShortLogs', { logRetention: logs.RetentionDays.ONE_MONTH });
    Annotations.fromStack(stack).hasWarning('/ShortLogs/Ingest', Match.stringLikeRegexp('cdk-secure-delta-lake:shortLogRetention'));
  });

  test('a secret without rotation is accepted only explicitly, with a warning', () => {
    const { app, stack } = jobWithUnrotatedSecret('Unrotated', true);
    app.synth();
    Annotations.fromStack(stack).hasWarning('/Unrotated/Ingest', Match.stringLikeRegexp('secrets without a rotation schedule: --key'));
  });
});

describe('LeastPrivilegeGlueJob fails on bad input', () => {
  test.each([
    ['maxWorkers is 1', { maxWorkers: 1 }, /maxWorkers must be an integer from 2 to 299 \(got 1\)/],
    ['maxWorkers is 300', { maxWorkers: 300 }, /maxWorkers must be an integer from 2 to 299 \(got 300\)/],
    ['maxWorkers is not an integer', { maxWorkers: 2.5 }, /maxWorkers must be an integer/],
    ['the timeout is zero', { timeout: Duration.minutes(0) }, /timeout must be from 1 minute to 2 days \(got 0 minutes\)/],
    ['the timeout is beyond the bound', { timeout: Duration.hours(49) }, /timeout must be from 1 minute to 2 days \(got 2 days 1 hour\); the bound is this library's policy/],
    ['Flex has an incompatible worker type', { flex: true, workerType: GlueWorkerType.G_4X }, /flex runs on G.1X or G.2X workers only \(got G.4X\)/],
    ['retries are negative', { maxRetries: -1 }, /maxRetries must be an integer from 0 to 10/],
    ['the quarantine ratio is above 1', { maxQuarantineRatio: 1.5 }, /maxQuarantineRatio must be from 0 to 1 \(got 1.5\)/],
    ['a quarantine retention in hours', { quarantineRetention: Duration.hours(12) }, /quarantineRetention must be whole days from 1 to 3650 \(got 12 hours\)/],
    ['the source prefix has a wildcard', { source: undefined as any }, /source.prefix 'landing\/\*' contains a wildcard/],
    ['the table path has a leading slash', { tablePath: '/tables/x' }, /tablePath '\/tables\/x' starts with a slash/],
    ['a secret argument name is not lowercase', { secrets: { Bad_Name: undefined as any } }, /secrets: argument name 'Bad_Name'/],
    ['the metrics namespace is an AWS one', { metricsNamespace: 'AWS/Glue' }, /metricsNamespace 'AWS\/Glue' is not a valid custom CloudWatch namespace/],
  ] as Array<[string, any, RegExp]>)('fails when %s', (_n, extra, message) => {
    const props = { ...extra };
    if ('source' in extra) {
      expect(synthError(() => jobStackWithSource('landing/*'))).toMatch(problemAt('Src/Ingest', message));
      return;
    }
    expect(synthError(() => jobStack('Bad', props).job)).toMatch(problemAt('Bad/Ingest', message));
  });

  test.each([
    ['--datalake-formats', 'the construct'], ['--conf', 'the construct'], ['--enable-auto-scaling', 'maxWorkers'],
    ['--custom-logGroup-prefix', 'the construct'], ['--job-bookmark-option', 'the construct'],
    [JobArguments.SOURCE_URI, 'source'], [JobArguments.TABLE_URI, 'target and tablePath'], [JobArguments.SCHEMA, 'schema'],
    [JobArguments.SCHEMA_HASH, 'schema'], [JobArguments.METRICS_NAMESPACE, 'metricsNamespace'], [JobArguments.MAX_QUARANTINE_RATIO, 'maxQuarantineRatio'],
    [JobArguments.QUARANTINE_RETENTION_DAYS, 'quarantineRetention'],
    ['--enable-continuous-cloudwatch-log', 'the construct'], ['--pseudonym-key', 'secrets'],
  ])('fails when defaultArguments sets the managed argument %s', (arg, prop) => {
    expect(synthError(() => jobStack('Managed', { defaultArguments: { [arg]: 'x' } }).job))
      .toMatch(problemAt('Managed/Ingest', `defaultArguments may not set ${arg} (set by ${prop}`));
  });

  test('fails when the schema breaks the contract', () => {
    expect(() => jobStack('Schema', { schema: TableSchema.of([{ name: 'a', type: ColumnType.DECIMAL }]) })).toThrow(/a decimal needs an integer precision/);
  });

  test('SDL-SEC-03: fails at synth when a secret of the app has no rotation schedule', () => {
    const { app } = jobWithUnrotatedSecret('NoRotation', false);
    expect(() => app.synth()).toThrow(/secrets --key have no rotation schedule; add one \(secret.addRotationSchedule\) or set allowSecretsWithoutRotation: true/);
  });

  test('fails when the schema has PII columns and the ingestion script gets no pseudonym key', () => {
    expect(synthError(() => jobStack('NoKey', { secrets: {} }).job)).toMatch(problemAt('NoKey/Ingest', /.*pass the key's secret as secrets: \{ 'pseudonym-key': secret \}/));
  });

  test('a fixture script of the app runs with no pseudonym key', () => {
    expect(() => jobStack('Fixture', { secrets: {}, script: JobScript.fromAsset(FIXTURE) })).not.toThrow();
  });

  test('fails when the script is not a .py file or not one object', () => {
    expect(() => jobStack('Script', { script: JobScript.fromAsset(__filename) })).toThrow(/is not a .py file/);
    const app = new App();
    const stack = new Stack(app, 'Script2', { env });
    const b = new s3.Bucket(stack, 'B');
    expect(() => jobStack('Script3', { script: JobScript.fromBucket(b, 'scripts/') })).toThrow(/is not the key of one object/);
  });
});

function jobStackWithSource(prefix: string) {
  const app = new App();
  const stack = new Stack(app, 'Src', { env });
  const curated = new SecureDeltaLakeBucket(stack, 'Curated');
  return new LeastPrivilegeGlueJob(stack, 'Ingest', { source: { bucket: curated.bucket, prefix }, target: curated, tablePath: 't', schema, script: JobScript.fromAsset(FIXTURE) });
}

describe('LeastPrivilegeGlueJob in multi-writer mode', () => {
  const JAR = path.join(__dirname, 'fixtures', 'fixture-log-store.jar');
  const { stack, job } = jobStack('Multi', { multiWriter: { logStoreJarPath: JAR, maxConcurrentRuns: 3 } });
  const t = Template.fromStack(stack);
  const jobProps = Object.values(t.findResources('AWS::Glue::Job'))[0].Properties as any;

  test('provisions the log-store table: tablePath/fileName keys, on demand, KMS, point-in-time recovery, TTL expireTime', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'tablePath', KeyType: 'HASH' }, { AttributeName: 'fileName', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expireTime', Enabled: true },
    });
  });

  test('sets the log store for s3 and s3a, ships the jar with --extra-jars and allows concurrent runs', () => {
    const conf = JSON.stringify(jobProps.NonOverridableArguments['--conf']);
    expect(conf).toContain('spark.delta.logStore.s3.impl=io.delta.storage.S3DynamoDBLogStore');
    expect(conf).toContain('spark.delta.logStore.s3a.impl=io.delta.storage.S3DynamoDBLogStore');
    expect(conf).toContain('S3DynamoDBLogStore.ddb.tableName=');
    expect(conf).toContain('S3DynamoDBLogStore.ddb.region=eu-west-1');
    expect(JSON.stringify(jobProps.NonOverridableArguments['--extra-jars'])).toMatch(/\.jar/);
    expect(jobProps.ExecutionProperty).toEqual({ MaxConcurrentRuns: 3 });
    expect(job.logStoreTable).toBeDefined();
  });

  test('the role uses exactly the log store\'s DynamoDB actions on its table', async () => {
    const world = PolicyWorld.of(stack);
    const role = world.roleArn(job.role);
    const tableArn = world.resourcesOfType('AWS::DynamoDB::Table').map((x) => x.template.getAtt(x.logicalId, 'Arn'))[0];
    for (const action of ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']) {
      expect(await world.decide({ principal: role, action, resource: tableArn })).toBe('Allowed');
    }
    for (const action of ['dynamodb:CreateTable', 'dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:DeleteTable']) {
      expect(await world.decide({ principal: role, action, resource: tableArn })).toBe('ImplicitlyDenied');
    }
    expect(await world.decide({ principal: role, action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/other' })).toBe('ImplicitlyDenied');
  });

  test('SDL-CMP-02: no unacknowledged finding in the four packs', () => {
    expect(expectCompliant(job).findings).toEqual([]);
  });

  test('fails when the log-store jar is not a jar or the writer count is out of range', () => {
    expect(synthError(() => jobStack('BadJar', { multiWriter: { logStoreJarPath: '/tmp/x.zip' } }).job))
      .toMatch(problemAt('BadJar/Ingest', /multiWriter.logStoreJarPath must be the delta-storage-s3-dynamodb .jar/));
    expect(synthError(() => jobStack('BadRuns', { multiWriter: { logStoreJarPath: JAR, maxConcurrentRuns: 0 } }).job))
      .toMatch(problemAt('BadRuns/Ingest', /multiWriter.maxConcurrentRuns must be an integer from 1 to 100 \(got 0\)/));
  });
});

describe('LeastPrivilegeGlueJob with a shared logs key and a log group prefix', () => {
  // Two jobs on one shared key, as a lake's tables are: one synthesis for the block.
  const app = new App();
  const stack = new Stack(app, 'SharedKey', { env });
  const raw = new SecureDeltaLakeBucket(stack, 'Raw', { zone: LakeZone.RAW });
  const curated = new SecureDeltaLakeBucket(stack, 'Curated');
  const logsKey = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true });
  const plainSchema = TableSchema.of([{ name: 'id', type: ColumnType.LONG }]);
  const jobOf = (id: string, table: string) => new LeastPrivilegeGlueJob(stack, id, {
    source: { bucket: raw.bucket, lakeBucket: raw, prefix: `landing/${table}` },
    target: curated,
    tablePath: `tables/${table}`,
    schema: plainSchema,
    logsKey,
    logGroupPrefix: `/aws-glue/jobs/sdl/lake-${table}`,
  });
  const a = jobOf('A', 'a');
  const b = jobOf('B', 'b');
  const t = Template.fromStack(stack);
  const keyId = stack.getLogicalId(logsKey.node.defaultChild as kms.CfnKey);

  test('the jobs create no key: their log groups, security configurations and bookmarks use the shared key', () => {
    t.resourceCountIs('AWS::KMS::Key', 3); // the shared key and the two buckets' keys
    expect(a.key).toBe(logsKey);
    for (const g of Object.values<any>(t.findResources('AWS::Logs::LogGroup'))) {
      expect(g.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
    for (const c of Object.values<any>(t.findResources('AWS::Glue::SecurityConfiguration'))) {
      expect(c.Properties.EncryptionConfiguration.CloudWatchEncryption.KmsKeyArn).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      expect(c.Properties.EncryptionConfiguration.JobBookmarksEncryption.KmsKeyArn).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });

  test('the log groups and --custom-logGroup-prefix follow logGroupPrefix', () => {
    const names = Object.values<any>(t.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.LogGroupName).sort();
    expect(names).toEqual(['/aws-glue/jobs/sdl/lake-a/error', '/aws-glue/jobs/sdl/lake-a/output', '/aws-glue/jobs/sdl/lake-b/error', '/aws-glue/jobs/sdl/lake-b/output']);
    const prefixes = Object.values<any>(t.findResources('AWS::Glue::Job')).map((j) => j.Properties.NonOverridableArguments['--custom-logGroup-prefix']).sort();
    expect(prefixes).toEqual(['/aws-glue/jobs/sdl/lake-a', '/aws-glue/jobs/sdl/lake-b']);
  });

  test('each job writes its own log groups and its own table only, never the other job\'s', async () => {
    const world = PolicyWorld.of(stack);
    const group = (table: string, g: string) => `arn:aws:logs:eu-west-1:111111111111:log-group:/aws-glue/jobs/sdl/lake-${table}/${g}:log-stream:run-1`;
    const ask = (job: LeastPrivilegeGlueJob, action: string, resource: string) =>
      world.decide({ principal: world.roleArn(job.role), action, resource });
    expect(await ask(a, 'logs:PutLogEvents', group('a', 'error'))).toBe('Allowed');
    expect(await ask(a, 'logs:PutLogEvents', group('b', 'error'))).toBe('ImplicitlyDenied');
    expect(await ask(b, 'logs:CreateLogStream', group('a', 'output'))).toBe('ImplicitlyDenied');
    expect(await ask(a, 'logs:GetLogEvents', group('b', 'output'))).toBe('ImplicitlyDenied');
    const curatedArn = world.bucketArn(curated.bucket);
    const rawArn = world.bucketArn(raw.bucket);
    expect(await ask(a, 's3:PutObject', `${curatedArn}/tables/a/data/x.parquet`)).toBe('Allowed');
    expect(await ask(a, 's3:PutObject', `${curatedArn}/tables/b/data/x.parquet`)).not.toBe('Allowed');
    expect(await ask(a, 's3:GetObject', `${rawArn}/landing/b/x.csv`)).not.toBe('Allowed');
  });

  test('the shared key\'s policy is its owner\'s: the jobs add no statement to it', () => {
    const policy = t.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    expect(policy.map((s: any) => s.Sid).filter((sid: any) => sid !== undefined)).toEqual([]);
  });

  test('without the props, a job keeps its own key and its derived log group prefix', () => {
    const { stack: own } = jobStack('OwnKey');
    const ot = Template.fromStack(own);
    const keys = Object.values<any>(ot.findResources('AWS::KMS::Key'));
    expect(keys.some((k) => k.Properties.KeyPolicy.Statement.some((s: any) => s.Sid === 'AllowCloudWatchLogsForTheJobLogGroups'))).toBe(true);
    for (const g of Object.values<any>(ot.findResources('AWS::Logs::LogGroup'))) expect(g.Properties.LogGroupName).toMatch(/^\/aws-glue\/jobs\/sdl\/OwnKey-Ingest-/);
  });

  test('fails on a log group prefix CloudWatch Logs would refuse', () => {
    expect(synthError(() => jobStack('BadPrefix', { logGroupPrefix: 'aws-glue/jobs x' }).job)).toMatch(problemAt('BadPrefix/Ingest', /logGroupPrefix 'aws-glue\/jobs x' must start with \//));
  });
});
