import { execFileSync } from 'child_process';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ColumnType, JobArguments, JobMetrics, LakeZone, LeastPrivilegeGlueJob, SecureDeltaLakeBucket, TableSchema } from '../../src';
import { JOB_CONTRACT } from '../../src/glue/job-contract';
import { problemAt, synthError } from '../kit/synth-error';

const env = { account: '111111111111', region: 'eu-west-1' };
const ROOT = path.join(__dirname, '..', '..');

/** A job's script arguments (the ones that do not belong to Glue), with and without the optional props. */
function scriptArguments(withOptional: boolean): string[] {
  const stack = new Stack(new App(), withOptional ? 'All' : 'Defaults', { env });
  const raw = new SecureDeltaLakeBucket(stack, 'Raw', { zone: LakeZone.RAW });
  const curated = new SecureDeltaLakeBucket(stack, 'Curated');
  const key = new secretsmanager.Secret(stack, 'Key');
  key.addRotationSchedule('Rotation', { hostedRotation: secretsmanager.HostedRotation.mysqlSingleUser() });
  new LeastPrivilegeGlueJob(stack, 'Job', {
    source: { bucket: raw.bucket, lakeBucket: raw, prefix: 'landing/customers' },
    target: curated,
    tablePath: 'tables/customers',
    schema: TableSchema.of([{ name: 'id', type: ColumnType.LONG }]),
    ...(withOptional ? { redactQuarantine: true, secrets: { 'pseudonym-key': key } } : {}),
  });
  const job = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Job'))[0].Properties;
  expect(job.DefaultArguments).toBeUndefined(); // every argument the construct passes is locked
  const glueOwn = new Set(['--scriptLocation', '--extra-py-files', '--extra-jars', '--extra-files', '--additional-python-modules',
    '--python-modules-installer-option', '--user-jars-first', '--conf', '--job-language', '--datalake-formats', '--TempDir',
    '--enable-spark-ui', '--spark-event-logs-path', '--enable-continuous-cloudwatch-log', '--continuous-log-logGroup',
    '--write-shuffle-files-to-s3', '--write-shuffle-spills-to-s3', '--enable-metrics', '--enable-observability-metrics',
    '--enable-auto-scaling', '--custom-logGroup-prefix', '--job-bookmark-option']);
  return Object.keys(job.NonOverridableArguments).filter((k) => !glueOwn.has(k)).sort();
}

const flags = (setBy: string[]) => JOB_CONTRACT.arguments.filter((a) => setBy.includes(a.setBy)).map((a) => `--${a.name}`).sort();

describe('the job contract', () => {
  test('the job passes, and locks, exactly the contract arguments the construct sets: always, or when their prop is set', () => {
    expect(scriptArguments(false)).toEqual(flags(['construct']));
    expect(scriptArguments(true)).toEqual(flags(['construct', 'constructWhenSet', 'secrets']));
  });

  test('every argument the script accepts is set by a prop, by Glue, or documented local-only', () => {
    for (const a of JOB_CONTRACT.arguments) {
      expect(['construct', 'constructWhenSet', 'secrets', 'glue', 'localOnly']).toContain(a.setBy);
      expect(a.description.length).toBeGreaterThan(10);
      if (['construct', 'constructWhenSet', 'secrets'].includes(a.setBy)) {
        expect(a.prop).toBeTruthy();
      }
    }
  });

  test('JobArguments names exactly the arguments the construct or its secrets set, from the contract', () => {
    const constants = Object.fromEntries(Object.entries(JobArguments));
    expect(constants).toEqual(Object.fromEntries(JOB_CONTRACT.arguments
      .filter((a) => ['construct', 'constructWhenSet', 'secrets'].includes(a.setBy)).map((a) => [a.constant, `--${a.name}`])));
    expect(JobArguments.PSEUDONYM_KEY).toBe('--pseudonym-key');
    expect(JobArguments.REDACT_QUARANTINE).toBe('--redact-quarantine');
  });

  test('JobMetrics (which the alarms, the dashboards and the lake name metrics by) names exactly the contract metrics', () => {
    expect(Object.fromEntries(Object.entries(JobMetrics))).toEqual(Object.fromEntries(JOB_CONTRACT.metrics.names.map((m) => [m.constant, m.name])));
  });

  test('the props default to the contract: the quarantine ratio, the namespace, the retention', () => {
    const stack = new Stack(new App(), 'Props', { env });
    const job = new LeastPrivilegeGlueJob(stack, 'Job', {
      source: { bucket: new SecureDeltaLakeBucket(stack, 'Raw', { zone: LakeZone.RAW }).bucket, prefix: 'in' },
      target: new SecureDeltaLakeBucket(stack, 'Curated'),
      tablePath: 'tables/t/',
      schema: TableSchema.of([{ name: 'id', type: ColumnType.LONG }]),
      allowPlainSourceBucket: true,
    });
    const args = (Object.values(Template.fromStack(stack).findResources('AWS::Glue::Job'))[0].Properties as any).NonOverridableArguments;
    const byName = Object.fromEntries(JOB_CONTRACT.arguments.map((a) => [a.name, a]));
    expect(args['--max-quarantine-ratio']).toBe(String(byName['max-quarantine-ratio'].default));
    expect(args['--metrics-namespace']).toBe(byName['metrics-namespace'].default);
    expect(args['--quarantine-retention-days']).toBe(String(byName['quarantine-retention-days'].constructDefault));
    expect(job.metricsTable).toBe('t');
  });

  test('defaultArguments may not set a contract argument the construct sets, and the message names its prop', () => {
    const stack = new Stack(new App(), 'Conflict', { env });
    expect(synthError(() => new LeastPrivilegeGlueJob(stack, 'Job', {
      source: { bucket: new SecureDeltaLakeBucket(stack, 'Raw', { zone: LakeZone.RAW }).bucket, prefix: 'in' },
      target: new SecureDeltaLakeBucket(stack, 'Curated'),
      tablePath: 'tables/t',
      schema: TableSchema.of([{ name: 'id', type: ColumnType.LONG }]),
      defaultArguments: { '--redact-quarantine': 'true' },
    }))).toMatch(problemAt('Conflict/Job', 'defaultArguments may not set --redact-quarantine (set by redactQuarantine)'));
  });

  test('the generated Python module and the arguments table of docs/ingestion.md are up to date', () => {
    expect(() => execFileSync('node', [path.join(ROOT, 'scripts', 'gen-job-contract.js'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
