import { Annotations, Duration, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy } from 'aws-cdk-lib/aws-events-targets';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { PipelineTrigger, PipelineTriggerKind } from './pipeline-trigger';
import { PseudonymKey } from './pseudonym-key';
import { PipelineAlerts } from '../audit/pipeline-alerts';
import { PipelineDashboard } from '../audit/pipeline-dashboard';
import { PipelineTrail } from '../audit/pipeline-trail';
import { GlueJobVersion, LeastPrivilegeGlueJob } from '../glue/least-privilege-glue-job';
import { TableSchema } from '../glue/table-schema';
import { administratorArnProblems, administratorsOf } from '../private/administrators';
import { ReasonedPolicy, acknowledge } from '../private/compliance';
import { granteeIdentity, managedPolicyFor } from '../private/grants';
import { denyGrantsOutsideAwsServices, denyKeyAdministration } from '../private/keys';
import { isLakeBucket, pathOf } from '../private/lake-buckets';
import { checkAlarms, checkTableLocation, checkTrigger, TABLE_NAME } from '../private/table-checks';
import { PropsValidator, normalizePrefix, prefixesOverlap } from '../private/validation';
import { ISecureDeltaLakeBucket, LakeZone, SecureDeltaLakeBucket } from '../storage/secure-delta-lake-bucket';

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
const RESULTS_PREFIX = 'athena-results';

