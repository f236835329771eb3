import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { argumentFlag, constructArguments, constructDefault, metricName as contractMetric, propsOfConstructArguments, tableDimension } from './job-contract';
import { BoundJobScript, JobScript } from './job-script-source';
import { TableSchema } from './table-schema';
import { accountRootArn, administratorArnProblems, administratorsOf } from '../private/administrators';
import { acknowledge, ReasonedPolicy } from '../private/compliance';
import { glueLogGroupNames } from '../private/glue-logging';
import { granteeIdentity, managedPolicyFor } from '../private/grants';
import { allowLogsForLogGroups, denyGrantsOutsideAwsServices, denyKeyAdministration } from '../private/keys';
import { isLakeBucket, lakeBucketOf, pathOf } from '../private/lake-buckets';
import { normalizePrefix, PropsValidator } from '../private/validation';
import { DeltaMaintenance, ISecureDeltaLakeBucket, LakeZone, SecureDeltaLakeBucket } from '../storage/secure-delta-lake-bucket';

/**
 * Glue versions the job supports (Spark 3.5 with Delta Lake 3).
 */
export enum GlueJobVersion {
  /** Glue 5.0: Spark 3.5.4, Python 3.11, Delta Lake 3.3.0; S3 through EMRFS. */
  V5_0 = '5.0',
  /** Glue 5.1: Spark 3.5.6, Delta Lake 3.3.2; S3 through S3A. */
  V5_1 = '5.1',
}

/**
 * Worker types the job supports.
 */
export enum GlueWorkerType {
  /** 4 vCPU, 16 GB (Flex supports it). */
  G_1X = 'G.1X',
  /** 8 vCPU, 32 GB (Flex supports it). */
  G_2X = 'G.2X',
  /** 16 vCPU, 64 GB. */
  G_4X = 'G.4X',
  /** 32 vCPU, 128 GB. */
  G_8X = 'G.8X',
}

/**
 * Where the job reads its CSV files: a bucket and a key prefix.
 */
export interface JobSource {
  /** The raw-zone bucket. A `SecureDeltaLakeBucket` admits the job through its data perimeter. */
  readonly bucket: s3.IBucket;
  /** The key prefix of the CSV files, such as `landing/customers`. */
  readonly prefix: string;
  /**
   * The lake bucket construct behind `bucket`, so the grant goes through its data perimeter.
   *
   * @default - `bucket` is treated as a plain bucket: the job's policy alone grants the read
   */
  readonly lakeBucket?: ISecureDeltaLakeBucket;
}

/**
 * Delta Lake's multi-writer mode on S3: commits are coordinated through a DynamoDB table
 * (`S3DynamoDBLogStore`). Delta Lake calls this mode experimental.
 */
export interface MultiWriterOptions {
  /**
   * Local path of the `io.delta:delta-storage-s3-dynamodb` jar matching the Glue version's Delta
   * Lake (3.3.x for Glue 5.0). Glue does not ship it; it is uploaded as an asset and passed with
   * `--extra-jars`.
   */
  readonly logStoreJarPath: string;

  /**
   * How many runs may write at once. Every writer of the table must use the same log store.
   *
   * @default 2
   */
  readonly maxConcurrentRuns?: number;
}

/**
 * Properties of a LeastPrivilegeGlueJob.
 */
export interface LeastPrivilegeGlueJobProps {
  /** Where the CSV files are read. */
  readonly source: JobSource;

  /** The curated bucket the Delta tables are written to. */
  readonly target: ISecureDeltaLakeBucket;

  /**
   * The table root in the target: the valid rows go to `<tablePath>/data`, invalid rows to
   * `<tablePath>/quarantine`, the ingestion ledger to `<tablePath>/_ingest_log`.
   */
  readonly tablePath: string;

  /** The declared schema every row is validated against. */
  readonly schema: TableSchema;

  /**
   * The PySpark script.
   *
   * @default JobScript.ingestion()
   */
  readonly script?: JobScript;

  /**
   * Glue version.
   *
   * @default GlueJobVersion.V5_0
   */
  readonly glueVersion?: GlueJobVersion;

  /**
   * Worker type.
   *
   * @default GlueWorkerType.G_1X
   */
  readonly workerType?: GlueWorkerType;

  /**
   * Maximum number of workers; auto scaling is on, so this is the ceiling. 2 to 299.
   *
   * @default 10
   */
  readonly maxWorkers?: number;

  /**
   * Run on Flex capacity (spare capacity, cheaper, may start later). G.1X and G.2X only.
   *
   * @default false
   */
  readonly flex?: boolean;

  /**
   * Run timeout. The library bounds it to 48 hours (AWS allows 7 days): a longer ingest is
   * better split.
   *
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;

  /**
   * Retries after a failed run, 0 to 10. The ingestion is idempotent, so a retry never
   * duplicates rows.
   *
   * @default 0
   */
  readonly maxRetries?: number;

  /**
   * Quarantined share of a run above which the run fails closed (the main table is not
   * committed), from 0 to 1.
   *
   * @default 0.05
   */
  readonly maxQuarantineRatio?: number;

  /**
   * Drop the raw record text from quarantined records (`--redact-quarantine`): the quarantine then
   * keeps the reasons, the file and the record number, but not the record, so a rejected row can no
   * longer be read back or repaired from it. Passed and locked when set.
   *
   * @default false - the quarantine keeps the raw record (PII in clear), behind its own prefix fence
   */
  readonly redactQuarantine?: boolean;

