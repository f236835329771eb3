import { Duration } from 'aws-cdk-lib';

/** How the pipeline's runs start. */
export enum PipelineTriggerKind {
  /** When new objects arrive under the source prefix (S3 EventBridge events to a Glue workflow). */
  OBJECT_CREATED = 'OBJECT_CREATED',
  /** On a cron schedule. */
  SCHEDULE = 'SCHEDULE',
  /** Only when an operator starts the workflow. */
  ON_DEMAND = 'ON_DEMAND',
}

/** Options of the object-created trigger. */
export interface ObjectCreatedTriggerOptions {
  /**
   * The key prefix whose new objects start a run. Must lie inside the pipeline's source prefix.
   *
   * @default - the pipeline's source prefix
   */
  readonly prefix?: string;

  /**
   * The number of new objects that start a run at once (1 to 100).
   *
   * @default 100
   */
  readonly batchSize?: number;

  /**
   * How long the workflow waits for `batchSize` objects before it starts a run with fewer
   * (1 second to 15 minutes).
   *
   * @default Duration.minutes(15)
   */
  readonly batchWindow?: Duration;
}

/**
 * When the pipeline runs: on new objects, on a schedule, or on demand.
 *
 * Every trigger starts the same Glue workflow, which runs the job with a concurrency of 1; the job
 * lists the source prefix itself, so a lost or duplicated event never loses or repeats a file.
 */
export class PipelineTrigger {
  /**
   * Run when new CSV objects arrive: S3's own `Object Created` events (EventBridge) start the Glue
   * workflow through an event trigger that batches them.
   */
  public static onObjectCreated(options: ObjectCreatedTriggerOptions = {}): PipelineTrigger {
    const batchWindow = options.batchWindow ?? Duration.minutes(15);
    return new PipelineTrigger(PipelineTriggerKind.OBJECT_CREATED, options.prefix, options.batchSize ?? 100, batchWindow);
  }

  /**
   * Run on a schedule.
   *
   * @param expression a Glue cron expression with six fields, such as `cron(0 2 * * ? *)`
   * @see https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html
   */
  public static onSchedule(expression: string): PipelineTrigger {
    return new PipelineTrigger(PipelineTriggerKind.SCHEDULE, undefined, undefined, undefined, expression);
  }

  /** Run only when started by an operator (see `AuditedPipeline.grantOperate`). */
  public static onDemand(): PipelineTrigger {
    return new PipelineTrigger(PipelineTriggerKind.ON_DEMAND);
  }

  /** The kind of trigger. */
  public readonly kind: PipelineTriggerKind;
  /** The prefix of the object-created trigger, when set. */
  public readonly prefix?: string;
  /** The batch size of the object-created trigger. */
  public readonly batchSize?: number;
  /** The batch window of the object-created trigger. */
  public readonly batchWindow?: Duration;
  /** The cron expression of the schedule. */
  public readonly scheduleExpression?: string;

  private constructor(kind: PipelineTriggerKind, prefix?: string, batchSize?: number, batchWindow?: Duration, scheduleExpression?: string) {
    this.kind = kind;
    this.prefix = prefix;
    this.batchSize = batchSize;
    this.batchWindow = batchWindow;
    this.scheduleExpression = scheduleExpression;
  }
}

const CRON_FIELD = /^[0-9A-Za-z*?,/#\-LW]+$/;

/**
 * Problems with a Glue cron expression (`cron(Minutes Hours Day-of-month Month Day-of-week Year)`),
 * as messages; empty when it parses.
 *
 * @internal
 */
export function cronProblems(expression: string): string[] {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) return ['must look like cron(Minutes Hours Day-of-month Month Day-of-week Year)'];
  const fields = m[1].trim().split(/\s+/);
  if (fields.length !== 6) return [`has ${fields.length} fields, Glue cron needs 6 (Minutes Hours Day-of-month Month Day-of-week Year)`];
  const problems: string[] = [];
  if (fields.some((f) => !CRON_FIELD.test(f))) problems.push('has characters Glue cron does not accept');
  const [minutes, hours, dom, , dow] = fields;
  const inRange = (f: string, max: number) => f.split(/[,\-/]/).every((p) => p === '*' || (/^\d+$/.test(p) && Number(p) <= max));
  if (!inRange(minutes, 59)) problems.push(`minutes '${minutes}' must be 0-59`);
  if (!inRange(hours, 23)) problems.push(`hours '${hours}' must be 0-23`);
  if ((dom === '?') === (dow === '?')) problems.push('exactly one of day-of-month and day-of-week must be ?');
  return problems;
}
