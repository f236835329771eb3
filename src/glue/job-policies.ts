/**
 * What a job's role may do, statement by statement (its data, logs, bookmarks, metrics and
 * secrets, each with the reason it needs it), the check that its secrets rotate, and the
 * policies of its operators (`grantOperate`, `grantMonitor`).
 */
import { Annotations, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LeastPrivilegeGlueJobProps } from './glue-job-props';
import { JobLogging, JobSettings } from './job-settings';
import { ReasonedPolicy } from '../private/compliance';
import { granteeIdentity, managedPolicyFor } from '../private/grants';
import { PropsValidator } from '../private/validation';
import { DeltaMaintenance } from '../storage/secure-delta-lake-bucket';

/** Data: read-only on the source prefix; Delta write on the table's three sub-tables. */
export function grantData(job: Construct, role: iam.IRole, policy: ReasonedPolicy, v: PropsValidator,
  props: LeastPrivilegeGlueJobProps, s: JobSettings): void {
  const { sourceLake, sourcePrefix, tablePath } = s;
  if (sourceLake) {
    if (sourceLake.bucket !== props.source.bucket) {
      // The job could grant neither bucket correctly: stop here.
      v.throwNow(job, 'source.lakeBucket must be the construct of source.bucket; pass lakeBucket.bucket as bucket');
    }
    sourceLake.grantRead(role, sourcePrefix);
    // The job lists the versions under its prefix and reads each file at the version it listed
    // (the ledger's key@version): S3 authorizes these as ListBucketVersions and GetObjectVersion.
    policy.add(`the job lists the object versions under ${sourcePrefix}/ and reads the version it listed`,
      ...versionReadStatements(props.source.bucket, sourcePrefix));
  } else {
    Annotations.of(job).addWarningV2('cdk-secure-delta-lake:plainSourceBucket',
      `source.bucket ${props.source.bucket.node.path} is not a SecureDeltaLakeBucket (allowPlainSourceBucket): its encryption, TLS policy, perimeter and the fence of the raw CSV files are not managed by this library; ` +
      'use a SecureDeltaLakeBucket with zone: LakeZone.RAW, or secure the bucket yourself');
    policy.add(`read-only access to the CSV files under ${sourcePrefix}/`,
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.source.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [sourcePrefix, `${sourcePrefix}/*`] } },
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.source.bucket.arnForObjects(`${sourcePrefix}/*`)] }),
      ...versionReadStatements(props.source.bucket, sourcePrefix),
      ...(props.source.bucket.encryptionKey ? [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.source.bucket.encryptionKey.keyArn] })] : []),
    );
  }
  // The quarantine's files may be deleted (retention: DELETE, then VACUUM); the data table's never.
  props.target.grantDeltaWrite(role, `${tablePath}/data`);
  props.target.grantDeltaWrite(role, `${tablePath}/quarantine`, { maintenance: DeltaMaintenance.VACUUM });
  props.target.grantDeltaWrite(role, `${tablePath}/_ingest_log`);
}

/**
 * The job lists the source prefix's object versions (`ListObjectVersions`) and reads every file at
 * the version it listed (`GetObject` with `VersionId`), so that the bytes it loads are the ones the
 * ledger names: S3 authorizes these as `s3:ListBucketVersions` and `s3:GetObjectVersion`, not as
 * `s3:ListBucket` and `s3:GetObject`. Both are held to the prefix.
 */
function versionReadStatements(bucket: s3.IBucket, prefix: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['s3:ListBucketVersions'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [prefix, `${prefix}/*`] } },
    }),
    new iam.PolicyStatement({ actions: ['s3:GetObjectVersion'], resources: [bucket.arnForObjects(`${prefix}/*`)] }),
  ];
}

