/**
 * The policy test kit: evaluates requests against the synthesized identity, bucket, key and
 * other resource policies with a real IAM policy evaluator (@cloud-copilot/iam-simulate, a dev
 * dependency only).
 *
 * ```ts
 * const world = PolicyWorld.of(stack);
 * const r = await world.evaluate({
 *   principal: world.roleArn(role),
 *   action: 's3:PutObject',
 *   resource: `${world.bucketArn(bucket)}/tables/orders/part-0.parquet`,
 *   context: { 's3:x-amz-server-side-encryption': 'aws:kms' },
 * });
 * expect(r.decision).toBe('Allowed');
 * ```
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { ResolvedTemplate, resolveStacks, PARTITION } from './resolve';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: any[];
}

export interface AccessRequest {
  /** An IAM role or user ARN, `arn:aws:iam::<account>:root`, or a service principal (`logging.s3.amazonaws.com`). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /**
   * Request context. The kit fills the principal keys (`aws:PrincipalArn`, `aws:PrincipalAccount`,
   * `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`), `aws:PrincipalTag/<key>` for each tag
   * of a role or user of the world (its resolved `Tags`), `aws:SecureTransport: true` and, for KMS
   * actions, `kms:CallerAccount`;
   * what is given here wins. A key set to `undefined` is removed (an absent header).
   */
  readonly context?: { [key: string]: string | string[] | undefined };
  /** Identity policies of the principal. Default: every policy of the world attached to the role or user. */
  readonly identityPolicies?: PolicyDocument[];
  /** Resource policy. Default: the world's policy for the resource (bucket, key, topic, secret), if any. */
  readonly resourcePolicy?: PolicyDocument | null;
}

export interface AccessResult {
  readonly decision: Decision;
  /** The raw evaluator answer, for failure messages. */
  readonly raw: any;
}

const EC_PREFIX = /^kms:encryptioncontext:/i;
const EC_ALIAS = 'aws:PrincipalTag/kms-encryption-context:';

