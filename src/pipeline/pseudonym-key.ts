import * as path from 'path';
import { ArnFormat, Duration, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, ReasonedPolicy } from '../private/compliance';
import { allowLogsForLogGroups, denyGrantsOutsideAwsServices, denyKeyAdministration } from '../private/keys';

/**
 * The rotation function (`rotation/pseudonym_key_rotation.py`, tested on its own with stubbed
 * Secrets Manager responses): each rotation stores a new random key as a new secret version; the
 * ingestion job reads AWSCURRENT and writes its version id beside every pseudonym, so rows written
 * under the previous version stay identifiable (DESIGN-NOTES 10). No key material is logged.
 * The asset holds that one file (the folder's tests and caches stay out of it and out of its hash).
 */
const ROTATION_DIR = path.join(__dirname, 'rotation');
const ROTATION_MODULE = 'pseudonym_key_rotation';

/** @internal */
export interface PseudonymKeyProps {
  readonly rotationInterval: Duration;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  /** Who may manage the secret and its key (the deployment role first). */
  readonly administrators: string[];
}

/** Secrets Manager calls that change the secret, its policy, its rotation or its replicas. */
const SECRET_MANAGEMENT_ACTIONS = [
  'secretsmanager:UpdateSecret', 'secretsmanager:ReplicateSecretToRegions', 'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:StopReplicationToReplica', 'secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret',
  'secretsmanager:RestoreSecret', 'secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy',
  'secretsmanager:DeleteSecret', 'secretsmanager:TagResource', 'secretsmanager:UntagResource',
];


/**
 * The pseudonymization key: a Secrets Manager secret encrypted with its own customer key and
 * rotated on a schedule by a function whose permissions sit in a customer-managed policy.
 *
 * @internal
 */
export class PseudonymKey extends Construct {
  public readonly secret: secretsmanager.Secret;
  public readonly key: kms.Key;
  public readonly rotationFunction: lambda.Function;
  private readonly readers: string[] = [];
  /** The rotation function's log group, named here so the key and the function's policy can name it first. */
  private readonly rotationLogGroupName: string;

  constructor(scope: Construct, id: string, props: PseudonymKeyProps) {
    super(scope, id);
    this.rotationLogGroupName = `/cdk-secure-delta-lake/rotation/${Names.uniqueResourceName(this, { maxLength: 64, separator: '-' })}`;
    this.key = this.createKey(props);
    this.secret = this.createSecret(props);
    const logGroup = this.createRotationLogGroup(props);
    const role = this.createRotationRole();
    const policy = this.createRotationPolicy(role);
    this.rotationFunction = this.createRotationFunction(role, policy, logGroup);
    this.secret.addRotationSchedule('Rotation', { rotationLambda: this.rotationFunction, automaticallyAfter: props.rotationInterval });
    this.guard(role.roleArn, props.administrators);
    this.admitSecretsManagerOfThisAccountOnly();
  }

  /** Let a role read the key (the ingestion job's): the secret's and the key's policies admit it. */
  public admitReader(roleArn: string): void {
    if (!this.readers.includes(roleArn)) this.readers.push(roleArn);
  }

