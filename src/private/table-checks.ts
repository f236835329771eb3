import { Duration } from 'aws-cdk-lib';
import { isLakeBucket, pathOf } from './lake-buckets';
import { normalizePrefix, PropsValidator } from './validation';
import { PipelineTrigger, PipelineTriggerKind, cronProblems } from '../pipeline/pipeline-trigger';
import { ISecureDeltaLakeBucket, LakeZone } from '../storage/secure-delta-lake-bucket';

/** Glue and Athena table names. */
export const TABLE_NAME = /^[a-z][a-z0-9_]{0,254}$/;

/** The sub-tables the ingestion job writes under a table root. */
export const RESERVED_SUBTABLES = ['data', 'quarantine', '_ingest_log'];

/**
 * A table name every resource name accepts, in place of a bad one (construction goes on, synth
 * fails on the reported problem): lowercase, `_` for other characters, starting with a letter.
 */
export function safeTableName(tableName: string): string {
  if (TABLE_NAME.test(tableName)) return tableName;
  const safe = String(tableName ?? '').toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 200);
  return /^[a-z]/.test(safe) ? safe : `t${safe}`;
}

/** A table's location, with harmless values in place of bad ones. */
export interface TableLocation {
  /** The table name, or a safe one in place of a bad one. */
  readonly tableName: string;
  /** The source prefix, or the default one in place of a bad one. */
  readonly sourcePrefix: string;
  /** The table root, or the default one in place of a bad one. */
  readonly tablePath: string;
  /** Whether both prefixes are the app's own and valid (checks between them are meaningful). */
  readonly prefixesValid: boolean;
}

/**
 * A table's source prefix and table root (defaults `landing/<table>` and `tables/<table>`), with
 * their problems added to the validator: a root may not end in one of the job's own sub-tables.
 * A bad value is replaced by the default (the problem is reported).
 */
export function checkTableLocation(v: PropsValidator, tableName: string, sourcePrefixProp: string | undefined,
  tablePathProp: string | undefined): TableLocation {
  v.check(TABLE_NAME.test(tableName), `tableName '${tableName}' must be lowercase letters, digits and _, starting with a letter (Glue and Athena table names)`);
  const safeName = safeTableName(tableName);
  const fallbackSource = `landing/${safeName}`;
  const fallbackRoot = `tables/${safeName}`;
  const sourcePrefix = v.attempt(() => normalizePrefix('sourcePrefix', sourcePrefixProp ?? `landing/${tableName}`), '');
  const tablePath = v.attempt(() => normalizePrefix('tablePath', tablePathProp ?? `tables/${tableName}`), '');
  const last = tablePath.split('/').pop() ?? '';
  const reserved = RESERVED_SUBTABLES.includes(last);
  v.check(!reserved,
    `tablePath '${tablePath}' ends in '${last}', which collides with the job's own sub-tables (${RESERVED_SUBTABLES.join(', ')}); choose a table root such as 'tables/${tableName}'`);
  return {
    tableName: safeName,
    sourcePrefix: sourcePrefix || fallbackSource,
    tablePath: tablePath && !reserved ? tablePath : fallbackRoot,
    prefixesValid: sourcePrefix !== '' && tablePath !== '',
  };
}

/**
 * What Glue accepts of a trigger: batches of events, a prefix inside the source, a cron expression.
 * Returns the trigger, or one with the defaults in place of its bad settings.
 *
 * @param sourcePrefix the table's source prefix, or '' when it is bad (the trigger's prefix is then not compared)
 */
