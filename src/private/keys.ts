import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { accountRootArn } from './administrators';

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

/**
 * CloudWatch Logs of the key's region may use the key for these log groups only (the encryption
 * context names the group); without it, associating the key with a log group fails.
 */
export function allowLogsForLogGroups(key: kms.IKey, sid: string, region: string, logGroupArns: string[]): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArns.length === 1 ? logGroupArns[0] : logGroupArns } },
  }));
}

/** KMS calls that change who may use a key, or disable or destroy it. */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:DisableKeyRotation',
  'kms:ReplicateKey', 'kms:UpdatePrimaryRegion', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias',
];

/**
 * Only the administrators administer the key, whatever IAM policies say: a same-account principal
 * with `kms:*` can neither disable it (which would silence what it encrypts, such as the alert
 * topic), schedule its deletion (which would destroy the data), nor rewrite its policy. KMS has no
 * break-glass path of its own, so the account root keeps the administration; the deployment role
 * must be among the administrators, or `CreateKey`'s lockout safety check refuses the policy.
 */
export function denyKeyAdministration(key: kms.Key, administrators: string[]): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyKeyAdministrationOutsideAdministrators',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: KEY_ADMINISTRATION_ACTIONS,
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      ArnNotLikeIfExists: { 'aws:PrincipalArn': [...administrators, accountRootArn(key)] },
    },
  }));
}
