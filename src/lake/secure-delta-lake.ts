import { Annotations, ArnFormat, CfnResource, Duration, Lazy, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { LakeAlerts } from './lake-alerts';
import { LakeTable, LakeTableOptions } from './lake-table';
import { nameManagedPolicies } from './names';
import { PipelineTrail } from '../audit/pipeline-trail';
import { JobMetrics } from '../glue/least-privilege-glue-job';
import { PseudonymKey } from '../pipeline/pseudonym-key';
import { accountRootArn, administratorArnProblems, administratorsOf } from '../private/administrators';
import { GRANULAR_REASONS, ReasonedPolicy, acknowledge } from '../private/compliance';
import { denyGrantsOutsideAwsServices, denyKeyAdministration } from '../private/keys';
import { checkZoneBuckets } from '../private/table-checks';
import { PropsValidator } from '../private/validation';
import { ISecureDeltaLakeBucket, LakeZone, SecureDeltaLakeBucket } from '../storage/secure-delta-lake-bucket';

/** Properties of a `SecureDeltaLake`. */
export interface SecureDeltaLakeProps {
  /**
   * The prefix of the names of the lake's rules, alarms, topic and of every table's job, role,
   * policies, workflow, trigger, alarms and rules: the lake's alerts match this prefix, so that
   * tables in other stacks are covered without a reference to them. Lowercase letters, digits and
   * hyphens, 3 to 20 characters, starting with a letter. Unique in the account and region.
   *
   * @default - derived from the construct path
   */
  readonly lakeName?: string;

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
   * Where the tables' Athena workgroups write query results (each under its own prefix).
   *
   * @default - a new `SecureDeltaLakeBucket`
   */
  readonly queryResultsBucket?: ISecureDeltaLakeBucket;

  /**
   * The secret of the HMAC key that pseudonymizes the PII columns of every table. Must have a
   * rotation schedule.
   *
   * @default - when a table has PII columns, one secret for the lake, encrypted with its own key
   * and rotated every `pseudonymKeyRotation`
   */
  readonly pseudonymKey?: secretsmanager.ISecret;

  /**
   * How often the created pseudonymization key is rotated.
   *
   * @default Duration.days(90)
   */
  readonly pseudonymKeyRotation?: Duration;

  /**
   * Email addresses subscribed to the alerts.
   *
   * @default - no subscription
   */
  readonly alertEmails?: string[];

  /**
   * An existing topic for the alerts. Its key policy must let EventBridge and CloudWatch publish.
   *
   * @default - a topic encrypted with the lake's audit key, TLS only
   */
  readonly alertTopic?: sns.ITopic;

  /**
   * Also record the account's management events in every region, with global service events.
   *
   * @default false - the lake's trail records the data events of its buckets only
   */
  readonly accountTrail?: boolean;

  /**
   * Record the data events of the tables' prefixes only (each table's source prefix and table
   * root), instead of the whole zones. Cheaper when the zones hold more than the lake's tables;
   * when the prefixes exceed CloudTrail's 500 selector values, the trail falls back to the whole
   * buckets (with a warning).
   *
   * @default false - the whole raw, curated and query-results buckets
   */
  readonly auditTablePrefixesOnly?: boolean;

  /**
   * More buckets whose object-level events the lake's trail records. Never a log bucket.
   *
   * @default - the raw, curated and query-results buckets only
   */
  readonly additionalAuditedBuckets?: s3.IBucket[];

  /**
   * Encrypt the account's Glue Data Catalog with a customer key of this construct (readers of the
   * tables may decrypt it through Glue). The setting is one per account and region: turn it on in
   * one stack only.
   *
   * @default false
   */
  readonly encryptDataCatalog?: boolean;

  /**
   * The name of the lake's trail (it also names the trail's log group and its access-log prefix).
   * To move a one-table `AuditedPipeline` onto a lake, pass its trail's name, so that the trail and
   * its log group are kept.
   *
   * @default - `<lakeName>-trail`
   */
  readonly trailName?: string;

  /**
   * Retention of the trail's and the rotation function's log groups.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly auditLogRetention?: logs.RetentionDays;

  /**
   * The Glue database of the lake's tables.
   *
   * @default - the lake name with `_` for `-`
   */
  readonly databaseName?: string;

  /**
   * Value of the `data-classification` tag on every resource of the lake and its tables.
   *
   * @default 'confidential'
   */
  readonly dataClassification?: string;

  /**
   * Principals that may change the configuration of the lake's buckets and manage the
   * pseudonymization key (see `AuditedPipelineProps.administratorArns`).
   *
   * @default - the stack's CloudFormation execution role only
   */
  readonly administratorArns?: string[];

  /**
   * CloudTrail trails that already exist in the account and region (an account trail, other
   * lakes). Synthesis fails when they and the app's trails exceed CloudTrail's 5 per region.
   *
   * @default 1 - one account trail is assumed
   */
  readonly existingTrailsInRegion?: number;

  /**
   * The account's Glue jobs quota (1,000 by default; raise it in Service Quotas).
   *
   * @default 1000
   */
  readonly glueJobQuota?: number;

  /**
   * What happens to keys, buckets, secrets and logs when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** CloudTrail trails per region (cannot be raised). */
const TRAILS_PER_REGION = 5;
/** EventBridge rules per event bus (default quota). */
const RULES_PER_EVENT_BUS = 300;
/** CloudFormation resources per stack. */
const RESOURCES_PER_STACK = 500;
/** Values across all conditions of a trail's advanced event selectors (cannot be raised). */
const SELECTOR_VALUES_PER_TRAIL = 500;

const LAKE_NAME = /^[a-z][a-z0-9-]{2,19}$/;
const DATABASE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const RESULTS_PREFIX = 'athena-results';

/**
 * One secure lake for many tables: what every table shares, once.
 *
 * - the raw and curated zones and the query-results bucket (created, or passed in)
 * - the audit key, one data-events trail over the zones, the encrypted alert topic with its
 *   dead-letter queue, and the tamper rules, which match every table's resources by the lake's
 *   name prefix (a table added in another stack changes nothing in the lake's rules)
 * - one pseudonymization key for every table (pseudonyms join across tables)
 * - the Glue database, one role through which EventBridge starts the tables' workflows, and a
 *   dashboard with a row per table
 * - synth-time checks of the AWS quotas a lake meets as it grows: trails per region, rules per
 *   event bus, resources per stack, advanced-selector values per trail, Glue jobs per account
 *
 * Tables are added with `addTable` (in the lake's stack) or `new LakeTable(stack, id, { lake, ... })`
 * (in any stack of the same environment).
 *
 * @example
 * const lake = new sdl.SecureDeltaLake(this, 'Lake', { lakeName: 'sales', alertEmails: ['data-platform@example.com'] });
 * const orders = lake.addTable('Orders', {
 *   tableName: 'orders',
 *   schema: sdl.TableSchema.of([{ name: 'order_id', type: sdl.ColumnType.LONG, nullable: false }]),
 * });
 * orders.grantRead(new iam.Role(this, 'Analysts', { assumedBy: new iam.AccountRootPrincipal() }));
 */
export class SecureDeltaLake extends Construct {
  /** The raw (CSV) zone. */
  public readonly rawBucket: ISecureDeltaLakeBucket;
  /** The curated (Delta) zone. */
  public readonly curatedBucket: ISecureDeltaLakeBucket;
  /** Where the tables' workgroups write query results. */
  public readonly queryResultsBucket: ISecureDeltaLakeBucket;
  /** The prefix of the names of the lake's and its tables' resources. */
  public readonly lakeName: string;
  /** The Glue database of the tables. */
  public readonly databaseName: string;
  /** The key of the trail, its bucket and log group, and the alert topic. */
  public readonly auditKey: kms.IKey;
  /**
   * The key of every table's job logs and bookmarks: CloudWatch Logs may use it for the log groups
   * under `/aws-glue/jobs/sdl/<lakeName>-` only.
   */
  public readonly logsKey: kms.IKey;
  /** The lake's trail. */
  public readonly trail: cloudtrail.Trail;
  /** The trail's ARN. */
  public readonly trailArn: string;
  /** The bucket the trail delivers to. */
  public readonly trailBucket: s3.IBucket;
  /** The log group the trail delivers to. */
  public readonly trailLogGroup: logs.ILogGroup;
  /** The topic alerts are published to. */
  public readonly alertTopic: sns.ITopic;
  /** The dead-letter queue of undeliverable alerts. */
  public readonly alertDeadLetterQueue: sqs.IQueue;
  /** The lake's EventBridge rules (the tables' own rules are on the tables). */
  public readonly alertRules: events.IRule[];
  /** The dashboard: a row for the lake, a row per table. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The role through which EventBridge notifies the tables' workflows of new objects. */
  public readonly eventsRole: iam.IRole;
  /** The data classification tag value. */
  public readonly dataClassification: string;
  /** The removal policy of the lake and its tables. */
  public readonly removalPolicy: RemovalPolicy;
  /** The prefix of the tables' query results in the query-results bucket. */
  public readonly resultsPrefix = RESULTS_PREFIX;

  private readonly tables: LakeTable[] = [];
  private readonly alerts: LakeAlerts;
  private readonly props: SecureDeltaLakeProps;
  private readonly administrators: string[];
  /** The administrators the app named (the tables' jobs admit them to their keys). @internal */
  public readonly _administratorArns?: string[];
  private readonly auditLogRetention: logs.RetentionDays;
  private ownPseudonymKey?: PseudonymKey;
  /** The key of the Glue Data Catalog, with `encryptDataCatalog`. @internal */
  public readonly _catalogKey?: kms.IKey;
  /** The Glue database of the tables (their catalog tables depend on it). @internal */
  public readonly _database: glue.CfnDatabase;
  private readonly tableNames = new Set<string>();
  /** The rotation of the lake's own pseudonymization key (the default in place of a bad one). */
  private readonly pseudonymKeyRotation: Duration;

  constructor(scope: Construct, id: string, props: SecureDeltaLakeProps = {}) {
    super(scope, id);
    this.props = props;
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.auditLogRetention = props.auditLogRetention ?? logs.RetentionDays.ONE_YEAR;

    // Every problem is reported at synth, with those of the app's other constructs; a bad value
    // is replaced by its default meanwhile (see PropsValidator). An AuditedPipeline hands over
    // the validator that holds the problems of its own props.
    const v = PropsValidator.of(props, 'SecureDeltaLake');
    v.deferTo(this);
    const names = this.validatedNames(v);
    this.lakeName = names.lakeName;
    this.databaseName = names.databaseName;
    this.dataClassification = names.dataClassification;
    const { pseudonymKeyRotation, trailName } = this.validatedSettings(v);
    this.pseudonymKeyRotation = pseudonymKeyRotation;
    this.administrators = this.validatedAdministrators(v);
    this._administratorArns = props.administratorArns;

    this.rawBucket = props.rawBucket ?? this.createZone('Raw', LakeZone.RAW);
    this.curatedBucket = props.curatedBucket ?? this.createZone('Curated', LakeZone.CURATED);
    this.queryResultsBucket = props.queryResultsBucket ?? this.createZone('QueryResults', LakeZone.RAW);
    const auditKey = this.createAuditKey();
    this.auditKey = auditKey;
    this.logsKey = this.createLogsKey();
    const trail = this.createTrail(auditKey, trailName);
    this.trail = trail.trail;
    this.trailArn = trail.trailArn;
    this.trailBucket = trail.bucket;
    this.trailLogGroup = trail.logGroup;
    this.eventsRole = this.createEventsRole();
    this.alerts = this.createAlerts(auditKey, trail, trailName);
    this.alertTopic = this.alerts.topic;
    this.alertDeadLetterQueue = this.alerts.deadLetterQueue;
    this.alertRules = this.alerts.rules;
    this._database = this.createDatabase();
    this._catalogKey = props.encryptDataCatalog ? this.encryptDataCatalog() : undefined;
    this.dashboard = this.createDashboard();
    this.nameAndTag();
    this.node.addValidation({ validate: () => this.checkQuotas() });
  }

  /** The lake's names and tag value, each valid or replaced by its default (problems go to `v`). */
  private validatedNames(v: PropsValidator): { lakeName: string; databaseName: string; dataClassification: string } {
    const props = this.props;
    const derived = Names.uniqueResourceName(this, { maxLength: 20, separator: '-' }).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const derivedName = /^[a-z]/.test(derived) ? derived : `l${derived.slice(1)}`;
    const lakeName = props.lakeName ?? derivedName;
    const lakeNameOk = LAKE_NAME.test(lakeName);
    v.check(lakeNameOk, `lakeName '${lakeName}' must be 3 to 20 lowercase letters, digits and hyphens, starting with a letter (it prefixes the names of every table's resources)`);
    const validLakeName = lakeNameOk ? lakeName : derivedName;
    // The default (from a valid lake name) is valid: a bad lake name is reported once.
    const databaseNameOk = props.databaseName === undefined || DATABASE_NAME.test(props.databaseName);
    v.check(databaseNameOk, `databaseName '${props.databaseName}' must be lowercase letters, digits and _, starting with a letter`);
    const dataClassification = props.dataClassification ?? 'confidential';
    const classificationOk = /^[A-Za-z0-9 _.:/=+@-]{1,256}$/.test(dataClassification);
    v.check(classificationOk, `dataClassification '${dataClassification}' is not a valid tag value`);
    return {
      lakeName: validLakeName,
      databaseName: props.databaseName !== undefined && databaseNameOk ? props.databaseName : validLakeName.replace(/-/g, '_'),
      dataClassification: classificationOk ? dataClassification : 'confidential',
    };
  }

  /**
   * The key rotation and trail name, valid or their defaults, and the other props' problems (to
   * `v`); stops at once when the zone buckets cannot be used. Notes an app-supplied
   * pseudonymization key.
   */
  private validatedSettings(v: PropsValidator): { pseudonymKeyRotation: Duration; trailName: string } {
    const props = this.props;
    let pseudonymKeyRotation = props.pseudonymKeyRotation ?? Duration.days(90);
    if (props.pseudonymKeyRotation) {
      const days = props.pseudonymKeyRotation.toDays({ integral: false });
      const rotationOk = days >= 1 && days <= 365 && Number.isInteger(days);
      v.check(rotationOk, `pseudonymKeyRotation must be whole days from 1 to 365 (got ${props.pseudonymKeyRotation.toHumanString()}); a key that lives longer exposes more pseudonyms if it leaks`);
      if (!rotationOk) pseudonymKeyRotation = Duration.days(90);
    }
    let trailName = props.trailName;
    if (props.trailName !== undefined) {
      const trailNameOk = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(props.trailName) && !/[._-]{2}/.test(props.trailName) && /[A-Za-z0-9]$/.test(props.trailName);
      v.check(trailNameOk,
        `trailName '${props.trailName}' must be 3 to 128 letters, digits, '.', '_' and '-', starting and ending with a letter or digit, without two of '.', '_', '-' in a row (CloudTrail trail names)`);
      if (!trailNameOk) trailName = undefined;
    }
    const existing = props.existingTrailsInRegion ?? 1;
    v.check(Number.isInteger(existing) && existing >= 0 && existing < TRAILS_PER_REGION,
      `existingTrailsInRegion must be an integer from 0 to ${TRAILS_PER_REGION - 1} (got ${existing}); CloudTrail allows ${TRAILS_PER_REGION} trails per region and the lake needs one`);
    for (const problem of administratorArnProblems('administratorArns', props.administratorArns)) v.add(problem);
    // One bucket may serve both zones (the tables' source prefixes and roots then stay apart).
    if (!checkZoneBuckets(v, props.rawBucket, props.curatedBucket)) v.throwNow(this);
    if (props.pseudonymKey) {
      Annotations.of(this).addInfo('the pseudonymization key is supplied by the app: its guards and rotation are the app\'s');
    }
    return { pseudonymKeyRotation, trailName: trailName ?? `${this.lakeName}-trail` };
  }

  /**
   * The administrators of the lake's buckets and keys. A stack without an execution role and no
   * administratorArns: reported, the account root stands in meanwhile.
   */
  private validatedAdministrators(v: PropsValidator): string[] {
    return v.attempt(() => administratorsOf(this, 'SecureDeltaLake', this.props.administratorArns), [accountRootArn(this)]);
  }

  /** A zone (or the query-results bucket) of the lake's own. */
  private createZone(id: string, zone: LakeZone): ISecureDeltaLakeBucket {
    return new SecureDeltaLakeBucket(this, id, { zone, removalPolicy: this.removalPolicy, administratorArns: this.props.administratorArns });
  }

  /** The raw, curated and query-results buckets. */
  private get zones(): ISecureDeltaLakeBucket[] {
    return [this.rawBucket, this.curatedBucket, this.queryResultsBucket];
  }

  /** The access-log buckets of the zones. */
  private get accessLogBuckets(): s3.IBucket[] {
    return this.zones.map((b) => b.accessLogBucket).filter((b): b is s3.IBucket => b !== undefined);
  }

  /** The key of the trail, its bucket and log group, and the alert topic. */
  private createAuditKey(): kms.Key {
    const auditKey = new kms.Key(this, 'AuditKey', {
      description: `cdk-secure-delta-lake: audit trail and alerts of the lake ${this.lakeName}`,
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });
    denyGrantsOutsideAwsServices(auditKey);
    // Disabling the audit key would silence the topic, the dead-letter queue and the trail at once.
    denyKeyAdministration(auditKey, this.administrators);
    return auditKey;
  }

  /**
   * One key for the logs and bookmarks of every table's job (a key per job would cost a key per
   * table): CloudWatch Logs may use it for the log groups under the lake's job log prefix only, and
   * each job's role writes to its own two log groups only.
   */
  private createLogsKey(): kms.Key {
    const stack = Stack.of(this);
    const logsKey = new kms.Key(this, 'LogsKey', {
      description: `cdk-secure-delta-lake: logs and bookmarks of the jobs of the lake ${this.lakeName}`,
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });
    logsKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForTheLakeJobLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs', resource: 'log-group', resourceName: `${this._jobLogGroupPrefix('')}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }));
    denyGrantsOutsideAwsServices(logsKey);
    denyKeyAdministration(logsKey, this.administrators);
    return logsKey;
  }

  /** The data-events trail over the zones (and the account's management events with `accountTrail`). */
  private createTrail(auditKey: kms.Key, trailName: string): PipelineTrail {
    const props = this.props;
    const trail = new PipelineTrail(this, 'Trail', {
      trailName,
      key: auditKey,
      dataBuckets: [...new Set([...this.zones.map((b) => b.bucket), ...(props.additionalAuditedBuckets ?? [])])],
      accountTrail: props.accountTrail ?? false,
      logRetention: this.auditLogRetention,
      accessLogBucket: this.queryResultsBucket.accessLogBucket,
      removalPolicy: this.removalPolicy,
      administrators: this.administrators,
    });
    if (!props.accountTrail) acknowledge(trail.trail, 'pipelineTrailSingleRegion');
    const logBuckets = [...this.accessLogBuckets, trail.bucket];
    this.node.addValidation({ validate: () => this.checkAuditedBuckets(props.additionalAuditedBuckets ?? [], logBuckets) });
    if (props.auditTablePrefixesOnly) {
      const cfn = trail.trail.node.defaultChild as cloudtrail.CfnTrail;
      cfn.advancedEventSelectors = undefined;
      cfn.addPropertyOverride('AdvancedEventSelectors', this.selectorsLazy(props.accountTrail ?? false));
    }
    return trail;
  }

  /** EventBridge starts the tables' workflows through one role, for this lake's workflows only. */
  private createEventsRole(): iam.IRole {
    const stack = Stack.of(this);
    const eventsRole = new iam.Role(this, 'EventsRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: `cdk-secure-delta-lake: notifies the workflows of the lake ${this.lakeName} of new objects`,
    });
    const eventsPolicy = new ReasonedPolicy(new iam.ManagedPolicy(this, 'EventsPolicy', {
      roles: [eventsRole],
      description: `cdk-secure-delta-lake: EventBridge notifies the workflows of the lake ${this.lakeName}`,
    }));
    eventsPolicy.add(GRANULAR_REASONS.lakeWorkflowsByNamePrefix, new iam.PolicyStatement({
      actions: ['glue:notifyEvent'],
      resources: [stack.formatArn({ service: 'glue', resource: 'workflow', resourceName: `${this.lakeName}-*` })],
    }));
    return eventsRole;
  }

  /** The alert topic, its dead-letter queue, the tamper rules and the lake's alarms. */
  private createAlerts(auditKey: kms.Key, trail: PipelineTrail, trailName: string): LakeAlerts {
    const props = this.props;
    const stack = Stack.of(this);
    const logBuckets = this.accessLogBuckets;
    return new LakeAlerts(this, 'Alerts', {
      namePrefix: this.lakeName,
      key: auditKey,
      topic: props.alertTopic,
      emails: props.alertEmails ?? [],
      buckets: [...new Set([...this.zones.map((b) => b.bucket), trail.bucket, ...logBuckets])],
      keys: [...new Set<kms.IKey>([...this.zones.map((b) => b.encryptionKey), auditKey, this.logsKey])],
      trailName,
      trailArn: trail.trailArn,
      roles: [this.eventsRole],
      logGroups: [trail.logGroup],
      jobLogGroupPrefix: this._jobLogGroupPrefix(''),
      databaseName: this.databaseName,
      administrators: this.administrators,
      tableAlarmArns: () => this.tables.flatMap((t) => t.alarmNames.map((name) =>
        stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }))),
    });
  }

  /** The Glue database of the lake's tables. */
  private createDatabase(): glue.CfnDatabase {
    return new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: { name: this.databaseName, description: `cdk-secure-delta-lake: tables of the lake ${this.lakeName}` },
    });
  }

  /** Encrypt the account's Data Catalog (connection passwords too) with a key of the lake. */
  private encryptDataCatalog(): kms.IKey {
    const catalogKey = new kms.Key(this, 'CatalogKey', {
      description: 'cdk-secure-delta-lake: encrypts the Glue Data Catalog of this account and region',
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });
    new glue.CfnDataCatalogEncryptionSettings(this, 'CatalogEncryption', {
      catalogId: Stack.of(this).account,
      dataCatalogEncryptionSettings: {
        encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: catalogKey.keyArn },
        connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, kmsKeyId: catalogKey.keyArn },
      },
    });
    denyGrantsOutsideAwsServices(catalogKey);
    denyKeyAdministration(catalogKey, this.administrators);
    return catalogKey;
  }

  /** The dashboard's lake row (the tables add theirs as they register). */
  private createDashboard(): cloudwatch.Dashboard {
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${this.lakeName}-dashboard`,
      defaultInterval: Duration.days(7),
      widgets: [[
        new cloudwatch.GraphWidget({
          title: 'Failed, timed-out or stopped runs (every table)',
          left: [new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensionsMap: { RuleName: this.alerts.jobRunFailedRule.ruleName }, statistic: 'Sum', period: Duration.hours(1), label: 'failures' })],
          width: 12,
        }),
        new cloudwatch.AlarmStatusWidget({ title: 'Lake alarms', alarms: this.alerts.alarms, width: 12 }),
      ]],
    });
  }

  /** Managed policy names under the lake's prefix; the lake's tags on the lake and its zones. */
  private nameAndTag(): void {
    nameManagedPolicies(this, this.lakeName);
    for (const s of [this, ...this.zones] as IConstruct[]) {
      Tags.of(s).add('data-classification', this.dataClassification);
      Tags.of(s).add('cdk-secure-delta-lake:lake', this.lakeName);
    }
  }

  /**
   * Add a table to the lake, in the lake's own scope. For a table in another stack, use
   * `new LakeTable(stack, id, { lake, ... })`.
   *
   * @param id the construct id of the table
   * @param options the table
   */
  public addTable(id: string, options: LakeTableOptions): LakeTable {
    return new LakeTable(this, id, { ...options, lake: this });
  }

  /** The tables of the lake, in the order they were added. */
  public get tableList(): LakeTable[] {
    return [...this.tables];
  }

  /** The secret of the pseudonymization key (created with the first table that has PII columns). */
  public get pseudonymKey(): secretsmanager.ISecret | undefined {
    return this.props.pseudonymKey ?? this.ownPseudonymKey?.secret;
  }

  /**
   * Register a table (called by `LakeTable`). Returns the lake's pseudonymization key when the table
   * needs one, created on first use and admitting the table's job role by its literal ARN.
   *
   * @internal
   */
  public _register(table: LakeTable, jobRoleName: string, needsPseudonymKey: boolean, v: PropsValidator): secretsmanager.ISecret | undefined {
    if (this.tableNames.has(table.tableName)) {
      // Reported at synth; the second table stays off the lake's lists and dashboard meanwhile.
      v.add(`the lake ${this.lakeName} already has a table named '${table.tableName}'; table names are unique in a lake (they name its catalog table, job and workflow)`);
    } else {
      this.tableNames.add(table.tableName);
      this.tables.push(table);
      this.dashboard.addWidgets(...this.dashboardRow(table));
    }
    if (!needsPseudonymKey) return undefined;
    if (this.props.pseudonymKey) return this.props.pseudonymKey;
    if (!this.ownPseudonymKey) {
      this.ownPseudonymKey = new PseudonymKey(this, 'PseudonymKey', {
        rotationInterval: this.pseudonymKeyRotation,
        removalPolicy: this.removalPolicy,
        logRetention: this.auditLogRetention,
        administrators: this.administrators,
      });
      nameManagedPolicies(this.ownPseudonymKey, this.lakeName);
      this.alerts.watchPseudonymKey(this.ownPseudonymKey.secret, this.ownPseudonymKey.rotationFunction, this.ownPseudonymKey.key,
        this.ownPseudonymKey.rotationFunction.logGroup);
      Tags.of(this.ownPseudonymKey).add('data-classification', this.dataClassification);
    }
    // A literal ARN (role path and name are fixed): no reference from the lake to the table's stack.
    const stack = Stack.of(this);
    this.ownPseudonymKey.admitReader(stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH.slice(1)}${jobRoleName}` }));
    return this.ownPseudonymKey.secret;
  }

  /**
   * Runs of the lake's tables that failed, timed out, were stopped or errored: the invocations of
   * the lake's failed-run alert rule (AWS/Events `TriggeredRules`, Sum).
   */
  public metricFailedRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: this.alerts.jobRunFailedRule.ruleName },
      statistic: 'Sum',
      ...props,
    });
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

  /** A row of the dashboard for a table, from literal names (no reference to the table's stack). */
  private dashboardRow(table: LakeTable): cloudwatch.IWidget[] {
    const dims = { JobName: table.jobName, Table: table._tableDimension };
    const own = (metricName: string, label: string) => new cloudwatch.Metric({
      namespace: 'CdkSecureDeltaLake', metricName, dimensionsMap: dims, statistic: 'Sum', period: Duration.hours(1), label,
    });
    const alarms = table.alarmNames.map((name) => cloudwatch.Alarm.fromAlarmArn(this, `Alarm-${table.tableName}-${name.split('-').pop()}`,
      Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME })));
    return [
      new cloudwatch.GraphWidget({ title: `${table.tableName}: runs`, left: [own(JobMetrics.RUNS_SUCCEEDED, 'succeeded'), own(JobMetrics.FAILED_CLOSED, 'failed closed')], width: 8 }),
      new cloudwatch.GraphWidget({
        title: `${table.tableName}: records`,
        left: [own(JobMetrics.RECORDS_VALID, 'valid'), own(JobMetrics.RECORDS_QUARANTINED, 'quarantined'), own(JobMetrics.RECORDS_READ, 'read')],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: `${table.tableName}: alarms`, alarms, width: 8 }),
    ];
  }

  /**
   * The prefix of the log groups of a table's job, under the lake's job log prefix that the logs
   * key admits (`base` is the table's name base, which starts with the lake name).
   *
   * @internal
   */
  public _jobLogGroupPrefix(base: string): string {
    return base === '' ? `/aws-glue/jobs/sdl/${this.lakeName}-` : `/aws-glue/jobs/sdl/${base}`;
  }

  /**
   * The alarm on alerts that could not be delivered and wait in the dead-letter queue.
   *
   * @internal
   */
  public get _undeliveredAlertsAlarm(): cloudwatch.IAlarm {
    return this.alerts.undeliveredAlarm;
  }

  /** The alert target (topic with the dead-letter queue) for a table's rules. @internal */
  public get _alertTarget(): events.IRuleTarget {
    return this.alerts.target;
  }

  /** The data-event selectors of the tables' prefixes, or of the whole buckets when they do not fit. */
  private selectorsLazy(accountTrail: boolean): any {
    const management = accountTrail ? [{ Name: 'Management events of the account', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] : [];
    return Lazy.any({
      produce: () => {
        const prefixes = this._tablePrefixes();
        const wholeBuckets = [this.rawBucket, this.curatedBucket, this.queryResultsBucket].map((b) => `${b.bucket.bucketArn}/`);
        const fits = 2 + prefixes.length + 1 + management.length <= SELECTOR_VALUES_PER_TRAIL;
        const values = fits && prefixes.length > 0 ? [...prefixes, `${this.queryResultsBucket.bucket.bucketArn}/`] : wholeBuckets;
        return [{
          Name: fits ? 'Object-level events of the lake tables\' prefixes' : 'Object-level events of the lake buckets',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'resources.ARN', StartsWith: values },
          ],
        }, ...management];
      },
    });
  }

  /** Each table's source prefix and table root, as object-ARN prefixes. @internal */
  public _tablePrefixes(): string[] {
    return this.tables.flatMap((t) => [
      `${this.rawBucket.bucket.bucketArn}/${t.sourcePrefix}/`,
      `${this.curatedBucket.bucket.bucketArn}/${t.tablePath}/`,
    ]);
  }

  /** The quotas a growing lake meets, checked over the whole app at synth. */
  private checkQuotas(): string[] {
    const errors: string[] = [];
    const all = this.node.root.node.findAll();
    const region = Stack.of(this).region;
    const sameRegion = (c: IConstruct) => {
      const r = Stack.of(c).region;
      return Token.isUnresolved(r) || Token.isUnresolved(region) || r === region;
    };
    // Trails per region.
    const trails = all.filter((c) => c instanceof cloudtrail.CfnTrail && sameRegion(c)).length;
    const existing = this.props.existingTrailsInRegion ?? 1;
    if (trails + existing > TRAILS_PER_REGION) {
      errors.push(`the app creates ${trails} CloudTrail trails in this region and existingTrailsInRegion is ${existing}: CloudTrail allows ${TRAILS_PER_REGION} trails per region (a hard limit), so the deployment would fail. `
        + 'Put the tables in one SecureDeltaLake (one trail for all of them) instead of one AuditedPipeline or one lake per table');
    }
    // Rules per event bus (the default bus of the region).
    const rules = all.filter((c) => c instanceof events.CfnRule && sameRegion(c) && (c as events.CfnRule).eventBusName === undefined).length;
    if (rules > RULES_PER_EVENT_BUS) {
      errors.push(`the app creates ${rules} EventBridge rules on the default event bus of this region: the default quota is ${RULES_PER_EVENT_BUS} rules per bus. Request a higher quota (Service Quotas, EventBridge "Rules per event bus") before deploying, or split the tables over regions or accounts`);
    } else if (rules > RULES_PER_EVENT_BUS * 0.8) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:eventRulesQuota',
        `the app creates ${rules} EventBridge rules on the default event bus, above 80% of the default quota of ${RULES_PER_EVENT_BUS} per bus; request a higher quota (Service Quotas, EventBridge "Rules per event bus") before adding many more tables`);
    }
    // Glue jobs per account.
    const jobs = all.filter((c) => c instanceof glue.CfnJob && sameRegion(c)).length;
    const jobQuota = this.props.glueJobQuota ?? 1000;
    if (jobs > jobQuota) {
      errors.push(`the app creates ${jobs} Glue jobs: the account allows ${jobQuota} (glueJobQuota). Request a higher "Jobs per account" quota in Service Quotas and set glueJobQuota to it`);
    } else if (jobs > jobQuota * 0.8) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:glueJobsQuota',
        `the app creates ${jobs} Glue jobs, above 80% of the account's ${jobQuota} (glueJobQuota); request a higher "Jobs per account" quota in Service Quotas`);
    }
    // Resources per stack: every stack holding the lake or one of its tables.
    const stacks = [...new Set([Stack.of(this), ...this.tables.map((t) => Stack.of(t))])];
    for (const s of stacks) {
      const count = s.node.findAll().filter((c) => c instanceof CfnResource && Stack.of(c) === s).length;
      if (count >= RESOURCES_PER_STACK) {
        errors.push(`stack ${s.stackName} has ${count} resources: CloudFormation allows ${RESOURCES_PER_STACK} per stack. Move some tables to another stack (new LakeTable(otherStack, id, { lake, ... }))`);
      } else if (count > RESOURCES_PER_STACK * 0.8) {
        Annotations.of(s).addWarningV2('cdk-secure-delta-lake:stackResourcesQuota',
          `stack ${s.stackName} has ${count} resources, above 80% of CloudFormation's ${RESOURCES_PER_STACK} per stack; add further tables in another stack (new LakeTable(otherStack, id, { lake, ... }))`);
      }
    }
    // Advanced-selector values of the trail.
    if (this.props.auditTablePrefixesOnly) {
      const values = 2 + this._tablePrefixes().length + 1;
      if (values > SELECTOR_VALUES_PER_TRAIL) {
        Annotations.of(this).addWarningV2('cdk-secure-delta-lake:trailSelectorValues',
          `the tables' prefixes need ${values} advanced-selector values, above CloudTrail's ${SELECTOR_VALUES_PER_TRAIL} per trail: the trail records the whole buckets instead`);
      }
    }
    return errors;
  }
}
