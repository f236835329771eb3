import { Duration } from 'aws-cdk-lib';
import { normalizePrefix, PropsValidator } from './validation';
import { PipelineTrigger, PipelineTriggerKind, cronProblems } from '../pipeline/pipeline-trigger';

/** Glue and Athena table names. */
export const TABLE_NAME = /^[a-z][a-z0-9_]{0,254}$/;

/** The sub-tables the ingestion job writes under a table root. */
export const RESERVED_SUBTABLES = ['data', 'quarantine', '_ingest_log'];

/**
 * A table's source prefix and table root (defaults `landing/<table>` and `tables/<table>`), with
 * their problems added to the validator: a root may not end in one of the job's own sub-tables.
 */
export function checkTableLocation(v: PropsValidator, tableName: string, sourcePrefixProp: string | undefined,
  tablePathProp: string | undefined): { sourcePrefix: string; tablePath: string } {
  v.check(TABLE_NAME.test(tableName), `tableName '${tableName}' must be lowercase letters, digits and _, starting with a letter (Glue and Athena table names)`);
  let sourcePrefix = '';
  let tablePath = '';
  try {
    sourcePrefix = normalizePrefix('sourcePrefix', sourcePrefixProp ?? `landing/${tableName}`);
  } catch (e) {
    v.add((e as Error).message);
  }
  try {
    tablePath = normalizePrefix('tablePath', tablePathProp ?? `tables/${tableName}`);
  } catch (e) {
    v.add((e as Error).message);
  }
  const last = tablePath.split('/').pop() ?? '';
  v.check(!RESERVED_SUBTABLES.includes(last),
    `tablePath '${tablePath}' ends in '${last}', which collides with the job's own sub-tables (${RESERVED_SUBTABLES.join(', ')}); choose a table root such as 'tables/${tableName}'`);
  return { sourcePrefix, tablePath };
}

/** What Glue accepts of a trigger: batches of events, a prefix inside the source, a cron expression. */
export function checkTrigger(v: PropsValidator, trigger: PipelineTrigger, sourcePrefix: string): void {
  if (trigger.kind === PipelineTriggerKind.OBJECT_CREATED) {
    const batchSize = trigger.batchSize ?? 100;
    const windowSeconds = trigger.batchWindow?.toSeconds() ?? 900;
    v.check(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100, `trigger batchSize must be an integer from 1 to 100 (got ${batchSize}); Glue event triggers batch at most 100 events`);
    v.check(windowSeconds >= 1 && windowSeconds <= 900, `trigger batchWindow must be from 1 second to 15 minutes (got ${trigger.batchWindow?.toHumanString()}); Glue event triggers wait at most 900 seconds`);
    if (trigger.prefix !== undefined && sourcePrefix) {
      let prefix = trigger.prefix;
      try {
        prefix = normalizePrefix('trigger prefix', trigger.prefix);
      } catch (e) {
        v.add((e as Error).message);
      }
      v.check(prefix === sourcePrefix || prefix.startsWith(`${sourcePrefix}/`),
        `trigger prefix '${trigger.prefix}' is outside the source prefix '${sourcePrefix}' of the raw bucket, so its objects would start runs that never read them; use '${sourcePrefix}' or a prefix under it`);
    }
  }
  if (trigger.kind === PipelineTriggerKind.SCHEDULE) {
    const expr = trigger.scheduleExpression ?? '';
    const problems = cronProblems(expr);
    v.check(problems.length === 0, `trigger schedule '${expr}' does not parse: it ${problems.join('; ')}; for example cron(0 2 * * ? *) runs daily at 02:00 UTC`);
  }
}

/** The alarms' settings: an alert ratio below the fail-closed one, an interval CloudWatch can evaluate. */
export function checkAlarms(v: PropsValidator, quarantineAlertRatio: number, maxQuarantineRatio: number, expectedRunInterval: Duration): void {
  v.check(quarantineAlertRatio > 0 && quarantineAlertRatio <= maxQuarantineRatio,
    `quarantineAlertRatio must be above 0 and at most maxQuarantineRatio ${maxQuarantineRatio} (got ${quarantineAlertRatio}); the alert warns before the job fails closed`);
  const interval = expectedRunInterval.toSeconds();
  v.check(interval >= 3600 && interval <= 7 * 86400 && (interval < 86400 || interval % 86400 === 0),
    `expectedRunInterval must be from 1 hour to 7 days, in whole days above a day (got ${expectedRunInterval.toHumanString()}); CloudWatch alarms evaluate at most 7 days`);
}
