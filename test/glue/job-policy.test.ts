/**
 * What the job role can and cannot do, decided by the policy evaluator over the synthesized
 * identity, bucket and key policies.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { jobStack } from './fixtures/job-stack';
import { PolicyWorld } from '../kit/policy-kit';

const { stack, raw, curated, job, pseudonymKey } = jobStack('Policies');
const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
job.grantOperate(operator);
const world = PolicyWorld.of(stack);
const role = world.roleArn(job.role);
const rawArn = world.bucketArn(raw.bucket);
const curatedArn = world.bucketArn(curated.bucket);
const jobArn = 'arn:aws:glue:eu-west-1:111111111111:job/' + world.template(stack).ref(stack.getLogicalId(job.job.node.defaultChild as any));
const decide = (action: string, resource: string, context: { [k: string]: string } = {}, principal = role) =>
  world.decide({ principal, action, resource, context });

describe('LeastPrivilegeGlueJob role behaviour', () => {
  test('SDL-IAM-01: the role gets the source CSVs and can neither put nor delete them', async () => {
    const csv = `${rawArn}/landing/customers/2026-11-27.csv`;
    expect(await decide('s3:GetObject', csv)).toBe('Allowed');
    expect(await decide('s3:ListBucket', rawArn, { 's3:prefix': 'landing/customers/' })).toBe('Allowed');
    expect(await decide('s3:PutObject', csv)).not.toBe('Allowed');
    expect(await decide('s3:DeleteObject', csv)).not.toBe('Allowed');
    expect(await decide('s3:GetObject', `${rawArn}/landing/orders/x.csv`)).not.toBe('Allowed');
  });

  test('SDL-IAM-01: the role lists the source prefix\'s versions and reads a file at the version it listed, under its prefix only', async () => {
    const csv = `${rawArn}/landing/customers/2026-11-27.csv`;
    expect(await decide('s3:GetObjectVersion', csv)).toBe('Allowed');
    expect(await decide('s3:ListBucketVersions', rawArn, { 's3:prefix': 'landing/customers/' })).toBe('Allowed');
    expect(await decide('s3:GetObjectVersion', `${rawArn}/landing/orders/x.csv`)).not.toBe('Allowed');
    expect(await decide('s3:ListBucketVersions', rawArn, { 's3:prefix': 'landing/orders/' })).not.toBe('Allowed');
    expect(await decide('s3:ListBucketVersions', rawArn)).not.toBe('Allowed');
    expect(await decide('s3:DeleteObjectVersion', csv)).not.toBe('Allowed');
  });

  test('SDL-IAM-02: the role puts under the table\'s data, quarantine and ledger, not elsewhere in the target', async () => {
    for (const sub of ['data', 'quarantine', '_ingest_log']) {
      expect(await decide('s3:PutObject', `${curatedArn}/tables/customers/${sub}/part-0.parquet`)).toBe('Allowed');
    }
    expect(await decide('s3:PutObject', `${curatedArn}/tables/orders/data/part-0.parquet`)).not.toBe('Allowed');
    expect(await decide('s3:PutObject', `${curatedArn}/tables/customers/other/x`)).not.toBe('Allowed');
  });

  test('SDL-IAM-02: the role deletes under _delta_log/ only, and the quarantine\'s files (retention)', async () => {
    expect(await decide('s3:DeleteObject', `${curatedArn}/tables/customers/data/_delta_log/00000000000000000001.json`)).toBe('Allowed');
    expect(await decide('s3:DeleteObject', `${curatedArn}/tables/customers/data/part-0.parquet`)).not.toBe('Allowed');
    expect(await decide('s3:DeleteObject', `${curatedArn}/tables/customers/_ingest_log/part-0.parquet`)).not.toBe('Allowed');
    expect(await decide('s3:DeleteObject', `${curatedArn}/tables/customers/quarantine/part-0.parquet`)).toBe('Allowed');
  });

  test('SDL-GLUE-02: the role reads its script object and nothing else of the staging bucket', async () => {
    const script = (job.node.findChild('Script') as any);
    const staging = 'arn:aws:s3:::cdk-hnb659fds-assets-111111111111-eu-west-1';
    expect(await decide('s3:GetObject', `${staging}/${script.s3ObjectKey}`)).toBe('Allowed');
    const module = (job.node.findChild('Module-sdlingestpy') as any);
    expect(await decide('s3:GetObject', `${staging}/${module.s3ObjectKey}`)).toBe('Allowed');
    expect(await decide('s3:GetObject', `${staging}/0123456789abcdef.zip`)).toBe('ImplicitlyDenied');
    expect(await decide('s3:ListBucket', staging)).toBe('ImplicitlyDenied');
  });

  test('the role cannot use an unrelated key', async () => {
    expect(await decide('kms:Decrypt', 'arn:aws:kms:eu-west-1:111111111111:key/0f0f0f0f-0000-4000-a000-000000000000')).toBe('ImplicitlyDenied');
  });

  test('SDL-SEC-02: the role reads its secret and no other', async () => {
    expect(await decide('secretsmanager:GetSecretValue', world.template(stack).ref(stack.getLogicalId(pseudonymKey.node.defaultChild as any)))).toBe('Allowed');
    expect(await decide('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-AbCdEf')).toBe('ImplicitlyDenied');
  });

  test('SDL-ACC-02: the role cannot change its secret', async () => {
    const secret = world.template(stack).ref(stack.getLogicalId(pseudonymKey.node.defaultChild as any));
    for (const action of ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:DeleteSecret']) {
      expect(await decide(action, secret)).not.toBe('Allowed');
    }
  });

  test('SDL-IAM-04: the role cannot start other jobs or pass roles', async () => {
    expect(await decide('glue:StartJobRun', 'arn:aws:glue:eu-west-1:111111111111:job/other')).toBe('ImplicitlyDenied');
    expect(await decide('glue:StartJobRun', jobArn)).toBe('ImplicitlyDenied');
    expect(await decide('iam:PassRole', role)).toBe('ImplicitlyDenied');
  });

  test('metrics only in the Glue namespace and the job\'s own', async () => {
    const put = (ns: string) => decide('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': ns });
    expect(await put('Glue')).toBe('Allowed');
    expect(await put('CdkSecureDeltaLake')).toBe('Allowed');
    expect(await put('Billing')).toBe('ImplicitlyDenied');
  });

  test('SDL-IAM-03: the logs key admits the Logs service only for the job\'s log groups', async () => {
    const keyArn = world.keyArn(job.key);
    const prefix = world.template(stack).resources[stack.getLogicalId(job.logGroups[0].node.defaultChild as any)].Properties.LogGroupName.replace(/\/output$/, '');
    const encrypt = (group: string) => world.decide({
      principal: 'logs.eu-west-1.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: keyArn,
      context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:111111111111:log-group:${group}` },
    });
    expect(await encrypt(`${prefix}/output`)).toBe('Allowed');
    expect(await encrypt(`${prefix}/error`)).toBe('Allowed');
    expect(await encrypt('/aws-glue/jobs/other/output')).toBe('ImplicitlyDenied');
  });

  test('the role writes log events to its own log groups only', async () => {
    const prefix = world.template(stack).resources[stack.getLogicalId(job.logGroups[0].node.defaultChild as any)].Properties.LogGroupName.replace(/\/output$/, '');
    const stream = (group: string) => `arn:aws:logs:eu-west-1:111111111111:log-group:${group}:log-stream:jr_123-driver`;
    expect(await decide('logs:PutLogEvents', stream(`${prefix}/output`))).toBe('Allowed');
    expect(await decide('logs:PutLogEvents', stream('/aws-glue/jobs/other/output'))).toBe('ImplicitlyDenied');
  });

  test('SDL-ACC-01: an operator starts, stops and reads runs of this job and reads its logs, nothing else', async () => {
    const op = world.roleArn(operator);
    expect(await decide('glue:StartJobRun', jobArn, {}, op)).toBe('Allowed');
    expect(await decide('glue:BatchStopJobRun', jobArn, {}, op)).toBe('Allowed');
    expect(await decide('glue:GetJobRuns', jobArn, {}, op)).toBe('Allowed');
    expect(await decide('glue:StartJobRun', 'arn:aws:glue:eu-west-1:111111111111:job/other', {}, op)).toBe('ImplicitlyDenied');
    expect(await decide('glue:UpdateJob', jobArn, {}, op)).toBe('ImplicitlyDenied');
    expect(await decide('s3:GetObject', `${curatedArn}/tables/customers/data/part-0.parquet`, {}, op)).not.toBe('Allowed');
    expect(await decide('iam:PassRole', role, {}, op)).toBe('ImplicitlyDenied');
  });
});
