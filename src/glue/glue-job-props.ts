/**
 * The public types of `LeastPrivilegeGlueJob`'s props: the Glue versions and worker types it
 * supports, where it reads (`JobSource`), multi-writer mode and the props themselves.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { JobScript } from './job-script-source';
import { TableSchema } from './table-schema';
import { ISecureDeltaLakeBucket } from '../storage/secure-delta-lake-bucket';

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