  /**
   * How long quarantined records are kept. The quarantine holds raw records, PII in clear: each run
   * deletes the older ones and runs VACUUM on the quarantine (never on the data table), so the role
   * may delete the quarantine's files. Whole days.
   *
   * @default Duration.days(90)
   */
  readonly quarantineRetention?: Duration;

  /**
   * Secrets the job reads, by argument name: each is passed by ARN as `--<name>`, and the role may
   * read exactly these secrets. A secret of the same app needs a rotation schedule.
   *
   * @default - no secrets
   */
  readonly secrets?: { [argumentName: string]: secretsmanager.ISecret };

  /**
   * Accept secrets of this app that have no rotation schedule (a warning is still shown).
   *
   * @default false
   */
  readonly allowSecretsWithoutRotation?: boolean;

  /**
   * How long the job's log groups keep logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * CloudWatch namespace of the job's own metrics (records read, valid, quarantined).
   *
   * @default 'CdkSecureDeltaLake'
   */
  readonly metricsNamespace?: string;

  /**
   * A role of your own instead of the dedicated one: least privilege is then no longer
   * guaranteed by this construct (a warning says so). The job's permissions are still added to it.
   *
   * @default - a dedicated role, trusted by glue.amazonaws.com only
   */
  readonly role?: iam.IRole;

  /**
   * Accept a source bucket that is not a `SecureDeltaLakeBucket` (for example `Bucket.fromBucketName`):
   * its encryption, TLS policy, data perimeter and the fence of the raw CSV files are then not
   * managed by this library, and a warning says so.
   *
   * @default false - the source must be a lake bucket of the RAW zone
   */
  readonly allowPlainSourceBucket?: boolean;

  /**
   * Extra job arguments. Arguments the construct manages are refused, with the prop to use.
   *
   * @default - none
   */
  readonly defaultArguments?: { [key: string]: string };

  /**
   * Let several runs write the table at once, through Delta's DynamoDB log store (experimental in
   * Delta Lake). Without it, one run at a time: Delta's default S3 log store is only safe with a
   * single writing driver.
   *
   * @default - single writer (maxConcurrentRuns 1)
   */
  readonly multiWriter?: MultiWriterOptions;

  /**
   * Principals that may administer the job's KMS key (change its policy, disable it, schedule its
   * deletion), besides the stack's CloudFormation execution role and the account root. IAM role or
   * user ARNs; wildcards are allowed after `role/`.
   *
   * @default - the stack's CloudFormation execution role (and the account root) only
   */
  readonly administratorArns?: string[];

  /**
   * A key shared by several jobs (a lake's tables) for their logs and bookmarks, instead of a key
   * of the job's own. The job creates no key: its log groups and its security configuration
   * (CloudWatch Logs, bookmarks) use this key, and its role may use it for bookmarks. The key's owner writes the key policy, which must let CloudWatch
   * Logs use it for the job's log groups (`kms:EncryptionContext:aws:logs:arn` matching
   * `logGroupPrefix`), and guards its administration.
   *
   * @default - a key of the job's own, administered by `administratorArns`
   */
  readonly logsKey?: kms.IKey;

  /**
   * The prefix of the job's Glue 5 log groups (`<prefix>/output` and `<prefix>/error`), passed as
   * `--custom-logGroup-prefix`. With a shared `logsKey`, choose a prefix the key policy admits.
   *
   * @default - `/aws-glue/jobs/sdl/<unique name of the construct>`
   */
  readonly logGroupPrefix?: string;

  /**
   * Removal policy of the job's key and log groups.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The names of the metrics the ingestion script publishes (per run, `Sum`), read from the job
 * contract (`job-contract.json`, which the script reads too).
 */
export class JobMetrics {
  /** Records read from the run's files. */
  public static readonly RECORDS_READ: string = contractMetric('RECORDS_READ');
  /** Records written to the table. */
  public static readonly RECORDS_VALID: string = contractMetric('RECORDS_VALID');
  /** Records written to the quarantine. */
  public static readonly RECORDS_QUARANTINED: string = contractMetric('RECORDS_QUARANTINED');
  /** 1 for a run that committed (a run that finds no new file too). */
  public static readonly RUNS_SUCCEEDED: string = contractMetric('RUNS_SUCCEEDED');
  /** 1 for a run whose quarantine ratio failed it closed (the table was not committed). */
  public static readonly FAILED_CLOSED: string = contractMetric('FAILED_CLOSED');
  /** Files of the run that were refused (not CSV, unreadable, a record too long). */
  public static readonly FILES_REFUSED: string = contractMetric('FILES_REFUSED');
  /** Files the run ingested. */
  public static readonly FILES: string = contractMetric('FILES');
  /** Quarantined records the run deleted at the end of their retention. */
  public static readonly QUARANTINE_RECORDS_EXPIRED: string = contractMetric('QUARANTINE_RECORDS_EXPIRED');

