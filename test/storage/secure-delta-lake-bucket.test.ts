import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeltaMaintenance, LakeZone, ObjectLockMode, SecureDeltaLakeBucket, SecureDeltaLakeBucketProps } from '../../src';
import { acknowledgmentsIn, expectCompliant, testStack } from '../compliance/harness';
import { problemAt, synthError } from '../kit/synth-error';

const env = { account: '111111111111', region: 'eu-west-1' };
const LAKE = /^Lake[0-9A-F]{8}$/;

function lakeBucketResource(t: Template): any {
  const buckets = t.findResources('AWS::S3::Bucket');
  const ids = Object.keys(buckets).filter((id) => LAKE.test(id));
  expect(ids).toHaveLength(1);
  return buckets[ids[0]].Properties;
}

function bucketPolicyStatements(t: Template, bucketLogicalId: RegExp): any[] {
  const policies = Object.values(t.findResources('AWS::S3::BucketPolicy')) as any[];
  const p = policies.find((x) => bucketLogicalId.test(x.Properties.Bucket.Ref));
  expect(p).toBeDefined();
  return p.Properties.PolicyDocument.Statement;
}

describe('SecureDeltaLakeBucket with default configuration', () => {
  const stack = testStack('Defaults');
  const lake = new SecureDeltaLakeBucket(stack, 'Lake');
  const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  lake.grantDeltaWrite(role, 'tables/customers');
  const t = Template.fromStack(stack);
  const props = lakeBucketResource(t);
  const statements = bucketPolicyStatements(t, LAKE);

  test('SDL-ENC-01: SSE-KMS with a new customer managed key with rotation, retained', () => {
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LakeKey/), 'Arn'] });
    t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('SDL-DELTA-01: S3 Bucket Keys are enabled', () => {
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0].BucketKeyEnabled).toBe(true);
  });

  test('SDL-S3-02: all four Block Public Access settings and BucketOwnerEnforced', () => {
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(props.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  test('SDL-ENC-02: TLS only and TLS 1.2 minimum through the L2 enforceSSL and minimumTLSVersion', () => {
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
    ]));
  });

  test('SDL-S3-04: three encryption denies on PutObject', () => {
    const sids = statements.filter((s) => s.Effect === 'Deny' && s.Action === 's3:PutObject').map((s) => s.Sid);
    expect(sids).toEqual(['DenyEncryptionOtherThanKms', 'DenyKmsKeyOtherThanBucketKey', 'DenyKmsWithoutKeyId', 'DenySseC']);
  });

  test('SDL-S3-01: a data perimeter denies data-plane actions outside the allow-list', () => {
    const perimeter = statements.find((s) => s.Sid === 'DataPerimeter');
    expect(perimeter.Effect).toBe('Deny');
    expect(perimeter.Principal).toEqual({ AWS: '*' });
    // Wildcard families, so that every object read (replication reads, attributes, versions) is covered.
    expect(perimeter.Action).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*', 's3:ListBucket*', 's3:Replicate*', 's3:InitiateReplication']));
    expect(perimeter.Condition.BoolIfExists).toEqual({ 'aws:PrincipalIsAWSService': 'false' });
    expect(perimeter.Condition.ArnNotLikeIfExists['aws:PrincipalArn']).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Writer/), 'Arn'] }]);
  });

  test('SDL-S3-03: configuration changes are denied to all but the deployment role; reading the configuration is not', () => {
    const deny = statements.find((x) => x.Sid === 'DenyConfigurationChanges');
    expect(deny.Effect).toBe('Deny');
    expect(deny.Principal).toEqual({ AWS: '*' });
    expect(deny.Action).toEqual(expect.arrayContaining(['s3:PutBucket*', 's3:DeleteBucket*', 's3:Put*Configuration', 's3:Delete*Configuration']));
    expect(JSON.stringify(deny.Condition.ArnNotLike['aws:PrincipalArn'])).toContain('cfn-exec-role');
    for (const s of statements.filter((x) => x.Effect === 'Deny' && x.Action !== 's3:*')) {
      expect([].concat(s.Action)).not.toContain('s3:GetBucketPolicy');
    }
  });

  test('versioning on, lifecycle aborts uploads after 1 day, expires noncurrent versions after 7 days and expired delete markers', () => {
    expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(props.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 7 }, Status: 'Enabled' }),
      expect.objectContaining({ ExpiredObjectDeleteMarker: true, Status: 'Enabled' }),
    ]);
  });

  test('SDL-LOG-03: server access logs go to a dedicated SSE-S3, TLS-only, versioned bucket with retention', () => {
    expect(props.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^LakeAccessLogs/) }, LogFilePrefix: 'access-logs/' });
    const logBuckets = t.findResources('AWS::S3::Bucket', { Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } } });
    const [logProps] = Object.values(logBuckets).map((x: any) => x.Properties);
    expect(logProps.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(logProps.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(true);
    expect(logProps.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(365);
    const logStatements = bucketPolicyStatements(t, /^LakeAccessLogs/);
    expect(logStatements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Sid: 'S3ServerAccessLogsDelivery',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': expect.anything() } },
      }),
    ]));
  });

  test('SDL-LOG-03: EventBridge notifications set directly on the bucket, no notifications Lambda', () => {
    expect(props.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('bucket and key are retained', () => {
    t.hasResource('AWS::S3::Bucket', { Properties: Match.objectLike({ BucketEncryption: Match.anyValue(), NotificationConfiguration: Match.anyValue() }), DeletionPolicy: 'Retain' });
  });

  test('SDL-IAM-02: grants live in a customer-managed policy attached to the grantee, never inline', () => {
    t.resourceCountIs('AWS::IAM::Policy', 0);
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: Match.stringLikeRegexp('^Writer') }] });
  });

  test('SDL-CMP-02: no unacknowledged finding in the four compliance packs', () => {
    expect(expectCompliant(stack).findings).toEqual([]);
  });

  test('acknowledgments are pinned, each with a specific reason', () => {
    const acks = acknowledgmentsIn(stack).map((a) => `${a.path} ${a.id}`);
    expect(acks).toHaveLength(20);
    expect(acks).toEqual(expect.arrayContaining([
      // Checkov and the Control Tower guard rules (the example app runs them)
      'Defaults/Lake/AccessLogs CKV_AWS_18',
      'Defaults/Lake/AccessLogs s3_bucket_logging_enabled_check',
      'Defaults/Lake/AccessLogs s3_bucket_default_encryption_kms_check',
      'Defaults/Lake/AccessLogs s3_bucket_object_lock_enabled_check',
      'Defaults/Lake/Resource s3_bucket_object_lock_enabled_check',
      'Defaults/Lake/AccessLogs HIPAA.Security-S3BucketLoggingEnabled',
      'Defaults/Lake/AccessLogs HIPAA.Security-S3BucketReplicationEnabled',
      'Defaults/Lake/AccessLogs HIPAA.Security-S3DefaultEncryptionKMS',
      'Defaults/Lake/AccessLogs NIST.800.53.R5-S3BucketLoggingEnabled',
      'Defaults/Lake/AccessLogs NIST.800.53.R5-S3BucketReplicationEnabled',
      'Defaults/Lake/AccessLogs NIST.800.53.R5-S3DefaultEncryptionKMS',
      'Defaults/Lake/AccessLogs PCI.DSS.321-S3BucketLoggingEnabled',
      'Defaults/Lake/AccessLogs PCI.DSS.321-S3BucketReplicationEnabled',
      'Defaults/Lake/AccessLogs PCI.DSS.321-S3DefaultEncryptionKMS',
      'Defaults/Lake/AccessLogs AwsSolutions-S1',
      'Defaults/Lake/Resource HIPAA.Security-S3BucketReplicationEnabled',
      'Defaults/Lake/Resource NIST.800.53.R5-S3BucketReplicationEnabled',
      'Defaults/Lake/Resource PCI.DSS.321-S3BucketReplicationEnabled',
      expect.stringMatching(/^Defaults\/Writer\/SecureDeltaLakeAccess\w+ AwsSolutions-IAM5\[Resource::<Lake[0-9A-F]{8}\.Arn>\/tables\/customers\/\*\]$/),
      expect.stringMatching(/^Defaults\/Writer\/SecureDeltaLakeAccess\w+ AwsSolutions-IAM5\[Resource::<Lake[0-9A-F]{8}\.Arn>\/tables\/customers\/_delta_log\/\*\]$/),
    ]));
    for (const a of acknowledgmentsIn(stack)) expect(a.reason.length).toBeGreaterThan(40);
  });

  test('a curated zone is the default; a raw zone keeps noncurrent versions 30 days', () => {
    expect(lake.zone).toBe(LakeZone.CURATED);
    const s = testStack('Raw');
    new SecureDeltaLakeBucket(s, 'Lake', { zone: LakeZone.RAW });
    expect(lakeBucketResource(Template.fromStack(s)).LifecycleConfiguration.Rules[1].NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 30 });
  });
});

