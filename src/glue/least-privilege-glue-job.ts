/**
 * `LeastPrivilegeGlueJob`: the Glue job, its role, key, log groups, security configuration and
 * Delta settings, and its operators' grants and metrics. Its props are in glue-job-props.ts, their
 * defaults and checks in job-settings.ts, its role's statements in job-policies.ts, its arguments
 * and their locking in job-argument-locking.ts, and `JobArguments`/`JobMetrics` in job-arguments.ts.
 */
import { Annotations, ArnFormat, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GlueJobVersion, LeastPrivilegeGlueJobProps, MultiWriterOptions } from './glue-job-props';
import { lockArguments, managedArguments, ManagedArguments } from './job-argument-locking';
import { JobMetrics } from './job-arguments';
import { argumentFlag, tableDimension } from './job-contract';
import { grantData, grantLogsBookmarksAndMetrics, grantSecrets, operatorStatements } from './job-policies';
import { BoundJobScript, JobScript } from './job-script-source';
import { JobLogging, jobSettingsOf, JobSettings } from './job-settings';
import { accountRootArn, administratorsOf } from '../private/administrators';
import { acknowledge, ReasonedPolicy } from '../private/compliance';
import { glueLogGroupNames } from '../private/glue-logging';
import { allowLogsForLogGroups, denyGrantsOutsideAwsServices, denyKeyAdministration } from '../private/keys';
import { PropsValidator } from '../private/validation';
import { ISecureDeltaLakeBucket, SecureDeltaLakeBucket } from '../storage/secure-delta-lake-bucket';

// The props, JobArguments and JobMetrics are part of this module's exports, as before the split.
export * from './glue-job-props';
export * from './job-arguments';

/**
 * A Glue 5 PySpark job that ingests CSV files into Delta tables with a role that can do exactly
 * what the pipeline needs, and every Glue encryption wired end to end.
 *
 * Defaults: a dedicated role trusted only by glue.amazonaws.com with customer-managed policies;
 * a security configuration (S3 SSE-KMS with the target bucket's key, CloudWatch Logs and
 * bookmarks with the job's key); the job's Glue 5 log groups pre-created with KMS and a year of
 * retention; one run at a time (Delta on S3 is safe with a single writer); auto scaling; a
 * 2-hour timeout.
 *
 * @example
 * const raw = new sdl.SecureDeltaLakeBucket(this, 'Raw', { zone: sdl.LakeZone.RAW });
 * const curated = new sdl.SecureDeltaLakeBucket(this, 'Curated');
 * new sdl.LeastPrivilegeGlueJob(this, 'Ingest', {
 *   source: { bucket: raw.bucket, lakeBucket: raw, prefix: 'landing/customers' },
 *   target: curated,
 *   tablePath: 'tables/customers',
 *   schema: sdl.TableSchema.of([{ name: 'id', type: sdl.ColumnType.LONG }]),
 *   script: sdl.JobScript.fromAsset('ingest.py'),
 * });
 */
export class LeastPrivilegeGlueJob extends Construct {
  /** The Glue job. */
  public readonly job: glue.IJob;
  /** The job's role. */
  public readonly role: iam.IRole;
  /** The key of the job's logs and bookmarks. */
  public readonly key: kms.IKey;
  /** The security configuration of the job. */
  public readonly securityConfiguration: glue.SecurityConfiguration;
  /** The job's Glue 5 log groups (output and error). */
  public readonly logGroups: logs.ILogGroup[];
  /** The table root in the target bucket. */
  public readonly tablePath: string;
  /** The namespace of the job's own metrics. */
  public readonly metricsNamespace: string;
  /** The `Table` dimension of the job's metrics: the last segment of the table path, as the script derives it. */
  public readonly metricsTable: string;
  /** The DynamoDB table of Delta's log store, in multi-writer mode. */
  public readonly logStoreTable?: dynamodb.ITable;

  private readonly jobPolicy: ReasonedPolicy;
  /** The problems of the job's props, reported at synth. */
  private readonly validator: PropsValidator;

