import { createHash } from 'crypto';
import { Duration, Names, Stack, Tags, Token } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { nameManagedPolicies } from './names';
import type { SecureDeltaLake } from './secure-delta-lake';
import { GlueJobVersion, LeastPrivilegeGlueJob } from '../glue/least-privilege-glue-job';
import { TableSchema } from '../glue/table-schema';
import { PipelineTrigger, PipelineTriggerKind } from '../pipeline/pipeline-trigger';
import { granteeIdentity, managedPolicyFor } from '../private/grants';
import { checkAlarms, checkTableLocation, checkTrigger } from '../private/table-checks';
import { PropsValidator, normalizePrefix } from '../private/validation';

/** A table of a `SecureDeltaLake`: what is per table. */
export interface LakeTableOptions {
  /**
   * The table's name: the Glue catalog table, and the default source prefix and table path.
   * Lowercase letters, digits and underscores, starting with a letter; unique in the lake.
   */
  readonly tableName: string;

  /** The columns every CSV row is validated against. */
  readonly schema: TableSchema;

  /**
   * The key prefix of the CSV files in the raw zone.
   *
   * @default - `landing/<tableName>`
   */
  readonly sourcePrefix?: string;

  /**
   * The table root in the curated zone.
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
   * A pseudonymization key of this table's own, instead of the lake's (a key per purpose: its
   * pseudonyms do not join with the other tables'). Must have a rotation schedule.
   *
   * @default - the lake's key, when the schema has PII columns
   */
  readonly pseudonymKey?: secretsmanager.ISecret;

  /**
   * Share of quarantined records above which a run fails closed.
   *
   * @default 0.05
   */
  readonly maxQuarantineRatio?: number;

  /**
   * How long quarantined records are kept.
   *
   * @default Duration.days(90)
   */
  readonly quarantineRetention?: Duration;

  /**
   * Share of quarantined records in an hour above which an alert is sent.
   *
   * @default 0.01
   */
  readonly quarantineAlertRatio?: number;

  /**
   * An alert is sent when no run succeeds within this period (1 hour to 7 days).
   *
   * @default Duration.days(1)
   */
  readonly expectedRunInterval?: Duration;

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
}

/** Properties of a `LakeTable`. */
export interface LakeTableProps extends LakeTableOptions {
  /** The lake the table belongs to (in this stack or another stack of the same environment). */
  readonly lake: SecureDeltaLake;
}

/** The longest name base leaves room for the longest suffix within EventBridge's 64 characters. */
const NAME_BASE_LENGTH = 44;

/** A table's validated props: its location, trigger and alarm settings. */
interface TableSettings {
  readonly tableName: string;
  readonly sourcePrefix: string;
  readonly tablePath: string;
  readonly trigger: PipelineTrigger;
  readonly quarantineAlertRatio: number;
  readonly expectedRunInterval: Duration;
}

/**
 * A table of a `SecureDeltaLake`: its ingestion job and role, schema contract, trigger, catalog
 * table, Athena workgroup and alarms; the lake's trail, logs key, topic, rules (which match the
 * table's job, role, policies, workflow, trigger, alarms, rules and log groups by the lake's name
 * prefix), database and dashboard cover it already.
 *
 * Every resource name starts with the lake's name, so the lake's rules match it without a
 * reference to this stack: the table may live in another stack than the lake (no cycle).
 *
 * @example
 * declare const lake: sdl.SecureDeltaLake;
 * const customers = new sdl.LakeTable(this, 'Customers', {
 *   lake,
 *   tableName: 'customers',
 *   schema: sdl.TableSchema.of([{ name: 'email', type: sdl.ColumnType.STRING, pii: true }]),
 *   trigger: sdl.PipelineTrigger.onSchedule('cron(0 2 * * ? *)'),
 * });
 */
export class LakeTable extends Construct {
  /** The lake. */
  public readonly lake: SecureDeltaLake;
  /** The catalog table's name. */
  public readonly tableName: string;
  /** The source prefix in the raw zone. */
  public readonly sourcePrefix: string;
  /** The table root in the curated zone. */
  public readonly tablePath: string;
  /** The ingestion job. */
  public readonly job: LeastPrivilegeGlueJob;
  /** The job's name (a literal, under the lake's prefix). */
  public readonly jobName: string;
  /** The Glue workflow that runs the job. */
  public readonly workflow: glue.IWorkflow;
  /** The Athena workgroup of the table's readers. */
  public readonly workGroupName: string;
  /** The table's alarms (no successful run, quarantine ratio). */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The names of the table's alarms. */
  public readonly alarmNames: string[];
  /** The table's own EventBridge rule: the object-created trigger's, when it has one. */
  public readonly rules: events.IRule[] = [];
  /** The secret of the pseudonymization key the job reads, when the schema has PII columns. */
  public readonly pseudonymKey?: secretsmanager.ISecret;
  /**
   * The value of the `Table` dimension of the job's metrics (the job's `metricsTable`), known before
   * the job exists: the lake draws the table's dashboard row when the table registers.
   *
   * @internal
   */
  public readonly _tableDimension: string;
  private readonly props: LakeTableProps;

