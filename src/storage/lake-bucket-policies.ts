/**
 * The policy statements of a lake bucket, its key and its replication role, as functions the
 * bucket (and, for the grant statements and fence tags, the import of another app's bucket) call:
 * the bucket's key, the encryption denies, the data perimeter, the access-log guard, the
 * replication role, the statements of a grant, and the tags that admit a grantee through a fence.
 */
import { createHash } from 'crypto';
import { Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LakeReplicationOptions } from './lake-bucket-props';
import { OBJECT_ACTIONS } from '../private/bucket-guards';
import { ReasonedPolicy } from '../private/compliance';
import { denyGrantsOutsideAwsServices, denyKeyAdministration } from '../private/keys';

/** The IAM path of data-access roles (`SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH`). */
export const DATA_ACCESS_ROLE_PATH = '/cdk-secure-delta-lake/';

/** The bucket's own key, with rotation; data keys only through S3 for granted principals. */
export function createBucketKey(scope: Construct, removalPolicy: RemovalPolicy, administrators: string[]): kms.IKey {
  const key = new kms.Key(scope, 'Key', {
    description: `cdk-secure-delta-lake: encrypts ${scope.node.path}`,
    enableKeyRotation: true,
    removalPolicy,
  });
  // Data keys only through S3, for principals of this account whose IAM policies allow it
  // (the grants). Explicit, so it holds whatever the app's KMS default-policy feature flag says.
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowUseThroughS3ForGrantedPrincipals',
    principals: [new iam.AccountRootPrincipal()],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'kms:ViaService': `s3.${Stack.of(scope).region}.amazonaws.com`,
        'kms:CallerAccount': Stack.of(scope).account,
      },
    },
  }));
  denyGrantsOutsideAwsServices(key);
  denyKeyAdministration(key, administrators);
  return key;
}

/**
 * The replication role: trusted by S3 only, its permissions in a customer-managed policy
 * (the L2's role is inline, and named `CDKReplicationRole` unless a feature flag is set).
 */