export function checkTrigger(v: PropsValidator, trigger: PipelineTrigger, sourcePrefix: string): PipelineTrigger {
  if (trigger.kind === PipelineTriggerKind.OBJECT_CREATED) {
    const batchSize = trigger.batchSize ?? 100;
    const windowSeconds = trigger.batchWindow?.toSeconds() ?? 900;
    const batchOk = Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100;
    const windowOk = windowSeconds >= 1 && windowSeconds <= 900;
    v.check(batchOk, `trigger batchSize must be an integer from 1 to 100 (got ${batchSize}); Glue event triggers batch at most 100 events`);
    v.check(windowOk, `trigger batchWindow must be from 1 second to 15 minutes (got ${trigger.batchWindow?.toHumanString()}); Glue event triggers wait at most 900 seconds`);
    let prefixOk = true;
    if (trigger.prefix !== undefined) {
      const prefix = v.attempt(() => normalizePrefix('trigger prefix', trigger.prefix!), '');
      prefixOk = prefix !== '';
      if (prefixOk && sourcePrefix) {
        prefixOk = prefix === sourcePrefix || prefix.startsWith(`${sourcePrefix}/`);
        v.check(prefixOk,
          `trigger prefix '${trigger.prefix}' is outside the source prefix '${sourcePrefix}' of the raw bucket, so its objects would start runs that never read them; use '${sourcePrefix}' or a prefix under it`);
      }
    }
    if (batchOk && windowOk && prefixOk) return trigger;
    return PipelineTrigger.onObjectCreated({
      prefix: prefixOk ? trigger.prefix : undefined,
      batchSize: batchOk ? trigger.batchSize : undefined,
      batchWindow: windowOk ? trigger.batchWindow : undefined,
    });
  }
  if (trigger.kind === PipelineTriggerKind.SCHEDULE) {
    const expr = trigger.scheduleExpression ?? '';
    const problems = cronProblems(expr);
    v.check(problems.length === 0, `trigger schedule '${expr}' does not parse: it ${problems.join('; ')}; for example cron(0 2 * * ? *) runs daily at 02:00 UTC`);
    if (problems.length > 0) return PipelineTrigger.onSchedule('cron(0 2 * * ? *)');
  }
  return trigger;
}

/**
 * The alarms' settings: an alert ratio below the fail-closed one, an interval CloudWatch can
 * evaluate. Returns them, with the defaults in place of bad ones.
 */
export function checkAlarms(v: PropsValidator, quarantineAlertRatio: number, maxQuarantineRatio: number,
  expectedRunInterval: Duration): { quarantineAlertRatio: number; expectedRunInterval: Duration } {
  const ratioOk = quarantineAlertRatio > 0 && quarantineAlertRatio <= maxQuarantineRatio;
  v.check(ratioOk,
    `quarantineAlertRatio must be above 0 and at most maxQuarantineRatio ${maxQuarantineRatio} (got ${quarantineAlertRatio}); the alert warns before the job fails closed`);
  const interval = expectedRunInterval.toSeconds();
  const intervalOk = interval >= 3600 && interval <= 7 * 86400 && (interval < 86400 || interval % 86400 === 0);
  v.check(intervalOk,
    `expectedRunInterval must be from 1 hour to 7 days, in whole days above a day (got ${expectedRunInterval.toHumanString()}); CloudWatch alarms evaluate at most 7 days`);
  return {
    quarantineAlertRatio: ratioOk ? quarantineAlertRatio : 0.01,
    expectedRunInterval: intervalOk ? expectedRunInterval : Duration.days(1),
  };
}

/**
 * The zones of the buckets passed to a lake: lake buckets of the raw and curated zones (or one
 * bucket for both).
 *
 * @returns whether both are lake buckets (a lake cannot be built on another bucket)
 */
export function checkZoneBuckets(v: PropsValidator, rawBucket: ISecureDeltaLakeBucket | undefined,
  curatedBucket: ISecureDeltaLakeBucket | undefined): boolean {
  let lakeBuckets = true;
  const sameBucket = rawBucket !== undefined && rawBucket === curatedBucket;
  for (const [prop, bucket, zone] of [['rawBucket', rawBucket, LakeZone.RAW], ['curatedBucket', curatedBucket, LakeZone.CURATED]] as const) {
    if (!bucket) continue;
    if (!isLakeBucket(bucket)) {
      lakeBuckets = false;
      v.add(`${prop} ${pathOf(bucket)} is not a SecureDeltaLakeBucket; pass one created with zone: LakeZone.${zone}, or one of another app (SecureDeltaLakeBucket.fromBucketAttributes)`);
    } else {
      v.check(bucket.zone === zone || sameBucket, `${prop} ${pathOf(bucket)} serves the ${bucket.zone} zone; pass a bucket created with zone: LakeZone.${zone}`);
    }
  }
  return lakeBuckets;
}