  constructor(scope: Construct, id: string, props: LakeTableProps) {
    super(scope, id);
    this.lake = props.lake;
    this.props = props;

    // Every problem is reported at synth, with those of the app's other constructs; a bad value
    // is replaced by its default meanwhile (see PropsValidator).
    const v = new PropsValidator('LakeTable');
    v.deferTo(this);
    const settings = this.validatedSettings(v);
    this.tableName = settings.tableName;
    this.sourcePrefix = settings.sourcePrefix;
    this.tablePath = settings.tablePath;
    this._tableDimension = settings.tablePath.split('/').pop()!;
    const base = nameBase(this.lake.lakeName, this.tableName);
    this.jobName = base;
    this.alarmNames = [`${base}-NoSuccessfulRun`, `${base}-QuarantineRatio`];
    this.workGroupName = `${base}-analysts`;

    this.pseudonymKey = this.registerWithLake(base, v);
    this.job = this.createJob(base);
    this.workflow = this.createWorkflow(base, settings.trigger);
    this.alarms = this.createAlarms(base, settings);
    this.createCatalogTable();
    this.createWorkGroup();
    this.nameAndTag();
  }

  /**
   * The table's location, trigger and alarm settings, valid or their defaults (problems go to
   * `v`); stops at once when the table's stack is in another environment than the lake's.
   */
  private validatedSettings(v: PropsValidator): TableSettings {
    const props = this.props;
    const maxQuarantineRatio = props.maxQuarantineRatio ?? 0.05;
    const location = checkTableLocation(v, props.tableName, props.sourcePrefix, props.tablePath);
    const trigger = checkTrigger(v, props.trigger ?? PipelineTrigger.onObjectCreated(), location.prefixesValid ? location.sourcePrefix : '');
    const { quarantineAlertRatio, expectedRunInterval } = checkAlarms(v, props.quarantineAlertRatio ?? Math.min(0.01, maxQuarantineRatio),
      maxQuarantineRatio, props.expectedRunInterval ?? Duration.days(1));
    const stack = Stack.of(this);
    const lakeStack = Stack.of(this.lake);
    if (!Token.isUnresolved(stack.region) && !Token.isUnresolved(lakeStack.region)
      && (stack.region !== lakeStack.region || stack.account !== lakeStack.account)) {
      // CDK refuses references across environments before it validates: stop here, with
      // the table's other problems.
      v.throwNow(this, `the table's stack ${stack.stackName} is in ${stack.account}/${stack.region} and the lake's stack ${lakeStack.stackName} in ${lakeStack.account}/${lakeStack.region}; put the table in a stack of the lake's account and region`);
    }
    const { tableName, sourcePrefix, tablePath } = location;
    return { tableName, sourcePrefix, tablePath, trigger, quarantineAlertRatio, expectedRunInterval };
  }

  /** Joins the lake (its lists and dashboard); the secret of the pseudonymization key the job reads. */
  private registerWithLake(base: string, v: PropsValidator): secretsmanager.ISecret | undefined {
    const props = this.props;
    const hasPii = props.schema.columns.some((c) => c.pii);
    const lakeKey = this.lake._register(this, base, hasPii && !props.pseudonymKey, v);
    return hasPii ? props.pseudonymKey ?? lakeKey : undefined;
  }

  /** The ingestion job, with the lake's logs key and literal names under the lake's prefix. */
  private createJob(base: string): LeastPrivilegeGlueJob {
    const { lake, props } = this;
    const job = new LeastPrivilegeGlueJob(this, 'Job', {
      source: { bucket: lake.rawBucket.bucket, lakeBucket: lake.rawBucket, prefix: this.sourcePrefix },
      target: lake.curatedBucket,
      tablePath: this.tablePath,
      schema: props.schema,
      secrets: this.pseudonymKey ? { 'pseudonym-key': this.pseudonymKey } : undefined,
      maxQuarantineRatio: props.maxQuarantineRatio ?? 0.05,
      quarantineRetention: props.quarantineRetention,
      glueVersion: props.glueVersion,
      maxWorkers: props.maxWorkers,
      timeout: props.timeout,
      removalPolicy: lake.removalPolicy,
      administratorArns: lake._administratorArns,
      // The lake's logs key (a key per table would cost a key per table), the log groups under the
      // prefix its policy admits and the lake's rules watch.
      logsKey: lake.logsKey,
      logGroupPrefix: lake._jobLogGroupPrefix(base),
    });
    // Literal names under the lake's prefix: the lake's rules match them, in any stack.
    (job.job.node.defaultChild as glue.CfnJob).name = base;
    (job.role.node.defaultChild as iam.CfnRole).roleName = base;
    (job.securityConfiguration.node.defaultChild as glue.CfnSecurityConfiguration).name = base;
    return job;
  }

