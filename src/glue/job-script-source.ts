import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/**
 * Where a job's script object lives once bound: its S3 URL and the statements that read exactly it.
 */
export interface BoundJobScript {
  /** The bucket of the script object. */
  readonly bucketName: string;
  /** The key of the script object. */
  readonly objectKey: string;
  /** Statements that let the job role read this object, and nothing else of its bucket. */
  readonly readStatements: iam.PolicyStatement[];
}

/**
 * The PySpark script a job runs.
 *
 * Unlike `glue.Code`, binding a script grants nothing by itself: the job puts the returned
 * statements (`s3:GetObject` on the one object, `kms:Decrypt` on its bucket's key) into its own
 * policy. `glue.Code.fromAsset` would grant read on the whole CDK staging bucket.
 */
export abstract class JobScript {
  /**
   * A local file, uploaded as a CDK asset.
   *
   * @param scriptPath path of a `.py` file
   * @param assetsKey the KMS key of the CDK staging bucket, when the environment was bootstrapped with a customer key
   */
  public static fromAsset(scriptPath: string, assetsKey?: kms.IKey): JobScript {
    return new AssetJobScript(scriptPath, assetsKey);
  }

  /**
   * An object already in S3.
   *
   * @param bucket the bucket (its `encryptionKey`, if any, is granted for decryption)
   * @param key the object key of the script
   */
  public static fromBucket(bucket: s3.IBucket, key: string): JobScript {
    return new BucketJobScript(bucket, key);
  }

  /**
   * Bind the script to a job.
   *
   * @param scope the job construct
   */
  public abstract bind(scope: Construct): BoundJobScript;
}

function objectRead(bucket: s3.IBucket, key: string, bucketKey?: kms.IKey): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(key)] })];
  if (bucketKey) {
    statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [bucketKey.keyArn] }));
  }
  return statements;
}

class AssetJobScript extends JobScript {
  constructor(private readonly scriptPath: string, private readonly assetsKey?: kms.IKey) {
    super();
  }

  public bind(scope: Construct): BoundJobScript {
    if (!this.scriptPath.endsWith('.py')) {
      throw new Error(`JobScript.fromAsset: '${this.scriptPath}' is not a .py file; give the path of the PySpark script`);
    }
    const asset = new s3assets.Asset(scope, 'Script', { path: this.scriptPath });
    return {
      bucketName: asset.s3BucketName,
      objectKey: asset.s3ObjectKey,
      readStatements: objectRead(asset.bucket, asset.s3ObjectKey, this.assetsKey),
    };
  }
}

class BucketJobScript extends JobScript {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
  }

  public bind(_scope: Construct): BoundJobScript {
    if (/[*?]/.test(this.key) || this.key.endsWith('/') || this.key.length === 0) {
      throw new Error(`JobScript.fromBucket: '${this.key}' is not the key of one object; give the script's full key, such as 'scripts/ingest.py'`);
    }
    return {
      bucketName: this.bucket.bucketName,
      objectKey: this.key,
      readStatements: objectRead(this.bucket, this.key, this.bucket.encryptionKey),
    };
  }
}
