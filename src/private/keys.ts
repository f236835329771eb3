import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Keys of this library refuse KMS grants that are neither for an AWS resource nor made by an AWS
 * service: a grant is a way around the key policy, and only integrated services (S3, Glue, Logs,
 * Secrets Manager) need them. This is the statement AWS Control Tower's CT.KMS.PR.3 asks for.
 */
export function denyGrantsOutsideAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsNotForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}