/**
 * The full secure ingestion pipeline: raw and curated `SecureDeltaLakeBucket`s, the
 * `LeastPrivilegeGlueJob` that turns CSV into a validated Delta table, and the audit layer around
 * them.
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
export class AuditedPipeline extends Construct {
  /** The raw (CSV) zone. */
  public readonly rawBucket: ISecureDeltaLakeBucket;
  /** The curated (Delta) zone. */
  public readonly curatedBucket: ISecureDeltaLakeBucket;
  /** Where the Athena workgroup writes query results. */
  public readonly queryResultsBucket: SecureDeltaLakeBucket;
  /** The ingestion job. */
  public readonly job: LeastPrivilegeGlueJob;
  /** The Glue workflow that runs the job. */
  public readonly workflow: glue.IWorkflow;
  /** The key of the trail, its bucket and log group, and the alert topic. */
  public readonly auditKey: kms.IKey;
  /** The pipeline's trail. */
  public readonly trail: cloudtrail.Trail;
  /** The trail's ARN. */
  public readonly trailArn: string;
  /** The bucket the trail delivers to. */
  public readonly trailBucket: s3.IBucket;
  /** The log group the trail delivers to. */
  public readonly trailLogGroup: logs.ILogGroup;
  /** The topic alerts are published to. */
  public readonly alertTopic: sns.ITopic;
  /** The alarms (no successful run, quarantine ratio). */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The EventBridge rules that send alerts. */
  public readonly alertRules: events.IRule[];
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The secret of the pseudonymization key, when the schema has PII columns. */
  public readonly pseudonymKey?: secretsmanager.ISecret;
  /** The Glue database of the curated table. */
  public readonly databaseName: string;
  /** The curated table's name in the catalog. */
  public readonly tableName: string;
  /** The table root in the curated bucket. */
  public readonly tablePath: string;
  /** The source prefix in the raw bucket. */
  public readonly sourcePrefix: string;
  /** The Athena workgroup for analysts. */
  public readonly workGroupName: string;

  private readonly database: glue.Database;
  private readonly failedRunRuleName: string;
  private readonly catalogKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: AuditedPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const trigger = props.trigger ?? PipelineTrigger.onObjectCreated();
    const maxQuarantineRatio = props.maxQuarantineRatio ?? 0.05;
    const quarantineAlertRatio = props.quarantineAlertRatio ?? Math.min(0.01, maxQuarantineRatio);
    const expectedRunInterval = props.expectedRunInterval ?? Duration.days(1);
    const auditLogRetention = props.auditLogRetention ?? logs.RetentionDays.ONE_YEAR;
    const classification = props.dataClassification ?? 'confidential';
    const emails = props.alertEmails ?? [];
    const unique = Names.uniqueResourceName(this, { maxLength: 60, separator: '-' }).toLowerCase();

    // Every problem of the props at once, each with the prop, the value and the fix.
    const v = new PropsValidator('AuditedPipeline');
    const { sourcePrefix, tablePath } = checkTableLocation(v, props.tableName, props.sourcePrefix, props.tablePath);
    const sameBucket = props.rawBucket !== undefined && props.rawBucket === props.curatedBucket;
    if (sameBucket && sourcePrefix && tablePath) {
      v.check(!prefixesOverlap(sourcePrefix, tablePath),
        `rawBucket and curatedBucket are the same bucket and sourcePrefix '${sourcePrefix}' overlaps tablePath '${tablePath}'; give them disjoint prefixes such as 'landing/${props.tableName}' and 'tables/${props.tableName}', or use two buckets`);
    }
    for (const [prop, bucket, zone] of [['rawBucket', props.rawBucket, LakeZone.RAW], ['curatedBucket', props.curatedBucket, LakeZone.CURATED]] as const) {
      if (!bucket) continue;
      if (!isLakeBucket(bucket)) {
        v.add(`${prop} ${pathOf(bucket)} is not a SecureDeltaLakeBucket; pass one created with zone: LakeZone.${zone}, or one of another app (SecureDeltaLakeBucket.fromBucketAttributes)`);
      } else {
        v.check(bucket.zone === zone || sameBucket, `${prop} ${pathOf(bucket)} serves the ${bucket.zone} zone; pass a bucket created with zone: LakeZone.${zone}`);
      }
    }
    // The job's own props, checked here too so that every problem of the composition shows at once.
    v.check(maxQuarantineRatio >= 0 && maxQuarantineRatio <= 1, `maxQuarantineRatio must be from 0 to 1 (got ${maxQuarantineRatio})`);
    v.oneOf('glueVersion', props.glueVersion, 'GlueJobVersion', GlueJobVersion as any);
    checkTrigger(v, trigger, sourcePrefix);
    checkAlarms(v, quarantineAlertRatio, maxQuarantineRatio, expectedRunInterval);
    for (const email of emails) {
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
    v.throwIfAny();
    const administratorArns = props.administratorArns;
    const administrators = administratorsOf(this, 'AuditedPipeline', administratorArns);

    this.tableName = props.tableName;
    this.tablePath = tablePath;
    this.sourcePrefix = sourcePrefix;

    // Storage: the two zones (created or passed in) and the query results.
    this.rawBucket = props.rawBucket ?? new SecureDeltaLakeBucket(this, 'Raw', { zone: LakeZone.RAW, removalPolicy, administratorArns });
    this.curatedBucket = props.curatedBucket ?? new SecureDeltaLakeBucket(this, 'Curated', { zone: LakeZone.CURATED, removalPolicy, administratorArns });
    this.queryResultsBucket = new SecureDeltaLakeBucket(this, 'QueryResults', { zone: LakeZone.RAW, removalPolicy, administratorArns });

    // The pseudonymization key (created and rotated, when the schema needs one).
    const hasPii = props.schema.columns.some((c) => c.pii);
    let pseudonymKey: PseudonymKey | undefined;
    if (props.pseudonymKey) {
      this.pseudonymKey = props.pseudonymKey;
    } else if (hasPii) {
      pseudonymKey = new PseudonymKey(this, 'PseudonymKey', {
        rotationInterval: props.pseudonymKeyRotation ?? Duration.days(90),
        removalPolicy,
        logRetention: auditLogRetention,
        administrators,
      });
      this.pseudonymKey = pseudonymKey.secret;
    }

    this.job = new LeastPrivilegeGlueJob(this, 'Job', {
      source: { bucket: this.rawBucket.bucket, lakeBucket: this.rawBucket, prefix: sourcePrefix },
      target: this.curatedBucket,
      tablePath,
      schema: props.schema,
      secrets: this.pseudonymKey ? { 'pseudonym-key': this.pseudonymKey } : undefined,
      maxQuarantineRatio,
      quarantineRetention: props.quarantineRetention,
      glueVersion: props.glueVersion,
      maxWorkers: props.maxWorkers,
      timeout: props.timeout,
      removalPolicy,
      administratorArns,
    });
    pseudonymKey?.admitReader(this.job.role.roleArn);

    // The workflow runs the job one run at a time (the job's own concurrency is 1 too).
    const workflow = new glue.Workflow(this, 'Workflow', {
      description: `cdk-secure-delta-lake: ingests ${sourcePrefix}/ into ${tablePath}`,
      maxConcurrentRuns: 1,
    });
    this.workflow = workflow;
    const actions = [glue.Action.job(this.job.job)];
    const triggerName = `${unique}-trigger`;
    if (trigger.kind === PipelineTriggerKind.OBJECT_CREATED) {
      workflow.addEventTrigger('Trigger', {
        name: triggerName,
        actions,
        eventBatchingCondition: { batchSize: trigger.batchSize ?? 100, batchWindow: trigger.batchWindow ?? Duration.minutes(15) },
      });
    } else if (trigger.kind === PipelineTriggerKind.SCHEDULE) {
      workflow.addScheduledTrigger('Trigger', {
        name: triggerName,
        actions,
        schedule: glue.TriggerSchedule.expression(trigger.scheduleExpression!),
        startOnCreation: true,
      });
    } else {
      workflow.addOnDemandTrigger('Trigger', { name: triggerName, actions });
    }

    // The audit key: trail, trail bucket and log group, alert topic.
    const auditKey = new kms.Key(this, 'AuditKey', {
      description: `cdk-secure-delta-lake: audit trail and alerts of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    denyGrantsOutsideAwsServices(auditKey);
    // Disabling the audit key would silence the topic, the dead-letter queue and the trail at once.
    denyKeyAdministration(auditKey, administrators);
    this.auditKey = auditKey;

    const lakes = [this.rawBucket, this.curatedBucket, this.queryResultsBucket];
    const logBuckets = lakes.map((b) => b.accessLogBucket).filter((b): b is s3.IBucket => b !== undefined);
    const audited = dedupe([...lakes.map((b) => b.bucket), ...(props.additionalAuditedBuckets ?? [])]);
    const trail = new PipelineTrail(this, 'Trail', {
      trailName: `${unique}-trail`,
      key: auditKey,
      dataBuckets: audited,
      accountTrail: props.accountTrail ?? false,
      logRetention: auditLogRetention,
      // The results bucket is always this construct's own (the zones may live in another stack).
      accessLogBucket: this.queryResultsBucket.accessLogBucket,
      removalPolicy,
      administrators,
    });
    if (!props.accountTrail) acknowledge(trail.trail, 'pipelineTrailSingleRegion');
    this.trail = trail.trail;
    this.trailArn = trail.trailArn;
    this.trailBucket = trail.bucket;
    this.trailLogGroup = trail.logGroup;
    this.node.addValidation({ validate: () => this.checkAuditedBuckets(props.additionalAuditedBuckets ?? [], [...logBuckets, trail.bucket]) });
    if (!props.accountTrail) {
      Annotations.of(this).addInfo('the pipeline trail records the data events of its buckets; Glue and IAM management events and the tamper alerts rely on the account\'s trail (set accountTrail: true when the account has none)');
    }

    // Alerts and dashboard.
    const keys = dedupe<kms.IKey>([...lakes.map((b) => b.encryptionKey), this.job.key, auditKey,
      ...(this.pseudonymKey?.encryptionKey ? [this.pseudonymKey.encryptionKey] : [])]);
    const rotationFunction = pseudonymKey?.rotationFunction;
    const databaseName = props.databaseName ?? unique.replace(/[^a-z0-9_]/g, '_').slice(0, 60);
    const alerts = new PipelineAlerts(this, 'Alerts', {
      topicName: `${unique}-alerts`,
      deadLetterQueueName: `${unique}-undelivered-alerts`,
      key: auditKey,
      topic: props.alertTopic,
      emails,
      jobName: this.job.job.jobName,
      metricsNamespace: this.job.metricsNamespace,
      tableDimension: this.job.metricsTable,
      expectedRunInterval,
      quarantineAlertRatio,
      buckets: dedupe([...lakes.map((b) => b.bucket), trail.bucket, ...logBuckets]),
      keys,
      trailName: `${unique}-trail`,
      trailArn: trail.trailArn,
      glueResourceNames: [this.job.securityConfiguration.securityConfigurationName, workflow.workflowName, triggerName],
      secrets: this.pseudonymKey ? [this.pseudonymKey] : [],
      roles: [this.job.role, ...(rotationFunction?.role ? [rotationFunction.role] : [])],
      catalogTable: { databaseName, tableName: props.tableName },
      administrators,
      logGroups: [...this.job.logGroups, trail.logGroup, ...(rotationFunction ? [rotationFunction.logGroup] : [])],
      rotationFunction,
    });
    this.alertTopic = alerts.topic;
    if (trigger.kind === PipelineTriggerKind.OBJECT_CREATED) {
      // Named under the alerts' prefix: the rule watchers report it disabled, deleted or retargeted.
      this.addObjectCreatedRule(workflow, trigger.prefix ? normalizePrefix('trigger prefix', trigger.prefix) : sourcePrefix, alerts.deadLetterQueue,
        `${alerts.namePrefix}-ObjectCreated`);
    }
    this.alarms = alerts.alarms;
    this.alertRules = alerts.rules;
    this.failedRunRuleName = alerts.jobRunFailedRule.ruleName;
    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      dashboardName: `${unique}-dashboard`.slice(0, 255),
      job: this.job,
      alarms: alerts.alarms,
      failureRuleName: alerts.jobRunFailedRule.ruleName,
    }).dashboard;

    // The catalog: the curated table as a Delta table (Athena engine v3 reads its log).
    this.databaseName = databaseName;
    this.database = new glue.Database(this, 'Database', {
      databaseName: this.databaseName,
      description: `cdk-secure-delta-lake: tables of ${this.node.path}`,
    });
    const table = new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        description: `Delta table ingested from ${sourcePrefix}/ (validated; PII pseudonymized)`,
        tableType: 'EXTERNAL_TABLE',
        // Columns come from the Delta log; Athena reads the table natively (not as plain Parquet).
        parameters: { table_type: 'DELTA', EXTERNAL: 'TRUE' },
        storageDescriptor: { location: this.curatedBucket.bucket.s3UrlForObject(`${tablePath}/data/`) },
      },
    });
    table.node.addDependency(this.database);
    if (props.encryptDataCatalog) {
      const catalogKey = new kms.Key(this, 'CatalogKey', {
        description: 'cdk-secure-delta-lake: encrypts the Glue Data Catalog of this account and region',
        enableKeyRotation: true,
        removalPolicy,
      });
      new glue.CfnDataCatalogEncryptionSettings(this, 'CatalogEncryption', {
        catalogId: stack.account,
        dataCatalogEncryptionSettings: {
          encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: catalogKey.keyArn },
          connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, kmsKeyId: catalogKey.keyArn },
        },
      });
      denyGrantsOutsideAwsServices(catalogKey);
      denyKeyAdministration(catalogKey, administrators);
      this.catalogKey = catalogKey;
    }

    // Analysts query through a workgroup whose encrypted results location is enforced.
    this.workGroupName = `${unique}-analysts`.slice(0, 128);
    new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `cdk-secure-delta-lake: analysts of ${this.node.path}`,
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.queryResultsBucket.bucket.s3UrlForObject(`${RESULTS_PREFIX}/${this.workGroupName}/`),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.queryResultsBucket.encryptionKey.keyArn },
          expectedBucketOwner: stack.account,
        },
      },
    });

    // Every resource carries the classification; passed-in buckets too.
    for (const scopeToTag of dedupe<IConstruct>([this, this.rawBucket, this.curatedBucket])) {
      Tags.of(scopeToTag).add('data-classification', classification);
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
   * Runs that failed, timed out, were stopped or errored: the invocations of the pipeline's
   * failed-run alert rule (AWS/Events `TriggeredRules`, Sum).
   */
  public metricFailedRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: this.failedRunRuleName },
      statistic: 'Sum',
      ...props,
    });
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
    this.job.grantMonitor(grantee);
    const identity = granteeIdentity(grantee, 'AuditedPipeline.grantOperate');
    const policy = managedPolicyFor(identity, `SecureDeltaLakePipelineOperate${Names.uniqueId(this)}`, `cdk-secure-delta-lake: operate the pipeline ${this.node.path}`);
    policy.add('operators start and follow runs of this workflow only',
      new iam.PolicyStatement({
        actions: ['glue:StartWorkflowRun', 'glue:StopWorkflowRun', 'glue:ResumeWorkflowRun', 'glue:GetWorkflow', 'glue:GetWorkflowRun', 'glue:GetWorkflowRuns', 'glue:GetWorkflowRunProperties'],
        resources: [this.workflow.workflowArn],
      }),
    );
    return iam.Grant.drop(grantee, `operate ${this.node.path}`);
  }

  /**
   * Query the curated table (analysts): read its Delta data files and log, read its catalog
   * entries, run queries in the pipeline's workgroup, and read and write that workgroup's
   * encrypted results. Not the quarantine, not the raw CSV.
   *
   * @param grantee a role or a user
   */
  public grantReadCurated(grantee: iam.IGrantable): iam.Grant {
    this.curatedBucket.grantDeltaRead(grantee, `${this.tablePath}/data`);
    const results = `${RESULTS_PREFIX}/${this.workGroupName}`;
    this.queryResultsBucket.grantRead(grantee, results);
    this.queryResultsBucket.grantWrite(grantee, results);
    const stack = Stack.of(this);
    const identity = granteeIdentity(grantee, 'AuditedPipeline.grantReadCurated');
    const policy: ReasonedPolicy = managedPolicyFor(identity, `SecureDeltaLakePipelineQuery${Names.uniqueId(this)}`, `cdk-secure-delta-lake: query the curated table of ${this.node.path}`);
    policy.add('analysts query through this workgroup only',
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetQueryResultsStream', 'athena:GetWorkGroup', 'athena:ListQueryExecutions'],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName })],
      }),
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          this.database.databaseArn,
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${this.tableName}` }),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: [this.curatedBucket.bucket.bucketArn, this.queryResultsBucket.bucket.bucketArn],
      }),
      ...(this.catalogKey ? [new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.catalogKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `glue.${stack.region}.amazonaws.com` } },
      })] : []),
    );
    return iam.Grant.drop(grantee, `query the curated table of ${this.node.path}`);
  }

  /**
   * Read the quarantine (data stewards triaging rejected records). The quarantine holds raw
   * records, PII in clear unless redacted: grant it to as few principals as possible.
   *
   * @param grantee a role or a user
   */
  public grantReadQuarantine(grantee: iam.IGrantable): iam.Grant {
    return this.curatedBucket.grantDeltaRead(grantee, `${this.tablePath}/quarantine`);
  }

  private addObjectCreatedRule(workflow: glue.Workflow, prefix: string, dlq: sqs.IQueue, ruleName: string): void {
    const role = new iam.Role(this, 'EventsRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `cdk-secure-delta-lake: notifies the workflow of ${this.node.path} of new objects`,
    });
    const policy = new iam.ManagedPolicy(this, 'EventsPolicy', {
      roles: [role],
      description: 'cdk-secure-delta-lake: EventBridge notifies the pipeline workflow',
      statements: [new iam.PolicyStatement({ actions: ['glue:notifyEvent'], resources: [workflow.workflowArn] })],
    });
    const rule = new events.Rule(this, 'ObjectCreated', {
      ruleName,
      description: `cdk-secure-delta-lake: new objects under ${prefix}/ start the workflow`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.rawBucket.bucket.bucketName] }, object: { key: [{ prefix: `${prefix}/` }] } },
      },
    });
    // aws-events-targets has no Glue workflow target: the workflow ARN, a role with notifyEvent, the alerts' DLQ.
    rule.addTarget({
      bind: () => {
        addToDeadLetterQueueResourcePolicy(rule, dlq);
        return { arn: workflow.workflowArn, role, deadLetterConfig: { arn: dlq.queueArn } };
      },
    });
    rule.node.addDependency(policy);
  }

  /** Log buckets receive service deliveries; recording their data events would log the logging. */
  private checkAuditedBuckets(extra: s3.IBucket[], logBuckets: s3.IBucket[]): string[] {
    const stack = Stack.of(this);
    const name = (b: s3.IBucket) => JSON.stringify(stack.resolve(b.bucketName));
    const logNames = new Set(logBuckets.map(name));
    for (const c of this.node.root.node.findAll()) {
      if (c instanceof s3.CfnBucket && c.loggingConfiguration && !Token.isUnresolved(c.loggingConfiguration)) {
        const dest = (c.loggingConfiguration as s3.CfnBucket.LoggingConfigurationProperty).destinationBucketName;
        if (dest) logNames.add(JSON.stringify(Stack.of(c).resolve(dest)));
      }
      if (c instanceof cloudtrail.CfnTrail) logNames.add(JSON.stringify(Stack.of(c).resolve(c.s3BucketName)));
    }
    return extra.filter((b) => logNames.has(name(b))).map((b) =>
      `additionalAuditedBuckets: ${b.node.path} receives server access logs or trail logs; recording its data events would log the log deliveries themselves. Remove it from additionalAuditedBuckets`);
  }
}

function dedupe<T>(items: T[]): T[] {
  return items.filter((x, i) => items.indexOf(x) === i);
}