describe('SecureDeltaLakeBucket with custom configuration', () => {
  test('a given key is used and no key is created; a key without rotation warns', () => {
    const stack = testStack('Key');
    const key = new kms.Key(stack, 'Mine', { enableKeyRotation: false });
    new SecureDeltaLakeBucket(stack, 'Lake', { encryptionKey: key });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    expect(lakeBucketResource(t).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Mine/), 'Arn'] });
    Annotations.fromStack(stack).hasWarning('/Key/Lake', Match.stringLikeRegexp('no automatic rotation.*\\[ack: cdk-secure-delta-lake:keyRotationDisabled\\]'));
  });

  test('an imported key warns', () => {
    const stack = testStack('Imported');
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000');
    new SecureDeltaLakeBucket(stack, 'Lake', { encryptionKey: key });
    Annotations.fromStack(stack).hasWarning('/Imported/Lake', Match.stringLikeRegexp('cdk-secure-delta-lake:importedKey'));
  });

  test('a user-supplied log bucket warns, a KMS-encrypted one warns twice', () => {
    const stack = testStack('Logs');
    const logs = new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.KMS });
    new SecureDeltaLakeBucket(stack, 'Lake', { serverAccessLogsBucket: logs });
    const a = Annotations.fromStack(stack);
    a.hasWarning('/Logs/Lake', Match.stringLikeRegexp('cdk-secure-delta-lake:userAccessLogBucket'));
    a.hasWarning('/Logs/Lake', Match.stringLikeRegexp('cdk-secure-delta-lake:kmsAccessLogBucket'));
    expect(lakeBucketResource(Template.fromStack(stack)).LoggingConfiguration.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^Logs/) });
  });

  test('destroying data takes removalPolicy, emptying it autoDeleteObjects too; CDK\'s delete role is admitted', () => {
    const stack = testStack('Destroy');
    new SecureDeltaLakeBucket(stack, 'Lake', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    const perimeter = bucketPolicyStatements(t, LAKE).find((s) => s.Sid === 'DataPerimeter');
    expect(JSON.stringify(perimeter.Condition.ArnNotLikeIfExists)).toContain('CustomS3AutoDeleteObjectsCustomResourceProviderRole');
  });

  test('Object Lock with a default retention', () => {
    const stack = testStack('Lock');
    new SecureDeltaLakeBucket(stack, 'Lake', { objectLock: { mode: ObjectLockMode.GOVERNANCE, retention: Duration.days(30) } });
    const p = lakeBucketResource(Template.fromStack(stack));
    expect(p.ObjectLockEnabled).toBe(true);
    expect(p.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } });
  });

  test('replication to a KMS-encrypted replica, its role admitted by the perimeter', () => {
    const stack = testStack('Repl');
    const replicaKey = new kms.Key(stack, 'ReplicaKey', { enableKeyRotation: true });
    const replica = new s3.Bucket(stack, 'Replica', { versioned: true, encryptionKey: replicaKey });
    new SecureDeltaLakeBucket(stack, 'Lake', { replication: { destination: replica, destinationKey: replicaKey } });
    const t = Template.fromStack(stack);
    const p = lakeBucketResource(t);
    expect(p.ReplicationConfiguration.Rules[0]).toEqual(expect.objectContaining({
      Destination: expect.objectContaining({ EncryptionConfiguration: { ReplicaKmsKeyID: expect.anything() } }),
      SourceSelectionCriteria: expect.objectContaining({ SseKmsEncryptedObjects: { Status: 'Enabled' } }),
    }));
    const perimeter = bucketPolicyStatements(t, LAKE).find((s) => s.Sid === 'DataPerimeter');
    expect(perimeter.Condition.ArnNotLikeIfExists['aws:PrincipalArn']).toEqual([p.ReplicationConfiguration.Role]);
  });

  test('SDL-CMP-02: the options keep the construct free of unacknowledged findings', () => {
    const stack = testStack('Options');
    const replicaKey = new kms.Key(stack, 'ReplicaKey', { enableKeyRotation: true });
    const replica = new s3.Bucket(stack, 'Replica', { versioned: true, encryptionKey: replicaKey });
    const replicated = new SecureDeltaLakeBucket(stack, 'Replicated', { replication: { destination: replica, destinationKey: replicaKey } });
    const destroyable = new SecureDeltaLakeBucket(stack, 'Destroyable', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    const locked = new SecureDeltaLakeBucket(stack, 'Locked', { objectLock: { mode: ObjectLockMode.GOVERNANCE, retention: Duration.days(3) } });
    for (const c of [replicated, destroyable, locked]) expect(expectCompliant(c).findings).toEqual([]);
    const t = Template.fromStack(stack);
    // The replication role's permissions are in a customer-managed policy, not the L2's inline one.
    t.resourceCountIs('AWS::IAM::Policy', 0);
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' } })] }) });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { Description: 'cdk-secure-delta-lake: replication of Options/Replicated' });
  });

  test('a break-glass role is admitted by the perimeter', () => {
    const stack = testStack('Glass');
    const glass = iam.Role.fromRoleArn(stack, 'Glass', 'arn:aws:iam::111111111111:role/break-glass');
    new SecureDeltaLakeBucket(stack, 'Lake', { breakGlassRole: glass });
    const perimeter = bucketPolicyStatements(Template.fromStack(stack), LAKE).find((s) => s.Sid === 'DataPerimeter');
    expect(perimeter.Condition.ArnNotLikeIfExists['aws:PrincipalArn']).toEqual(['arn:aws:iam::111111111111:role/break-glass']);
  });

  test('with no grant the perimeter admits only the account root', () => {
    const stack = testStack('Empty');
    new SecureDeltaLakeBucket(stack, 'Lake');
    const perimeter = bucketPolicyStatements(Template.fromStack(stack), LAKE).find((s) => s.Sid === 'DataPerimeter');
    expect(JSON.stringify(perimeter.Condition.ArnNotLikeIfExists['aws:PrincipalArn'])).toContain(':iam::111111111111:root');
  });

  test('a two-stack app (bucket in one, grantee under the reserved path in the other) synthesizes without a cycle', () => {
    const app = new App();
    const data = new Stack(app, 'Data', { env });
    const compute = new Stack(app, 'Compute', { env });
    const lake = new SecureDeltaLakeBucket(data, 'Lake');
    const role = new iam.Role(compute, 'Job', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'), path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH });
    lake.grantDeltaWrite(role, 'tables/orders');
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['Compute', 'Data']);
    expect(compute.dependencies.map((d) => d.stackName)).toEqual(['Data']);
    expect(data.dependencies).toEqual([]);
    const perimeter = bucketPolicyStatements(Template.fromStack(data), LAKE).find((s) => s.Sid === 'DataPerimeter');
    expect(JSON.stringify(perimeter.Condition.ArnNotLikeIfExists)).toContain(':role/cdk-secure-delta-lake/*');
    expect(expectCompliant(compute).findings).toEqual([]);
  });
});

