/**
 * `SecureDeltaLakeBucket`: the lake bucket of this app, its access-log bucket, its grants and
 * its prefix fences. Its props and interface are in lake-bucket-props.ts, their defaults and
 * checks in lake-bucket-settings.ts, its policy statements in lake-bucket-policies.ts, and the
 * import of another app's bucket (`fromBucketAttributes`) in imported-lake-bucket.ts.
 */
import { createHash } from 'crypto';
import { Annotations, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ImportedLakeBucket } from './imported-lake-bucket';
import {
  addDataPerimeter, addEncryptionDenies, createBucketKey, createReplicationRole, DATA_ACCESS_ROLE_PATH, denyDeletingAccessLogs,
  fenceTagKey, keyStatementFor, listStatementFor, readStatementsFor, writeStatementsFor, tagForFence,
} from './lake-bucket-policies';
import {
  DeltaMaintenance, DeltaWriteOptions, ISecureDeltaLakeBucket, LakeZone, ObjectLockMode, ObjectLockOptions,
  SecureDeltaLakeBucketAttributes, SecureDeltaLakeBucketProps,
} from './lake-bucket-props';
import { bucketSettingsOf, BucketSettings, DEFAULT_MINIMUM_TLS_VERSION } from './lake-bucket-settings';
import { logAccessInto } from '../private/access-logs';
import { accountRootArn, administratorsOf } from '../private/administrators';
import { denyConfigurationChanges, denySseC, OBJECT_READ_ACTIONS, OBJECT_WRITE_ACTIONS } from '../private/bucket-guards';
import { acknowledge, ReasonedPolicy } from '../private/compliance';
import { granteeIdentity, managedPolicyFor } from '../private/grants';
import { normalizePrefix, prefixesOverlap, PropsValidator } from '../private/validation';

// The props and interface are part of this module's exports, as before the split.
export * from './lake-bucket-props';

/** One grant of a prefix: who, and whether it reads or writes. */
interface GrantRecord {
  readonly root: string;
  readonly principal: IConstruct;
  readonly arn: string;
  readonly read: boolean;
  readonly write: boolean;
}

/**
 * An S3 bucket for a Delta Lake zone whose bucket policy, not only IAM, enforces encryption with
 * its own KMS key, TLS 1.2 and who may touch the data.
 *
 * Defaults: SSE-KMS with a customer managed key with rotation and S3 Bucket Keys; Block Public
 * Access and BucketOwnerEnforced; TLS only, 1.2 minimum; three encryption denies; a data
 * perimeter filled by the grant methods; versioning with lifecycle rules; server access logs to a
 * dedicated bucket; EventBridge notifications; RETAIN.
 *
 * @example
 * const lake = new sdl.SecureDeltaLakeBucket(this, 'Curated');
 * const jobRole = new iam.Role(this, 'JobRole', {
 *   assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
 *   path: sdl.SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH,
 * });
 * lake.grantDeltaWrite(jobRole, 'tables/customers');
 */
export class SecureDeltaLakeBucket extends Construct implements ISecureDeltaLakeBucket {
  /**
   * The IAM path of roles in other stacks that this library's buckets admit through their data
   * perimeter (as the pattern `role/cdk-secure-delta-lake/*` of this account). A role of the
   * bucket's own stack is admitted by its exact ARN instead. Restrict `iam:CreateRole` on this
   * path (an SCP or a permissions boundary) where the stacks of other teams share the account.
   */
  public static readonly DATA_ACCESS_ROLE_PATH = DATA_ACCESS_ROLE_PATH;

  /** The default minimum TLS version. */
  public static readonly DEFAULT_MINIMUM_TLS_VERSION = DEFAULT_MINIMUM_TLS_VERSION;

