import { Annotations, CfnResource, Duration, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { PipelineTrigger } from './pipeline-trigger';
import { GlueJobVersion, LeastPrivilegeGlueJob } from '../glue/least-privilege-glue-job';
import { TableSchema } from '../glue/table-schema';
import { LakeTable } from '../lake/lake-table';
import { SecureDeltaLake, SecureDeltaLakeProps } from '../lake/secure-delta-lake';
import { administratorArnProblems } from '../private/administrators';
import { checkAlarms, checkTableLocation, checkTrigger, checkZoneBuckets, TABLE_NAME } from '../private/table-checks';
import { PropsValidator, prefixesOverlap } from '../private/validation';
import { ISecureDeltaLakeBucket } from '../storage/secure-delta-lake-bucket';

/** Properties of an `AuditedPipeline`. */
export interface AuditedPipelineProps {
  /**
   * The table's name: the Glue catalog table, and the default source prefix and table path.
   * Lowercase letters, digits and underscores, starting with a letter.
   */
  readonly tableName: string;

  /** The columns every CSV row is validated against. */
  readonly schema: TableSchema;

  /**
   * The raw (CSV landing) zone.
   *
   * @default - a new `SecureDeltaLakeBucket` with `zone: LakeZone.RAW`
   */
  readonly rawBucket?: ISecureDeltaLakeBucket;

  /**
   * The curated (Delta) zone.
   *
   * @default - a new `SecureDeltaLakeBucket` with `zone: LakeZone.CURATED`
   */
  readonly curatedBucket?: ISecureDeltaLakeBucket;

  /**
   * The key prefix of the CSV files in the raw bucket.
   *
   * @default - `landing/<tableName>`
   */
  readonly sourcePrefix?: string;

  /**
   * The table root in the curated bucket (`data`, `quarantine` and `_ingest_log` go under it).
   *
   * @default - `tables/<tableName>`
   */
  readonly tablePath?: string;

  /**
   * When runs start.
   *
   * @default PipelineTrigger.onObjectCreated()
   */
  readonly trigger?: PipelineTrigger;

  /**
   * The secret holding the HMAC key that pseudonymizes PII columns. Must have a rotation schedule.
   *
   * @default - when the schema has PII columns, a secret encrypted with its own key and rotated by
   * a function of this construct every `pseudonymKeyRotation`; otherwise none
   */
  readonly pseudonymKey?: secretsmanager.ISecret;

  /**
   * How often the created pseudonymization key is rotated.
   *
   * @default Duration.days(90)
   */
  readonly pseudonymKeyRotation?: Duration;

  /**
   * Share of quarantined records above which a run fails closed (see `LeastPrivilegeGlueJob`).
   *
   * @default 0.05
   */
  readonly maxQuarantineRatio?: number;

  /**
   * How long quarantined records (raw, PII in clear) are kept (see `LeastPrivilegeGlueJob`).
   *
   * @default Duration.days(90)
   */
  readonly quarantineRetention?: Duration;

  /**
   * Share of quarantined records in an hour above which an alert is sent (an early warning, at or
   * below `maxQuarantineRatio`).
   *
   * @default 0.01
   */
  readonly quarantineAlertRatio?: number;

  /**
   * An alert is sent when no run succeeds within this period (1 hour to 7 days). A run that finds
   * no new file still succeeds.
   *
   * @default Duration.days(1)
   */
  readonly expectedRunInterval?: Duration;

  /**
   * Email addresses subscribed to the alerts.
   *
   * @default - no subscription (subscribe to `alertTopic` yourself)
   */
  readonly alertEmails?: string[];

  /**
   * An existing topic for the alerts, instead of the construct's encrypted one. Its key policy must
   * let EventBridge and CloudWatch publish.
   *
   * @default - a topic encrypted with the pipeline's audit key, TLS only
   */
  readonly alertTopic?: sns.ITopic;

  /**
   * Also record the account's management events in every region, with global service events
   * (IAM). An account usually has one such trail already (and a region allows five trails); an
   * organization trail covers it too.
   *
   * @default false - the pipeline's trail records the data events of its buckets only
   */
  readonly accountTrail?: boolean;

  /**
   * More buckets whose object-level events the pipeline's trail records. Never a log bucket.
   *
   * @default - the raw, curated and query-results buckets only
   */
  readonly additionalAuditedBuckets?: s3.IBucket[];

  /**
   * Retention of the trail's and the rotation function's log groups.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly auditLogRetention?: logs.RetentionDays;

  /**
   * The Glue database of the curated table.
   *
   * @default - derived from the construct path
   */
  readonly databaseName?: string;

  /**
   * Encrypt the account's Glue Data Catalog with a customer key of this construct. The setting is
   * one per account and region: turn it on in one stack only.
   *
   * @default false
   */
  readonly encryptDataCatalog?: boolean;

  /**
   * Value of the `data-classification` tag on every resource of the pipeline.
   *
   * @default 'confidential'
   */
  readonly dataClassification?: string;

  /**
   * Glue version of the job.
   *
   * @default GlueJobVersion.V5_0
   */
  readonly glueVersion?: GlueJobVersion;

  /**
   * Maximum number of workers of the job.
   *
   * @default 10
   */
  readonly maxWorkers?: number;

  /**
   * Timeout of a run.
   *
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;

  /**
   * Principals that may change the configuration of the buckets this construct creates (the zones,
   * the query results, the trail bucket and the access-log buckets) and manage the
   * pseudonymization key's secret and KMS key, besides the stack's CloudFormation execution role,
   * which is always admitted so that deployments keep working. IAM role or user ARNs; wildcards
   * are allowed after `role/`. Every other principal of the account is denied these changes by
   * the resource policies, whatever its IAM policies say; the account root can always repair a
   * bucket policy, and keeps the administration of the keys (the break-glass paths).
   *
   * @default - the stack's CloudFormation execution role only
   */
  readonly administratorArns?: string[];

  /**
   * What happens to keys, buckets, secrets and logs when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The one-table shortcut of a `SecureDeltaLake`: a lake (zones, query results, audit key, trail,
 * alert topic and rules, pseudonymization key, database, dashboard) with one table (the
 * `LeastPrivilegeGlueJob` that turns CSV into a validated Delta table, its workflow and trigger,
 * alarms, catalog table and Athena workgroup).
 *
 * - a CloudTrail trail of the pipeline's data events (KMS, log-file validation, its own bucket and
 *   an encrypted log group); account-wide management events with `accountTrail`
 * - alerts to an encrypted, TLS-only SNS topic: failed, timed-out or stopped runs, no successful
 *   run within `expectedRunInterval`, the quarantine ratio, and tampering with the pipeline's
 *   buckets, keys, trail, job, security configuration, workflow and secrets
 * - a Glue workflow (concurrency 1) started by new objects, a schedule or operators
 * - the curated table in the Glue Data Catalog as a Delta table, and an Athena workgroup whose
 *   results are encrypted and enforced
 * - a dashboard; `grantOperate` for engineers and `grantReadCurated` for analysts
 * - a `data-classification` tag on every resource
 *
 * Its resources keep the construct paths, hence the logical ids, they had when `AuditedPipeline`
 * was a construct of its own: an upgrade replaces no bucket, key, secret, log group or trail (see
 * docs/lake.md). More tables: `addTable`, as on any lake.
 *
 * @example
 * const schema = sdl.TableSchema.of([
 *   { name: 'customer_id', type: sdl.ColumnType.LONG, nullable: false },
 *   { name: 'email', type: sdl.ColumnType.STRING, pii: true },
 * ]);
 * const pipeline = new sdl.AuditedPipeline(this, 'Customers', {
 *   tableName: 'customers',
 *   schema,
 *   alertEmails: ['data-platform@example.com'],
 * });
 * pipeline.grantReadCurated(new iam.Role(this, 'Analysts', { assumedBy: new iam.AccountRootPrincipal() }));
 */
export class AuditedPipeline extends SecureDeltaLake {
  /**
   * The construct id of the pipeline's table. `Default` is left out of logical ids, so the table's
   * resources keep the logical ids they had as direct children of the pipeline.
   */
  private static readonly TABLE_ID = 'Default';

  /** The pipeline's one table. */
  public readonly table: LakeTable;
  /** The ingestion job. */
  public readonly job: LeastPrivilegeGlueJob;
  /** The Glue workflow that runs the job. */
  public readonly workflow: glue.IWorkflow;
  /** The alarms: no successful run, quarantine ratio, undelivered alerts. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The curated table's name in the catalog. */
  public readonly tableName: string;
  /** The table root in the curated bucket. */
  public readonly tablePath: string;
  /** The source prefix in the raw bucket. */
  public readonly sourcePrefix: string;
  /** The Athena workgroup for analysts. */
  public readonly workGroupName: string;

  constructor(scope: Construct, id: string, props: AuditedPipelineProps) {
    super(scope, id, lakePropsOf(scope, id, props));
    // The catalog database keeps the logical id it had as a glue.Database (`Database/Resource`):
    // CloudFormation would otherwise create a second database of the same name, and fail.
    const database = this._database;
    const probe = new CfnResource(database, 'Resource', { type: 'Probe::Probe' });
    const legacyDatabaseId = Stack.of(this).getLogicalId(probe);
    database.node.tryRemoveChild('Resource');
    database.overrideLogicalId(legacyDatabaseId);
    this.table = this.addTable(AuditedPipeline.TABLE_ID, {
      tableName: props.tableName,
      schema: props.schema,
      sourcePrefix: props.sourcePrefix,
      tablePath: props.tablePath,
      trigger: props.trigger,
      maxQuarantineRatio: props.maxQuarantineRatio,
      quarantineRetention: props.quarantineRetention,
      quarantineAlertRatio: props.quarantineAlertRatio,
      expectedRunInterval: props.expectedRunInterval,
      glueVersion: props.glueVersion,
      maxWorkers: props.maxWorkers,
      timeout: props.timeout,
    });
    this.job = this.table.job;
    this.workflow = this.table.workflow;
    this.tableName = this.table.tableName;
    this.tablePath = this.table.tablePath;
    this.sourcePrefix = this.table.sourcePrefix;
    this.workGroupName = this.table.workGroupName;
    this.alarms = [...this.table.alarms, this._undeliveredAlertsAlarm];

    if (!props.accountTrail) {
      Annotations.of(this).addInfo('the pipeline trail records the data events of its buckets; Glue and IAM management events and the tamper alerts rely on the account\'s trail (set accountTrail: true when the account has none)');
    }
    for (const scopeToTag of [...new Set<IConstruct>([this, this.rawBucket, this.curatedBucket])]) {
      Tags.of(scopeToTag).add('cdk-secure-delta-lake:pipeline', this.node.path.slice(0, 256));
    }
  }

  /** Records written to the curated table (Sum); see `LeastPrivilegeGlueJob.metric` for the others. */
  public metricRecordsValid(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.job.metricRecordsValid(props);
  }

  /** Records written to the quarantine (Sum). */
  public metricRecordsQuarantined(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.job.metricRecordsQuarantined(props);
  }

  /** Runs that committed (Sum). */
  public metricRunsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.job.metricRunsSucceeded(props);
  }

  /**
   * Operate the pipeline (data engineers): start, stop and follow runs of the workflow, follow and
   * stop runs of the job, and read the job's logs. No data, no other job, no role passing.
   *
   * Operators start the workflow, never the job directly: `glue:StartJobRun` would let them choose
   * a run's workers, timeout and security configuration, while a workflow runs the job as it is
   * defined.
   *
   * @param grantee a role or a user
   */
  public grantOperate(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantOperate(grantee);
  }

  /**
   * Query the curated table (analysts): read its Delta data files and log, read its catalog
   * entries, run queries in the pipeline's workgroup, and read and write that workgroup's
   * encrypted results. Not the quarantine, not the raw CSV.
   *
   * @param grantee a role or a user
   */
  public grantReadCurated(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantRead(grantee);
  }

  /**
   * Read the quarantine (data stewards triaging rejected records). The quarantine holds raw
   * records, PII in clear unless redacted: grant it to as few principals as possible.
   *
   * @param grantee a role or a user
   */
  public grantReadQuarantine(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadQuarantine(grantee);
  }
}

/**
 * Every problem of the pipeline's props at once (the lake's and the table's), then the lake's
 * props: the names the pipeline's trail, database and alerts had before it was a lake, so that an
 * upgrade keeps the trail and its log group and the catalog entries.
 */
function lakePropsOf(scope: Construct, id: string, props: AuditedPipelineProps): SecureDeltaLakeProps {
  const trigger = props.trigger ?? PipelineTrigger.onObjectCreated();
  const maxQuarantineRatio = props.maxQuarantineRatio ?? 0.05;
  const quarantineAlertRatio = props.quarantineAlertRatio ?? Math.min(0.01, maxQuarantineRatio);
  const expectedRunInterval = props.expectedRunInterval ?? Duration.days(1);
  const classification = props.dataClassification ?? 'confidential';

  // The pipeline's problems go to the lake's validator (handed over below), which reports them
  // at synth with the lake's own; the table and job under it do not repeat them.
  const v = new PropsValidator('AuditedPipeline');
  const location = checkTableLocation(v, props.tableName, props.sourcePrefix, props.tablePath);
  const { sourcePrefix, tablePath } = location;
  const sameBucket = props.rawBucket !== undefined && props.rawBucket === props.curatedBucket;
  if (sameBucket && location.prefixesValid) {
    v.check(!prefixesOverlap(sourcePrefix, tablePath),
      `rawBucket and curatedBucket are the same bucket and sourcePrefix '${sourcePrefix}' overlaps tablePath '${tablePath}'; give them disjoint prefixes such as 'landing/${props.tableName}' and 'tables/${props.tableName}', or use two buckets`);
  }
  checkZoneBuckets(v, props.rawBucket, props.curatedBucket);
  // The job's own props, checked here too so that every problem of the composition shows at once.
  v.check(maxQuarantineRatio >= 0 && maxQuarantineRatio <= 1, `maxQuarantineRatio must be from 0 to 1 (got ${maxQuarantineRatio})`);
  v.oneOf('glueVersion', props.glueVersion, 'GlueJobVersion', GlueJobVersion as any);
  checkTrigger(v, trigger, location.prefixesValid ? sourcePrefix : '');
  checkAlarms(v, quarantineAlertRatio, maxQuarantineRatio, expectedRunInterval);
  for (const email of props.alertEmails ?? []) {
    v.check(Token.isUnresolved(email) || EMAIL.test(email), `alertEmails: '${email}' is not an email address; give addresses such as 'data-platform@example.com'`);
  }
  if (props.databaseName !== undefined) {
    v.check(TABLE_NAME.test(props.databaseName), `databaseName '${props.databaseName}' must be lowercase letters, digits and _, starting with a letter`);
  }
  v.check(/^[A-Za-z0-9 _.:/=+@-]{1,256}$/.test(classification), `dataClassification '${classification}' is not a valid tag value`);
  if (props.pseudonymKeyRotation) {
    const days = props.pseudonymKeyRotation.toDays({ integral: false });
    v.check(days >= 1 && days <= 365 && Number.isInteger(days), `pseudonymKeyRotation must be whole days from 1 to 365 (got ${props.pseudonymKeyRotation.toHumanString()}); a key that lives longer exposes more pseudonyms if it leaks`);
  }
  for (const problem of administratorArnProblems('administratorArns', props.administratorArns)) v.add(problem);

  // The names of the pipeline before it was a lake, from its construct path (a probe with the
  // pipeline's id, removed before the pipeline takes it).
  const probe = new Construct(scope, id);
  const unique = Names.uniqueResourceName(probe, { maxLength: 60, separator: '-' }).toLowerCase();
  scope.node.tryRemoveChild(id);
  const lakeProps: SecureDeltaLakeProps = {
    rawBucket: props.rawBucket,
    curatedBucket: props.curatedBucket,
    pseudonymKey: props.pseudonymKey,
    pseudonymKeyRotation: props.pseudonymKeyRotation,
    alertEmails: props.alertEmails,
    alertTopic: props.alertTopic,
    accountTrail: props.accountTrail,
    additionalAuditedBuckets: props.additionalAuditedBuckets,
    trailName: `${unique}-trail`,
    auditLogRetention: props.auditLogRetention,
    databaseName: props.databaseName ?? unique.replace(/[^a-z0-9_]/g, '_').slice(0, 60),
    encryptDataCatalog: props.encryptDataCatalog,
    dataClassification: classification,
    administratorArns: props.administratorArns,
    removalPolicy: props.removalPolicy,
  };
  PropsValidator.handOver(lakeProps, v);
  return lakeProps;
}
