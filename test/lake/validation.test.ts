/**
 * One synth lists every prop problem of every construct of the app, each with its construct path:
 * a bad lake, a bad table, a bad bucket and a bad job do not hide each other.
 */
import * as fs from 'fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ColumnType, LakeTable, LakeZone, LeastPrivilegeGlueJob, SecureDeltaLake, SecureDeltaLakeBucket, TableSchema } from '../../src';

const env = { account: '111111111111', region: 'eu-west-1' };
const schema = TableSchema.of([{ name: 'id', type: ColumnType.LONG }]);

/** The message `app.synth()` throws (fails the test when it does not throw). */
function synthError(app: App): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('the whole composition reports its prop problems at once', () => {
  const app = new App();
  const stack = new Stack(app, 'S', { env });
  // Constructors do not throw for bad props: each construct goes on with a harmless value.
  const lake = new SecureDeltaLake(stack, 'Lake', { lakeName: 'Bad_Lake', alertEmails: ['data@example.com'] });
  lake.addTable('Orders', { tableName: 'orders', schema, expectedRunInterval: Duration.days(10), maxQuarantineRatio: 1.5 });
  const raw = new SecureDeltaLakeBucket(stack, 'Raw', { zone: LakeZone.RAW, minimumTlsVersion: 1.1 });
  const curated = new SecureDeltaLakeBucket(stack, 'Curated');
  new LeastPrivilegeGlueJob(stack, 'Job', { source: { bucket: raw.bucket, lakeBucket: raw, prefix: 'landing/*' }, target: curated, tablePath: 'tables/x', schema, maxWorkers: 1 });
  const message = synthError(app);

  test('one error names every problem, each after its construct path', () => {
    expect(message).toMatch(/^Validation failed with the following errors:/);
    const lines = message.split('\n').slice(1).map((l) => l.trim());
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\[S\/Lake\] SecureDeltaLake: lakeName 'Bad_Lake' must be 3 to 20 lowercase letters/),
      expect.stringMatching(/^\[S\/Lake\/Orders\] LakeTable: expectedRunInterval must be from 1 hour to 7 days/),
      // The table's job: hidden before by the table's own problem, which stopped the table.
      expect.stringMatching(/^\[S\/Lake\/Orders\/Job\] LeastPrivilegeGlueJob: maxQuarantineRatio must be from 0 to 1 \(got 1.5\)/),
      expect.stringMatching(/^\[S\/Raw\] SecureDeltaLakeBucket: minimumTlsVersion must be 1.2 or higher \(got 1.1\)/),
      expect.stringMatching(/^\[S\/Job\] LeastPrivilegeGlueJob: maxWorkers must be an integer from 2 to 299 \(got 1\)/),
      expect.stringMatching(/^\[S\/Job\] LeastPrivilegeGlueJob: source.prefix 'landing\/\*' contains a wildcard/),
    ]));
    expect(lines).toHaveLength(6);
  });

  test('synth fails before any template is written', () => {
    expect(() => app.synth({ force: true })).toThrow(/Validation failed/);
    expect(fs.readdirSync(app.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });
});

describe('what cannot be built throws at once, with the problems found so far', () => {
  test('a table in another region than its lake', () => {
    const app = new App();
    const lakeStack = new Stack(app, 'LakeStack', { env });
    const lake = new SecureDeltaLake(lakeStack, 'Lake', { lakeName: 'sales', existingTrailsInRegion: 9 });
    new SecureDeltaLakeBucket(lakeStack, 'Raw', { zone: LakeZone.RAW, accessLogRetention: Duration.days(0) });
    const other = new Stack(app, 'Other', { env: { ...env, region: 'us-east-1' } });
    let message = '';
    try {
      new LakeTable(other, 'Orders', { lake, tableName: 'Orders', schema });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^LakeTable: 2 problems:\n- tableName 'Orders' must be lowercase letters/);
    expect(message).toMatch(/\n- the table's stack Other is in 111111111111\/us-east-1 and the lake's stack LakeStack in 111111111111\/eu-west-1; put the table in a stack of the lake's account and region/);
    expect(message).toMatch(/Problems found so far in other constructs:\n {2}\[LakeStack\/Lake\] SecureDeltaLake: existingTrailsInRegion must be an integer from 0 to 4 \(got 9\)/);
    expect(message).toMatch(/\n {2}\[LakeStack\/Raw\] SecureDeltaLakeBucket: accessLogRetention must be positive/);
  });
});
