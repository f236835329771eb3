import { App, Aws, CfnCondition, Fn, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PolicyWorld } from './policy-kit';
import { resolveStacks } from './resolve';

const env = { account: '111111111111', region: 'eu-west-1' };

describe('policy test kit over a synthesized bucket policy', () => {
  const app = new App();
  const stack = new Stack(app, 'Kit', { env });
  const bucket = new s3.Bucket(stack, 'Data', { enforceSSL: true, minimumTLSVersion: 1.2 });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  const stranger = new iam.Role(stack, 'Stranger', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  bucket.grantRead(reader, 'in/*');
  const world = PolicyWorld.of(stack);
  const object = `${world.bucketArn(bucket)}/in/file.csv`;

  test('an allowed request: the granted role reads over TLS', async () => {
    expect(await world.decide({ principal: world.roleArn(reader), action: 's3:GetObject', resource: object })).toBe('Allowed');
  });

  test('an implicitly denied request: a role without a grant', async () => {
    expect(await world.decide({ principal: world.roleArn(stranger), action: 's3:GetObject', resource: object })).toBe('ImplicitlyDenied');
  });

  test('an implicitly denied request: outside the granted prefix', async () => {
    const other = `${world.bucketArn(bucket)}/out/file.csv`;
    expect(await world.decide({ principal: world.roleArn(reader), action: 's3:GetObject', resource: other })).toBe('ImplicitlyDenied');
  });

  test('an explicitly denied request: the granted role without TLS', async () => {
    const r = await world.decide({
      principal: world.roleArn(reader),
      action: 's3:GetObject',
      resource: object,
      context: { 'aws:SecureTransport': 'false' },
    });
    expect(r).toBe('ExplicitlyDenied');
  });

  test('an explicitly denied request: TLS 1.1', async () => {
    const r = await world.decide({
      principal: world.roleArn(reader),
      action: 's3:GetObject',
      resource: object,
      context: { 's3:TlsVersion': '1.1' },
    });
    expect(r).toBe('ExplicitlyDenied');
  });

  test('identity policies are collected from the synthesized grants', () => {
    const docs = world.identityPoliciesOf(world.roleArn(reader));
    expect(docs.length).toBeGreaterThan(0);
    expect(JSON.stringify(docs)).toContain(`${world.bucketArn(bucket)}/in/*`);
    expect(world.identityPoliciesOf(world.roleArn(stranger))).toEqual([]);
  });
});

describe('intrinsic resolution', () => {
  test('resolves Ref, GetAtt, Join, Sub and pseudo parameters to concrete ARNs', () => {
    const app = new App();
    const stack = new Stack(app, 'Intrinsics', { env });
    const bucket = new s3.Bucket(stack, 'B');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal(), path: '/team/' });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('a/*'), `arn:${stack.partition}:s3:::${bucket.bucketName}/b/*`, stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'x', arnFormat: 1 as any })],
    }));
    const [t] = resolveStacks([stack]);
    const world = PolicyWorld.of(stack);
    expect(world.roleArn(role)).toMatch(/^arn:aws:iam::111111111111:role\/team\/Intrinsics-R[0-9A-F]+$/);
    const resources = world.identityPoliciesOf(world.roleArn(role))[0].Statement[0].Resource;
    const name = world.bucketArn(bucket).split(':::')[1];
    expect(resources).toEqual(expect.arrayContaining([`arn:aws:s3:::${name}/a/*`, `arn:aws:s3:::${name}/b/*`]));
    expect(JSON.stringify(t.resources)).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
  });

  test('resolves cross-stack references through Fn::ImportValue', () => {
    const app = new App();
    const data = new Stack(app, 'Data', { env });
    const compute = new Stack(app, 'Compute', { env });
    const bucket = new s3.Bucket(data, 'B');
    const role = new iam.Role(compute, 'R', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    bucket.grantRead(role);
    const world = PolicyWorld.of(data, compute);
    const text = JSON.stringify(world.identityPoliciesOf(world.roleArn(role)));
    expect(text).toContain(world.bucketArn(bucket));
    expect(text).not.toContain('Fn::ImportValue');
  });

  test('fails loudly on an intrinsic it cannot resolve', () => {
    const app = new App();
    const stack = new Stack(app, 'If', { env });
    new CfnCondition(stack, 'C', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    new s3.CfnBucket(stack, 'B', { bucketName: Fn.conditionIf('C', 'bucket-a', 'bucket-b').toString() });
    expect(() => resolveStacks([stack])).toThrow(/does not resolve Fn::If/);
  });
});

