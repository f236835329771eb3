import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Server access logging of `source` into `logBucket` under `prefix`, set on the `CfnBucket`
 * (the L2 falls back to ACLs, which BucketOwnerEnforced disables), and the log bucket's delivery
 * statement for that source only (`aws:SourceAccount`, `aws:SourceArn`).
 */
export function logAccessInto(source: s3.Bucket, logBucket: s3.IBucket, prefix: string, sid: string): void {
  (source.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: prefix };
  logBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logBucket.arnForObjects(`${prefix}*`)],
    conditions: {
      StringEquals: { 'aws:SourceAccount': Stack.of(source).account },
      ArnLike: { 'aws:SourceArn': source.bucketArn },
    },
  }));
}
