/**
 * A job's props checked and completed with their defaults (`jobSettingsOf`): every problem goes to
 * the validator (reported at synth, all at once), and the default or a harmless value stands in for
 * each bad one. Also the shapes of what the construct derives from them (`JobSettings`, `JobLogging`).
 */
import { Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GlueJobVersion, GlueWorkerType, LeastPrivilegeGlueJobProps, MultiWriterOptions } from './glue-job-props';
import { constructDefault } from './job-contract';
import { administratorArnProblems } from '../private/administrators';
import { isLakeBucket, lakeBucketOf, pathOf } from '../private/lake-buckets';
import { normalizePrefix, PropsValidator } from '../private/validation';
import { ISecureDeltaLakeBucket, LakeZone } from '../storage/secure-delta-lake-bucket';

const MAX_TIMEOUT = Duration.hours(48);
const FLEX_WORKERS = [GlueWorkerType.G_1X, GlueWorkerType.G_2X];
const SECRET_ARGUMENT = /^[a-z][a-z0-9-]{0,62}$/;
const LOG_GROUP_PREFIX = /^\/[A-Za-z0-9_.\/#-]{1,399}$/;

/**
 * The props with their defaults, every problem added to the validator, and the default (or a
 * harmless value) in place of each bad one: construction goes on, synth fails on the problems.
 */
export function jobSettingsOf(scope: Construct, v: PropsValidator, props: LeastPrivilegeGlueJobProps): JobSettings {
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
  checkZones(v, props, s.sourceLake);
  // The job writes through the target's grant methods, which a plain bucket does not have: stop here.
  if (!isLakeBucket(props.target)) v.throwNow(scope);
  // A jar that is not one would fail as an asset: the job goes on without the log store.
  s.multiWriter = checked(s.multiWriter, !props.multiWriter || props.multiWriter.logStoreJarPath.endsWith('.jar'),
    `multiWriter.logStoreJarPath must be the delta-storage-s3-dynamodb .jar (got '${props.multiWriter?.logStoreJarPath}')`, undefined);
  for (const problem of administratorArnProblems('administratorArns', props.administratorArns)) v.add(problem);
  for (const name of Object.keys(s.secrets)) {
    v.check(SECRET_ARGUMENT.test(name), `secrets: argument name '${name}' must be lowercase letters, digits and -, starting with a letter`);
  }
  s.secrets = Object.fromEntries(Object.entries(s.secrets).filter(([name]) => SECRET_ARGUMENT.test(name)));
  // Prefixes the buckets' grant methods accept, unique to the job, in place of bad ones.
  const placeholder = `invalid-props/${Names.uniqueId(scope)}`;
  const sourcePrefix = v.attempt(() => normalizePrefix('source.prefix', props.source.prefix), `${placeholder}/source`);
  const tablePath = v.attempt(() => normalizePrefix('tablePath', props.tablePath), `${placeholder}/table`);
  s.logGroupPrefix = checked(s.logGroupPrefix,
    props.logGroupPrefix === undefined || Token.isUnresolved(props.logGroupPrefix) || LOG_GROUP_PREFIX.test(props.logGroupPrefix),
    `logGroupPrefix '${props.logGroupPrefix}' must start with / and hold letters, digits and _ - . / # only, at most 400 characters (CloudWatch Logs group names)`, undefined);
  return { ...s, retentionDays: s.quarantineRetention.toDays(), sourcePrefix, tablePath };
}

/** The target is a curated lake bucket, the source a raw one (or one bucket serves both, or a plain source is accepted). */
function checkZones(v: PropsValidator, props: LeastPrivilegeGlueJobProps, sourceLake: ISecureDeltaLakeBucket | undefined): void {
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

/** The props with their defaults, and what the construct derives from them. */
export interface JobSettings {
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
export interface JobLogging {
  readonly key: kms.IKey;
  readonly prefix: string;
  readonly output: logs.ILogGroup;
  readonly error: logs.ILogGroup;
  /** The log streams of both groups, for the job's policy. */
  readonly streamArns: string[];
}
