/**
 * Moving a one-table `AuditedPipeline` deployment onto a `SecureDeltaLake` without replacing its
 * buckets or keys: the lake takes the pipeline's construct id (its buckets, keys and trail keep their
 * construct paths, hence their logical ids) and the zones the pipeline was given. Both apps are
 * synthesized once; every bucket and key of the pipeline's deployment must be in the lake's, with
 * the same logical id and the same properties.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AuditedPipeline, ColumnType, LakeZone, PipelineTrigger, SecureDeltaLake, SecureDeltaLakeBucket, TableSchema } from '../../src';

const env = { account: '111111111111', region: 'eu-west-1' };
const schema = TableSchema.of([
  { name: 'id', type: ColumnType.LONG, nullable: false },
  { name: 'email', type: ColumnType.STRING, pii: true },
]);
const trigger = PipelineTrigger.onObjectCreated({ batchSize: 10 });

/**
 * The deployment's stateful resources, by logical id: buckets, keys, the pseudonymization key's
 * secret (a new value would change every pseudonym), the log groups and the trail.
 */
function stateful(stack: Stack): { [id: string]: any } {
  const resources = Template.fromStack(stack).toJSON().Resources as { [id: string]: any };
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup', 'AWS::CloudTrail::Trail'].includes(r.Type)));
}

/** The properties that must not change, without those CloudFormation updates in place: key policies, descriptions, tags. */
function physical(r: any): any {
  const { KeyPolicy, Description, Tags, ...rest } = r.Properties ?? {};
  return { Type: r.Type, Properties: rest, DeletionPolicy: r.DeletionPolicy, UpdateReplacePolicy: r.UpdateReplacePolicy };
}

/** The name of the one trail of a stack. */
function trailNameOf(stack: Stack): string {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudTrail::Trail'))[0].Properties.TrailName;
}

/**
 * Compare the deployment before and after: every bucket, key, secret and log group is kept, but the
 * job's own key and log groups, which the lake's shared logs key and the log groups under the
 * lake's prefix replace. They leave the template and stay in the account (RETAIN).
 */
function expectKept(before: { [id: string]: any }, after: { [id: string]: any }, jobKey: RegExp): void {
  const missing: string[] = [];
  for (const [id, r] of Object.entries(before)) {
    if (jobKey.test(id)) {
      expect([id, r.DeletionPolicy, r.UpdateReplacePolicy, after[id]]).toEqual([id, 'Retain', 'Retain', undefined]);
    } else if (!after[id]) {
      missing.push(`${id} (${r.Type})`);
    } else {
      expect([id, physical(after[id])]).toEqual([id, physical(r)]);
    }
  }
  expect(missing).toEqual([]);
}

describe('moving a one-table AuditedPipeline onto a SecureDeltaLake', () => {
  test('zones passed in (the example app): the data stack\'s and the pipeline stack\'s buckets, keys, secret, log groups and trail keep their logical ids and properties', () => {
    const build = (trailName?: string) => {
      const app = new App();
      const data = new Stack(app, 'Data', { env });
      const rawBucket = new SecureDeltaLakeBucket(data, 'Raw', { zone: LakeZone.RAW });
      const curatedBucket = new SecureDeltaLakeBucket(data, 'Curated', { zone: LakeZone.CURATED });
      const stack = new Stack(app, 'Pipeline', { env });
      if (trailName) {
        // The lake takes the pipeline's id ('Customers'); the table keeps the pipeline's prefixes.
        // The trail keeps its name (and so its log group).
        new SecureDeltaLake(stack, 'Customers', {
          lakeName: 'customers', trailName, rawBucket, curatedBucket, alertEmails: ['data-platform@example.com'],
        })
          .addTable('Table', { tableName: 'customers', schema, trigger });
      } else {
        new AuditedPipeline(stack, 'Customers', { tableName: 'customers', schema, rawBucket, curatedBucket, trigger, alertEmails: ['data-platform@example.com'] });
      }
      return [data, stack];
    };
    const before = build();
    const after = build(trailNameOf(before[1]));
    for (let i = 0; i < before.length; i++) {
      const b = stateful(before[i]);
      const a = stateful(after[i]);
      expect(Object.keys(b).length).toBeGreaterThan(0);
      expectKept(b, a, /^CustomersJob(Key|OutputLogs|ErrorLogs)[0-9A-F]{8}$/);
    }
  });

  test('zones created by the pipeline (one stack): the buckets, keys, secret, log groups and trail keep their logical ids and properties', () => {
    const build = (trailName?: string) => {
      const stack = new Stack(new App(), 'Pipeline', { env });
      if (trailName) {
        new SecureDeltaLake(stack, 'Orders', { lakeName: 'orders', trailName }).addTable('Table', { tableName: 'orders', schema, trigger });
      } else {
        new AuditedPipeline(stack, 'Orders', { tableName: 'orders', schema, trigger });
      }
      return stack;
    };
    const old = build();
    const b = stateful(old);
    const a = stateful(build(trailNameOf(old)));
    // Raw, curated, query results, their keys and access logs, the trail bucket, the audit key.
    expect(Object.keys(b).length).toBeGreaterThanOrEqual(10);
    expectKept(b, a, /^OrdersJob(Key|OutputLogs|ErrorLogs)[0-9A-F]{8}$/);
  });

  test('fails on a trail name CloudTrail would refuse, naming the rule', () => {
    const stack = new Stack(new App(), 'Bad', { env });
    expect(() => new SecureDeltaLake(stack, 'Lake', { lakeName: 'bad', trailName: 'x--y' })).toThrow(/trailName 'x--y' must be 3 to 128 letters/);
  });
});