  /**
   * A lake bucket of another app (same account), with its grants working: each grant goes into a
   * customer-managed policy of the grantee, as for a bucket of this app, and tags the grantee for
   * the owning app's prefix fences. This app cannot change the bucket's policy, so:
   * - the owning app's data perimeter must admit the grantees: they must be roles on
   *   `DATA_ACCESS_ROLE_PATH` (a grant to any other principal fails at synth), and the owning app
   *   sets `admitDataAccessRolesOfOtherApps: true` on the bucket;
   * - prefix fences are the owning app's (`restrictToGrantees` here only records the prefix); its
   *   bucket must have a literal `bucketName`, from which both apps derive the fence tags.
   *
   * @param scope the scope of the import
   * @param id its id
   * @param attrs the bucket's name, key and zone
   */
  public static fromBucketAttributes(scope: Construct, id: string, attrs: SecureDeltaLakeBucketAttributes): ISecureDeltaLakeBucket {
    return new ImportedLakeBucket(scope, id, attrs);
  }

  /** The underlying bucket: an escape hatch; changing it may weaken the controls. */
  public readonly bucket: s3.IBucket;
  /** The KMS key that encrypts every object of the bucket. */
  public readonly encryptionKey: kms.IKey;
  /** The dedicated access-log bucket, when this construct created it. */
  public readonly accessLogBucket?: s3.IBucket;
  /** The zone this bucket serves. */
  public readonly zone: LakeZone;

  private readonly allowedPrincipalArns: string[] = [];
  /** Roles that reach every object of the bucket for the bucket's own sake (replication, auto-delete, break-glass). */
  private readonly bucketRoleArns: string[] = [];
  private readonly administrators: string[];
  private readonly grants: GrantRecord[] = [];
  private readonly fences: string[] = [];
  private readonly tableRoots: string[] = [];
  private readonly objectLock?: ObjectLockOptions;
  /** What the fence tags are derived from: the literal bucket name, or the construct's unique id. */
  private readonly fenceIdentity: string;
  /** One customer-managed policy per grantee, with the reason of each statement it holds. */
  private readonly accessPolicies = new Map<IConstruct, ReasonedPolicy>();

  constructor(scope: Construct, id: string, input: SecureDeltaLakeBucketProps = {}) {
    super(scope, id);
    // Every problem is reported at synth, with those of the app's other constructs; a bad value
    // is replaced by a harmless one meanwhile (see PropsValidator).
    const v = new PropsValidator('SecureDeltaLakeBucket');
    v.deferTo(this);
    const { s, props } = bucketSettingsOf(v, input);
    this.zone = s.zone;
    this.objectLock = props.objectLock;
    this.fenceIdentity = props.bucketName && !Token.isUnresolved(props.bucketName) ? props.bucketName : Names.uniqueId(this);
    this.administrators = v.attempt(() => administratorsOf(this, 'SecureDeltaLakeBucket', props.administratorArns), [accountRootArn(this)]);

    // Encryption key: ours with rotation, or the user's (with warnings when it is weaker).
    this.encryptionKey = props.encryptionKey ?? createBucketKey(this, s.removalPolicy, this.administrators);
    if (props.encryptionKey) this.warnAboutKey(props.encryptionKey);

    // What the lake bucket and its access-log bucket share: TLS only, no public access, no ACLs,
    // versioned, and the same removal behaviour.
    const hardened: s3.BucketProps = {
      enforceSSL: true,
      minimumTLSVersion: s.minimumTlsVersion,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: s.removalPolicy,
      autoDeleteObjects: s.autoDeleteObjects,
    };
    this.accessLogBucket = props.serverAccessLogsBucket ? undefined : this.createAccessLogBucket(hardened, s.accessLogRetention);
    const logBucket = props.serverAccessLogsBucket ?? this.accessLogBucket!;
    if (props.serverAccessLogsBucket) this.warnAboutAccessLogBucket(props.serverAccessLogsBucket);

    // The L2 takes the replication role as a prop, so the role comes first; its policy names the
    // bucket lazily.
    const replicationRole = props.replication
      ? createReplicationRole(this, this.encryptionKey, Lazy.string({ produce: () => this.bucket.bucketArn }), props.replication)
      : undefined;
    const bucket = this.createLakeBucket(props, s, hardened, replicationRole);
    this.bucket = bucket;
    this.configureNotificationsAndLogging(bucket, logBucket, s.logsPrefix);
    if (!props.replication) acknowledge(bucket, 'lakeBucketNoReplication');
    if (!props.objectLock) acknowledge(bucket, 'lakeBucketNoObjectLock');

    this.admitBucketRoles(props, s.autoDeleteObjects, replicationRole);
    if (this.accessLogBucket) denyDeletingAccessLogs(this.accessLogBucket, s.autoDeleteObjects ? this.bucketRoleArns : []);
    addEncryptionDenies(bucket, this.encryptionKey);
    denySseC(bucket);
    addDataPerimeter(bucket, this.allowedPrincipalArns);
    denyConfigurationChanges(bucket, this.administrators);
  }