  /** The workflow (one run at a time) and the trigger that starts the job. */
  private createWorkflow(base: string, trigger: PipelineTrigger): glue.Workflow {
    const workflow = new glue.Workflow(this, 'Workflow', {
      workflowName: base,
      description: `cdk-secure-delta-lake: ingests ${this.sourcePrefix}/ into ${this.tablePath}`,
      maxConcurrentRuns: 1,
    });
    const actions = [glue.Action.job(this.job.job)];
    const triggerName = `${base}-trigger`;
    if (trigger.kind === PipelineTriggerKind.OBJECT_CREATED) {
      workflow.addEventTrigger('Trigger', {
        name: triggerName,
        actions,
        eventBatchingCondition: { batchSize: trigger.batchSize ?? 100, batchWindow: trigger.batchWindow ?? Duration.minutes(15) },
      });
      this.rules.push(this.addObjectCreatedRule(base, workflow, trigger));
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
    return workflow;
  }

  /** New objects under the trigger's prefix notify the workflow, through the lake's events role. */
  private addObjectCreatedRule(base: string, workflow: glue.Workflow, trigger: PipelineTrigger): events.Rule {
    const lake = this.lake;
    const prefix = trigger.prefix ? normalizePrefix('trigger prefix', trigger.prefix) : this.sourcePrefix;
    const rule = new events.Rule(this, 'ObjectCreated', {
      ruleName: `${base}-ObjectCreated`,
      description: `cdk-secure-delta-lake: new objects under ${prefix}/ start the workflow`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [lake.rawBucket.bucket.bucketName] }, object: { key: [{ prefix: `${prefix}/` }] } },
      },
    });
    const dlq = lake.alertDeadLetterQueue;
    rule.addTarget({ bind: () => ({ arn: workflow.workflowArn, role: lake.eventsRole, deadLetterConfig: { arn: dlq.queueArn } }) });
    return rule;
  }

  /**
   * Alarms on the job's own metrics (no successful run, quarantine ratio), named under the lake's
   * prefix (the topic admits them by ARN).
   */
  private createAlarms(base: string, settings: TableSettings): cloudwatch.Alarm[] {
    const { expectedRunInterval, quarantineAlertRatio } = settings;
    const period = expectedRunInterval.toSeconds() >= 86400 ? Duration.days(1) : expectedRunInterval;
    const evaluationPeriods = Math.ceil(expectedRunInterval.toSeconds() / period.toSeconds());
    const noRun = new cloudwatch.Alarm(this, 'NoSuccessfulRun', {
      alarmName: this.alarmNames[0],
      alarmDescription: `cdk-secure-delta-lake: no successful run of ${base} within ${expectedRunInterval.toHumanString()}`,
      metric: this.job.metricRunsSucceeded({ period }),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const ratio = new cloudwatch.Alarm(this, 'QuarantineRatio', {
      alarmName: this.alarmNames[1],
      alarmDescription: `cdk-secure-delta-lake: more than ${quarantineAlertRatio * 100}% of the records of a run of ${base} were quarantined`,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(r > 0, q / r, 0)',
        usingMetrics: {
          q: this.job.metricRecordsQuarantined({ period: Duration.hours(1) }),
          r: this.job.metricRecordsRead({ period: Duration.hours(1) }),
        },
        label: 'quarantine ratio',
        period: Duration.hours(1),
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: quarantineAlertRatio,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [noRun, ratio]) alarm.addAlarmAction(new cwActions.SnsAction(this.lake.alertTopic as sns.ITopic));
    return [noRun, ratio];
  }

  /** The catalog table (Delta, read natively by Athena engine v3) in the lake's database. */
  private createCatalogTable(): void {
    const lake = this.lake;
    const table = new glue.CfnTable(this, 'Table', {
      catalogId: Stack.of(this).account,
      databaseName: lake.databaseName,
      tableInput: {
        name: this.tableName,
        description: `Delta table ingested from ${this.sourcePrefix}/ (validated; PII pseudonymized)`,
        tableType: 'EXTERNAL_TABLE',
        parameters: { table_type: 'DELTA', EXTERNAL: 'TRUE' },
        storageDescriptor: { location: lake.curatedBucket.bucket.s3UrlForObject(`${this.tablePath}/data/`) },
      },
    });
    table.node.addDependency(lake._database);
  }

  /** A workgroup per table: readers of one table never see the query results of another's. */
  private createWorkGroup(): void {
    const lake = this.lake;
    new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `cdk-secure-delta-lake: readers of ${this.tableName} in the lake ${lake.lakeName}`,
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: lake.queryResultsBucket.bucket.s3UrlForObject(`${lake.resultsPrefix}/${this.workGroupName}/`),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: lake.queryResultsBucket.encryptionKey.keyArn },
          expectedBucketOwner: Stack.of(this).account,
        },
      },
    });
  }

  /** Managed policy names under the lake's prefix; the lake's and the table's tags. */
  private nameAndTag(): void {
    nameManagedPolicies(this, this.lake.lakeName);
    Tags.of(this).add('data-classification', this.lake.dataClassification);
    Tags.of(this).add('cdk-secure-delta-lake:lake', this.lake.lakeName);
    Tags.of(this).add('cdk-secure-delta-lake:table', this.tableName);
  }

  /**
   * Query this table (analysts): read its Delta data files and log, its catalog entries, run
   * queries in its workgroup and read and write that workgroup's results. Not the quarantine, not
   * the raw CSV, not another table.
   *
   * @param grantee a role or a user
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const lake = this.lake;
    lake.curatedBucket.grantDeltaRead(grantee, `${this.tablePath}/data`);
    const results = `${lake.resultsPrefix}/${this.workGroupName}`;
    lake.queryResultsBucket.grantRead(grantee, results);
    lake.queryResultsBucket.grantWrite(grantee, results);
    const stack = Stack.of(this);
    const identity = granteeIdentity(grantee, 'LakeTable.grantRead');
    const policy = managedPolicyFor(identity, `SecureDeltaLakeTableQuery${Names.uniqueId(this)}`, `cdk-secure-delta-lake: query the table ${this.tableName} of the lake ${lake.lakeName}`);
    policy.add('readers query this table through its own workgroup only',
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetQueryResultsStream', 'athena:GetWorkGroup', 'athena:ListQueryExecutions'],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName })],
      }),
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: lake.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${lake.databaseName}/${this.tableName}` }),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: [lake.curatedBucket.bucket.bucketArn, lake.queryResultsBucket.bucket.bucketArn],
      }),
      // The catalog entries, when the lake encrypts the catalog, through Glue only.
      ...(lake._catalogKey ? [new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [lake._catalogKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `glue.${stack.region}.amazonaws.com` } },
      })] : []),
    );
    return iam.Grant.drop(grantee, `query the table ${this.tableName}`);
  }

  /**
   * Read this table's quarantine (data stewards). It holds raw records, PII in clear: grant it to
   * as few principals as possible.
   *
   * @param grantee a role or a user
   */
  public grantReadQuarantine(grantee: iam.IGrantable): iam.Grant {
    return this.lake.curatedBucket.grantDeltaRead(grantee, `${this.tablePath}/quarantine`);
  }

  /**
   * Operate this table's ingestion (data engineers): start, stop and follow runs of its workflow,
   * follow and stop runs of its job, read its logs. No data, no other table.
   *
   * @param grantee a role or a user
   */
  public grantOperate(grantee: iam.IGrantable): iam.Grant {
    this.job.grantMonitor(grantee);
    const identity = granteeIdentity(grantee, 'LakeTable.grantOperate');
    const policy = managedPolicyFor(identity, `SecureDeltaLakeTableOperate${Names.uniqueId(this)}`, `cdk-secure-delta-lake: operate the table ${this.tableName} of the lake ${this.lake.lakeName}`);
    policy.add('operators start and follow runs of this table\'s workflow only',
      new iam.PolicyStatement({
        actions: ['glue:StartWorkflowRun', 'glue:StopWorkflowRun', 'glue:ResumeWorkflowRun', 'glue:GetWorkflow', 'glue:GetWorkflowRun', 'glue:GetWorkflowRuns', 'glue:GetWorkflowRunProperties'],
        resources: [this.workflow.workflowArn],
      }),
    );
    return iam.Grant.drop(grantee, `operate the table ${this.tableName}`);
  }
}

/** `<lake>-<table>` with `-` for `_`, shortened with a hash when longer than the names allow. */
function nameBase(lakeName: string, tableName: string): string {
  const full = `${lakeName}-${tableName.replace(/_/g, '-')}`;
  if (full.length <= NAME_BASE_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, NAME_BASE_LENGTH - 9)}-${hash}`;
}