  private constructor() {}
}

/**
 * The names of the ingestion script's arguments that a job passes, read from the job contract
 * (`job-contract.json`, which lists every argument with its type, default and the prop that sets it).
 */
export class JobArguments {
  /** s3 URL of the CSV prefix (prop `source`). */
  public static readonly SOURCE_URI: string = argumentFlag('SOURCE_URI');
  /** s3 URL of the table root (props `target` and `tablePath`). */
  public static readonly TABLE_URI: string = argumentFlag('TABLE_URI');
  /** The schema's canonical JSON (prop `schema`). */
  public static readonly SCHEMA: string = argumentFlag('SCHEMA');
  /** The schema's SHA-256 (prop `schema`). */
  public static readonly SCHEMA_HASH: string = argumentFlag('SCHEMA_HASH');
  /** CloudWatch namespace of the job's metrics (prop `metricsNamespace`). */
  public static readonly METRICS_NAMESPACE: string = argumentFlag('METRICS_NAMESPACE');
  /** Quarantine ratio above which a run fails closed (prop `maxQuarantineRatio`). */
  public static readonly MAX_QUARANTINE_RATIO: string = argumentFlag('MAX_QUARANTINE_RATIO');
  /** Days quarantined records are kept (prop `quarantineRetention`). */
  public static readonly QUARANTINE_RETENTION_DAYS: string = argumentFlag('QUARANTINE_RETENTION_DAYS');
  /** Whether quarantined records drop their raw text (prop `redactQuarantine`). */
  public static readonly REDACT_QUARANTINE: string = argumentFlag('REDACT_QUARANTINE');
  /** ARN of the pseudonymization key's secret (prop `secrets: { 'pseudonym-key': secret }`). */
  public static readonly PSEUDONYM_KEY: string = argumentFlag('PSEUDONYM_KEY');

