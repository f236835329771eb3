/**
 * The pseudonymization key of an AuditedPipeline against same-account principals with broad
 * policies: its secret and its KMS key hold whatever IAM policies say (decided by the evaluator),
 * and the administrators are named or refused at synth.
 */
import { App, CliCredentialsStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import { AuditedPipeline, ColumnType, TableSchema } from '../../src';
import { testStack } from '../compliance/harness';
import { PolicyDocument, PolicyWorld } from '../kit/policy-kit';
import { problemAt, synthError } from '../kit/synth-error';

const schema = TableSchema.of([
  { name: 'customer_id', type: ColumnType.LONG, nullable: false },
  { name: 'email', type: ColumnType.STRING, pii: true },
]);

const stack = testStack('Key');
const pipeline = new AuditedPipeline(stack, 'Customers', {
  tableName: 'customers',
  schema,
  administratorArns: ['arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_*'],
});
const world = PolicyWorld.of(stack);
const t = world.template(stack);
const secretArn = t.ref(stack.getLogicalId(pipeline.pseudonymKey!.node.defaultChild as any));
const secretKeyArn = world.keyArn(pipeline.pseudonymKey!.encryptionKey!);
const jobRole = world.roleArn(pipeline.job.role);
const rotationRole = (() => {
  const roles = t.logicalIdsOfType('AWS::IAM::Role').filter((id) => id.includes('RotationRole'));
  expect(roles).toHaveLength(1);
  return t.getAtt(roles[0], 'Arn');
})();
const deployer = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';
const ssoAdmin = 'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef';
const broad = 'arn:aws:iam::111111111111:role/platform-automation';
const everything: PolicyDocument[] = [{ Statement: [{ Effect: 'Allow', Action: ['secretsmanager:*', 'kms:*'], Resource: '*' }] }];
const viaSecretsManager = { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' };

const secret = (principal: string, action: string, identityPolicies?: PolicyDocument[]) =>
  world.decide({ principal, action, resource: secretArn, identityPolicies });
const key = (principal: string, action: string, context: { [k: string]: string } = {}, identityPolicies?: PolicyDocument[]) =>
  world.decide({ principal, action, resource: secretKeyArn, context, identityPolicies });

describe('the pseudonymization key against a same-account role with secretsmanager:* and kms:*', () => {
  test.each([
    'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage',
    'secretsmanager:ReplicateSecretToRegions', 'secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret',
    'secretsmanager:RestoreSecret', 'secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy',
    'secretsmanager:UpdateSecret', 'secretsmanager:DeleteSecret',
  ])('SDL-SEC-02: %s on the secret is explicitly denied', async (action) => {
    expect(await secret(broad, action, everything)).toBe('ExplicitlyDenied');
  });

  test.each(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey'])(
    'SDL-SEC-02: %s on the secret\'s key is explicitly denied, through Secrets Manager or not', async (action) => {
      expect(await key(broad, action, viaSecretsManager, everything)).toBe('ExplicitlyDenied');
      expect(await key(broad, action, {}, everything)).toBe('ExplicitlyDenied');
    });
});

describe('the principals that need the key still reach it', () => {
  test('SDL-SEC-02: the job role reads the key through Secrets Manager, and can neither write nor manage it', async () => {
    expect(await secret(jobRole, 'secretsmanager:GetSecretValue')).toBe('Allowed');
    expect(await key(jobRole, 'kms:Decrypt', viaSecretsManager)).toBe('Allowed');
    expect(await secret(jobRole, 'secretsmanager:PutSecretValue', everything)).toBe('ExplicitlyDenied');
    expect(await secret(jobRole, 'secretsmanager:PutResourcePolicy', everything)).toBe('ExplicitlyDenied');
  });

  test('SDL-SEC-03: the rotation function reads and writes versions, and encrypts through Secrets Manager', async () => {
    const staged = (action: string, stage: string) => world.decide({
      principal: rotationRole, action, resource: secretArn, context: { 'secretsmanager:VersionStage': stage },
    });
    expect(await staged('secretsmanager:GetSecretValue', 'AWSPENDING')).toBe('Allowed');
    expect(await secret(rotationRole, 'secretsmanager:PutSecretValue')).toBe('Allowed');
    expect(await staged('secretsmanager:UpdateSecretVersionStage', 'AWSCURRENT')).toBe('Allowed');
    // Whoever changes the function's code acts as its role, and still cannot read the current key.
    expect(await staged('secretsmanager:GetSecretValue', 'AWSCURRENT')).toBe('ExplicitlyDenied');
    expect(await secret(rotationRole, 'secretsmanager:GetSecretValue')).toBe('ExplicitlyDenied');
    expect(await staged('secretsmanager:UpdateSecretVersionStage', 'AWSPREVIOUS')).toBe('ExplicitlyDenied');
    expect(await key(rotationRole, 'kms:GenerateDataKey', viaSecretsManager)).toBe('Allowed');
    expect(await secret(rotationRole, 'secretsmanager:CancelRotateSecret', everything)).toBe('ExplicitlyDenied');
  });

  test('the deployment role and the named administrators manage the secret and its key, but cannot read the key', async () => {
    for (const admin of [deployer, ssoAdmin]) {
      for (const action of ['secretsmanager:PutResourcePolicy', 'secretsmanager:UpdateSecret', 'secretsmanager:RotateSecret']) {
        expect(await secret(admin, action, everything)).toBe('Allowed');
      }
      expect(await key(admin, 'kms:PutKeyPolicy', {}, everything)).toBe('Allowed');
      expect(await secret(admin, 'secretsmanager:GetSecretValue', everything)).toBe('ExplicitlyDenied');
    }
  });

  test('the account root keeps the key\'s administration (KMS has no other break-glass path)', async () => {
    expect(await key('arn:aws:iam::111111111111:root', 'kms:PutKeyPolicy', {}, everything)).toBe('Allowed');
  });

  test('CloudWatch Logs still encrypts the rotation function\'s log group with the key', async () => {
    const logGroups = t.logicalIdsOfType('AWS::Logs::LogGroup').map((id) => t.resources[id].Properties.LogGroupName as string);
    const rotationLogs = logGroups.find((n) => n.startsWith('/cdk-secure-delta-lake/rotation/'))!;
    const arn = `arn:aws:logs:eu-west-1:111111111111:log-group:${rotationLogs}`;
    expect(await world.decide({
      principal: 'logs.eu-west-1.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: secretKeyArn,
      context: { 'kms:EncryptionContext:aws:logs:arn': arn },
    })).toBe('Allowed');
  });
});

describe('administrators and rotation are checked at synth', () => {
  test('a stack that deploys without an execution role must name its administrators', () => {
    const app = new App();
    const s = new Stack(app, 'Cli', { env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: new CliCredentialsStackSynthesizer() });
    expect(synthError(() => new AuditedPipeline(s, 'P', { tableName: 'customers', schema })))
      .toMatch(problemAt('Cli/P', /the stack Cli deploys without a CloudFormation execution role .* administratorArns/));
    const app2 = new App();
    const named = new Stack(app2, 'Named', { env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: new CliCredentialsStackSynthesizer() });
    new AuditedPipeline(named, 'P', { tableName: 'customers', schema, administratorArns: ['arn:aws:iam::111111111111:role/deployer'] });
    expect(() => app2.synth()).not.toThrow();
  });

  test('administratorArns must be role or user ARNs that do not admit everyone, and rotation at most a year', () => {
    const build = () => new AuditedPipeline(testStack('Bad'), 'P', {
      tableName: 'customers',
      schema,
      administratorArns: ['*', 'arn:aws:iam::111111111111:role/*', 'arn:aws:iam::111111111111:role/platform/*'],
      pseudonymKeyRotation: Duration.days(3650),
    });
    const message = synthError(build);
    // Four problems, each once (the lake and the table under the pipeline do not repeat them).
    expect(message.split('\n').slice(1)).toHaveLength(4);
    expect(message).toMatch(problemAt('Bad/P', /administratorArns: 'arn:aws:iam::111111111111:role\/platform\/\*' admits every role or user on a path/));
    expect(message).toMatch(problemAt('Bad/P', /administratorArns: '\*' is not an IAM role or user ARN/));
    expect(message).toMatch(problemAt('Bad/P', /administratorArns: 'arn:aws:iam::111111111111:role\/\*' admits every role or user/));
    expect(message).toMatch(problemAt('Bad/P', /pseudonymKeyRotation must be whole days from 1 to 365/));
  });
});
