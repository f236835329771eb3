/**
 * A lake bucket's props checked and completed with their defaults: every problem goes to the
 * validator (reported at synth, all at once), and a harmless value stands in for each bad one.
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LakeZone, ObjectLockMode, SecureDeltaLakeBucketProps } from './lake-bucket-props';
import { administratorArnProblems } from '../private/administrators';
import { PropsValidator } from '../private/validation';

/** The default minimum TLS version (`SecureDeltaLakeBucket.DEFAULT_MINIMUM_TLS_VERSION`). */
export const DEFAULT_MINIMUM_TLS_VERSION = 1.2;

/**
 * The props with their defaults, every problem added to the validator, and the props with a
 * harmless value in place of each bad one (construction goes on; synth fails on the problems).
 */
export function bucketSettingsOf(v: PropsValidator, input: SecureDeltaLakeBucketProps): { s: BucketSettings; props: SecureDeltaLakeBucketProps } {
  const props: { -readonly [K in keyof SecureDeltaLakeBucketProps]: SecureDeltaLakeBucketProps[K] } = { ...input };
  const tlsOk = props.minimumTlsVersion === undefined || Token.isUnresolved(props.minimumTlsVersion) || props.minimumTlsVersion >= 1.2;
  v.check(tlsOk, `minimumTlsVersion must be 1.2 or higher (got ${props.minimumTlsVersion}); remove the prop to use 1.2`);
  if (!tlsOk) props.minimumTlsVersion = undefined;
  const positive = (name: string, value: Duration | undefined): Duration | undefined => {
    const before = v.count;
    v.positiveDuration(name, value);
    return v.count === before ? value : undefined;
  };
  props.noncurrentVersionExpiration = positive('noncurrentVersionExpiration', props.noncurrentVersionExpiration);
  props.abortIncompleteMultipartUploadAfter = positive('abortIncompleteMultipartUploadAfter', props.abortIncompleteMultipartUploadAfter);
  props.accessLogRetention = positive('accessLogRetention', props.accessLogRetention);
  for (const problem of administratorArnProblems('administratorArns', props.administratorArns)) v.add(problem);
  const zoneOk = props.zone === undefined || Object.values(LakeZone).includes(props.zone);
  v.oneOf('zone', props.zone, 'LakeZone', LakeZone as any);
  if (!zoneOk) props.zone = LakeZone.CURATED;
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (props.autoDeleteObjects && removalPolicy !== RemovalPolicy.DESTROY) {
    // S3's L2 refuses the combination on the spot.
    v.add('autoDeleteObjects needs removalPolicy: RemovalPolicy.DESTROY (got ' + removalPolicy + '); set both to destroy data, or neither');
    props.autoDeleteObjects = false;
  }
  if (props.replication) {
    const dest = props.replication.destination.node.defaultChild;
    const versioned = !(dest instanceof s3.CfnBucket) || Token.isUnresolved(dest.versioningConfiguration) || (dest.versioningConfiguration as any)?.status === 'Enabled';
    v.check(versioned,
      `replication.destination ${props.replication.destination.node.path} is not versioned; S3 replication needs versioning on both buckets: set versioned: true on it`);
    if (!versioned) props.replication = undefined;
  }
  if (props.objectLock) {
    const modeOk = Object.values(ObjectLockMode).includes(props.objectLock.mode);
    v.oneOf('objectLock.mode', props.objectLock.mode, 'ObjectLockMode', ObjectLockMode as any);
    const retention = positive('objectLock.retention', props.objectLock.retention) ?? Duration.days(1);
    props.objectLock = { mode: modeOk ? props.objectLock.mode : ObjectLockMode.GOVERNANCE, retention };
    if (input.autoDeleteObjects) {
      v.add('objectLock cannot be combined with autoDeleteObjects: locked versions cannot be deleted; remove one of them');
      props.autoDeleteObjects = false;
    }
    v.check(removalPolicy !== RemovalPolicy.DESTROY || props.objectLock.mode !== ObjectLockMode.COMPLIANCE,
      'objectLock in COMPLIANCE mode cannot be combined with removalPolicy DESTROY: the bucket can never be emptied; use GOVERNANCE or RETAIN');
  }
  const zone = props.zone ?? LakeZone.CURATED;
  const settings: BucketSettings = {
    zone,
    minimumTlsVersion: props.minimumTlsVersion ?? DEFAULT_MINIMUM_TLS_VERSION,
    noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(zone === LakeZone.CURATED ? 7 : 30),
    abortAfter: props.abortIncompleteMultipartUploadAfter ?? Duration.days(1),
    accessLogRetention: props.accessLogRetention ?? Duration.days(365),
    removalPolicy,
    autoDeleteObjects: props.autoDeleteObjects ?? false,
    logsPrefix: props.serverAccessLogsPrefix ?? 'access-logs/',
  };
  return { s: settings, props };
}

/** The props of a SecureDeltaLakeBucket with their defaults. */
export interface BucketSettings {
  readonly zone: LakeZone;
  readonly minimumTlsVersion: number;
  readonly noncurrentVersionExpiration: Duration;
  readonly abortAfter: Duration;
  readonly accessLogRetention: Duration;
  readonly removalPolicy: RemovalPolicy;
  readonly autoDeleteObjects: boolean;
  readonly logsPrefix: string;
}