  private warnAboutAccessLogBucket(logBucket: s3.IBucket): void {
    Annotations.of(this).addWarningV2('cdk-secure-delta-lake:userAccessLogBucket',
      'server access logs go to a user-supplied bucket: its encryption, TLS policy, retention and log-delivery policy are not managed by this construct');
    if (logBucket.encryptionKey) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:kmsAccessLogBucket',
        'the access-log bucket is KMS-encrypted: S3 log delivery documents SSE-S3 only; grant logging.s3.amazonaws.com use of its key or logs may not be delivered');
    }
  }

  /** The dedicated access-log bucket (SSE-S3: what log delivery supports). */
  private createAccessLogBucket(hardened: s3.BucketProps, accessLogRetention: Duration): s3.Bucket {
    const created = new s3.Bucket(this, 'AccessLogs', {
      ...hardened,
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: accessLogRetention, noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    acknowledge(created, 'accessLogBucketNoLogging');
    acknowledge(created, 'accessLogBucketSseS3');
    acknowledge(created, 'accessLogBucketNoReplication');
    acknowledge(created, 'accessLogBucketNoObjectLock');
    // Object-level monitoring of the log bucket too (EventBridge, without the L2's notifications Lambda).
    (created.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    denyConfigurationChanges(created, this.administrators);
    return created;
  }

  private createLakeBucket(props: SecureDeltaLakeBucketProps, s: BucketSettings, hardened: s3.BucketProps, replicationRole?: iam.IRole): s3.Bucket {
    return new s3.Bucket(this, 'Resource', {
      ...hardened,
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      objectLockEnabled: props.objectLock ? true : undefined,
      objectLockDefaultRetention: props.objectLock
        ? (props.objectLock.mode === ObjectLockMode.COMPLIANCE
          ? s3.ObjectLockRetention.compliance(props.objectLock.retention)
          : s3.ObjectLockRetention.governance(props.objectLock.retention))
        : undefined,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: s.abortAfter },
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: s.noncurrentVersionExpiration },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      replicationRole: replicationRole,
      replicationRules: props.replication
        ? [{
          destination: props.replication.destination,
          kmsKey: props.replication.destinationKey,
          sseKmsEncryptedObjects: true,
          priority: 1,
          deleteMarkerReplication: true,
        }]
        : undefined,
    });
  }

  /** L1 properties the L2 does not set the way we need (see the README's design notes). */
  private configureNotificationsAndLogging(bucket: s3.Bucket, logBucket: s3.IBucket, logsPrefix: string): void {
    const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
    // - EventBridge notifications directly on the bucket (the L2's eventBridgeEnabled deploys a Lambda).
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    // - Server access logging without the L2's ACL fallback (ACLs are off: BucketOwnerEnforced).
    if (this.accessLogBucket) {
      logAccessInto(bucket, this.accessLogBucket, logsPrefix, 'S3ServerAccessLogsDelivery');
    } else {
      cfnBucket.loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: logsPrefix };
    }
  }

  /** The roles that reach the data for the bucket's own sake (CDK's, replication, break-glass) pass the perimeter. */
  private admitBucketRoles(props: SecureDeltaLakeBucketProps, autoDeleteObjects: boolean, replicationRole?: iam.IRole): void {
    if (autoDeleteObjects) {
      const providerRole = this.cdkProviderRoleArn('Custom::S3AutoDeleteObjectsCustomResourceProvider');
      this.bucketRoleArns.push(providerRole);
      // Before it empties the bucket, CDK's handler adds a deny of new uploads to the bucket policy.
      this.administrators.push(providerRole);
    }
    if (replicationRole) this.bucketRoleArns.push(replicationRole.roleArn);
    if (props.breakGlassRole) this.bucketRoleArns.push(props.breakGlassRole.roleArn);
    this.allowedPrincipalArns.push(...this.bucketRoleArns);
    if (props.admitDataAccessRolesOfOtherApps) {
      this.allowedPrincipalArns.push(this.dataAccessRolePattern());
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:dataAccessRolesOfOtherApps',
        `the data perimeter admits every role on ${SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH} of this account (admitDataAccessRolesOfOtherApps), not only this app's grantees; ` +
        'IAM and the prefix fences still decide what each role reaches: restrict iam:CreateRole on that path to the administrators (an SCP or a permissions boundary)');
    }
  }

  /**
   * Read-only access to the objects under a prefix: list limited to the prefix, `s3:GetObject`
   * under it, `kms:Decrypt` with the bucket key through S3. For the CSV landing zone.
   *
   * @param grantee the principal (a role or a user)
   * @param prefix a key prefix such as `landing/customers` (no wildcards, no leading slash)
   */
  public grantRead(grantee: iam.IGrantable, prefix: string): iam.Grant {
    const root = normalizePrefix('prefix', prefix);
    return this.grantStatements(grantee, root, { read: true, write: false }, readStatementsFor(this.bucket, this.encryptionKey, root), `read-only access to objects under ${root}/`);
  }

  /**
   * Write-only access to the objects under a prefix: `s3:PutObject` and
   * `s3:AbortMultipartUpload` under it, and the bucket key through S3 (multipart uploads need
   * `kms:Decrypt` too). No list, no read, no delete. For producers that upload CSV files to the
   * landing zone, and for query results.
   *
   * @param grantee the principal (a role or a user)
   * @param prefix a key prefix such as `landing/customers` (no wildcards, no leading slash)
   */
  public grantWrite(grantee: iam.IGrantable, prefix: string): iam.Grant {
    const root = normalizePrefix('prefix', prefix);
    return this.grantStatements(grantee, root, { read: false, write: true }, writeStatementsFor(this.bucket, this.encryptionKey, root), `write-only access to objects under ${root}/`);
  }

  /**
   * Read access to a Delta table: list under the table root, `s3:GetObject` under it,
   * `kms:Decrypt` with the bucket key through S3.
   *
   * @param grantee the principal (a role or a user)
   * @param tablePath the table root, such as `tables/customers`
   */
  public grantDeltaRead(grantee: iam.IGrantable, tablePath: string): iam.Grant {
    const root = this.registerTable(tablePath);
    return this.grantStatements(grantee, root, { read: true, write: false }, readStatementsFor(this.bucket, this.encryptionKey, root), `Delta table ${root}: read data files and the transaction log`);
  }

  /**
   * Write access to a Delta table.
   *
   * A Delta writer cannot be write-only: it reads `_delta_log/` to find the table's version and
   * schema before every commit. So the grant is: list under the table root, get, put and abort
   * multipart uploads under it, delete under `_delta_log/` only (checkpoints expire old log
   * files), and KMS use of the bucket key through S3. Data files are deleted only with
   * `maintenance: DeltaMaintenance.VACUUM`.
   *
   * @param grantee the principal (a role or a user)
   * @param tablePath the table root, such as `tables/customers`
   * @param options maintenance options
   */
  public grantDeltaWrite(grantee: iam.IGrantable, tablePath: string, options: DeltaWriteOptions = {}): iam.Grant {
    const root = this.registerTable(tablePath);
    const maintenance = options.maintenance ?? DeltaMaintenance.NONE;
    if (maintenance === DeltaMaintenance.VACUUM && this.objectLock?.mode === ObjectLockMode.COMPLIANCE) {
      throw new Error(`SecureDeltaLakeBucket: grantDeltaWrite of '${root}' with DeltaMaintenance.VACUUM cannot delete data under Object Lock in COMPLIANCE mode; use GOVERNANCE mode or DeltaMaintenance.NONE`);
    }
    const statements = [
      listStatementFor(this.bucket, root),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${root}/*`)],
      }),
      new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [this.bucket.arnForObjects(`${root}/_delta_log/*`)] }),
      keyStatementFor(this.bucket, this.encryptionKey, ['kms:Decrypt', 'kms:GenerateDataKey']),
    ];
    if (maintenance === DeltaMaintenance.VACUUM) {
      statements.push(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [this.bucket.arnForObjects(`${root}/*`)] }));
    }
    return this.grantStatements(grantee, root, { read: true, write: true }, statements, `Delta table ${root}: read the log, write data files and commits${maintenance === DeltaMaintenance.VACUUM ? ', delete data files (VACUUM)' : ''}`);
  }

  private registerTable(tablePath: string): string {
    const root = normalizePrefix('tablePath', tablePath);
    const clash = this.tableRoots.find((t) => t !== root && prefixesOverlap(t, root));
    if (clash) {
      throw new Error(`SecureDeltaLakeBucket: tablePath '${root}' overlaps the table '${clash}' of the same bucket; give each table its own root, such as 'tables/a' and 'tables/b'`);
    }
    if (!this.tableRoots.includes(root)) this.tableRoots.push(root);
    return root;
  }

  /**
   * Put the statements into a customer-managed policy of the grantee (one per grantee and bucket,
   * in the grantee's stack), and admit the grantee through the data perimeter.
   */
  private grantStatements(grantee: iam.IGrantable, root: string, access: { read: boolean; write: boolean },
    statements: iam.PolicyStatement[], reason: string): iam.Grant {
    const identity = granteeIdentity(grantee, 'SecureDeltaLakeBucket');
    this.admit(identity.construct, identity.arn);
    const record: GrantRecord = { root, principal: identity.construct, arn: identity.arn, ...access };
    this.grants.push(record);
    for (const fence of this.fences.filter((f) => prefixesOverlap(f, root))) this.admitThroughFence(fence, record);
    let policy = this.accessPolicies.get(identity.construct);
    if (!policy) {
      policy = managedPolicyFor(identity, `SecureDeltaLakeAccess${Names.uniqueId(this)}`, `cdk-secure-delta-lake: access to ${this.node.path}`);
      this.accessPolicies.set(identity.construct, policy);
    }
    policy.add(`${reason}: object-level access limited to one prefix of one bucket`, ...statements);
    return iam.Grant.drop(grantee, reason);
  }

  /**
   * Add a principal to the perimeter's allow-list. A principal of the same stack (or imported by a
   * literal ARN) is named by its ARN. A role of another stack cannot be named (the bucket policy
   * would reference that stack, and that stack already references the bucket: a cycle); it must
   * live under the reserved path, which the allow-list names as a pattern.
   */
  private admit(principal: IConstruct, arn: string): void {
    let entry = arn;
    if (Token.isUnresolved(arn) && Stack.of(principal) !== Stack.of(this)) {
      const path = (principal.node.defaultChild as iam.CfnRole | undefined)?.path;
      if (!(principal.node.defaultChild instanceof iam.CfnRole) || path !== SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH) {
        throw new Error(
          `SecureDeltaLakeBucket: ${principal.node.path} is in stack ${Stack.of(principal).stackName} and ${this.node.path} in ${Stack.of(this).stackName}; ` +
          `naming its ARN in the bucket policy would tie the two stacks in a cycle. Create the role with path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH ('${SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH}'), ` +
          'or in the bucket\'s stack, or import it by a literal ARN');
      }
      entry = this.dataAccessRolePattern();
    }
    if (!this.allowedPrincipalArns.includes(entry)) this.allowedPrincipalArns.push(entry);
  }

  private dataAccessRolePattern(): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:iam::${stack.account}:role${SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH}*`;
  }

  private cdkProviderRoleArn(providerId: string): string {
    const provider = Stack.of(this).node.tryFindChild(providerId) as any;
    const roleArn: string | undefined = provider?.roleArn;
    if (!roleArn) {
      throw new Error(`SecureDeltaLakeBucket: cannot find the role of CDK's ${providerId}, which must reach the data; this aws-cdk-lib version is not supported with autoDeleteObjects`);
    }
    return roleArn;
  }

  /**
   * Deny every read under `prefix` to principals not granted a read of it (or of a prefix above
   * or below it) by this construct, and every write to principals not granted a write, whatever
   * their IAM policies say. For zones that hold PII in clear: the raw CSV files and the
   * quarantine. A broad policy (`s3:*`, a read-only policy) on a principal that the data
   * perimeter admits does not reach a fenced prefix.
   *
   * Grantees of the bucket's own stack are named by ARN; grantees of other stacks are admitted by
   * a tag that the grant puts on their role or user (`aws:PrincipalTag`), since naming their ARN
   * would tie the stacks in a cycle. A principal that may tag itself (`iam:TagRole`) can therefore
   * admit itself: keep tagging rights with the administrators.
   *
   * @param prefix a key prefix such as `landing/customers` (no wildcards, no leading slash)
   */
  public restrictToGrantees(prefix: string): void {
    const root = normalizePrefix('prefix', prefix);
    if (Token.isUnresolved(root)) {
      throw new Error('SecureDeltaLakeBucket: restrictToGrantees needs a literal prefix (got a token); the fence is written into the bucket policy at synth');
    }
    if (this.fences.includes(root)) return;
    this.fences.push(root);
    for (const g of this.grants.filter((x) => prefixesOverlap(root, x.root))) this.admitThroughFence(root, g);
    const tag = this.fenceTag(root);
    const fenced = (read: boolean) => Lazy.list({
      produce: () => {
        const named = this.grants
          .filter((g) => (read ? g.read : g.write) && prefixesOverlap(root, g.root) && this.namedByArn(g))
          .map((g) => g.arn);
        const arns = [...new Set([...named, ...this.bucketRoleArns])];
        // An empty list is not valid IAM: the account root (which the fence need not stop) stands in.
        return arns.length > 0 ? arns : [Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'root' })];
      },
    });
    const suffix = createHash('sha256').update(root).digest('hex').slice(0, 8).toUpperCase();
    for (const read of [true, false]) {
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: `Fence${read ? 'Reads' : 'Writes'}${suffix}`,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: read ? OBJECT_READ_ACTIONS : OBJECT_WRITE_ACTIONS,
        resources: [this.bucket.arnForObjects(`${root}/*`)],
        conditions: {
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          ArnNotLikeIfExists: { 'aws:PrincipalArn': fenced(read) },
          StringNotEqualsIfExists: { [`aws:PrincipalTag/${tag}`]: [read ? 'read' : 'write', 'read-write'] },
        },
      }));
    }
  }

  /** Whether the fence names a grantee by ARN (its own stack, or a literal ARN) rather than by tag. */
  private namedByArn(g: GrantRecord): boolean {
    return !Token.isUnresolved(g.arn) || Stack.of(g.principal) === Stack.of(this);
  }

  /** The tag key that admits grantees of other stacks through the fence of one prefix. */
  private fenceTag(root: string): string {
    return fenceTagKey(this.fenceIdentity, root);
  }

  /** Tag a grantee of another stack so that the fence of `root` admits it for what it was granted. */
  private admitThroughFence(root: string, g: GrantRecord): void {
    if (this.namedByArn(g)) return;
    const cfn = g.principal.node.defaultChild;
    if (!(cfn instanceof iam.CfnRole) && !(cfn instanceof iam.CfnUser)) {
      throw new Error(`SecureDeltaLakeBucket: ${g.principal.node.path} is granted '${g.root}', which lies in the restricted prefix '${root}', ` +
        'but it is neither a role nor a user created in this app, so the bucket policy can neither name nor tag it; create it in the bucket\'s stack or import it by a literal ARN');
    }
    tagForFence(cfn, this.fenceTag(root), g.read, g.write);
  }

  private warnAboutKey(key: kms.IKey): void {
    const cfnKey = key.node.defaultChild;
    if (!(key instanceof kms.Key) || !(cfnKey instanceof kms.CfnKey)) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:importedKey',
        'encryptionKey is imported: its rotation and key policy are not managed by this app; make sure rotation is on');
      return;
    }
    if (!Token.isUnresolved(cfnKey.enableKeyRotation as any) && cfnKey.enableKeyRotation !== true) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:keyRotationDisabled',
        'encryptionKey has no automatic rotation; set enableKeyRotation: true on the key');
    }
  }
}
