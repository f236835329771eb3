import * as fs from 'fs';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/**
 * An S3 object of a job: a script or one of its modules.
 */
export interface JobScriptObject {
  /** The bucket of the object. */
  readonly bucketName: string;
  /** The key of the object. */
  readonly objectKey: string;
}

/**
 * Where a job's script lives once bound, and the statements that read exactly it.
 */
export interface BoundJobScript {
  /** The bucket of the script object. */
  readonly bucketName: string;
  /** The key of the script object. */
  readonly objectKey: string;
  /**
   * Python modules the script imports (passed to Glue as `--extra-py-files`).
   *
   * @default - none
   */
  readonly extraPythonFiles?: JobScriptObject[];
  /** Statements that let the job role read these objects, and nothing else of their bucket. */
  readonly readStatements: iam.PolicyStatement[];
  /**
   * Whether this is the library's ingestion script (which needs `--pseudonym-key` for PII columns).
   *
   * @default false
   */
  readonly isIngestionScript?: boolean;
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
   * The ingestion script shipped with this library: CSV files to validated Delta tables, with a
   * quarantine and a ledger (see the README). It reads the pseudonymization key from the secret
   * passed as `pseudonym-key` when the schema has PII columns.
   *
   * @param assetsKey the KMS key of the CDK staging bucket, when the environment was bootstrapped with a customer key
   */
  public static ingestion(assetsKey?: kms.IKey): JobScript {
    return new IngestionJobScript(assetsKey);
  }

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

/** The library's own script and its modules, each an asset of its own. */
class IngestionJobScript extends JobScript {
  public static readonly DIRECTORY = path.join(__dirname, 'job-script');
  /** The script's modules: every `sdl_*.py` beside it, so the list is never kept by hand. */
  public static modules(): string[] {
    return fs.readdirSync(IngestionJobScript.DIRECTORY).filter((f) => /^sdl_[a-z_]+\.py$/.test(f)).sort();
  }

  constructor(private readonly assetsKey?: kms.IKey) {
    super();
  }

  public bind(scope: Construct): BoundJobScript {
    const main = new s3assets.Asset(scope, 'Script', { path: path.join(IngestionJobScript.DIRECTORY, 'ingest.py') });
    const modules = IngestionJobScript.modules().map((m) => new s3assets.Asset(scope, `Module-${m.replace(/[^A-Za-z0-9]/g, '')}`, {
      path: path.join(IngestionJobScript.DIRECTORY, m),
    }));
    return {
      bucketName: main.s3BucketName,
      objectKey: main.s3ObjectKey,
      extraPythonFiles: modules.map((a) => ({ bucketName: a.s3BucketName, objectKey: a.s3ObjectKey })),
      readStatements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [main, ...modules].map((a) => a.bucket.arnForObjects(a.s3ObjectKey)),
        }),
        ...(this.assetsKey ? [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.assetsKey.keyArn] })] : []),
      ],
      isIngestionScript: true,
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