/** Logs to the job's own log groups, bookmarks with the job key, metrics in Glue's and the job's namespaces. */
export function grantLogsBookmarksAndMetrics(policy: ReasonedPolicy, logging: JobLogging, metricsNamespace: string): void {
  // Logs: write to the job's own log groups only.
  policy.add('Glue writes the job\'s logs to its own log groups (log streams are created per run)',
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
      resources: logging.streamArns,
    }),
  );
  // Bookmarks are client-side encrypted with the job key (the job keeps its own ledger, but the
  // security configuration asks for it).
  policy.add('client-side encryption of job bookmarks with the job key',
    new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], resources: [logging.key.keyArn] }),
  );
  // Metrics: CloudWatch has no resource-level permission for PutMetricData; the namespace
  // condition is the narrowest scope AWS offers. Glue publishes its own metrics as the role.
  policy.add('CloudWatch offers no resource for PutMetricData; the namespace condition limits it to Glue and the job',
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': ['Glue', metricsNamespace] } },
    }),
  );
}

/** Secrets: exactly these, passed by ARN. Returns their arguments. */
export function grantSecrets(job: Construct, policy: ReasonedPolicy, secrets: { [k: string]: secretsmanager.ISecret },
  allowWithoutRotation: boolean): { [k: string]: string } {
  const secretArguments: { [k: string]: string } = {};
  for (const [name, secret] of Object.entries(secrets)) {
    secretArguments[`--${name}`] = secret.secretArn;
    policy.add(`the job reads the secret passed as --${name}`,
      // A secret imported by name has a partial ARN: Secrets Manager appends 6 random characters.
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`] }),
      ...(secret.encryptionKey ? [new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [secret.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(job).region}.amazonaws.com` } },
      })] : []),
    );
  }
  checkSecretRotation(job, secrets, allowWithoutRotation);
  return secretArguments;
}

/** Secrets of this app need a rotation schedule (checked at synth, when every schedule exists), or leave to go without. */
function checkSecretRotation(job: Construct, secrets: { [k: string]: secretsmanager.ISecret }, allow: boolean): void {
  const owned = Object.entries(secrets).filter(([, s]) => s instanceof secretsmanager.Secret);
  if (owned.length === 0) return;
  job.node.addValidation({
    validate: () => {
      const schedules = job.node.root.node.findAll()
        .filter((c): c is secretsmanager.CfnRotationSchedule => c instanceof secretsmanager.CfnRotationSchedule);
      const rotated = (s: secretsmanager.ISecret) => schedules.some((r) =>
        JSON.stringify(Stack.of(r).resolve(r.secretId)) === JSON.stringify(Stack.of(r).resolve(s.secretArn)));
      const unrotated = owned.filter(([, s]) => !rotated(s)).map(([name]) => `--${name}`);
      if (unrotated.length === 0) return [];
      if (allow) {
        Annotations.of(job).addWarningV2('cdk-secure-delta-lake:secretWithoutRotation', `secrets without a rotation schedule: ${unrotated.join(', ')}`);
        return [];
      }
      return [`secrets ${unrotated.join(', ')} have no rotation schedule; add one (secret.addRotationSchedule) or set allowSecretsWithoutRotation: true`];
    },
  });
}

/** The operators' policy of a job: start (or only follow), stop and read its runs, read its logs. */
export function operatorStatements(job: Construct, glueJob: { readonly jobArn: string }, logGroups: logs.ILogGroup[],
  grantee: iam.IGrantable, owner: string, start: boolean): void {
  const identity = granteeIdentity(grantee, owner);
  const id = `SecureDeltaLake${start ? 'Operate' : 'Monitor'}${Names.uniqueId(job)}`;
  if (identity.construct.node.tryFindChild(id)) return;
  const policy = managedPolicyFor(identity, id, `cdk-secure-delta-lake: ${start ? 'operate' : 'monitor'} the Glue job ${job.node.path}`);
  policy.add(start ? 'operators start, stop and follow runs of this job and read its log streams (one per run)'
    : 'operators follow and stop runs of this job and read its log streams (one per run); they start runs through the workflow',
  new iam.PolicyStatement({
    actions: [...(start ? ['glue:StartJobRun'] : []), 'glue:BatchStopJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:GetJob'],
    resources: [glueJob.jobArn],
  }),
  new iam.PolicyStatement({
    actions: ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:DescribeLogStreams'],
    resources: logGroups.flatMap((g) => [g.logGroupArn]),
  }),
  );
}
