import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Every bucket-configuration change: policy, public access block, ACLs, versioning, logging,
 * notifications, ownership, object lock, tagging, CORS, website (`PutBucket*`/`DeleteBucket*`),
 * encryption, lifecycle, replication, inventory, analytics, metrics, intelligent tiering and
 * acceleration (`Put*Configuration`/`Delete*Configuration`), and S3 Metadata tables (an export of
 * every key). Wildcards, so that a configuration API added later is covered too.
 */
export const BUCKET_CONFIGURATION_ACTIONS = [
  's3:PutBucket*',
  's3:DeleteBucket*',
  's3:Put*Configuration',
  's3:Delete*Configuration',
  's3:CreateBucketMetadata*',
  's3:UpdateBucketMetadata*',
];

/**
 * Every action on objects and object listings: reads of any kind (versions, attributes, tags,
 * ACLs, retention, torrents, replication reads), writes, deletes, restores, multipart uploads,
 * replication (including S3 Batch Replication) and the governance bypass.
 */
export const OBJECT_ACTIONS = [
  's3:GetObject*',
  's3:PutObject*',
  's3:DeleteObject*',
  's3:RestoreObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
  's3:ListBucket*',
  's3:Replicate*',
  's3:InitiateReplication',
  's3:BypassGovernanceRetention',
];

/** Object actions that read (a prefix fence's read side). */
export const OBJECT_READ_ACTIONS = ['s3:GetObject*', 's3:ListMultipartUploadParts'];

/** Object actions that write, delete or replicate (a prefix fence's write side). */
export const OBJECT_WRITE_ACTIONS = [
  's3:PutObject*',
  's3:DeleteObject*',
  's3:RestoreObject',
  's3:AbortMultipartUpload',
  's3:Replicate*',
  's3:InitiateReplication',
  's3:BypassGovernanceRetention',
];

/**
 * Only the administrators may change the bucket's configuration; a principal with `s3:*` of the
 * same account can no longer remove the policy, switch off versioning or replicate the data
 * away. The account root can always delete a bucket policy that locks everyone out: that is the
 * break-glass path. Service principals carry no principal ARN and are denied too (none needs to).
 */
export function denyConfigurationChanges(bucket: s3.IBucket, administrators: string[]): void {
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyConfigurationChanges',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: BUCKET_CONFIGURATION_ACTIONS,
    resources: [bucket.bucketArn],
    conditions: { ArnNotLike: { 'aws:PrincipalArn': administrators } },
  }));
}

/**
 * No upload with a customer-provided key (SSE-C): the bucket key could not decrypt it, the
 * encryption denies do not see it (a different header), and whoever holds the key alone can read it.
 */
export function denySseC(bucket: s3.IBucket): void {
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenySseC',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects('*')],
    conditions: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
  }));
}