export function createReplicationRole(scope: Construct, encryptionKey: kms.IKey, bucketArn: string, options: LakeReplicationOptions): iam.Role {
  const role = new iam.Role(scope, 'ReplicationRole', {
    assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
    description: `cdk-secure-delta-lake: replicates ${scope.node.path}`,
  });
  const policy = new ReasonedPolicy(new iam.ManagedPolicy(scope, 'ReplicationPolicy', {
    description: `cdk-secure-delta-lake: replication of ${scope.node.path}`,
    roles: [role],
  }));
  const objects = `${bucketArn}/*`;
  policy.add('S3 replication reads every object version of the source bucket',
    new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [bucketArn] }),
    new iam.PolicyStatement({
      actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      resources: [objects],
    }),
  );
  policy.add('S3 replication writes every object version into the replica bucket',
    new iam.PolicyStatement({
      actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
      resources: [options.destination.arnForObjects('*')],
    }),
  );
  policy.add('S3 replication decrypts source objects and encrypts replicas',
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(scope).region}.amazonaws.com` } },
    }),
    new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:GenerateDataKey'], resources: [options.destinationKey.keyArn] }),
  );
  return role;
}


/**
 * Nobody deletes access logs (S3 log delivery only writes, and the lifecycle rule, which is no
 * principal, expires them): erasing the record of who read the lake would take `s3:DeleteObject`
 * and a day, since noncurrent versions expire after one. CDK's auto-delete role passes when the
 * bucket is to be destroyed with its stack.
 */
export function denyDeletingAccessLogs(logBucket: s3.IBucket, exceptions: string[]): void {
  logBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyDeletingAccessLogs',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:DeleteObject*'],
    resources: [logBucket.arnForObjects('*')],
    conditions: exceptions.length > 0 ? { ArnNotLikeIfExists: { 'aws:PrincipalArn': exceptions } } : undefined,
  }));
}

/**
 * Only this bucket's key, through `aws:kms`, may encrypt objects. Condition keys are absent when
 * a header is absent, and both `StringNotEquals` and `StringNotEqualsIfExists` are true on an
 * absent key, so "present and different" is written as `Null: false` plus `StringNotEquals`:
 * (a) an encryption header other than aws:kms; (b) a key id other than this key's ARN;
 * (c) aws:kms without a key id (S3 would use the aws/s3 key). A header-less PUT takes the bucket
 * default, which is this key.
 */
export function addEncryptionDenies(bucket: s3.Bucket, encryptionKey: kms.IKey): void {
  const sse = 's3:x-amz-server-side-encryption';
  const keyId = 's3:x-amz-server-side-encryption-aws-kms-key-id';
  const deny = (sid: string, conditions: { [op: string]: any }) => bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects('*')],
    conditions,
  }));
  deny('DenyEncryptionOtherThanKms', { Null: { [sse]: 'false' }, StringNotEquals: { [sse]: 'aws:kms' } });
  deny('DenyKmsKeyOtherThanBucketKey', { Null: { [keyId]: 'false' }, StringNotEquals: { [keyId]: encryptionKey.keyArn } });
  deny('DenyKmsWithoutKeyId', { Null: { [keyId]: 'true' }, StringEquals: { [sse]: 'aws:kms' } });
}

/**
 * Every object action is denied to every principal outside the allow-list, whatever its IAM
 * policies say. AWS service principals carry no principal ARN and pass (data-perimeter pattern).
 * Configuration changes are denied separately, to all but the administrators.
 */
export function addDataPerimeter(bucket: s3.Bucket, allowedPrincipalArns: string[]): void {
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DataPerimeter',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: OBJECT_ACTIONS,
    resources: [bucket.bucketArn, bucket.arnForObjects('*')],
    conditions: {
      ArnNotLikeIfExists: {
        'aws:PrincipalArn': Lazy.list({
          produce: () => (allowedPrincipalArns.length > 0 ? allowedPrincipalArns : [`arn:${Stack.of(bucket).partition}:iam::${Stack.of(bucket).account}:root`]),
        }),
      },
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
    },
  }));
}

/** The tag key that admits grantees through the fence of one prefix of one bucket. */
export function fenceTagKey(bucketIdentity: string, root: string): string {
  const hash = createHash('sha256').update(`${bucketIdentity}/${root}`).digest('hex').slice(0, 16);
  return `cdk-secure-delta-lake:fence:${hash}`;
}

/** One tag per fence: 'read', 'write', or 'read-write' when granted both. */
export function tagForFence(cfn: iam.CfnRole | iam.CfnUser, key: string, read: boolean, write: boolean): void {
  const current = cfn.tags.tagValues()[key];
  const wants = new Set([...(current ?? '').split('-').filter((x) => x), ...(read ? ['read'] : []), ...(write ? ['write'] : [])]);
  cfn.tags.setTag(key, ['read', 'write'].filter((x) => wants.has(x)).join('-'));
}

/** List the keys under a prefix (the prefix itself and what lies below it). */
export function listStatementFor(bucket: s3.IBucket, root: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [root, `${root}/*`] } },
  });
}

/** Use of the bucket's key through S3, for this bucket's objects only. */
export function keyStatementFor(bucket: s3.IBucket, key: kms.IKey, actions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions,
    resources: [key.keyArn],
    conditions: {
      StringEquals: {
        'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn,
      },
    },
  });
}

/**
 * Read under a prefix (also a Delta table's read): list under it, get under it, decrypt with the
 * bucket's key through S3. Shared by the lake bucket and its import.
 */
export function readStatementsFor(bucket: s3.IBucket, key: kms.IKey, root: string): iam.PolicyStatement[] {
  return [
    listStatementFor(bucket, root),
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${root}/*`)] }),
    keyStatementFor(bucket, key, ['kms:Decrypt']),
  ];
}

/** Write-only under a prefix: put and abort multipart uploads, the bucket's key through S3. */
export function writeStatementsFor(bucket: s3.IBucket, key: kms.IKey, root: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [bucket.arnForObjects(`${root}/*`)] }),
    keyStatementFor(bucket, key, ['kms:GenerateDataKey', 'kms:Decrypt']),
  ];
}