describe('SecureDeltaLakeBucket fails on bad input', () => {
  const make = (props: SecureDeltaLakeBucketProps) => synthError(() => new SecureDeltaLakeBucket(testStack('Bad'), 'Lake', props));

  test.each([
    ['fails when minimumTlsVersion is below 1.2', { minimumTlsVersion: 1.1 }, /minimumTlsVersion must be 1.2 or higher \(got 1.1\)/],
    ['fails when noncurrentVersionExpiration is zero', { noncurrentVersionExpiration: Duration.days(0) }, /noncurrentVersionExpiration must be positive \(got 0 days\)/],
    ['fails when abortIncompleteMultipartUploadAfter is zero', { abortIncompleteMultipartUploadAfter: Duration.days(0) }, /abortIncompleteMultipartUploadAfter must be positive/],
    ['fails when accessLogRetention is zero', { accessLogRetention: Duration.days(0) }, /accessLogRetention must be positive/],
    ['fails when autoDeleteObjects is set without destroy', { autoDeleteObjects: true }, /autoDeleteObjects needs removalPolicy: RemovalPolicy.DESTROY/],
    ['fails when Object Lock is combined with autoDeleteObjects', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true, objectLock: { mode: ObjectLockMode.GOVERNANCE, retention: Duration.days(1) } }, /objectLock cannot be combined with autoDeleteObjects/],
    ['fails when COMPLIANCE Object Lock is combined with destroy', { removalPolicy: RemovalPolicy.DESTROY, objectLock: { mode: ObjectLockMode.COMPLIANCE, retention: Duration.days(1) } }, /COMPLIANCE mode cannot be combined with removalPolicy DESTROY/],
  ] as Array<[string, SecureDeltaLakeBucketProps, RegExp]>)('%s', (_name, props, message) => {
    expect(make(props)).toMatch(problemAt('Bad/Lake', message));
  });

  test('fails when replicating to an unversioned bucket', () => {
    const stack = testStack('Repl');
    const replicaKey = new kms.Key(stack, 'K', { enableKeyRotation: true });
    const replica = new s3.Bucket(stack, 'Replica', { encryptionKey: replicaKey });
    expect(synthError(() => new SecureDeltaLakeBucket(stack, 'Lake', { replication: { destination: replica, destinationKey: replicaKey } })))
      .toMatch(problemAt('Repl/Lake', /replication.destination .* is not versioned; .* set versioned: true/));
  });

  test('fails with every problem at once', () => {
    const message = make({ minimumTlsVersion: 1.0, noncurrentVersionExpiration: Duration.days(0) });
    expect(message).toMatch(new RegExp(`${problemAt('Bad/Lake', /minimumTlsVersion.*/).source}\\n\\s*${problemAt('Bad/Lake', /noncurrentVersionExpiration/).source}`));
  });

  describe('grants', () => {
    const stack = testStack('Grants');
    const lake = new SecureDeltaLakeBucket(stack, 'Lake');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });

    test.each([
      ['tables/*'], ['/tables/orders'], ['tables/../secrets'], ['tables//orders'], [''], ['tables/ord?rs'],
    ])('fails when the table path is malformed: %p', (path) => {
      expect(() => lake.grantDeltaWrite(role, path)).toThrow(/tablePath '.*' .*; give a relative key prefix such as 'tables\/orders'/);
    });

    test('fails when a read prefix has a wildcard', () => {
      expect(() => lake.grantRead(role, 'landing/*')).toThrow(/prefix 'landing\/\*' contains a wildcard/);
    });

    test('fails when tables overlap', () => {
      lake.grantDeltaWrite(role, 'tables/orders');
      expect(() => lake.grantDeltaWrite(role, 'tables/orders/archive')).toThrow(/tablePath 'tables\/orders\/archive' overlaps the table 'tables\/orders'/);
      expect(() => lake.grantDeltaRead(role, 'tables')).toThrow(/overlaps the table 'tables\/orders'/);
      expect(() => lake.grantDeltaRead(role, 'tables/orders/')).not.toThrow();
    });

    test('fails when VACUUM is granted on a COMPLIANCE-locked bucket', () => {
      const s = testStack('Locked');
      const locked = new SecureDeltaLakeBucket(s, 'Lake', { objectLock: { mode: ObjectLockMode.COMPLIANCE, retention: Duration.days(1) } });
      const r = new iam.Role(s, 'R', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
      expect(() => locked.grantDeltaWrite(r, 't', { maintenance: DeltaMaintenance.VACUUM })).toThrow(/VACUUM cannot delete data under Object Lock in COMPLIANCE mode/);
    });

    test('fails when the grantee is not a role or a user', () => {
      expect(() => lake.grantRead(new iam.AccountRootPrincipal(), 'landing')).toThrow(/grants go to a role or a user/);
    });

    test('fails when a grantee of another stack is not under the reserved path', () => {
      const app = new App();
      const a = new Stack(app, 'A', { env });
      const b = new Stack(app, 'B', { env });
      const l = new SecureDeltaLakeBucket(a, 'Lake');
      const r = new iam.Role(b, 'R', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
      expect(() => l.grantRead(r, 'landing')).toThrow(/would tie the two stacks in a cycle\. Create the role with path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH/);
    });
  });
});