describe('service principals', () => {
  test('a service principal is evaluated against the resource policy alone', async () => {
    const app = new App();
    const stack = new Stack(app, 'Svc', { env });
    const bucket = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    const world = PolicyWorld.of(stack);
    const put = (account: string) => world.decide({
      principal: 'logging.s3.amazonaws.com',
      action: 's3:PutObject',
      resource: `${world.bucketArn(bucket)}/x`,
      context: { 'aws:SourceAccount': account },
    });
    expect(await put('111111111111')).toBe('Allowed');
    expect(await put('222222222222')).toBe('ImplicitlyDenied');
  });
});

describe('KMS requests', () => {
  test('kms:EncryptionContext:<key> conditions are evaluated, not dropped', async () => {
    const app = new App();
    const stack = new Stack(app, 'Kms', { env });
    const key = new kms.Key(stack, 'K', { enableKeyRotation: true });
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::a' } },
    }));
    const world = PolicyWorld.of(stack);
    const decrypt = (bucket: string) => world.decide({
      principal: world.roleArn(role),
      action: 'kms:Decrypt',
      resource: world.keyArn(key),
      context: { 'kms:EncryptionContext:aws:s3:arn': bucket },
    });
    expect(await decrypt('arn:aws:s3:::a')).toBe('Allowed');
    expect(await decrypt('arn:aws:s3:::b')).toBe('ImplicitlyDenied');
  });

  test('a context key the action does not support fails the test instead of being ignored', async () => {
    const app = new App();
    const stack = new Stack(app, 'Typo', { env });
    const bucket = new s3.Bucket(stack, 'B');
    const world = PolicyWorld.of(stack);
    await expect(world.decide({
      principal: 'arn:aws:iam::111111111111:role/x',
      action: 's3:GetObject',
      resource: `${world.bucketArn(bucket)}/k`,
      context: { 's3:x-amz-server-side-encryptoin': 'aws:kms' },
    })).rejects.toThrow(/ignores context keys .*encryptoin/);
  });
});


