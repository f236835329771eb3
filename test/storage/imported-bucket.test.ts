/**
 * A lake bucket of another app, imported with SecureDeltaLakeBucket.fromBucketAttributes: its grants
 * work through the owning app's perimeter and fences, decided by the policy evaluator over both
 * apps' templates.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ColumnType, LakeZone, LeastPrivilegeGlueJob, SecureDeltaLakeBucket, TableSchema } from '../../src';
import { PolicyWorld } from '../kit/policy-kit';
import { problemAt, synthError } from '../kit/synth-error';

const env = { account: '111111111111', region: 'eu-west-1' };
const NAME = 'sales-raw-111111111111';

// Two stacks that share nothing but the bucket's name, as two apps do (one App only so that the
// policy kit can read both templates).
const app = new App();
// The owning app: a raw lake bucket with a literal name and a fenced landing prefix.
const owner = new Stack(app, 'LakeOwner', { env });
const raw = new SecureDeltaLakeBucket(owner, 'Raw', { zone: LakeZone.RAW, bucketName: NAME, admitDataAccessRolesOfOtherApps: true });
raw.restrictToGrantees('landing/orders');

// Another app: imports the bucket and ingests its landing prefix into a curated bucket of its own.
const other = new Stack(app, 'Ingestion', { env });
const key = kms.Key.fromKeyArn(other, 'RawKey', 'arn:aws:kms:eu-west-1:111111111111:key/0f0f0f0f-0000-4000-a000-000000000001');
const imported = SecureDeltaLakeBucket.fromBucketAttributes(other, 'Raw', { bucketName: NAME, encryptionKey: key, zone: LakeZone.RAW });
const curated = new SecureDeltaLakeBucket(other, 'Curated');
const job = new LeastPrivilegeGlueJob(other, 'Job', {
  source: { bucket: imported.bucket, lakeBucket: imported, prefix: 'landing/orders' },
  target: curated,
  tablePath: 'tables/orders',
  schema: TableSchema.of([{ name: 'order_id', type: ColumnType.LONG }]),
});
const world = PolicyWorld.of(owner, other);
const csv = `arn:aws:s3:::${NAME}/landing/orders/2026-11-30.csv`;

describe('SecureDeltaLakeBucket.fromBucketAttributes', () => {
  test('SDL-ACC-03: the job of the importing app reads the fenced prefix through the owner\'s perimeter and fence', async () => {
    expect(await world.decide({ principal: world.roleArn(job.role), action: 's3:GetObject', resource: csv })).toBe('Allowed');
  });

  test('SDL-ACC-03: another role on the reserved path with the same policies is stopped by the owner\'s fence', async () => {
    const otherRole = 'arn:aws:iam::111111111111:role/cdk-secure-delta-lake/Other';
    expect(await world.decide({ principal: otherRole, action: 's3:GetObject', resource: csv, identityPolicies: world.identityPoliciesOf(world.roleArn(job.role)) }))
      .toBe('ExplicitlyDenied');
  });

  test('the owner\'s opt-in to admit other apps\' roles is loud', () => {
    Annotations.fromStack(owner).hasWarning('/LakeOwner/Raw', Match.stringLikeRegexp('admits every role on /cdk-secure-delta-lake/ of this account'));
  });

  test('the zone and key are the imported ones, and the job checks the zone by role', () => {
    expect(imported.zone).toBe(LakeZone.RAW);
    expect(imported.encryptionKey).toBe(key);
    const s = new Stack(new App(), 'Wrong', { env });
    const asCurated = SecureDeltaLakeBucket.fromBucketAttributes(s, 'C', { bucketName: NAME, encryptionKey: key, zone: LakeZone.RAW });
    expect(synthError(() => new LeastPrivilegeGlueJob(s, 'Job', {
      source: { bucket: asCurated.bucket, lakeBucket: asCurated, prefix: 'in' },
      target: SecureDeltaLakeBucket.fromBucketAttributes(s, 'R', { bucketName: 'other-raw-1', encryptionKey: key, zone: LakeZone.RAW }),
      tablePath: 't',
      schema: TableSchema.of([{ name: 'id', type: ColumnType.LONG }]),
    }))).toMatch(problemAt('Wrong/Job', /target .*R serves the RAW zone/));
  });

  test('a grantee off the reserved path, a token name and a bad zone are refused with the fix', () => {
    const s = new Stack(new App(), 'Refused', { env });
    const b = SecureDeltaLakeBucket.fromBucketAttributes(s, 'B', { bucketName: NAME, encryptionKey: key, zone: LakeZone.RAW });
    expect(() => b.grantRead(new iam.Role(s, 'OffPath', { assumedBy: new iam.AccountRootPrincipal() }), 'landing/orders'))
      .toThrow(/admits this app's roles by their path only: create the role with path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH/);
    Annotations.fromStack(s).hasInfo('/Refused/B', Match.stringLikeRegexp('lake bucket of another app'));
    const t = new Stack(new App(), 'Token', { env });
    const message = synthError(() => SecureDeltaLakeBucket.fromBucketAttributes(t, 'T', { bucketName: t.resolve('x') as any, encryptionKey: key, zone: 'GOLD' as any }));
    expect(message).toMatch(problemAt('Token/T', /bucketName 'x' must be the literal name of the lake bucket/));
    expect(message).toMatch(problemAt('Token/T', /zone must be one of LakeZone.RAW/));
  });
});