/** Rename `kms:EncryptionContext:<key>` keys (object keys at any depth) to the kit's alias. */
function renameEncryptionContextKeys(value: any): any {
  if (Array.isArray(value)) return value.map(renameEncryptionContextKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: any = {};
  for (const [k, v] of Object.entries(value)) {
    out[EC_PREFIX.test(k) ? k.replace(EC_PREFIX, EC_ALIAS) : k] = renameEncryptionContextKeys(v);
  }
  return out;
}

/** Principals that are AWS services, by the form of their name. */
function isServicePrincipal(p: string): boolean {
  return /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(p);
}

function accountOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 5 && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

/**
 * The policies of one or more synthesized stacks, resolved to concrete ARNs.
 */
export class PolicyWorld {
  /** Synthesize (once) and resolve the stacks of one app. */
  public static of(...stacks: Stack[]): PolicyWorld {
    return new PolicyWorld(resolveStacks(stacks), stacks);
  }

  private constructor(public readonly templates: ResolvedTemplate[], private readonly stacks: Stack[]) {}

  /** The resolved template of a stack. */
  public template(stack: Stack): ResolvedTemplate {
    const t = this.templates.find((x) => x.stackName === stack.stackName);
    if (!t) throw new Error(`stack ${stack.stackName} is not part of this world`);
    return t;
  }

  /** Find the CfnResource behind a construct and return [template, logical id]. */
  public locate(c: IConstruct): [ResolvedTemplate, string] {
    const cfn = (c instanceof CfnResource ? c : c.node.defaultChild) as CfnResource | undefined;
    if (!cfn || !(cfn instanceof CfnResource)) throw new Error(`${c.node.path} has no CloudFormation resource`);
    const stack = Stack.of(cfn);
    return [this.template(stack), stack.getLogicalId(cfn)];
  }

  public bucketArn(bucket: s3.IBucket): string {
    const [t, id] = this.locate(bucket);
    return t.getAtt(id, 'Arn');
  }

  public keyArn(key: kms.IKey): string {
    const [t, id] = this.locate(key);
    return t.getAtt(id, 'Arn');
  }

  public roleArn(role: iam.IRole): string {
    const [t, id] = this.locate(role);
    return t.getAtt(id, 'Arn');
  }

  /** Every resource of a type across the world, with its template. */
  public resourcesOfType(type: string): Array<{ template: ResolvedTemplate; logicalId: string; properties: any }> {
    const out = [];
    for (const t of this.templates) {
      for (const id of t.logicalIdsOfType(type)) out.push({ template: t, logicalId: id, properties: t.resources[id].Properties });
    }
    return out;
  }

  /** Identity policies attached to a role (inline policies, managed policies, the role's own `Policies`). */
  public identityPoliciesOf(principalArn: string): PolicyDocument[] {
    const docs: PolicyDocument[] = [];
    const roleName = principalArn.match(/:role\/(?:.*\/)?([^/]+)$/)?.[1];
    const userName = principalArn.match(/:user\/(?:.*\/)?([^/]+)$/)?.[1];
    const attached = (props: any) =>
      (roleName && (props.Roles ?? []).includes(roleName)) || (userName && (props.Users ?? []).includes(userName));
    for (const { properties } of this.resourcesOfType('AWS::IAM::Policy')) {
      if (attached(properties)) docs.push(properties.PolicyDocument);
    }
    const managedArns = new Set<string>();
    for (const { template, logicalId, properties } of this.resourcesOfType('AWS::IAM::ManagedPolicy')) {
      if (attached(properties)) docs.push(properties.PolicyDocument);
      managedArns.add(template.ref(logicalId));
    }
    for (const type of ['AWS::IAM::Role', 'AWS::IAM::User']) {
      for (const { template, logicalId, properties } of this.resourcesOfType(type)) {
        const arn = template.getAtt(logicalId, 'Arn');
        if (arn !== principalArn) continue;
        for (const p of properties.Policies ?? []) docs.push(p.PolicyDocument);
        for (const m of properties.ManagedPolicyArns ?? []) {
          const found = this.resourcesOfType('AWS::IAM::ManagedPolicy').find((x) => x.template.ref(x.logicalId) === m);
          if (found) {
            docs.push(found.properties.PolicyDocument);
          } else if (!managedArns.has(m)) {
            throw new Error(`${principalArn} has a managed policy the kit cannot read: ${m}`);
          }
        }
      }
    }
    return docs;
  }

  /**
   * The tags of a role or user of the world (its resolved `Tags` property), or `undefined` when the
   * principal is not a role or user of the world. IAM sets them as `aws:PrincipalTag/<key>`.
   */
  public principalTagsOf(principalArn: string): { [key: string]: string } | undefined {
    for (const type of ['AWS::IAM::Role', 'AWS::IAM::User']) {
      for (const { template, logicalId, properties } of this.resourcesOfType(type)) {
        if (template.getAtt(logicalId, 'Arn') !== principalArn) continue;
        const tags: { [key: string]: string } = {};
        for (const t of properties.Tags ?? []) tags[t.Key] = String(t.Value);
        return tags;
      }
    }
    return undefined;
  }

  /** The resource policy that governs a resource ARN, if the world defines one. */
  public resourcePolicyOf(resourceArn: string): PolicyDocument | undefined {
    if (resourceArn.startsWith(`arn:${PARTITION}:s3:::`)) {
      const bucketName = resourceArn.slice(`arn:${PARTITION}:s3:::`.length).split('/')[0];
      const found = this.resourcesOfType('AWS::S3::BucketPolicy').find((x) => x.properties.Bucket === bucketName);
      return found?.properties.PolicyDocument;
    }
    if (resourceArn.includes(':kms:')) {
      const found = this.resourcesOfType('AWS::KMS::Key').find((x) => x.template.getAtt(x.logicalId, 'Arn') === resourceArn);
      return found?.properties.KeyPolicy;
    }
    if (resourceArn.includes(':sns:')) {
      const found = this.resourcesOfType('AWS::SNS::TopicPolicy').find((x) => (x.properties.Topics ?? []).includes(resourceArn));
      return found?.properties.PolicyDocument;
    }
    if (resourceArn.includes(':secretsmanager:')) {
      // SecretId is the secret's ARN (a Ref) or its name; a secret's ARN is its name and six random characters.
      const name = resourceArn.match(/:secret:(.+)-[A-Za-z0-9]{6}$/)?.[1];
      const found = this.resourcesOfType('AWS::SecretsManager::ResourcePolicy')
        .find((x) => x.properties.SecretId === resourceArn || (name !== undefined && x.properties.SecretId === name));
      return found?.properties.ResourcePolicy;
    }
    return undefined;
  }

  /** The account that owns a resource ARN (S3 ARNs carry none: the bucket's stack decides). */
  public accountOf(resourceArn: string): string {
    const direct = accountOfArn(resourceArn);
    if (direct) return direct;
    if (resourceArn.startsWith(`arn:${PARTITION}:s3:::`)) {
      const bucketName = resourceArn.slice(`arn:${PARTITION}:s3:::`.length).split('/')[0];
      const b = this.resourcesOfType('AWS::S3::Bucket').find((x) => x.template.ref(x.logicalId) === bucketName);
      if (b) return b.template.account;
    }
    return this.templates[0].account;
  }

  /** Evaluate one request. */
  public async evaluate(req: AccessRequest): Promise<AccessResult> {
    const service = isServicePrincipal(req.principal);
    const principalAccount = service ? undefined : accountOfArn(req.principal);
    const ctx: { [k: string]: string | string[] } = {
      'aws:SecureTransport': 'true',
      'aws:PrincipalIsAWSService': service ? 'true' : 'false',
    };
    if (service) {
      ctx['aws:PrincipalServiceName'] = req.principal;
    } else {
      ctx['aws:PrincipalArn'] = req.principal;
      if (principalAccount) ctx['aws:PrincipalAccount'] = principalAccount;
      // KMS sets kms:CallerAccount on every request.
      if (principalAccount && req.action.startsWith('kms:')) ctx['kms:CallerAccount'] = principalAccount;
      for (const [key, value] of Object.entries(this.principalTagsOf(req.principal) ?? {})) ctx[`aws:PrincipalTag/${key}`] = value;
    }
    for (const [k, v] of Object.entries(req.context ?? {})) {
      if (v === undefined) delete ctx[k];
      else ctx[k] = v;
    }
    const identity = service ? [] : req.identityPolicies ?? this.identityPoliciesOf(req.principal);
    const resourcePolicy = req.resourcePolicy === null ? undefined : req.resourcePolicy ?? this.resourcePolicyOf(req.resource);
    // The evaluator matches variable condition keys only in the `prefix/variable` form, so it drops
    // `kms:EncryptionContext:<key>`, a valid key of KMS actions. The kit renames that key, in the
    // context and in every policy alike, to a global key of that form; string semantics are kept.
    const rename = req.action.toLowerCase().startsWith('kms:') ? renameEncryptionContextKeys : (x: any) => x;
    const simulation = {
      request: {
        principal: req.principal,
        action: req.action,
        resource: { resource: req.resource, accountId: this.accountOf(req.resource) },
        contextVariables: rename(ctx),
      },
      identityPolicies: identity.map((policy, i) => ({ name: `identity-${i}`, policy: rename(policy) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: rename(resourcePolicy),
    };
    const raw: any = await runSimulation(simulation, {});
    if (raw.resultType === 'error') {
      throw new Error(`the evaluator rejected the simulation: ${JSON.stringify(raw.errors, null, 2)}`);
    }
    const ignored: string[] = raw.result?.ignoredContextKeys ?? [];
    if (ignored.length > 0) {
      throw new Error(`the evaluator ignores context keys that ${req.action} does not support: ${ignored.join(', ')}`);
    }
    return { decision: raw.overallResult as Decision, raw };
  }

  /** Shorthand: the decision alone. */
  public async decide(req: AccessRequest): Promise<Decision> {
    return (await this.evaluate(req)).decision;
  }

  /** The stacks of this world. */
  public get stackList(): Stack[] {
    return [...this.stacks];
  }
}