describe('principal tags', () => {
  // A bucket in one stack admits, on one prefix, only principals tagged grant=true; the roles live in another stack.
  const app = new App();
  const data = new Stack(app, 'TagData', { env });
  const compute = new Stack(app, 'TagCompute', { env });
  const bucket = new s3.Bucket(data, 'B');
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects('fenced/*')],
    conditions: { StringNotEqualsIfExists: { 'aws:PrincipalTag/sdl-grant-x': 'true' }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
  }));
  const tagged = new iam.Role(compute, 'Tagged', { assumedBy: new iam.AccountRootPrincipal() });
  const untagged = new iam.Role(compute, 'Untagged', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.User(compute, 'TaggedUser');
  Tags.of(tagged).add('sdl-grant-x', 'true');
  Tags.of(user).add('sdl-grant-x', 'true');
  for (const p of [tagged, untagged, user]) bucket.grantRead(p);
  const world = PolicyWorld.of(data, compute);
  const object = `${world.bucketArn(bucket)}/fenced/file.csv`;
  const userArn = world.template(compute).getAtt(compute.getLogicalId(user.node.defaultChild as iam.CfnUser), 'Arn');

  test('the tags of a role or user of the world are read from its resolved Tags', () => {
    expect(world.principalTagsOf(world.roleArn(tagged))).toEqual({ 'sdl-grant-x': 'true' });
    expect(world.principalTagsOf(userArn)).toEqual({ 'sdl-grant-x': 'true' });
    expect(world.principalTagsOf(world.roleArn(untagged))).toEqual({});
    expect(world.principalTagsOf('arn:aws:iam::111111111111:role/not-in-the-world')).toBeUndefined();
  });

  test('a tagged role or user is admitted by aws:PrincipalTag, an untagged one is denied', async () => {
    expect(await world.decide({ principal: world.roleArn(tagged), action: 's3:GetObject', resource: object })).toBe('Allowed');
    expect(await world.decide({ principal: userArn, action: 's3:GetObject', resource: object })).toBe('Allowed');
    expect(await world.decide({ principal: world.roleArn(untagged), action: 's3:GetObject', resource: object })).toBe('ExplicitlyDenied');
    expect(await world.decide({ principal: world.roleArn(untagged), action: 's3:GetObject', resource: `${world.bucketArn(bucket)}/open/file.csv` })).toBe('Allowed');
  });

  test('the tags come from the principal, not from its policies: explicit identity policies keep them', async () => {
    const identityPolicies = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }];
    expect(await world.decide({ principal: world.roleArn(tagged), action: 's3:GetObject', resource: object, identityPolicies })).toBe('Allowed');
    expect(await world.decide({ principal: 'arn:aws:iam::111111111111:role/stranger', action: 's3:GetObject', resource: object, identityPolicies })).toBe('ExplicitlyDenied');
  });

  test('the request context wins over the tags (a removed tag, a forged one)', async () => {
    expect(await world.decide({ principal: world.roleArn(tagged), action: 's3:GetObject', resource: object, context: { 'aws:PrincipalTag/sdl-grant-x': undefined } })).toBe('ExplicitlyDenied');
    expect(await world.decide({ principal: world.roleArn(untagged), action: 's3:GetObject', resource: object, context: { 'aws:PrincipalTag/sdl-grant-x': 'true' } })).toBe('Allowed');
  });
});

describe('resource policies of secrets, topics and alarms', () => {
  const app = new App();
  const stack = new Stack(app, 'Res', { env });
  const secret = new secretsmanager.Secret(stack, 'S');
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
  secret.grantRead(reader);
  secret.grantRead(other);
  secret.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['secretsmanager:GetSecretValue'],
    resources: ['*'],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': reader.roleArn } },
  }));
  const topic = new sns.Topic(stack, 'T');
  const alarm = new cloudwatch.Alarm(stack, 'A', {
    metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  topic.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnEquals: { 'aws:SourceArn': alarm.alarmArn } },
  }));
  const world = PolicyWorld.of(stack);
  const t = world.template(stack);
  const secretArn = t.ref(stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret));
  const topicArn = t.ref(stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic));
  const alarmArn = t.getAtt(stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm), 'Arn');

  test('the secret\'s resource policy is found by its ARN and decides', async () => {
    expect(world.resourcePolicyOf(secretArn)?.Statement).toHaveLength(1);
    expect(await world.decide({ principal: world.roleArn(reader), action: 'secretsmanager:GetSecretValue', resource: secretArn })).toBe('Allowed');
    expect(await world.decide({ principal: world.roleArn(other), action: 'secretsmanager:GetSecretValue', resource: secretArn })).toBe('ExplicitlyDenied');
    expect(world.resourcePolicyOf('arn:aws:secretsmanager:eu-west-1:111111111111:secret:unknown-AbCdEf')).toBeUndefined();
  });

  test('an alarm ARN has the form CloudWatch gives it, and the topic policy admits that alarm only', async () => {
    expect(alarmArn).toMatch(/^arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Res-A[0-9A-F]+$/);
    expect(world.resourcePolicyOf(topicArn)?.Statement).toHaveLength(1);
    const publish = (sourceArn: string) => world.decide({ principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topicArn, context: { 'aws:SourceArn': sourceArn } });
    expect(await publish(alarmArn)).toBe('Allowed');
    expect(await publish(`${alarmArn}-other`)).toBe('ImplicitlyDenied');
  });
});
