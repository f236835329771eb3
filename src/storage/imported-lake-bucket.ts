/**
 * A lake bucket of another app (`SecureDeltaLakeBucket.fromBucketAttributes`): its grants go into
 * customer-managed policies of the grantees and tag them for the owning app's prefix fences; the
 * bucket policy, perimeter and fences stay the owning app's.
 */
import { Annotations, Names, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { DATA_ACCESS_ROLE_PATH, fenceTagKey, keyStatementFor, listStatementFor, readStatementsFor, tagForFence, writeStatementsFor } from './lake-bucket-policies';
import { DeltaMaintenance, DeltaWriteOptions, ISecureDeltaLakeBucket, LakeZone, SecureDeltaLakeBucketAttributes } from './lake-bucket-props';
import { ReasonedPolicy } from '../private/compliance';
import { granteeIdentity, managedPolicyFor } from '../private/grants';
import { normalizePrefix, PropsValidator } from '../private/validation';

/** A lake bucket of another app: grants in the grantees' policies, fence tags on the grantees. */
export class ImportedLakeBucket extends Construct implements ISecureDeltaLakeBucket {
  public readonly bucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;
  public readonly zone: LakeZone;
  private readonly bucketName: string;
  private readonly fences: string[] = [];
  private readonly accessPolicies = new Map<IConstruct, ReasonedPolicy>();

  constructor(scope: Construct, id: string, attrs: SecureDeltaLakeBucketAttributes) {
    super(scope, id);
    // Reported at synth with the app's other problems (see PropsValidator).
    const v = new PropsValidator('SecureDeltaLakeBucket.fromBucketAttributes');
    v.deferTo(this);
    const nameOk = !Token.isUnresolved(attrs.bucketName) && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(attrs.bucketName);
    v.check(nameOk,
      `bucketName '${attrs.bucketName}' must be the literal name of the lake bucket (3 to 63 lowercase letters, digits, dots and hyphens)`);
    v.oneOf('zone', attrs.zone, 'LakeZone', LakeZone as any);
    // A name S3's import accepts in place of a bad one.
    this.bucketName = nameOk ? attrs.bucketName : 'invalid-bucket-name';
    this.zone = Object.values(LakeZone).includes(attrs.zone) ? attrs.zone : LakeZone.RAW;
    this.encryptionKey = attrs.encryptionKey;
    this.bucket = s3.Bucket.fromBucketAttributes(this, 'Bucket', { bucketName: this.bucketName, encryptionKey: attrs.encryptionKey });
    Annotations.of(this).addInfo(`${attrs.bucketName} is a lake bucket of another app: its policy, perimeter and fences are that app's; grantees here must be roles on ${DATA_ACCESS_ROLE_PATH}`);
  }

  public grantRead(grantee: iam.IGrantable, prefix: string): iam.Grant {
    const root = normalizePrefix('prefix', prefix);
    return this.grant(grantee, root, true, false, readStatementsFor(this.bucket, this.encryptionKey, root), `read-only access to objects under ${root}/`);
  }

  public grantWrite(grantee: iam.IGrantable, prefix: string): iam.Grant {
    const root = normalizePrefix('prefix', prefix);
    return this.grant(grantee, root, false, true, writeStatementsFor(this.bucket, this.encryptionKey, root), `write-only access to objects under ${root}/`);
  }

  public grantDeltaRead(grantee: iam.IGrantable, tablePath: string): iam.Grant {
    const root = normalizePrefix('tablePath', tablePath);
    return this.grant(grantee, root, true, false, readStatementsFor(this.bucket, this.encryptionKey, root), `Delta table ${root}: read data files and the transaction log`);
  }

  public grantDeltaWrite(grantee: iam.IGrantable, tablePath: string, options: DeltaWriteOptions = {}): iam.Grant {
    const root = normalizePrefix('tablePath', tablePath);
    const vacuum = (options.maintenance ?? DeltaMaintenance.NONE) === DeltaMaintenance.VACUUM;
    return this.grant(grantee, root, true, true, [
      listStatementFor(this.bucket, root),
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [this.bucket.arnForObjects(`${root}/*`)] }),
      new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [this.bucket.arnForObjects(`${root}/${vacuum ? '' : '_delta_log/'}*`)] }),
      keyStatementFor(this.bucket, this.encryptionKey, ['kms:Decrypt', 'kms:GenerateDataKey']),
    ], `Delta table ${root}: read the log, write data files and commits${vacuum ? ', delete data files (VACUUM)' : ''}`);
  }

  /** The owning app fences the prefix; this records it, and grants here tag their grantees for it. */
  public restrictToGrantees(prefix: string): void {
    const root = normalizePrefix('prefix', prefix);
    if (!this.fences.includes(root)) this.fences.push(root);
  }

  private grant(grantee: iam.IGrantable, root: string, read: boolean, write: boolean, statements: iam.PolicyStatement[], reason: string): iam.Grant {
    const identity = granteeIdentity(grantee, 'SecureDeltaLakeBucket.fromBucketAttributes');
    const cfn = identity.construct.node.defaultChild;
    const onPath = cfn instanceof iam.CfnRole && cfn.path === DATA_ACCESS_ROLE_PATH;
    if (!onPath) {
      throw new Error(`SecureDeltaLakeBucket.fromBucketAttributes: ${identity.construct.node.path} is granted '${root}' of ${this.bucketName}, a lake bucket of another app, ` +
        `whose data perimeter admits this app's roles by their path only: create the role with path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH ('${DATA_ACCESS_ROLE_PATH}')`);
    }
    // The owning app's fence of this prefix admits the grantee by this tag.
    tagForFence(cfn, fenceTagKey(this.bucketName, root), read, write);
    let policy = this.accessPolicies.get(identity.construct);
    if (!policy) {
      policy = managedPolicyFor(identity, `SecureDeltaLakeAccess${Names.uniqueId(this)}`, `cdk-secure-delta-lake: access to the lake bucket ${this.bucketName}`);
      this.accessPolicies.set(identity.construct, policy);
    }
    policy.add(`${reason}: object-level access limited to one prefix of one bucket`, ...statements);
    return iam.Grant.drop(grantee, reason);
  }
}
