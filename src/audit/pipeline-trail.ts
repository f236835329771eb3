import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { logAccessInto } from '../private/access-logs';
import { denyConfigurationChanges } from '../private/bucket-guards';
import { acknowledge, ReasonedPolicy } from '../private/compliance';
import { allowLogsForLogGroups } from '../private/keys';

/** @internal */
export interface PipelineTrailProps {
  readonly trailName: string;
  readonly key: kms.Key;
  /** Buckets whose object-level (data) events are recorded. */
  readonly dataBuckets: s3.IBucket[];
  /** Also record the account's management events in every region (IAM included). */
  readonly accountTrail: boolean;
  readonly logRetention: logs.RetentionDays;
  /** Where the trail bucket's own server access logs go (a created access-log bucket). */
  readonly accessLogBucket?: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  /** Who may change the trail bucket's configuration (the deployment role first). */
  readonly administrators: string[];
}

/**
 * The pipeline's CloudTrail trail (DESIGN-NOTES 8): the L2 `Trail` for the bucket and its policy,
 * with what it lacks set on the `CfnTrail`: advanced event selectors, a CloudWatch Logs delivery
 * role whose permissions sit in a customer-managed policy, and the key statements CloudTrail and
 * CloudWatch Logs need.
 *
 * @internal
 */
export class PipelineTrail extends Construct {
  public readonly trail: cloudtrail.Trail;
  public readonly trailArn: string;
  public readonly bucket: s3.Bucket;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: props.trailName });
    const logGroupName = `/cdk-secure-delta-lake/trail/${props.trailName}`;
    const logGroupArn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.allowTrailToUseKey(props.key, logGroupArn);
    this.bucket = this.createBucket(props);
    const delivery = this.createLogDelivery(props, logGroupName, logGroupArn);
    this.logGroup = delivery.logGroup;
    this.trail = this.createTrail(props, delivery.role, delivery.policy);
  }

  /** The key statements CloudTrail (this trail only) and CloudWatch Logs (the trail's log group) need. */
  private allowTrailToUseKey(key: kms.Key, logGroupArn: string): void {
    const stack = Stack.of(this);
    // CloudTrail encrypts log files with the key for this trail only (confused-deputy conditions).
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToEncryptLogsOfThisTrail',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': this.trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: '*' }) },
      },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToDescribeTheKey',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': this.trailArn } },
    }));
    allowLogsForLogGroups(key, 'AllowCloudWatchLogsForTheTrailLogGroup', stack.region, [logGroupArn]);
  }

  /** The trail bucket: KMS, TLS, object lock, only this trail writes, no governance bypass, configuration fenced. */
  private createBucket(props: PipelineTrailProps): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // Log files cannot be overwritten or deleted for a year, even by administrators without the bypass permission.
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
      removalPolicy: props.removalPolicy,
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    acknowledge(bucket, 'trailBucketNoReplication');
    // The L2 admits CloudTrail's writes without naming the trail: another account's trail could
    // deliver under this account's prefix. Only this trail may write.
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyCloudTrailWritesOfOtherTrails',
      effect: iam.Effect.DENY,
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEquals: { 'aws:SourceArn': this.trailArn } },
    }));
    // Governance-mode retention yields to s3:BypassGovernanceRetention: nobody gets it here, so
    // log files stay for their retention (changing this statement is a configuration change).
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyGovernanceBypass',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:BypassGovernanceRetention'],
      resources: [bucket.bucketArn, bucket.arnForObjects('*')],
    }));
    denyConfigurationChanges(bucket, props.administrators);
    const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    if (props.accessLogBucket) {
      logAccessInto(bucket, props.accessLogBucket, `trail/${props.trailName}/`, 'S3ServerAccessLogsDeliveryForTheTrailBucket');
    }
    return bucket;
  }

  /** The trail's log group, and the role CloudTrail delivers to it with (its permissions in a customer-managed policy). */
  private createLogDelivery(
    props: PipelineTrailProps, logGroupName: string, logGroupArn: string,
  ): { logGroup: logs.LogGroup; role: iam.Role; policy: iam.ManagedPolicy } {
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const logsRole = new iam.Role(this, 'LogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceArn': this.trailArn } },
      }),
      description: `cdk-secure-delta-lake: delivers the trail ${props.trailName} to CloudWatch Logs`,
    });
    const logsPolicy = new ReasonedPolicy(new iam.ManagedPolicy(this, 'LogsPolicy', {
      roles: [logsRole],
      description: `cdk-secure-delta-lake: CloudTrail writes to ${logGroupName}`,
    }));
    logsPolicy.add('CloudTrail creates its log streams in the trail\'s log group (names are chosen by CloudTrail)',
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroupArn}:log-stream:*`] }));
    return { logGroup, role: logsRole, policy: logsPolicy.policy };
  }

  /** The trail, with what the L2 lacks set on the L1: advanced event selectors and the CloudWatch Logs delivery. */
  private createTrail(props: PipelineTrailProps, logsRole: iam.Role, logsPolicy: iam.ManagedPolicy): cloudtrail.Trail {
    const trail = new cloudtrail.Trail(this, 'Resource', {
      trailName: props.trailName,
      bucket: this.bucket,
      encryptionKey: props.key,
      enableFileValidation: true,
      isMultiRegionTrail: props.accountTrail,
      includeGlobalServiceEvents: props.accountTrail,
    });
    // The L2 has no advanced selectors and creates its logs role with an inline policy: set both on the L1.
    const cfn = trail.node.defaultChild as cloudtrail.CfnTrail;
    cfn.eventSelectors = undefined;
    cfn.cloudWatchLogsLogGroupArn = this.logGroup.logGroupArn;
    cfn.cloudWatchLogsRoleArn = logsRole.roleArn;
    const selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] = [{
      name: 'Object-level events of the pipeline data buckets (never the log buckets)',
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        { field: 'resources.ARN', startsWith: props.dataBuckets.map((b) => `${b.bucketArn}/`) },
      ],
    }];
    if (props.accountTrail) {
      selectors.push({
        name: 'Management events of the account, all regions, global services (IAM) included',
        fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
      });
    }
    cfn.advancedEventSelectors = selectors;
    cfn.node.addDependency(logsPolicy);
    return trail;
  }
}
