/**
 * Policy behaviour of SecureDeltaLakeBucket, decided by a real IAM policy evaluator over the
 * synthesized identity, bucket and key policies.
 *
 * An S3 write with SSE-KMS is two authorizations: S3 (identity + bucket policy) and KMS
 * (identity + key policy, through S3 with the bucket ARN as encryption context when S3 Bucket
 * Keys are on). `put` checks both, with the key S3 would use for the headers sent.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeltaMaintenance, LakeZone, SecureDeltaLakeBucket } from '../../src';
import { Decision, PolicyWorld } from '../kit/policy-kit';

const env = { account: '111111111111', region: 'eu-west-1' };
const app = new App();
const stack = new Stack(app, 'Policies', { env });
const lake = new SecureDeltaLakeBucket(stack, 'Lake');
const raw = new SecureDeltaLakeBucket(stack, 'Raw');
const glue = new iam.ServicePrincipal('glue.amazonaws.com');
const writer = new iam.Role(stack, 'Writer', { assumedBy: glue });
const janitor = new iam.Role(stack, 'Janitor', { assumedBy: glue });
const reader = new iam.Role(stack, 'Reader', { assumedBy: glue });
const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
admin.addManagedPolicy(new iam.ManagedPolicy(stack, 'AdminS3', {
  statements: [new iam.PolicyStatement({ actions: ['s3:*', 'kms:*'], resources: ['*'] })],
}));
lake.grantDeltaWrite(writer, 'tables/customers');
lake.grantDeltaWrite(janitor, 'tables/orders', { maintenance: DeltaMaintenance.VACUUM });
raw.grantRead(reader, 'landing/customers');
const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
raw.grantWrite(producer, 'landing/customers');
// A principal inside the perimeter (granted another prefix) that someone gave a broad read-only policy.
const insider = new iam.Role(stack, 'Insider', { assumedBy: new iam.AccountRootPrincipal() });
raw.grantRead(insider, 'landing/orders');
insider.addManagedPolicy(new iam.ManagedPolicy(stack, 'ReadOnly', {
  statements: [new iam.PolicyStatement({ actions: ['s3:Get*', 's3:List*', 'kms:Decrypt'], resources: ['*'] })],
}));
// The raw CSV files of customers hold PII in clear: only their grantees reach them.
raw.restrictToGrantees('landing/customers');

const world = PolicyWorld.of(stack);
const bucketArn = world.bucketArn(lake.bucket);
const keyArn = world.keyArn(lake.encryptionKey);
const rawArn = world.bucketArn(raw.bucket);
const otherKeyArn = 'arn:aws:kms:eu-west-1:111111111111:key/0f0f0f0f-0000-4000-a000-000000000000';
const keyId = keyArn.split('/')[1];
const table = (key: string) => `${bucketArn}/tables/customers/${key}`;

interface Headers { sse?: string; keyId?: string }

/** The key S3 uses for a PUT with these headers: the bucket default when none is named. */
function keyUsed(h: Headers): string {
  return h.sse === 'aws:kms' && h.keyId ? h.keyId : keyArn;
}

async function put(principal: string, object: string, h: Headers = {}, extra: { [k: string]: string } = {}): Promise<Decision> {
  const s3 = await world.decide({
    principal,
    action: 's3:PutObject',
    resource: object,
    context: { 's3:x-amz-server-side-encryption': h.sse, 's3:x-amz-server-side-encryption-aws-kms-key-id': h.keyId, ...extra },
  });
  if (s3 !== 'Allowed' || h.sse === 'AES256') return s3;
  const used = keyUsed(h);
  const kmsKeyArn = used.startsWith('arn:') && used.includes(':key/') ? used : keyArn;
  return world.decide({
    principal,
    action: 'kms:GenerateDataKey',
    resource: kmsKeyArn,
    context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': bucketArn },
  });
}

const s3req = (principal: string, action: string, resource: string, context: { [k: string]: string } = {}) =>
  world.decide({ principal, action, resource, context });

