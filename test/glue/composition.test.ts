/**
 * Props checked by role and by value, in every language: lake buckets where the guarantees are
 * needed, zones by role, enum-like props whatever the caller cast, every problem at once.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AuditedPipeline, ColumnType, LakeZone, LeastPrivilegeGlueJob, SecureDeltaLakeBucket, TableSchema } from '../../src';
import { problemAt, synthError } from '../kit/synth-error';

const env = { account: '111111111111', region: 'eu-west-1' };
const schema = TableSchema.of([{ name: 'id', type: ColumnType.LONG }]);
const stack = (id: string) => new Stack(new App(), id, { env });

describe('LeastPrivilegeGlueJob', () => {
  test('a plain source bucket is refused unless the app opts in, and then warned about', () => {
    const refused = stack('Refused');
    expect(synthError(() => new LeastPrivilegeGlueJob(refused, 'Job', {
      source: { bucket: s3.Bucket.fromBucketName(refused, 'Imported', 'someone-elses-bucket'), prefix: 'in' },
      target: new SecureDeltaLakeBucket(refused, 'Curated'),
      tablePath: 't',
      schema,
    }))).toMatch(problemAt('Refused/Job', /source.bucket .*Imported is not a SecureDeltaLakeBucket.*allowPlainSourceBucket: true/));
    const s = stack('Plain');
    const curated = new SecureDeltaLakeBucket(s, 'Curated');
    const plain = s3.Bucket.fromBucketName(s, 'Imported', 'someone-elses-bucket');
    new LeastPrivilegeGlueJob(s, 'Allowed', { source: { bucket: plain, prefix: 'in' }, target: curated, tablePath: 't2', schema, allowPlainSourceBucket: true });
    Annotations.fromStack(s).hasWarning('/Plain/Allowed', Match.stringLikeRegexp('cdk-secure-delta-lake:plainSourceBucket|is not a SecureDeltaLakeBucket'));
  });

  test('a lake bucket passed as bucket alone is recognized, and its raw prefix is fenced', () => {
    const s = stack('Inferred');
    const raw = new SecureDeltaLakeBucket(s, 'Raw', { zone: LakeZone.RAW });
    const curated = new SecureDeltaLakeBucket(s, 'Curated');
    new LeastPrivilegeGlueJob(s, 'Job', { source: { bucket: raw.bucket, prefix: 'landing/x' }, target: curated, tablePath: 't', schema });
    const policy = s.resolve((raw.bucket as s3.Bucket).policy!.document.toJSON());
    expect(policy.Statement.map((x: any) => x.Sid)).toEqual(expect.arrayContaining([expect.stringMatching(/^FenceReads/)]));
  });

  test('zones by role, enums by value, every problem at once', () => {
    const s = stack('Zones');
    const raw = new SecureDeltaLakeBucket(s, 'Raw', { zone: LakeZone.RAW });
    const curated = new SecureDeltaLakeBucket(s, 'Curated');
    const message = synthError(() => new LeastPrivilegeGlueJob(s, 'Job', {
      source: { bucket: curated.bucket, prefix: 'in' },
      target: raw,
      tablePath: 't',
      schema,
      glueVersion: '4.0' as any,
      workerType: 'G.025X' as any,
    }));
    expect(message.split('\n').slice(1)).toHaveLength(4);
    expect(message).toMatch(problemAt('Zones/Job', /glueVersion must be one of GlueJobVersion.V5_0 \('5.0'\), GlueJobVersion.V5_1 \('5.1'\) \(got '4.0'\)/));
    expect(message).toMatch(problemAt('Zones/Job', /workerType must be one of/));
    expect(message).toMatch(problemAt('Zones/Job', /target .*Raw serves the RAW zone/));
    expect(message).toMatch(problemAt('Zones/Job', /source.bucket .*Curated.* serves the CURATED zone/));
  });
});

describe('SecureDeltaLakeBucket and AuditedPipeline', () => {
  test('a bucket zone or lock mode cast from a string is refused by name', () => {
    expect(synthError(() => new SecureDeltaLakeBucket(stack('Z'), 'B', { zone: 'GOLD' as any })))
      .toMatch(problemAt('Z/B', /zone must be one of LakeZone.RAW \('RAW'\), LakeZone.CURATED \('CURATED'\) \(got 'GOLD'\)/));
  });

  test('a plain bucket or a bucket of the wrong zone is refused by the pipeline, with the job\'s problems in the same error', () => {
    const s = stack('Pipeline');
    const plain = s3.Bucket.fromBucketName(s, 'Imported', 'someone-elses-bucket') as any;
    const raw = new SecureDeltaLakeBucket(s, 'Raw', { zone: LakeZone.RAW });
    let message = '';
    try {
      new AuditedPipeline(s, 'P', { tableName: 'orders', schema, rawBucket: plain, curatedBucket: raw, maxQuarantineRatio: 1.5 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^AuditedPipeline: \d+ problems:/);
    expect(message).toMatch(/rawBucket .*Imported is not a SecureDeltaLakeBucket/);
    expect(message).toMatch(/curatedBucket .*Raw serves the RAW zone/);
    expect(message).toMatch(/maxQuarantineRatio must be from 0 to 1 \(got 1.5\)/);
  });
});
