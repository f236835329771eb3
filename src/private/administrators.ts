import { DefaultStackSynthesizer, Fn, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The principals that may change the configuration of a resource the library guards: the stack's
 * CloudFormation execution role (so that deployments keep working) and the ARNs the app names.
 *
 * The deployment role comes from the stack synthesizer. A synthesizer without one (CLI
 * credentials, legacy) deploys as whoever runs `cdk deploy`, which the library cannot know: the
 * app must then name its administrators.
 */
export function administratorsOf(scope: IConstruct, owner: string, named: string[] | undefined): string[] {
  const stack = Stack.of(scope);
  const admins: string[] = [];
  const synthesizer = stack.synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // The synthesizer's ARN keeps `${AWS::AccountId}`-style placeholders in an environment-agnostic stack.
    const arn = synthesizer.cloudFormationExecutionRoleArn;
    admins.push(/\$\{AWS::/.test(arn) ? Fn.sub(arn) : arn);
  }
  for (const arn of named ?? []) {
    if (!admins.includes(arn)) admins.push(arn);
  }
  if (admins.length === 0) {
    throw new Error(`${owner}: the stack ${stack.stackName} deploys without a CloudFormation execution role (its synthesizer is ${synthesizer.constructor.name}), ` +
      'so the library cannot tell who may change the configuration it guards; name the principals that deploy and administer it with administratorArns ' +
      "(for example ['arn:aws:iam::111111111111:role/deployer'])");
  }
  return admins;
}

/** Problems with administrator ARNs given by the app (each an IAM role or user ARN, or a pattern of them). */
export function administratorArnProblems(prop: string, arns: string[] | undefined): string[] {
  const problems: string[] = [];
  for (const arn of arns ?? []) {
    if (Token.isUnresolved(arn)) continue;
    if (!/^arn:[a-z-]+:iam::(\d{12}|\*):(role|user)\/.+$/.test(arn)) {
      problems.push(`${prop}: '${arn}' is not an IAM role or user ARN; give ARNs such as 'arn:aws:iam::111111111111:role/platform-admin' ` +
        "(wildcards allowed after 'role/', for IAM Identity Center roles 'role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*')");
    } else if (/^arn:[a-z-]+:iam::[^:]*:(role|user)\/\*$/.test(arn) || arn.includes(':iam::*:')) {
      problems.push(`${prop}: '${arn}' admits every role or user (of any account); name the administrators' roles`);
    } else if (arn.endsWith('/*')) {
      problems.push(`${prop}: '${arn}' admits every role or user on a path; name the administrators' roles, or a name pattern such as 'role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*'`);
    }
  }
  return problems;
}

/** The account root: KMS has no break-glass of its own, so key administration always admits it. */
export function accountRootArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'root' });
}