  private get rotationLogGroupArn(): string {
    return Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: this.rotationLogGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private createKey(props: PseudonymKeyProps): kms.Key {
    const key = new kms.Key(this, 'Key', {
      description: `cdk-secure-delta-lake: encrypts the pseudonymization key ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    denyGrantsOutsideAwsServices(key);
    return key;
  }

  private createSecret(props: PseudonymKeyProps): secretsmanager.Secret {
    return new secretsmanager.Secret(this, 'Resource', {
      description: 'cdk-secure-delta-lake: HMAC-SHA256 key that pseudonymizes PII columns (base64, rotated)',
      encryptionKey: this.key,
      removalPolicy: props.removalPolicy,
      // 64 characters from [A-Za-z0-9] are valid base64 for 48 bytes of key.
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'key', passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
  }

  private createRotationLogGroup(props: PseudonymKeyProps): logs.LogGroup {
    allowLogsForLogGroups(this.key, 'AllowCloudWatchLogsForTheRotationLogGroup', Stack.of(this).region, [this.rotationLogGroupArn]);
    return new logs.LogGroup(this, 'RotationLogs', {
      logGroupName: this.rotationLogGroupName, encryptionKey: this.key, retention: props.logRetention, removalPolicy: props.removalPolicy,
    });
  }

  private createRotationRole(): iam.Role {
    return new iam.Role(this, 'RotationRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-secure-delta-lake: rotates the pseudonymization key',
    });
  }

  private createRotationPolicy(role: iam.IRole): ReasonedPolicy {
    const policy = new ReasonedPolicy(new iam.ManagedPolicy(this, 'RotationPolicy', {
      roles: [role],
      description: 'cdk-secure-delta-lake: rotate the pseudonymization key',
    }));
    policy.add('the rotation steps of this one secret, its key through Secrets Manager, and the log streams of its own log group (named by Lambda)',
      new iam.PolicyStatement({
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        resources: [this.secret.secretArn],
      }),
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }),
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.rotationLogGroupArn}:log-stream:*`] }),
    );
    policy.add('GetRandomPassword and the X-Ray trace APIs have no resource-level permissions',
      new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
    );
    return policy;
  }

  private createRotationFunction(role: iam.Role, policy: ReasonedPolicy, logGroup: logs.ILogGroup): lambda.Function {
    const fn = new lambda.Function(this, 'RotationFunction', {
      description: 'cdk-secure-delta-lake: rotates the pseudonymization key',
      runtime: lambda.Runtime.PYTHON_3_14,
      handler: `${ROTATION_MODULE}.handler`,
      code: lambda.Code.fromAsset(ROTATION_DIR, { exclude: ['*', `!${ROTATION_MODULE}.py`] }),
      // Permissions come from the managed policy: the immutable view keeps CDK's grants out of inline policies.
      role: role.withoutPolicyUpdates(),
      timeout: Duration.seconds(30),
      memorySize: 256,
      reservedConcurrentExecutions: 1,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
    });
    fn.node.addDependency(policy.policy);
    acknowledge(fn, 'rotationFunctionOutsideVpc');
    acknowledge(fn, 'rotationFunctionSynchronous');
    return fn;
  }

  /** Secrets Manager of this account only may invoke the function (the L2's permission names no source). */
  private admitSecretsManagerOfThisAccountOnly(): void {
    const stack = Stack.of(this);
    for (const c of this.rotationFunction.node.findAll()) {
      if (c instanceof lambda.CfnPermission && c.principal === 'secretsmanager.amazonaws.com') {
        c.sourceAccount = stack.account;
        if (Token.isUnresolved(stack.account)) acknowledge(c, 'rotationPermissionAccountReference');
      }
    }
  }

  /**
   * Resource policies that hold whatever IAM policies say: a same-account principal with
   * `secretsmanager:*` and `kms:*` can neither read the key (every pseudonym would become reversible
   * by dictionary), nor plant a key it knows, nor replicate it, nor change its rotation or policy.
   */
  private guard(rotationRoleArn: string, administrators: string[]): void {
    const readers = (...others: string[]) => Lazy.list({ produce: () => [...others, ...this.readers, rotationRoleArn] });
    const deny = (sid: string, actions: string[], principalArns: string[]) => this.secret.addToResourcePolicy(new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions,
      resources: ['*'],
      conditions: { ArnNotLike: { 'aws:PrincipalArn': principalArns } },
    }));
    deny('DenyReadingOutsideTheJobAndRotation', ['secretsmanager:GetSecretValue'], readers());
    deny('DenyWritingOutsideRotation', ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], [rotationRoleArn]);
    deny('DenyManagementOutsideAdministrators', SECRET_MANAGEMENT_ACTIONS, administrators);
    // The rotation function reads only the version it is creating (AWSPENDING) and only moves
    // AWSCURRENT: whoever changes its code cannot read the current key through its role.
    const rotationOnly = (sid: string, action: string, stage: string) => this.secret.addToResourcePolicy(new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [action],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': rotationRoleArn }, StringNotEquals: { 'secretsmanager:VersionStage': stage } },
    }));
    rotationOnly('DenyRotationReadingOtherThanThePendingKey', 'secretsmanager:GetSecretValue', 'AWSPENDING');
    rotationOnly('DenyRotationMovingOtherThanTheCurrentStage', 'secretsmanager:UpdateSecretVersionStage', 'AWSCURRENT');

    // The key: AWS services (CloudWatch Logs for the rotation log group) carry no principal ARN and pass.
    const denyKey = (sid: string, actions: string[], principalArns: string[]) => this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions,
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        ArnNotLikeIfExists: { 'aws:PrincipalArn': principalArns },
      },
    }));
    denyKey('DenyDecryptOutsideTheSecretsReaders', ['kms:Decrypt'], readers(...administrators));
    denyKey('DenyEncryptOutsideRotationAndAdministrators', ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], [rotationRoleArn, ...administrators]);
    denyKeyAdministration(this.key, administrators);
  }
}