  private constructor() {}
}

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

const MAX_TIMEOUT = Duration.hours(48);
const FLEX_WORKERS = [GlueWorkerType.G_1X, GlueWorkerType.G_2X];
const SECRET_ARGUMENT = /^[a-z][a-z0-9-]{0,62}$/;
const LOG_GROUP_PREFIX = /^\/[A-Za-z0-9_.\/#-]{1,399}$/;

/**
 * A Glue 5 PySpark job that ingests CSV files into Delta tables with a role that can do exactly
 * what the pipeline needs, and every Glue encryption wired end to end.
 *
 * Defaults: a dedicated role trusted only by glue.amazonaws.com with customer-managed policies;
 * a security configuration (S3 SSE-KMS with the target bucket's key, CloudWatch Logs and
 * bookmarks with the job's key); the job's Glue 5 log groups pre-created with KMS and a year of
 * retention; one run at a time (Delta on S3 is safe with a single writer); auto scaling; a
 * 2-hour timeout.
 *
 * @example
 * const raw = new sdl.SecureDeltaLakeBucket(this, 'Raw', { zone: sdl.LakeZone.RAW });
 * const curated = new sdl.SecureDeltaLakeBucket(this, 'Curated');
 * new sdl.LeastPrivilegeGlueJob(this, 'Ingest', {
 *   source: { bucket: raw.bucket, lakeBucket: raw, prefix: 'landing/customers' },
 *   target: curated,
 *   tablePath: 'tables/customers',
 *   schema: sdl.TableSchema.of([{ name: 'id', type: sdl.ColumnType.LONG }]),
 *   script: sdl.JobScript.fromAsset('ingest.py'),
 * });
 */
export class LeastPrivilegeGlueJob extends Construct {
  /** The Glue job. */
  public readonly job: glue.IJob;
  /** The job's role. */
  public readonly role: iam.IRole;
  /** The key of the job's logs and bookmarks. */
  public readonly key: kms.IKey;
  /** The security configuration of the job. */
  public readonly securityConfiguration: glue.SecurityConfiguration;
  /** The job's Glue 5 log groups (output and error). */
  public readonly logGroups: logs.ILogGroup[];
  /** The table root in the target bucket. */
  public readonly tablePath: string;
  /** The namespace of the job's own metrics. */
  public readonly metricsNamespace: string;
  /** The `Table` dimension of the job's metrics: the last segment of the table path, as the script derives it. */
  public readonly metricsTable: string;
  /** The DynamoDB table of Delta's log store, in multi-writer mode. */
  public readonly logStoreTable?: dynamodb.ITable;

  private readonly jobPolicy: ReasonedPolicy;
  /** The problems of the job's props, reported at synth. */
  private readonly validator: PropsValidator;
  /** The app's `defaultArguments`, less those the construct manages. */
  private appArguments: { [k: string]: string } = {};

  constructor(scope: Construct, id: string, props: LeastPrivilegeGlueJobProps) {
    super(scope, id);
    // Every problem is reported at synth, with those of the app's other constructs; a bad value
    // is replaced by its default meanwhile (see PropsValidator).
    const v = new PropsValidator('LeastPrivilegeGlueJob');
    v.deferTo(this);
    this.validator = v;
    const s = this.settingsOf(v, props);
    this.metricsNamespace = s.metricsNamespace;
    this.tablePath = s.tablePath;
    this.metricsTable = tableDimension(s.tablePath);

    this.role = this.createRole(props.role);
    this.jobPolicy = new ReasonedPolicy(new iam.ManagedPolicy(this, 'Policy', {
      description: `cdk-secure-delta-lake: permissions of the Glue job ${this.node.path}`,
      roles: [this.role],
    }));
    const logging = this.createLogging(props, s);
    this.key = logging.key;
    this.logGroups = [logging.output, logging.error];
    this.securityConfiguration = this.createSecurityConfiguration(props.target, logging.key);

    this.grantData(props, s);
    this.grantLogsBookmarksAndMetrics(logging);
    const secretArguments = this.grantSecrets(s.secrets, props.allowSecretsWithoutRotation ?? false);
    const script = this.bindScript(props, s.secrets);
    const delta = this.configureDelta(s.multiWriter, logging.key, s.removalPolicy);
    this.logStoreTable = delta.logStoreTable;

    const managed = this.managedArguments(props, s, logging.prefix, delta.conf, secretArguments);
    this.job = this.createJob(s, script, delta.extraJars, managed);
    this.lockArguments(Object.keys(managed), `s3://${script.bucketName}/${script.objectKey}`);

    // The PII zones: the raw CSV files and the quarantine admit only their grantees, whatever
    // broad policies other principals of the account hold.
    s.sourceLake?.restrictToGrantees(s.sourcePrefix);
    props.target.restrictToGrantees(`${s.tablePath}/quarantine`);
  }

  /**
   * The props with their defaults, every problem added to the validator, and the default (or a
   * harmless value) in place of each bad one: construction goes on, synth fails on the problems.
   */
  private settingsOf(v: PropsValidator, props: LeastPrivilegeGlueJobProps): JobSettings {
    const defaults = {
      maxWorkers: 10,
      timeout: Duration.hours(2),
      maxQuarantineRatio: Number(constructDefault('MAX_QUARANTINE_RATIO')),
      quarantineRetention: Duration.days(Number(constructDefault('QUARANTINE_RETENTION_DAYS'))),
      metricsNamespace: String(constructDefault('METRICS_NAMESPACE')),
    };
    const s = {
      glueVersion: props.glueVersion ?? GlueJobVersion.V5_0,
      workerType: props.workerType ?? GlueWorkerType.G_1X,
      maxWorkers: props.maxWorkers ?? defaults.maxWorkers,
      flex: props.flex ?? false,
      timeout: props.timeout ?? defaults.timeout,
      maxRetries: props.maxRetries ?? 0,
      maxQuarantineRatio: props.maxQuarantineRatio ?? defaults.maxQuarantineRatio,
      quarantineRetention: props.quarantineRetention ?? defaults.quarantineRetention,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      metricsNamespace: props.metricsNamespace ?? defaults.metricsNamespace,
      secrets: props.secrets ?? {},
      writers: props.multiWriter ? props.multiWriter.maxConcurrentRuns ?? 2 : 1,
      sourceLake: props.source.lakeBucket ?? lakeBucketOf(props.source.bucket),
      multiWriter: props.multiWriter,
      logGroupPrefix: props.logGroupPrefix,
    };
    /** The value, or the fallback when it fails its check (the problem is reported). */
    const checked = <T>(value: T, ok: boolean, message: string, fallback: T): T => {
      v.check(ok, message);
      return ok ? value : fallback;
    };
    s.maxWorkers = checked(s.maxWorkers,
      Token.isUnresolved(s.maxWorkers) || (Number.isInteger(s.maxWorkers) && s.maxWorkers >= 2 && s.maxWorkers <= 299),
      `maxWorkers must be an integer from 2 to 299 (got ${s.maxWorkers}); remove the prop to use 10`, defaults.maxWorkers);
    const minutes = s.timeout.toMinutes({ integral: false });
    s.timeout = checked(s.timeout, minutes >= 1 && minutes <= MAX_TIMEOUT.toMinutes(),
      `timeout must be from 1 minute to ${MAX_TIMEOUT.toHumanString()} (got ${s.timeout.toHumanString()}); the bound is this library's policy, split longer ingests`,
      defaults.timeout);
    s.maxRetries = checked(s.maxRetries, Number.isInteger(s.maxRetries) && s.maxRetries >= 0 && s.maxRetries <= 10, `maxRetries must be an integer from 0 to 10 (got ${s.maxRetries})`, 0);
    s.maxQuarantineRatio = checked(s.maxQuarantineRatio, s.maxQuarantineRatio >= 0 && s.maxQuarantineRatio <= 1,
      `maxQuarantineRatio must be from 0 to 1 (got ${s.maxQuarantineRatio})`, defaults.maxQuarantineRatio);
    const retentionDays = s.quarantineRetention.toDays({ integral: false });
    s.quarantineRetention = checked(s.quarantineRetention, Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 3650,
      `quarantineRetention must be whole days from 1 to 3650 (got ${s.quarantineRetention.toHumanString()}); the quarantine holds PII in clear, keep it short`, defaults.quarantineRetention);
    s.flex = checked(s.flex, !s.flex || FLEX_WORKERS.includes(s.workerType), `flex runs on G.1X or G.2X workers only (got ${s.workerType}); choose one of them or turn flex off`, false);
    s.metricsNamespace = checked(s.metricsNamespace, /^[A-Za-z0-9_./#:-]{1,255}$/.test(s.metricsNamespace) && !s.metricsNamespace.startsWith('AWS/'),
      `metricsNamespace '${s.metricsNamespace}' is not a valid custom CloudWatch namespace (letters, digits, _ . / # : -, not AWS/)`, defaults.metricsNamespace);
    s.writers = checked(s.writers, Number.isInteger(s.writers) && s.writers >= 1 && s.writers <= 100, `multiWriter.maxConcurrentRuns must be an integer from 1 to 100 (got ${s.writers})`, 2);
    v.oneOf('glueVersion', props.glueVersion, 'GlueJobVersion', GlueJobVersion as any);
    if (!Object.values(GlueJobVersion).includes(s.glueVersion)) s.glueVersion = GlueJobVersion.V5_0;
    v.oneOf('workerType', props.workerType, 'GlueWorkerType', GlueWorkerType as any);
    if (!Object.values(GlueWorkerType).includes(s.workerType)) s.workerType = GlueWorkerType.G_1X;
    this.checkZones(v, props, s.sourceLake);
    // The job writes through the target's grant methods, which a plain bucket does not have: stop here.
    if (!isLakeBucket(props.target)) v.throwNow(this);
    // A jar that is not one would fail as an asset: the job goes on without the log store.
    s.multiWriter = checked(s.multiWriter, !props.multiWriter || props.multiWriter.logStoreJarPath.endsWith('.jar'),
      `multiWriter.logStoreJarPath must be the delta-storage-s3-dynamodb .jar (got '${props.multiWriter?.logStoreJarPath}')`, undefined);
    for (const problem of administratorArnProblems('administratorArns', props.administratorArns)) v.add(problem);
    for (const name of Object.keys(s.secrets)) {
      v.check(SECRET_ARGUMENT.test(name), `secrets: argument name '${name}' must be lowercase letters, digits and -, starting with a letter`);
    }
    s.secrets = Object.fromEntries(Object.entries(s.secrets).filter(([name]) => SECRET_ARGUMENT.test(name)));
    // Prefixes the buckets' grant methods accept, unique to the job, in place of bad ones.
    const placeholder = `invalid-props/${Names.uniqueId(this)}`;
    const sourcePrefix = v.attempt(() => normalizePrefix('source.prefix', props.source.prefix), `${placeholder}/source`);
    const tablePath = v.attempt(() => normalizePrefix('tablePath', props.tablePath), `${placeholder}/table`);
    s.logGroupPrefix = checked(s.logGroupPrefix,
      props.logGroupPrefix === undefined || Token.isUnresolved(props.logGroupPrefix) || LOG_GROUP_PREFIX.test(props.logGroupPrefix),
      `logGroupPrefix '${props.logGroupPrefix}' must start with / and hold letters, digits and _ - . / # only, at most 400 characters (CloudWatch Logs group names)`, undefined);
    return { ...s, retentionDays: s.quarantineRetention.toDays(), sourcePrefix, tablePath };
  }

  /** The target is a curated lake bucket, the source a raw one (or one bucket serves both, or a plain source is accepted). */
  private checkZones(v: PropsValidator, props: LeastPrivilegeGlueJobProps, sourceLake: ISecureDeltaLakeBucket | undefined): void {
    // One bucket may serve both zones (disjoint prefixes): then the zone says nothing of the role.
    const oneBucket = sourceLake !== undefined && sourceLake === props.target;
    v.check(oneBucket || props.target.zone === LakeZone.CURATED, isLakeBucket(props.target)
      ? `target ${pathOf(props.target)} serves the ${props.target.zone} zone; Delta tables go to a bucket created with zone: LakeZone.CURATED`
      : `target ${pathOf(props.target)} is not a SecureDeltaLakeBucket; Delta tables go to a SecureDeltaLakeBucket created with zone: LakeZone.CURATED`);
    v.check(sourceLake !== undefined || props.allowPlainSourceBucket === true,
      `source.bucket ${props.source.bucket.node.path} is not a SecureDeltaLakeBucket: it has no data perimeter, encryption denies or prefix fences; ` +
      'pass a lake bucket (zone: LakeZone.RAW), or set allowPlainSourceBucket: true to accept a bucket without these guarantees');
    v.check(sourceLake === undefined || sourceLake.zone === LakeZone.RAW || oneBucket,
      `source.bucket ${props.source.bucket.node.path} serves the ${sourceLake?.zone} zone; CSV files land in a bucket created with zone: LakeZone.RAW`);
  }

  /** The role: dedicated, on the path lake buckets admit across stacks, trusted by Glue only; or the app's, with a warning. */
  private createRole(role: iam.IRole | undefined): iam.IRole {
    if (role) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:userRole',
        'the job uses a role supplied by the app: least privilege is no longer guaranteed by this construct; the job\'s permissions are added to it');
      return role;
    }
    return new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH,
      description: `cdk-secure-delta-lake: runs the Glue job ${this.node.path}`,
    });
  }

  /** The job's key (logs and bookmarks; CloudWatch Logs may use it for these log groups only) and its two log groups. */
  private createLogging(props: LeastPrivilegeGlueJobProps, s: JobSettings): JobLogging {
    const stack = Stack.of(this);
    const unique = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    const prefix = s.logGroupPrefix ?? `/aws-glue/jobs/sdl/${unique}`;
    const names = glueLogGroupNames(prefix);
    const logGroupArn = (name: string) => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // A shared key (a lake's): its owner admits CloudWatch Logs for the job's log groups.
    const key = props.logsKey ?? this.createKey(props.administratorArns, s.removalPolicy, [logGroupArn(names.output), logGroupArn(names.error)]);
    const logGroup = (id: string, logGroupName: string) => new logs.LogGroup(this, id, {
      logGroupName,
      encryptionKey: key,
      retention: s.logRetention,
      removalPolicy: s.removalPolicy,
    });
    const output = logGroup('OutputLogs', names.output);
    const error = logGroup('ErrorLogs', names.error);
    if (s.logRetention !== logs.RetentionDays.INFINITE && s.logRetention < logs.RetentionDays.ONE_YEAR) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:shortLogRetention',
        `logRetention is ${s.logRetention} days, below the 365 days of the default; audits may need longer`);
    }
    return { key, prefix, output, error, streamArns: [names.output, names.error].map((n) => `${logGroupArn(n)}:*`) };
  }

  private createKey(administratorArns: string[] | undefined, removalPolicy: RemovalPolicy, logGroupArns: string[]): kms.IKey {
    const own = new kms.Key(this, 'Key', {
      description: `cdk-secure-delta-lake: logs and bookmarks of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    allowLogsForLogGroups(own, 'AllowCloudWatchLogsForTheJobLogGroups', Stack.of(this).region, logGroupArns);
    denyGrantsOutsideAwsServices(own);
    // A stack without an execution role and no administratorArns: reported, the account root stands in meanwhile.
    denyKeyAdministration(own, this.validator.attempt(() => administratorsOf(this, 'LeastPrivilegeGlueJob', administratorArns), [accountRootArn(this)]));
    return own;
  }

  private createSecurityConfiguration(target: ISecureDeltaLakeBucket, key: kms.IKey): glue.SecurityConfiguration {
    return new glue.SecurityConfiguration(this, 'SecurityConfiguration', {
      // Glue applies one S3 key per job to all its writes: the curated bucket's key, which its bucket policy demands.
      s3Encryption: glue.S3Encryption.kms(target.encryptionKey),
      cloudWatchEncryption: glue.CloudWatchEncryption.kms(key),
      jobBookmarksEncryption: glue.JobBookmarksEncryption.clientSideKms(key),
    });
  }

  /** Data: read-only on the source prefix; Delta write on the table's three sub-tables. */
  private grantData(props: LeastPrivilegeGlueJobProps, s: JobSettings): void {
    const { sourceLake, sourcePrefix, tablePath } = s;
    if (sourceLake) {
      if (sourceLake.bucket !== props.source.bucket) {
        // The job could grant neither bucket correctly: stop here.
        this.validator.throwNow(this, 'source.lakeBucket must be the construct of source.bucket; pass lakeBucket.bucket as bucket');
      }
      sourceLake.grantRead(this.role, sourcePrefix);
    } else {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:plainSourceBucket',
        `source.bucket ${props.source.bucket.node.path} is not a SecureDeltaLakeBucket (allowPlainSourceBucket): its encryption, TLS policy, perimeter and the fence of the raw CSV files are not managed by this library; ` +
        'use a SecureDeltaLakeBucket with zone: LakeZone.RAW, or secure the bucket yourself');
      this.jobPolicy.add(`read-only access to the CSV files under ${sourcePrefix}/`,
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [props.source.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [sourcePrefix, `${sourcePrefix}/*`] } },
        }),
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.source.bucket.arnForObjects(`${sourcePrefix}/*`)] }),
        ...(props.source.bucket.encryptionKey ? [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.source.bucket.encryptionKey.keyArn] })] : []),
      );
    }
    // The quarantine's files may be deleted (retention: DELETE, then VACUUM); the data table's never.
    props.target.grantDeltaWrite(this.role, `${tablePath}/data`);
    props.target.grantDeltaWrite(this.role, `${tablePath}/quarantine`, { maintenance: DeltaMaintenance.VACUUM });
    props.target.grantDeltaWrite(this.role, `${tablePath}/_ingest_log`);
  }

  private grantLogsBookmarksAndMetrics(logging: JobLogging): void {
    // Logs: write to the job's own log groups only.
    this.jobPolicy.add('Glue writes the job\'s logs to its own log groups (log streams are created per run)',
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: logging.streamArns,
      }),
    );
    // Bookmarks are client-side encrypted with the job key (the job keeps its own ledger, but the
    // security configuration asks for it).
    this.jobPolicy.add('client-side encryption of job bookmarks with the job key',
      new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], resources: [logging.key.keyArn] }),
    );
    // Metrics: CloudWatch has no resource-level permission for PutMetricData; the namespace
    // condition is the narrowest scope AWS offers. Glue publishes its own metrics as the role.
    this.jobPolicy.add('CloudWatch offers no resource for PutMetricData; the namespace condition limits it to Glue and the job',
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': ['Glue', this.metricsNamespace] } },
      }),
    );
  }

  /** Secrets: exactly these, passed by ARN. Returns their arguments. */
  private grantSecrets(secrets: { [k: string]: secretsmanager.ISecret }, allowWithoutRotation: boolean): { [k: string]: string } {
    const secretArguments: { [k: string]: string } = {};
    for (const [name, secret] of Object.entries(secrets)) {
      secretArguments[`--${name}`] = secret.secretArn;
      this.jobPolicy.add(`the job reads the secret passed as --${name}`,
        // A secret imported by name has a partial ARN: Secrets Manager appends 6 random characters.
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`] }),
        ...(secret.encryptionKey ? [new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [secret.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        })] : []),
      );
    }
    this.checkSecretRotation(secrets, allowWithoutRotation);
    return secretArguments;
  }

  /** The script: its one object, never the rest of the staging bucket. */
  private bindScript(props: LeastPrivilegeGlueJobProps, secrets: { [k: string]: secretsmanager.ISecret }): BoundJobScript {
    const script = (props.script ?? JobScript.ingestion()).bind(this);
    const keyArgument = argumentFlag('PSEUDONYM_KEY').slice(2);
    this.validator.check(!(script.isIngestionScript && props.schema.columns.some((c) => c.pii) && !secrets[keyArgument]),
      'the schema has PII columns, which the ingestion script pseudonymizes with a key read from Secrets Manager; ' +
      `pass the key's secret as secrets: { '${keyArgument}': secret }`);
    this.jobPolicy.add('the job reads its own script object', ...script.readStatements);
    return script;
  }

  /** Delta's session settings, and in multi-writer mode the DynamoDB table its log store coordinates commits through. */
  private configureDelta(multiWriter: MultiWriterOptions | undefined, key: kms.IKey, removalPolicy: RemovalPolicy):
  { conf: string[]; extraJars?: glue.Code[]; logStoreTable?: dynamodb.ITable } {
    const conf = [
      'spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension',
      'spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog',
    ];
    if (!multiWriter) return { conf };
    const table = new dynamodb.Table(this, 'DeltaLogStore', {
      partitionKey: { name: 'tablePath', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'fileName', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expireTime',
      removalPolicy,
    });
    acknowledge(table, 'logStoreNoBackupPlan');
    const store = 'io.delta.storage.S3DynamoDBLogStore';
    conf.push(`spark.delta.logStore.s3.impl=${store}`, `spark.delta.logStore.s3a.impl=${store}`,
      `spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName=${table.tableName}`,
      `spark.io.delta.storage.S3DynamoDBLogStore.ddb.region=${Stack.of(this).region}`);
    // Exactly what S3DynamoDBLogStore calls: DescribeTable at start, GetItem, PutItem (conditional) and Query.
    // No CreateTable: the table is provisioned here, and a missing table must fail, not be recreated.
    this.jobPolicy.add('Delta\'s DynamoDB log store coordinates the commits of concurrent writers',
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        resources: [table.tableArn],
      }),
    );
    const jar = new s3assets.Asset(this, 'LogStoreJar', { path: multiWriter.logStoreJarPath });
    this.jobPolicy.add('the job reads the log-store jar', new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [jar.bucket.arnForObjects(jar.s3ObjectKey)] }));
    return { conf, extraJars: [new BoundCode(jar.s3BucketName, jar.s3ObjectKey)], logStoreTable: table };
  }

  /**
   * The arguments the construct manages: Glue's runtime settings, the script's arguments of the job
   * contract and the secrets. None can be set through `defaultArguments`.
   */
  private managedArguments(props: LeastPrivilegeGlueJobProps, s: JobSettings, logPrefix: string, conf: string[],
    secretArguments: { [k: string]: string }): { [k: string]: string } {
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
        METRICS_NAMESPACE: this.metricsNamespace,
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
    this.validator.check(conflicts.length === 0,
      `defaultArguments may not set ${conflicts.map((k) => `${k} (set by ${propFor[k] ?? 'secrets'})`).join(', ')}`);
    // The job is built without the conflicting ones meanwhile (synth fails on the problem).
    this.appArguments = Object.fromEntries(Object.entries(props.defaultArguments ?? {}).filter(([k]) => !conflicts.includes(k)));
    return managed;
  }

  private createJob(s: JobSettings, script: BoundJobScript, extraJars: glue.Code[] | undefined,
    managed: { [k: string]: string }): glue.IJob {
    const common = {
      role: this.role,
      script: new BoundCode(script.bucketName, script.objectKey),
      extraPythonFiles: script.extraPythonFiles?.map((o) => new BoundCode(o.bucketName, o.objectKey)),
      glueVersion: s.glueVersion === GlueJobVersion.V5_1 ? glue.GlueVersion.V5_1 : glue.GlueVersion.V5_0,
      workerConfiguration: { workerType: s.workerType as unknown as glue.WorkerType, numberOfWorkers: s.maxWorkers },
      maxConcurrentRuns: s.writers,
      extraJars,
      maxRetries: s.maxRetries,
      timeout: s.timeout,
      securityConfiguration: this.securityConfiguration,
      continuousLogging: { enabled: false },
      defaultArguments: { ...this.appArguments, ...managed },
      description: `cdk-secure-delta-lake: ingests ${s.sourcePrefix}/ into the Delta table ${s.tablePath}`,
    };
    return s.flex ? new glue.PySparkFlexEtlJob(this, 'Resource', common) : new glue.PySparkEtlJob(this, 'Resource', common);
  }

  /**
   * `StartJobRun` arguments replace the job's default arguments for that run, Glue's special
   * parameters included. Every argument the construct manages, and every code-bearing special
   * parameter, moves to `NonOverridableArguments`; only the app's own `defaultArguments` stay
   * overridable.
   */
  private lockArguments(managedKeys: string[], scriptLocation: string): void {
    const cfn = this.job.node.defaultChild as glue.CfnJob;
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

  /**
   * Operate the job (data engineers): start, stop and read its runs, read its logs. Nothing else:
   * no data, no other job, no role passing.
   *
   * A run cannot replace the arguments the construct manages or Glue's code-bearing parameters
   * (they are non-overridable), but it may still choose its own worker type and count, timeout,
   * execution class and security configuration: `AuditedPipeline` alerts on every run started
   * with such overrides, and its operators start the workflow instead (`grantMonitor` here).
   *
   * @param grantee a role or a user
   */
  public grantOperate(grantee: iam.IGrantable): iam.Grant {
    this.operatorStatements(grantee, 'LeastPrivilegeGlueJob.grantOperate', true);
    return iam.Grant.drop(grantee, `operate ${this.node.path}`);
  }

  /**
   * Follow the job without starting it: read its definition and runs, stop runs, read its logs.
   * For operators who start runs through a workflow, which runs the job with its own arguments.
   *
   * @param grantee a role or a user
   */
  public grantMonitor(grantee: iam.IGrantable): iam.Grant {
    this.operatorStatements(grantee, 'LeastPrivilegeGlueJob.grantMonitor', false);
    return iam.Grant.drop(grantee, `monitor ${this.node.path}`);
  }

  /**
   * A metric the ingestion script publishes for this job (see `JobMetrics`), with its `JobName`
   * and `Table` dimensions.
   *
   * @param metricName a name of `JobMetrics`
   * @param props period, statistic and label
   * @default - Sum over 5 minutes
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { JobName: this.job.jobName, Table: this.metricsTable },
      statistic: 'Sum',
      ...props,
    });
  }

  /** Records read per run (Sum). */
  public metricRecordsRead(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.RECORDS_READ, props);
  }

  /** Records written to the table (Sum). */
  public metricRecordsValid(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.RECORDS_VALID, props);
  }

  /** Records written to the quarantine (Sum). */
  public metricRecordsQuarantined(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.RECORDS_QUARANTINED, props);
  }

  /** Runs that committed (Sum). */
  public metricRunsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.RUNS_SUCCEEDED, props);
  }

  /** Runs that the quarantine ratio failed closed (Sum). */
  public metricRunsFailedClosed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.FAILED_CLOSED, props);
  }

  /** Files refused by runs (Sum). */
  public metricFilesRefused(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.FILES_REFUSED, props);
  }

  private operatorStatements(grantee: iam.IGrantable, owner: string, start: boolean): void {
    const identity = granteeIdentity(grantee, owner);
    const id = `SecureDeltaLake${start ? 'Operate' : 'Monitor'}${Names.uniqueId(this)}`;
    if (identity.construct.node.tryFindChild(id)) return;
    const policy = managedPolicyFor(identity, id, `cdk-secure-delta-lake: ${start ? 'operate' : 'monitor'} the Glue job ${this.node.path}`);
    policy.add(start ? 'operators start, stop and follow runs of this job and read its log streams (one per run)'
      : 'operators follow and stop runs of this job and read its log streams (one per run); they start runs through the workflow',
    new iam.PolicyStatement({
      actions: [...(start ? ['glue:StartJobRun'] : []), 'glue:BatchStopJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:GetJob'],
      resources: [this.job.jobArn],
    }),
    new iam.PolicyStatement({
      actions: ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:DescribeLogStreams'],
      resources: this.logGroups.flatMap((g) => [g.logGroupArn]),
    }),
    );
  }

  private checkSecretRotation(secrets: { [k: string]: secretsmanager.ISecret }, allow: boolean): void {
    const owned = Object.entries(secrets).filter(([, s]) => s instanceof secretsmanager.Secret);
    if (owned.length === 0) return;
    this.node.addValidation({
      validate: () => {
        const schedules = this.node.root.node.findAll()
          .filter((c): c is secretsmanager.CfnRotationSchedule => c instanceof secretsmanager.CfnRotationSchedule);
        const rotated = (s: secretsmanager.ISecret) => schedules.some((r) =>
          JSON.stringify(Stack.of(r).resolve(r.secretId)) === JSON.stringify(Stack.of(r).resolve(s.secretArn)));
        const unrotated = owned.filter(([, s]) => !rotated(s)).map(([name]) => `--${name}`);
        if (unrotated.length === 0) return [];
        if (allow) {
          Annotations.of(this).addWarningV2('cdk-secure-delta-lake:secretWithoutRotation', `secrets without a rotation schedule: ${unrotated.join(', ')}`);
          return [];
        }
        return [`secrets ${unrotated.join(', ')} have no rotation schedule; add one (secret.addRotationSchedule) or set allowSecretsWithoutRotation: true`];
      },
    });
  }
}

