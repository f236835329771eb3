/**
 * Upgrading an `AuditedPipeline` deployment to the version where it is a one-table
 * `SecureDeltaLake`: the templates of test/lake/fixtures/pipeline-before.json (generated once from
 * the version before, see generate-pipeline-before.ts) against today's, built from the same code.
 *
 * - every stateful resource (bucket, key, secret, log group, trail) keeps its logical id and its
 *   properties, but the job's own key and log groups, which the lake's shared logs key and the log
 *   groups under the lake's prefix replace: they stay in the account (Retain) with the old logs;
 * - no resource of the new template is created under a new logical id with a name an old resource
 *   of the same type still holds (CloudFormation creates before it deletes: that update would fail).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ColumnType, LakeZone, PipelineTrigger, SecureDeltaLake, SecureDeltaLakeBucket, TableSchema } from '../../src';
import { problemAt, synthError } from '../kit/synth-error';
import { physicalName, scenarios, snapshot } from './fixtures/generate-pipeline-before';

type Snapshot = ReturnType<typeof snapshot>;
const fixture: { [scenario: string]: { [stack: string]: Snapshot } } = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'pipeline-before.json'), 'utf8'));
const after: { [scenario: string]: { [stack: string]: Snapshot } } = Object.fromEntries(Object.entries(scenarios()).map(([name, stacks]) =>
  [name, Object.fromEntries(stacks.map((s) => [s.stackName, snapshot(s)]))]));

/** The job's own key and log groups, which leave (or are replaced in) the template and stay in the account. */
const JOB_OWN = /^[A-Za-z]+Job(Key|OutputLogs|ErrorLogs)[0-9A-F]{8}$/;

const cases = Object.entries(fixture).flatMap(([scenario, stacks]) => Object.keys(stacks).map((stack) => [scenario, stack]));

describe('upgrading an AuditedPipeline deployment to the one-table lake', () => {
  test.each(cases)('%s, stack %s: every bucket, key, secret, log group and trail keeps its logical id and properties', (scenario, stack) => {
    const b = fixture[scenario][stack];
    const a = after[scenario][stack];
    expect(Object.keys(b.stateful).length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const [id, r] of Object.entries(b.stateful)) {
      if (JOB_OWN.test(id)) {
        // Dropped or replaced: retained either way.
        expect([id, r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual([id, 'Retain', 'Retain']);
      } else if (!a.stateful[id]) {
        missing.push(`${id} (${r.Type})`);
      } else {
        expect([id, a.stateful[id]]).toEqual([id, r]);
      }
    }
    expect(missing).toEqual([]);
  });

  test.each(cases)('%s, stack %s: no new resource takes a name an old resource holds', (scenario, stack) => {
    const b = fixture[scenario][stack];
    const a = after[scenario][stack];
    const holders = new Map(Object.entries(b.names).map(([id, name]) => [name, id]));
    const clashes = Object.entries(a.names).filter(([id, name]) => holders.has(name) && holders.get(name) !== id)
      .map(([id, name]) => `${name}: ${holders.get(name)} before, ${id} now`);
    expect(clashes).toEqual([]);
  });

  test('the catalog database and table keep their names and logical ids (analysts\' queries keep working)', () => {
    for (const [scenario, stacks] of Object.entries(fixture)) {
      for (const [stack, b] of Object.entries(stacks)) {
        const kept = Object.entries(b.names).filter(([, n]) => /^AWS::Glue::(Database|Table) /.test(n));
        expect(kept.map(([id]) => [scenario, stack, id, after[scenario][stack].names[id]])).toEqual(kept.map(([id, n]) => [scenario, stack, id, n]));
      }
    }
  });

  test('the upgrade replaces no stateful resource, and counts what it adds and removes', () => {
    const summary = Object.entries(fixture).map(([scenario, stacks]) => Object.entries(stacks).map(([stack, b]) => {
      const a = after[scenario][stack];
      const removed = Object.keys(b.resources).filter((id) => !a.resources[id]);
      const added = Object.keys(a.resources).filter((id) => !b.resources[id]);
      return { scenario, stack, before: Object.keys(b.resources).length, after: Object.keys(a.resources).length, removed, added };
    })).flat();
    for (const s of summary) {
      const stateful = s.removed.filter((id) => ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup', 'AWS::CloudTrail::Trail']
        .includes(fixture[s.scenario][s.stack].resources[id]) && !JOB_OWN.test(id));
      expect({ ...s, stateful }).toEqual({ ...s, stateful: [] });
    }
    if (process.env.SDL_MIGRATION_SUMMARY) fs.writeFileSync(process.env.SDL_MIGRATION_SUMMARY, JSON.stringify(summary, null, 1));
    expect(physicalName({ Type: 'AWS::Glue::Table', Properties: { DatabaseName: 'd', TableInput: { Name: 't' } } })).toBe('AWS::Glue::Table "d".t');
  });
});

describe('moving a one-table deployment onto a SecureDeltaLake of its own', () => {
  const env = { account: '111111111111', region: 'eu-west-1' };
  const schema = TableSchema.of([{ name: 'id', type: ColumnType.LONG, nullable: false }, { name: 'email', type: ColumnType.STRING, pii: true }]);

  test('a SecureDeltaLake given the pipeline\'s id, zones and trail name keeps the buckets, keys, secret and trail', () => {
    const old = fixture.zonesPassedIn.Custom;
    const trailName = Object.values(old.names).find((n) => n.startsWith('AWS::CloudTrail::Trail '))!.split(' ')[1];
    const app = new App();
    const data = new Stack(app, 'Data', { env });
    const rawBucket = new SecureDeltaLakeBucket(data, 'Raw', { zone: LakeZone.RAW });
    const curatedBucket = new SecureDeltaLakeBucket(data, 'Curated', { zone: LakeZone.CURATED });
    const stack = new Stack(app, 'Custom', { env });
    new SecureDeltaLake(stack, 'Refunds', {
      lakeName: 'refunds', trailName, rawBucket, curatedBucket, encryptDataCatalog: true, accountTrail: true, alertEmails: ['data-platform@example.com'],
    }).addTable('Table', { tableName: 'refunds', schema, trigger: PipelineTrigger.onDemand() });
    const a = snapshot(stack);
    const kept = Object.keys(old.stateful).filter((id) => !JOB_OWN.test(id));
    expect(kept.filter((id) => !a.stateful[id])).toEqual([]);
    for (const id of kept) expect([id, a.stateful[id]]).toEqual([id, old.stateful[id]]);
  });

  test('fails on a trail name CloudTrail would refuse, naming the rule', () => {
    const stack = new Stack(new App(), 'Bad', { env });
    expect(synthError(() => new SecureDeltaLake(stack, 'Lake', { lakeName: 'bad', trailName: 'x--y' }))).toMatch(problemAt('Bad/Lake', /trailName 'x--y' must be 3 to 128 letters/));
  });
});