describe('SecureDeltaLakeBucket policy behaviour', () => {
  const w = () => world.roleArn(writer);

  test('SDL-IAM-02: a granted writer puts under its table with the bucket key over TLS', async () => {
    expect(await put(w(), table('part-0.parquet'), { sse: 'aws:kms', keyId: keyArn })).toBe('Allowed');
  });

  test('SDL-S3-04: a header-less put is allowed and encrypted with the bucket key (bucket default)', async () => {
    expect(await put(w(), table('part-1.parquet'))).toBe('Allowed');
  });

  test('SDL-ENC-02: denied without TLS', async () => {
    expect(await put(w(), table('x'), { sse: 'aws:kms', keyId: keyArn }, { 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
  });

  test('SDL-ENC-02: denied over TLS 1.1', async () => {
    expect(await put(w(), table('x'), { sse: 'aws:kms', keyId: keyArn }, { 's3:TlsVersion': '1.1' })).toBe('ExplicitlyDenied');
  });

  test.each([
    ['AES256', { sse: 'AES256' }],
    ['another key', { sse: 'aws:kms', keyId: otherKeyArn }],
    ['aws:kms without a key id (the aws/s3 key)', { sse: 'aws:kms' }],
    ['the bucket key by key id rather than ARN', { sse: 'aws:kms', keyId }],
    ['an alias', { sse: 'aws:kms', keyId: 'alias/lake' }],
    ['dual-layer aws:kms:dsse', { sse: 'aws:kms:dsse', keyId: keyArn }],
  ] as Array<[string, Headers]>)('SDL-S3-04: a put with %s is denied by the bucket policy', async (_name, h) => {
    expect(await put(w(), table('x'), h)).toBe('ExplicitlyDenied');
  });

  test('SDL-DELTA-02: the writer cannot put outside its table', async () => {
    expect(await put(w(), `${bucketArn}/tables/orders/part-0.parquet`, { sse: 'aws:kms', keyId: keyArn })).toBe('ImplicitlyDenied');
    expect(await put(w(), `${bucketArn}/elsewhere.txt`)).toBe('ImplicitlyDenied');
  });

  test('SDL-IAM-02: the writer reads its _delta_log and lists only under its table', async () => {
    expect(await s3req(w(), 's3:GetObject', table('_delta_log/00000000000000000000.json'))).toBe('Allowed');
    expect(await s3req(w(), 's3:ListBucket', bucketArn, { 's3:prefix': 'tables/customers/_delta_log/' })).toBe('Allowed');
    expect(await s3req(w(), 's3:ListBucket', bucketArn, { 's3:prefix': 'tables/orders/' })).toBe('ImplicitlyDenied');
    expect(await s3req(w(), 's3:ListBucket', bucketArn, { 's3:prefix': '' })).toBe('ImplicitlyDenied');
  });

  test('SDL-IAM-02: the writer deletes under _delta_log/ but not data files', async () => {
    expect(await s3req(w(), 's3:DeleteObject', table('_delta_log/00000000000000000001.json'))).toBe('Allowed');
    expect(await s3req(w(), 's3:DeleteObject', table('part-0.parquet'))).toBe('ImplicitlyDenied');
  });

  test('a writer granted VACUUM deletes data files of its own table only', async () => {
    const j = world.roleArn(janitor);
    expect(await s3req(j, 's3:DeleteObject', `${bucketArn}/tables/orders/part-0.parquet`)).toBe('Allowed');
    expect(await s3req(j, 's3:DeleteObject', table('part-0.parquet'))).toBe('ImplicitlyDenied');
  });

  test('SDL-S3-03: an ungranted role of the same account with s3:* and kms:* is denied by the bucket policy', async () => {
    const a = world.roleArn(admin);
    expect(await s3req(a, 's3:GetObject', table('part-0.parquet'))).toBe('ExplicitlyDenied');
    expect(await put(a, table('evil.parquet'))).toBe('ExplicitlyDenied');
    expect(await s3req(a, 's3:DeleteObjectVersion', table('part-0.parquet'))).toBe('ExplicitlyDenied');
    expect(await s3req(a, 's3:ListBucket', bucketArn)).toBe('ExplicitlyDenied');
  });

  // A broad role must not be able to remove the perimeter, switch off versioning or replicate the data away.
  const CONFIGURATION_CHANGES = [
    's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketPublicAccessBlock', 's3:PutEncryptionConfiguration',
    's3:PutBucketVersioning', 's3:PutLifecycleConfiguration', 's3:PutReplicationConfiguration', 's3:PutBucketLogging',
    's3:PutBucketOwnershipControls', 's3:PutInventoryConfiguration', 's3:PutAnalyticsConfiguration', 's3:PutMetricsConfiguration',
    's3:PutBucketObjectLockConfiguration', 's3:PutBucketNotification', 's3:PutBucketAcl', 's3:PutBucketTagging',
    's3:PutIntelligentTieringConfiguration', 's3:CreateBucketMetadataTableConfiguration', 's3:DeleteBucket',
  ];
  test.each(CONFIGURATION_CHANGES)('SDL-S3-03: %s is denied to a same-account role with s3:*, and allowed to the deployment role', async (action) => {
    expect(await s3req(world.roleArn(admin), action, bucketArn)).toBe('ExplicitlyDenied');
    const deployer = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';
    const r = await world.decide({
      principal: deployer,
      action,
      resource: bucketArn,
      identityPolicies: [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    });
    expect(r).toBe('Allowed');
  });

  test('SDL-ENC-01: the bucket key is administered by the administrators alone: a role with kms:* can neither disable, delete nor rewrite it', async () => {
    for (const action of ['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKeyRotation']) {
      expect(await world.decide({ principal: world.roleArn(admin), action, resource: keyArn })).toBe('ExplicitlyDenied');
    }
    const deployer = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';
    const all = [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    expect(await world.decide({ principal: deployer, action: 'kms:PutKeyPolicy', resource: keyArn, identityPolicies: all })).toBe('Allowed');
    // The account root is outside the deny (KMS has no other way back into a key).
    expect(await world.decide({ principal: 'arn:aws:iam::111111111111:root', action: 'kms:PutKeyPolicy', resource: keyArn })).not.toBe('ExplicitlyDenied');
  });

  test('SDL-LOG-03: nobody deletes server access logs, not even a role with s3:* or the deployment role', async () => {
    const logs = world.bucketArn(lake.accessLogBucket!);
    const all = [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    for (const principal of [world.roleArn(admin), 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1']) {
      for (const action of ['s3:DeleteObject', 's3:DeleteObjectVersion']) {
        expect(await world.decide({ principal, action, resource: `${logs}/access-logs/2026-11-30-12-00-00-ABC`, identityPolicies: all })).toBe('ExplicitlyDenied');
      }
    }
  });

  test('SDL-S3-03: reading the configuration stays open to IAM (the deny covers changes only)', async () => {
    for (const action of ['s3:GetBucketPolicy', 's3:GetBucketVersioning', 's3:GetEncryptionConfiguration']) {
      expect(await s3req(world.roleArn(admin), action, bucketArn)).toBe('Allowed');
    }
  });

  test('SDL-S3-03: every object read is in the perimeter, replication and batch-replication reads included', async () => {
    const a = world.roleArn(admin);
    for (const action of ['s3:GetObjectVersionForReplication', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:GetObjectAcl', 's3:InitiateReplication', 's3:ReplicateObject']) {
      expect(await s3req(a, action, table('part-0.parquet'))).toBe('ExplicitlyDenied');
    }
  });

  test('SDL-S3-04: an upload with a customer-provided key (SSE-C) is denied, even to a granted writer', async () => {
    const granted = world.roleArn(writer);
    expect(await put(granted, table('part-1.parquet'), {}, { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' })).toBe('ExplicitlyDenied');
    expect(await put(granted, table('part-1.parquet'))).toBe('Allowed');
  });

  test('SDL-S3-03: another account is denied, even with s3:* of its own', async () => {
    const foreign = 'arn:aws:iam::222222222222:role/intruder';
    const r = await world.decide({
      principal: foreign,
      action: 's3:GetObject',
      resource: table('part-0.parquet'),
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }],
    });
    expect(r).not.toBe('Allowed');
  });

  test('an anonymous request is denied', async () => {
    const r = await world.decide({ principal: 'arn:aws:iam::111111111111:root', action: 's3:GetObject', resource: table('x'), identityPolicies: [] });
    expect(r).not.toBe('Allowed');
  });

  test('an AWS service principal the bucket policy admits is not locked out by the perimeter', async () => {
    // Services carry no aws:PrincipalArn: the perimeter must let them through to their own statement.
    const s = new Stack(new App(), 'Svc', { env });
    const l = new SecureDeltaLakeBucket(s, 'Lake');
    l.bucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [l.bucket.arnForObjects('inventory/*')],
      conditions: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    }));
    const sw = PolicyWorld.of(s);
    const r = await sw.decide({
      principal: 's3.amazonaws.com',
      action: 's3:PutObject',
      resource: `${sw.bucketArn(l.bucket)}/inventory/report.csv`,
      context: { 'aws:SourceAccount': '111111111111' },
    });
    expect(r).toBe('Allowed');
  });

  test('SDL-ACC-03: a reader of the raw zone gets CSV files under its prefix and can neither put nor delete them', async () => {
    const r = world.roleArn(reader);
    expect(await s3req(r, 's3:GetObject', `${rawArn}/landing/customers/2026-11-27.csv`)).toBe('Allowed');
    expect(await s3req(r, 's3:GetObject', `${rawArn}/landing/orders/2026-11-27.csv`)).toBe('ImplicitlyDenied');
    // Now denied twice: no IAM grant, and the prefix's fence admits only its producer for writes.
    expect(await s3req(r, 's3:PutObject', `${rawArn}/landing/customers/2026-11-27.csv`)).toBe('ExplicitlyDenied');
    expect(await s3req(r, 's3:DeleteObject', `${rawArn}/landing/customers/2026-11-27.csv`)).toBe('ExplicitlyDenied');
    expect(await s3req(r, 's3:GetObject', table('part-0.parquet'))).toBe('ExplicitlyDenied');
  });

  test('SDL-ACC-03: a producer uploads CSV files under its prefix with the bucket key, and can neither read, list nor delete', async () => {
    const p = world.roleArn(producer);
    const csv = `${rawArn}/landing/customers/2026-11-27.csv`;
    const rawKey = world.keyArn(raw.encryptionKey);
    expect(await world.decide({ principal: p, action: 's3:PutObject', resource: csv, context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': rawKey } })).toBe('Allowed');
    expect(await world.decide({ principal: p, action: 'kms:GenerateDataKey', resource: rawKey, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': rawArn } })).toBe('Allowed');
    expect(await world.decide({ principal: p, action: 's3:PutObject', resource: `${rawArn}/landing/orders/x.csv` })).not.toBe('Allowed');
    expect(await world.decide({ principal: p, action: 's3:GetObject', resource: csv })).not.toBe('Allowed');
    expect(await world.decide({ principal: p, action: 's3:DeleteObject', resource: csv })).not.toBe('Allowed');
    expect(await world.decide({ principal: p, action: 's3:ListBucket', resource: rawArn, context: { 's3:prefix': 'landing/customers/' } })).not.toBe('Allowed');
  });

  test('the grant uses the bucket key only through S3 for this bucket', async () => {
    const r = world.roleArn(reader);
    const rawKey = world.keyArn(raw.encryptionKey);
    const decrypt = (ctx: { [k: string]: string }, key = rawKey) => world.decide({ principal: r, action: 'kms:Decrypt', resource: key, context: ctx });
    expect(await decrypt({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': rawArn })).toBe('Allowed');
    expect(await decrypt({ 'kms:EncryptionContext:aws:s3:arn': rawArn })).toBe('ImplicitlyDenied');
    expect(await decrypt({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': bucketArn })).toBe('ImplicitlyDenied');
    expect(await decrypt({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': rawArn }, keyArn)).toBe('ImplicitlyDenied');
  });
});

describe('a prefix restricted to its grantees (a PII zone)', () => {
  const csv = `${rawArn}/landing/customers/2026-11-27.csv`;

  test('SDL-ACC-03: a principal inside the perimeter with a broad read-only policy reads its own prefix but not the restricted one', async () => {
    const i = world.roleArn(insider);
    expect(await s3req(i, 's3:GetObject', `${rawArn}/landing/orders/2026-11-27.csv`)).toBe('Allowed');
    expect(await s3req(i, 's3:GetObject', csv)).toBe('ExplicitlyDenied');
    expect(await s3req(i, 's3:GetObjectVersion', csv)).toBe('ExplicitlyDenied');
  });

  test('SDL-ACC-03: the restricted prefix admits its reader for reads and its producer for writes, and neither for the other', async () => {
    expect(await s3req(world.roleArn(reader), 's3:GetObject', csv)).toBe('Allowed');
    const rawKey = world.keyArn(raw.encryptionKey);
    expect(await s3req(world.roleArn(producer), 's3:PutObject', csv, { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': rawKey })).toBe('Allowed');
    // Denied by the fence itself, whatever the identity policy: a reader given s3:PutObject, a producer given s3:GetObject.
    const everything = [{ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }];
    expect(await world.decide({ principal: world.roleArn(reader), action: 's3:PutObject', resource: csv, identityPolicies: everything })).toBe('ExplicitlyDenied');
    expect(await world.decide({ principal: world.roleArn(producer), action: 's3:GetObject', resource: csv, identityPolicies: everything })).toBe('ExplicitlyDenied');
  });

  test('SDL-ACC-03: the fences are exactly two statements, one per side, naming the grantees of this stack by ARN', () => {
    const doc = world.resourcePolicyOf(csv)!;
    const fences = doc.Statement.filter((x: any) => /^Fence(Reads|Writes)/.test(x.Sid));
    expect(fences.map((x: any) => x.Sid.replace(/[0-9A-F]{8}$/, ''))).toEqual(['FenceReads', 'FenceWrites']);
    expect(fences[0].Resource).toBe(`${rawArn}/landing/customers/*`);
    expect(fences[0].Condition.ArnNotLikeIfExists['aws:PrincipalArn']).toEqual([world.roleArn(reader)]);
    expect(fences[1].Condition.ArnNotLikeIfExists['aws:PrincipalArn']).toEqual([world.roleArn(producer)]);
  });
});

describe('a two-stack app', () => {
  test('SDL-ACC-03: a grantee of another stack passes a restricted prefix by the tag its grant puts on it; another reserved-path role does not', async () => {
    const a = new App();
    const data = new Stack(a, 'Data', { env });
    const compute = new Stack(a, 'Compute', { env });
    const l = new SecureDeltaLakeBucket(data, 'Lake', { zone: LakeZone.RAW });
    const job = new iam.Role(compute, 'Job', { assumedBy: glue, path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH });
    l.restrictToGrantees('landing/customers');
    l.grantRead(job, 'landing/customers');
    const tw = PolicyWorld.of(data, compute);
    const csv = `${tw.bucketArn(l.bucket)}/landing/customers/a.csv`;
    const [t, id] = tw.locate(job);
    const tags: Array<{ Key: string; Value: string }> = t.resources[id].Properties.Tags;
    const fenceTag = tags.find((x) => x.Key.startsWith('cdk-secure-delta-lake:fence:'))!;
    expect(fenceTag.Value).toBe('read');
    const tagged = { [`aws:PrincipalTag/${fenceTag.Key}`]: fenceTag.Value };
    expect(await tw.decide({ principal: tw.roleArn(job), action: 's3:GetObject', resource: csv, context: tagged })).toBe('Allowed');
    // The same role without the tag, and another role on the reserved path with the same permissions, are stopped.
    expect(await tw.decide({ principal: tw.roleArn(job), action: 's3:GetObject', resource: csv, context: { [`aws:PrincipalTag/${fenceTag.Key}`]: undefined } })).toBe('ExplicitlyDenied');
    const other = 'arn:aws:iam::111111111111:role/cdk-secure-delta-lake/Other';
    expect(await tw.decide({ principal: other, action: 's3:GetObject', resource: csv, identityPolicies: tw.identityPoliciesOf(tw.roleArn(job)) })).toBe('ExplicitlyDenied');
    // A tag for reading does not admit writing.
    expect(await tw.decide({
      principal: tw.roleArn(job),
      action: 's3:PutObject',
      resource: csv,
      context: tagged,
      identityPolicies: [{ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }],
    })).toBe('ExplicitlyDenied');
  });

  test('SDL-S3-01: a grantee of another stack under the reserved path passes the perimeter; one off the path does not', async () => {
    const a = new App();
    const data = new Stack(a, 'Data', { env });
    const compute = new Stack(a, 'Compute', { env });
    const l = new SecureDeltaLakeBucket(data, 'Lake');
    const job = new iam.Role(compute, 'Job', { assumedBy: glue, path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH });
    l.grantDeltaWrite(job, 'tables/orders');
    const tw = PolicyWorld.of(data, compute);
    const obj = `${tw.bucketArn(l.bucket)}/tables/orders/part-0.parquet`;
    expect(await tw.decide({ principal: tw.roleArn(job), action: 's3:PutObject', resource: obj })).toBe('Allowed');
    const offPath = 'arn:aws:iam::111111111111:role/other/Job';
    expect(await tw.decide({
      principal: offPath,
      action: 's3:PutObject',
      resource: obj,
      identityPolicies: tw.identityPoliciesOf(tw.roleArn(job)),
    })).toBe('ExplicitlyDenied');
  });
});
