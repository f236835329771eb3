/**
 * The job's arguments: those the construct manages (`managedArguments`, with the app's
 * `defaultArguments` checked against them), and their locking in `NonOverridableArguments`
 * together with Glue's code-bearing and write-sink special parameters (`lockArguments`).
 */
import * as glue from 'aws-cdk-lib/aws-glue';
import { LeastPrivilegeGlueJobProps } from './glue-job-props';
import { constructArguments, propsOfConstructArguments } from './job-contract';
import { JobSettings } from './job-settings';
import { PropsValidator } from '../private/validation';

/**
 * Glue's special parameters that load code or configure the runtime before the script runs. A run
 * that could set them would run code of its choosing as the job role, so each is locked in
 * `NonOverridableArguments`: with the job's value, or empty where the job uses none.
 */
const CODE_BEARING_ARGUMENTS = [
  '--scriptLocation', '--extra-py-files', '--extra-jars', '--extra-files', '--additional-python-modules',
  '--python-modules-installer-option', '--user-jars-first', '--conf', '--job-language', '--datalake-formats',
];

/**
 * Glue's special parameters that make Glue itself write somewhere (temporary files, Spark event
 * logs, continuous logs, shuffle files): a run that could set them could point Glue's writes at a
 * prefix the job role reaches, such as a table analysts read. Locked off, or empty.
 */
const WRITE_SINK_ARGUMENTS: { [k: string]: string } = {
  '--TempDir': '',
  '--enable-spark-ui': 'false',
  '--spark-event-logs-path': '',
  '--enable-continuous-cloudwatch-log': 'false',
  '--continuous-log-logGroup': '',
  '--write-shuffle-files-to-s3': 'false',
  '--write-shuffle-spills-to-s3': 'false',
};

/** Arguments the L2 job sets itself, with the value that stands for "off" where it sets none. */
const L2_ARGUMENTS: { [k: string]: string } = {
  '--job-language': 'python',
  '--enable-metrics': '',
  '--enable-observability-metrics': '',
  '--enable-continuous-cloudwatch-log': 'false',
  '--user-jars-first': 'false',
};

/**
 * The arguments the construct manages: Glue's runtime settings, the script's arguments of the job
 * contract and the secrets. None can be set through `defaultArguments`: the app's others are
 * returned apart.
 */
export function managedArguments(v: PropsValidator, props: LeastPrivilegeGlueJobProps, s: JobSettings, metricsNamespace: string,
  logPrefix: string, conf: string[], secretArguments: { [k: string]: string }): ManagedArguments {
  const managed: { [k: string]: string } = {
    '--datalake-formats': 'delta',
    '--conf': conf.join(' --conf '),
    '--enable-auto-scaling': 'true',
    '--custom-logGroup-prefix': logPrefix,
    '--job-bookmark-option': 'job-bookmark-disable',
    ...constructArguments({
      SOURCE_URI: props.source.bucket.s3UrlForObject(`${s.sourcePrefix}/`),
      TABLE_URI: props.target.bucket.s3UrlForObject(s.tablePath),
      SCHEMA: props.schema.toJson(),
      SCHEMA_HASH: props.schema.hash,
      METRICS_NAMESPACE: metricsNamespace,
      MAX_QUARANTINE_RATIO: String(s.maxQuarantineRatio),
      QUARANTINE_RETENTION_DAYS: String(s.retentionDays),
      REDACT_QUARANTINE: props.redactQuarantine === undefined ? undefined : String(props.redactQuarantine),
    }),
    ...secretArguments,
  };
  const propFor: { [k: string]: string } = {
    '--datalake-formats': 'the construct (Delta is always on)',
    '--conf': 'the construct (Delta session extension and catalog) and multiWriter',
    '--enable-auto-scaling': 'maxWorkers',
    '--custom-logGroup-prefix': 'the construct (log groups are pre-created)',
    '--job-bookmark-option': 'the construct (the script keeps its own ledger)',
    '--enable-continuous-cloudwatch-log': 'the construct (Glue 5 logs to the pre-created log groups)',
    ...propsOfConstructArguments(),
  };
  const conflicts = Object.keys(props.defaultArguments ?? {}).filter((k) => k in managed || k in propFor);
  v.check(conflicts.length === 0,
    `defaultArguments may not set ${conflicts.map((k) => `${k} (set by ${propFor[k] ?? 'secrets'})`).join(', ')}`);
  // The job is built without the conflicting ones meanwhile (synth fails on the problem).
  const appArguments = Object.fromEntries(Object.entries(props.defaultArguments ?? {}).filter(([k]) => !conflicts.includes(k)));
  return { managed, appArguments };
}

/** The arguments the construct manages, and the app's `defaultArguments` less those. */
export interface ManagedArguments {
  readonly managed: { [k: string]: string };
  readonly appArguments: { [k: string]: string };
}

/**
 * `StartJobRun` arguments replace the job's default arguments for that run, Glue's special
 * parameters included. Every argument the construct manages, and every code-bearing special
 * parameter, moves to `NonOverridableArguments`; only the app's own `defaultArguments` stay
 * overridable.
 */
export function lockArguments(job: glue.IJob, managedKeys: string[], scriptLocation: string): void {
  const cfn = job.node.defaultChild as glue.CfnJob;
  const defaults: { [k: string]: string } = { ...(cfn.defaultArguments as { [k: string]: string } ?? {}) };
  const locked: { [k: string]: string } = {};
  const keys = [
    ...managedKeys, ...CODE_BEARING_ARGUMENTS, ...Object.keys(WRITE_SINK_ARGUMENTS),
    ...Object.keys(defaults).filter((k) => k in L2_ARGUMENTS),
  ];
  for (const key of new Set(keys)) {
    if (key in defaults) {
      locked[key] = defaults[key];
      delete defaults[key];
    } else {
      locked[key] = key === '--scriptLocation' ? scriptLocation : (WRITE_SINK_ARGUMENTS[key] ?? L2_ARGUMENTS[key] ?? '');
    }
  }
  cfn.defaultArguments = Object.keys(defaults).length > 0 ? defaults : undefined;
  cfn.nonOverridableArguments = locked;
}
