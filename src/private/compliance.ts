import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Every compliance-pack finding the library acknowledges, with its reason, in one place.
 *
 * Keys are stable names used by the constructs; the test suite pins the list of acknowledgments
 * each construct records, so a new one cannot slip in unnoticed.
 */
export const ACKNOWLEDGMENTS = {
  accessLogBucketNoLogging: {
    rules: ['AwsSolutions-S1', 'HIPAA.Security-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketLoggingEnabled',
      'CKV_AWS_18', 's3_bucket_logging_enabled_check'],
    reason: 'this is the server access log bucket: logging it into itself would loop and into another bucket would only move the question',
  },
  accessLogBucketSseS3: {
    rules: ['HIPAA.Security-S3DefaultEncryptionKMS', 'NIST.800.53.R5-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS', 's3_bucket_default_encryption_kms_check'],
    reason: 'S3 server access log delivery is documented to support SSE-S3 only on the target bucket; access logs hold request metadata, not lake data',
  },
  accessLogBucketNoReplication: {
    rules: ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
    reason: 'access logs are versioned and retained in place; cross-region replication of logs is an account-level decision outside this construct',
  },
  logStoreNoBackupPlan: {
    rules: ['HIPAA.Security-DynamoDBInBackupPlan', 'NIST.800.53.R5-DynamoDBInBackupPlan'],
    reason: 'the Delta log-store table holds transient commit-coordination entries that expire within a day (TTL); point-in-time recovery is on and the Delta log in S3 is the record',
  },
  trailBucketNoReplication: {
    rules: ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
    reason: 'the trail bucket is versioned, KMS-encrypted and retained, and its log files are digest-validated; copying audit logs to another region or account is an organization-level decision (an organization trail)',
  },
  rotationFunctionOutsideVpc: {
    rules: ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC', 'CKV_AWS_117', 'lambda_inside_vpc_check'],
    reason: 'the rotation function only calls the Secrets Manager API over TLS with its role and reaches no private resource; a VPC would add endpoints and no protection',
  },
  rotationFunctionSynchronous: {
    rules: ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'Serverless-LambdaDLQ', 'Serverless-LambdaAsyncFailureDestination', 'CKV_AWS_116'],
    reason: 'Secrets Manager invokes the rotation function synchronously and retries a failed rotation itself; a dead-letter queue would never receive an event',
  },
  alertDeadLetterQueue: {
    rules: ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy', 'sqs_dlq_check'],
    reason: 'this queue is the dead-letter queue of the alert rules and subscriptions; it has no dead-letter queue of its own',
  },
  accessLogBucketNoObjectLock: {
    rules: ['s3_bucket_object_lock_enabled_check'],
    reason: 'access logs expire by lifecycle after their retention; Object Lock would keep them past it. The bucket is versioned, TLS-only and written only by S3 log delivery',
  },
  lakeBucketNoObjectLock: {
    rules: ['s3_bucket_object_lock_enabled_check'],
    reason: 'Object Lock is opt-in (the objectLock prop): Delta removes expired _delta_log files and VACUUM removes data files, which a default retention would block; versioning and RETAIN protect the data',
  },
  pipelineTrailSingleRegion: {
    rules: ['CKV_AWS_67'],
    reason: 'this trail records the data events of the pipeline buckets in their region; account-wide multi-region auditing belongs to the account or organization trail (accountTrail: true creates one)',
  },
  rotationPermissionAccountReference: {
    rules: ['lambda_function_public_access_prohibited_check'],
    reason: 'the invoke permission is limited to Secrets Manager calls from the stack\'s own account (SourceAccount); in an environment-agnostic stack the account is a reference, which the rule reads as empty',
  },
  lakeBucketNoReplication: {
    rules: ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
    reason: 'replication is off by default (set the replication prop to turn it on); versioning and RETAIN protect the data in place',
  },
};

/**
 * Reasons of granular findings, whose ids depend on resolved ARNs (`AwsSolutions-IAM5[Resource::...]`):
 * one per decision, recorded through `ReasonedPolicy`.
 */
export const GRANULAR_REASONS = {
  lakeWorkflowsByNamePrefix: 'EventBridge may notify the workflows of this lake only, named with the lake name as prefix: the tables live in other stacks, ' +
    'and naming each workflow would make the lake depend on every table stack (a cycle) and change the lake stack with each table',
};

export type AcknowledgmentKey = keyof typeof ACKNOWLEDGMENTS;

/** Record the acknowledgments of one key on a construct. */
export function acknowledge(scope: IConstruct, key: AcknowledgmentKey): void {
  const a = ACKNOWLEDGMENTS[key];
  for (const id of a.rules) {
    Validations.of(scope).acknowledge({ id, reason: a.reason });
  }
}

/** Record one acknowledgment (a granular finding such as `AwsSolutions-IAM5[Resource::...]`). */
export function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Flatten a resolved CloudFormation value the way the compliance packs name granular findings:
 * `{ "Fn::GetAtt": ["Bucket", "Arn"] }` becomes `<Bucket.Arn>`, a `Ref` becomes `<Id>`, joins are joined.
 */
export function flattenForFinding(value: any): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'];
    return items.map(flattenForFinding).join(delimiter);
  }
  if (value['Fn::Sub']) return flattenForFinding(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'];
    return `<${flattenForFinding(resource)}.${flattenForFinding(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flattenForFinding(value['Fn::ImportValue']);
  if (value.Ref) return `<${flattenForFinding(value.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * The `AwsSolutions-IAM5` finding ids of a policy document's Allow statements (wildcards in
 * actions or resources), resolved in the stack of `scope`.
 */
export function wildcardFindings(scope: IConstruct, statementsJson: any[]): string[] {
  const out = new Set<string>();
  for (const st of Stack.of(scope).resolve(statementsJson) as any[]) {
    if (st.Effect !== 'Allow') continue;
    for (const a of [].concat(st.Action ?? [])) if (String(a).includes('*')) out.add(`AwsSolutions-IAM5[Action::${a}]`);
    for (const r of [].concat(st.Resource ?? [])) {
      const flat = flattenForFinding(r);
      if (flat.includes('*')) out.add(`AwsSolutions-IAM5[Resource::${flat}]`);
    }
  }
  return [...out];
}

/**
 * Statements of a customer-managed policy with the reason each was granted. Object-level
 * statements need `prefix/*` resources, which the AwsSolutions pack reports (IAM5); their
 * acknowledgments are generated from the statements themselves, once references between stacks
 * are resolved (the finding ids depend on them), each with the reason of its statement.
 */
export class ReasonedPolicy {
  private readonly grants: Array<[iam.PolicyStatement, string]> = [];
  private readonly done = new Set<string>();

  constructor(public readonly policy: iam.ManagedPolicy) {
    policy.node.addValidation({
      validate: () => {
        for (const [statement, reason] of this.grants) {
          for (const id of wildcardFindings(policy, [statement.toStatementJson()])) {
            if (this.done.has(id)) continue;
            this.done.add(id);
            acknowledgeFinding(policy, id, reason);
          }
        }
        return [];
      },
    });
  }

  /** Add statements, all granted for one reason. */
  public add(reason: string, ...statements: iam.PolicyStatement[]): void {
    for (const s of statements) {
      this.policy.addStatements(s);
      this.grants.push([s, reason]);
    }
  }
}