  constructor(scope: Construct, id: string, props: LeastPrivilegeGlueJobProps) {
    super(scope, id);
    // Every problem is reported at synth, with those of the app's other constructs; a bad value
    // is replaced by its default meanwhile (see PropsValidator).
    const v = new PropsValidator('LeastPrivilegeGlueJob');
    v.deferTo(this);
    this.validator = v;
    const s = jobSettingsOf(this, v, props);
    this.metricsNamespace = s.metricsNamespace;
    this.tablePath = s.tablePath;
    this.metricsTable = tableDimension(s.tablePath);

    this.role = this.createRole(props.role);
    this.jobPolicy = new ReasonedPolicy(new iam.ManagedPolicy(this, 'Policy', {
      description: `cdk-secure-delta-lake: permissions of the Glue job ${this.node.path}`,
      roles: [this.role],
    }));
    const logging = this.createLogging(props, s);
    this.key = logging.key;
    this.logGroups = [logging.output, logging.error];
    this.securityConfiguration = this.createSecurityConfiguration(props.target, logging.key);

    grantData(this, this.role, this.jobPolicy, v, props, s);
    grantLogsBookmarksAndMetrics(this.jobPolicy, logging, this.metricsNamespace);
    const secretArguments = grantSecrets(this, this.jobPolicy, s.secrets, props.allowSecretsWithoutRotation ?? false);
    const script = this.bindScript(props, s.secrets);
    const delta = this.configureDelta(s.multiWriter, logging.key, s.removalPolicy);
    this.logStoreTable = delta.logStoreTable;

    const args = managedArguments(v, props, s, this.metricsNamespace, logging.prefix, delta.conf, secretArguments);
    this.job = this.createJob(s, script, delta.extraJars, args);
    lockArguments(this.job, Object.keys(args.managed), `s3://${script.bucketName}/${script.objectKey}`);

    // The PII zones: the raw CSV files and the quarantine admit only their grantees, whatever
    // broad policies other principals of the account hold.
    s.sourceLake?.restrictToGrantees(s.sourcePrefix);
    props.target.restrictToGrantees(`${s.tablePath}/quarantine`);
  }

