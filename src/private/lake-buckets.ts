import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import type { ISecureDeltaLakeBucket } from '../storage/secure-delta-lake-bucket';

/** Whether a value passed where a lake bucket is required is one (of this app, or imported). */
export function isLakeBucket(x: any): x is ISecureDeltaLakeBucket {
  return x !== null && typeof x === 'object' && typeof x.grantDeltaWrite === 'function' && typeof x.restrictToGrantees === 'function'
    && typeof x.zone === 'string' && x.bucket !== undefined;
}

/** The lake bucket construct that owns a bucket, if any (a lake bucket's `bucket` is its child). */
export function lakeBucketOf(bucket: s3.IBucket): ISecureDeltaLakeBucket | undefined {
  const owner: IConstruct | undefined = bucket.node.scope;
  return isLakeBucket(owner) && owner.bucket === bucket ? owner : undefined;
}

/** The path of a construct passed where a lake bucket is required, for messages. */
export function pathOf(x: any): string {
  return x?.node?.path ?? String(x);
}