/** Arguments the L2 job sets itself, with the value that stands for "off" where it sets none. */
const L2_ARGUMENTS: { [k: string]: string } = {
  '--job-language': 'python',
  '--enable-metrics': '',
  '--enable-observability-metrics': '',
  '--enable-continuous-cloudwatch-log': 'false',
  '--user-jars-first': 'false',
};

/** The props with their defaults, and what the construct derives from them. */
interface JobSettings {
  readonly glueVersion: GlueJobVersion;
  readonly workerType: GlueWorkerType;
  readonly maxWorkers: number;
  readonly flex: boolean;
  readonly timeout: Duration;
  readonly maxRetries: number;
  readonly maxQuarantineRatio: number;
  readonly quarantineRetention: Duration;
  readonly retentionDays: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly metricsNamespace: string;
  readonly secrets: { [argumentName: string]: secretsmanager.ISecret };
  readonly writers: number;
  readonly sourceLake?: ISecureDeltaLakeBucket;
  readonly sourcePrefix: string;
  readonly tablePath: string;
  /** The multi-writer options, unless their jar is not one. */
  readonly multiWriter?: MultiWriterOptions;
  /** The log group prefix, unless it is not valid. */
  readonly logGroupPrefix?: string;
}

/** The job's key, its log groups and their prefix. */
interface JobLogging {
  readonly key: kms.IKey;
  readonly prefix: string;
  readonly output: logs.ILogGroup;
  readonly error: logs.ILogGroup;
  /** The log streams of both groups, for the job's policy. */
  readonly streamArns: string[];
}

/** A script location that grants nothing: the job grants its one object itself. */
class BoundCode extends glue.Code {
  constructor(private readonly bucketName: string, private readonly objectKey: string) {
    super();
  }

  public bind(_scope: Construct, _grantable: iam.IGrantable): glue.CodeConfig {
    return { s3Location: { bucketName: this.bucketName, objectKey: this.objectKey } };
  }
}