  /** The role: dedicated, on the path lake buckets admit across stacks, trusted by Glue only; or the app's, with a warning. */
  private createRole(role: iam.IRole | undefined): iam.IRole {
    if (role) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:userRole',
        'the job uses a role supplied by the app: least privilege is no longer guaranteed by this construct; the job\'s permissions are added to it');
      return role;
    }
    return new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH,
      description: `cdk-secure-delta-lake: runs the Glue job ${this.node.path}`,
    });
  }

  /** The job's key (logs and bookmarks; CloudWatch Logs may use it for these log groups only) and its two log groups. */
  private createLogging(props: LeastPrivilegeGlueJobProps, s: JobSettings): JobLogging {
    const stack = Stack.of(this);
    const unique = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    const prefix = s.logGroupPrefix ?? `/aws-glue/jobs/sdl/${unique}`;
    const names = glueLogGroupNames(prefix);
    const logGroupArn = (name: string) => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // A shared key (a lake's): its owner admits CloudWatch Logs for the job's log groups.
    const key = props.logsKey ?? this.createKey(props.administratorArns, s.removalPolicy, [logGroupArn(names.output), logGroupArn(names.error)]);
    const logGroup = (id: string, logGroupName: string) => new logs.LogGroup(this, id, {
      logGroupName,
      encryptionKey: key,
      retention: s.logRetention,
      removalPolicy: s.removalPolicy,
    });
    const output = logGroup('OutputLogs', names.output);
    const error = logGroup('ErrorLogs', names.error);
    if (s.logRetention !== logs.RetentionDays.INFINITE && s.logRetention < logs.RetentionDays.ONE_YEAR) {
      Annotations.of(this).addWarningV2('cdk-secure-delta-lake:shortLogRetention',
        `logRetention is ${s.logRetention} days, below the 365 days of the default; audits may need longer`);
    }
    return { key, prefix, output, error, streamArns: [names.output, names.error].map((n) => `${logGroupArn(n)}:*`) };
  }

  private createKey(administratorArns: string[] | undefined, removalPolicy: RemovalPolicy, logGroupArns: string[]): kms.IKey {
    const own = new kms.Key(this, 'Key', {
      description: `cdk-secure-delta-lake: logs and bookmarks of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    allowLogsForLogGroups(own, 'AllowCloudWatchLogsForTheJobLogGroups', Stack.of(this).region, logGroupArns);
    denyGrantsOutsideAwsServices(own);
    // A stack without an execution role and no administratorArns: reported, the account root stands in meanwhile.
    denyKeyAdministration(own, this.validator.attempt(() => administratorsOf(this, 'LeastPrivilegeGlueJob', administratorArns), [accountRootArn(this)]));
    return own;
  }

  private createSecurityConfiguration(target: ISecureDeltaLakeBucket, key: kms.IKey): glue.SecurityConfiguration {
    return new glue.SecurityConfiguration(this, 'SecurityConfiguration', {
      // Glue applies one S3 key per job to all its writes: the curated bucket's key, which its bucket policy demands.
      s3Encryption: glue.S3Encryption.kms(target.encryptionKey),
      cloudWatchEncryption: glue.CloudWatchEncryption.kms(key),
      jobBookmarksEncryption: glue.JobBookmarksEncryption.clientSideKms(key),
    });
  }

  /** The script: its one object, never the rest of the staging bucket. */
  private bindScript(props: LeastPrivilegeGlueJobProps, secrets: { [k: string]: secretsmanager.ISecret }): BoundJobScript {
    const script = (props.script ?? JobScript.ingestion()).bind(this);
    const keyArgument = argumentFlag('PSEUDONYM_KEY').slice(2);
    this.validator.check(!(script.isIngestionScript && props.schema.columns.some((c) => c.pii) && !secrets[keyArgument]),
      'the schema has PII columns, which the ingestion script pseudonymizes with a key read from Secrets Manager; ' +
      `pass the key's secret as secrets: { '${keyArgument}': secret }`);
    this.jobPolicy.add('the job reads its own script object', ...script.readStatements);
    return script;
  }

  /** Delta's session settings, and in multi-writer mode the DynamoDB table its log store coordinates commits through. */
  private configureDelta(multiWriter: MultiWriterOptions | undefined, key: kms.IKey, removalPolicy: RemovalPolicy):
  { conf: string[]; extraJars?: glue.Code[]; logStoreTable?: dynamodb.ITable } {
    const conf = [
      'spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension',
      'spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog',
    ];
    if (!multiWriter) return { conf };
    const table = new dynamodb.Table(this, 'DeltaLogStore', {
      partitionKey: { name: 'tablePath', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'fileName', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expireTime',
      removalPolicy,
    });
    acknowledge(table, 'logStoreNoBackupPlan');
    const store = 'io.delta.storage.S3DynamoDBLogStore';
    conf.push(`spark.delta.logStore.s3.impl=${store}`, `spark.delta.logStore.s3a.impl=${store}`,
      `spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName=${table.tableName}`,
      `spark.io.delta.storage.S3DynamoDBLogStore.ddb.region=${Stack.of(this).region}`);
    // Exactly what S3DynamoDBLogStore calls: DescribeTable at start, GetItem, PutItem (conditional) and Query.
    // No CreateTable: the table is provisioned here, and a missing table must fail, not be recreated.
    this.jobPolicy.add('Delta\'s DynamoDB log store coordinates the commits of concurrent writers',
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        resources: [table.tableArn],
      }),
    );
    const jar = new s3assets.Asset(this, 'LogStoreJar', { path: multiWriter.logStoreJarPath });
    this.jobPolicy.add('the job reads the log-store jar', new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [jar.bucket.arnForObjects(jar.s3ObjectKey)] }));
    return { conf, extraJars: [new BoundCode(jar.s3BucketName, jar.s3ObjectKey)], logStoreTable: table };
  }

  private createJob(s: JobSettings, script: BoundJobScript, extraJars: glue.Code[] | undefined, args: ManagedArguments): glue.IJob {
    const common = {
      role: this.role,
      script: new BoundCode(script.bucketName, script.objectKey),
      extraPythonFiles: script.extraPythonFiles?.map((o) => new BoundCode(o.bucketName, o.objectKey)),
      glueVersion: s.glueVersion === GlueJobVersion.V5_1 ? glue.GlueVersion.V5_1 : glue.GlueVersion.V5_0,
      workerConfiguration: { workerType: s.workerType as unknown as glue.WorkerType, numberOfWorkers: s.maxWorkers },
      maxConcurrentRuns: s.writers,
      extraJars,
      maxRetries: s.maxRetries,
      timeout: s.timeout,
      securityConfiguration: this.securityConfiguration,
      continuousLogging: { enabled: false },
      defaultArguments: { ...args.appArguments, ...args.managed },
      description: `cdk-secure-delta-lake: ingests ${s.sourcePrefix}/ into the Delta table ${s.tablePath}`,
    };
    return s.flex ? new glue.PySparkFlexEtlJob(this, 'Resource', common) : new glue.PySparkEtlJob(this, 'Resource', common);
  }

  /**
   * Operate the job (data engineers): start, stop and read its runs, read its logs. Nothing else:
   * no data, no other job, no role passing.
   *
   * A run cannot replace the arguments the construct manages or Glue's code-bearing parameters
   * (they are non-overridable), but it may still choose its own worker type and count, timeout,
   * execution class and security configuration: `AuditedPipeline` alerts on every run started
   * with such overrides, and its operators start the workflow instead (`grantMonitor` here).
   *
   * @param grantee a role or a user
   */
  public grantOperate(grantee: iam.IGrantable): iam.Grant {
    operatorStatements(this, this.job, this.logGroups, grantee, 'LeastPrivilegeGlueJob.grantOperate', true);
    return iam.Grant.drop(grantee, `operate ${this.node.path}`);
  }

  /**
   * Follow the job without starting it: read its definition and runs, stop runs, read its logs.
   * For operators who start runs through a workflow, which runs the job with its own arguments.
   *
   * @param grantee a role or a user
   */
  public grantMonitor(grantee: iam.IGrantable): iam.Grant {
    operatorStatements(this, this.job, this.logGroups, grantee, 'LeastPrivilegeGlueJob.grantMonitor', false);
    return iam.Grant.drop(grantee, `monitor ${this.node.path}`);
  }

  /**
   * A metric the ingestion script publishes for this job (see `JobMetrics`), with its `JobName`
   * and `Table` dimensions.
   *
   * @param metricName a name of `JobMetrics`
   * @param props period, statistic and label
   * @default - Sum over 5 minutes
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { JobName: this.job.jobName, Table: this.metricsTable },
      statistic: 'Sum',
      ...props,
    });
  }

  /** Records read per run (Sum). */
  public metricRecordsRead(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.RECORDS_READ, props);
  }

  /** Records written to the table (Sum). */
  public metricRecordsValid(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.RECORDS_VALID, props);
  }

  /** Records written to the quarantine (Sum). */
  public metricRecordsQuarantined(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.RECORDS_QUARANTINED, props);
  }

  /** Runs that committed (Sum). */
  public metricRunsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.RUNS_SUCCEEDED, props);
  }

  /** Runs that the quarantine ratio failed closed (Sum). */
  public metricRunsFailedClosed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.FAILED_CLOSED, props);
  }

  /** Files refused by runs (Sum). */
  public metricFilesRefused(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JobMetrics.FILES_REFUSED, props);
  }

}

/** A script location that grants nothing: the job grants its one object itself. */
class BoundCode extends glue.Code {
  constructor(private readonly bucketName: string, private readonly objectKey: string) {
    super();
  }

  public bind(_scope: Construct, _grantable: iam.IGrantable): glue.CodeConfig {
    return { s3Location: { bucketName: this.bucketName, objectKey: this.objectKey } };
  }
}
