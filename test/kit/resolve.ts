/**
 * Resolves CloudFormation intrinsics in synthesized templates to concrete values, so that
 * policies can be handed to a real IAM policy evaluator.
 *
 * Physical names that CloudFormation would generate are replaced by deterministic stand-ins
 * derived from the logical id (a bucket `LakeBucket1A2B` is named `lakebucket1a2b`), and
 * every ARN is built the way AWS builds it for that resource type.
 */
import { createHash } from 'crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const DEFAULT_ACCOUNT = '111111111111';
export const DEFAULT_REGION = 'eu-west-1';
export const PARTITION = 'aws';

type Json = any;

interface ResolvedResource {
  readonly type: string;
  readonly ref: string;
  readonly attributes: { [attr: string]: string };
}

/** One synthesized stack with every intrinsic resolved. */
export class ResolvedTemplate {
  /** The resolved resources (properties with intrinsics replaced). */
  public readonly resources: { [logicalId: string]: { Type: string; Properties: Json } } = {};
  /** The resolved outputs' exports: export name → value. */
  public readonly exports: { [name: string]: string } = {};

  private readonly physical: { [logicalId: string]: ResolvedResource } = {};

  constructor(
    public readonly stackName: string,
    public readonly template: Json,
    public readonly account: string,
    public readonly region: string,
    private readonly imports: { [name: string]: string } = {},
  ) {
    const resources = template.Resources ?? {};
    for (const [id, r] of Object.entries<Json>(resources)) {
      this.physical[id] = this.physicalOf(id, r);
    }
    for (const [id, r] of Object.entries<Json>(resources)) {
      this.resources[id] = { Type: r.Type, Properties: this.resolve(r.Properties ?? {}) };
    }
    for (const o of Object.values<Json>(template.Outputs ?? {})) {
      if (o.Export?.Name) {
        this.exports[this.resolve(o.Export.Name)] = this.resolve(o.Value);
      }
    }
  }

  /** The value `Ref` gives for a logical id. */
  public ref(logicalId: string): string {
    const p = this.physical[logicalId];
    if (!p) throw new Error(`no resource '${logicalId}' in stack ${this.stackName}`);
    return p.ref;
  }

  /** The value `Fn::GetAtt` gives for a logical id and attribute. */
  public getAtt(logicalId: string, attr: string): string {
    const p = this.physical[logicalId];
    if (!p) throw new Error(`no resource '${logicalId}' in stack ${this.stackName}`);
    const v = p.attributes[attr];
    if (v === undefined) throw new Error(`the policy kit cannot resolve ${p.type}.${attr} (${logicalId}); add it to resolve.ts`);
    return v;
  }

  /** Logical ids of the resources of a type. */
  public logicalIdsOfType(type: string): string[] {
    return Object.keys(this.resources).filter((id) => this.resources[id].Type === type);
  }

  /** Resolve every intrinsic in a value. */
  public resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = value[k];
      switch (k) {
        case 'Ref':
          return this.refOrPseudo(arg);
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.+)/);
          return this.getAtt(id, attr);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg;
          return (this.resolve(parts) as Json[]).join(sep);
        }
        case 'Fn::Sub':
          return this.sub(arg);
        case 'Fn::Select': {
          const [index, list] = arg;
          return (this.resolve(list) as Json[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, str] = arg;
          return String(this.resolve(str)).split(sep);
        }
        case 'Fn::ImportValue': {
          const name = this.resolve(arg);
          const v = this.imports[name];
          if (v === undefined) throw new Error(`unresolved import '${name}' in ${this.stackName}: resolve its exporting stack first`);
          return v;
        }
        case 'Fn::GetAZs':
          return ['a', 'b', 'c'].map((z) => `${this.region}${z}`);
        case 'Fn::If':
        case 'Fn::FindInMap':
          throw new Error(`the policy kit does not resolve ${k} (in ${this.stackName})`);
        default:
          break;
      }
    }
    const out: Json = {};
    for (const k of keys) out[k] = this.resolve(value[k]);
    return out;
  }

  private refOrPseudo(name: string): string {
    switch (name) {
      case 'AWS::AccountId': return this.account;
      case 'AWS::Region': return this.region;
      case 'AWS::Partition': return PARTITION;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.stackName;
      case 'AWS::StackId': return `arn:${PARTITION}:cloudformation:${this.region}:${this.account}:stack/${this.stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NoValue': return undefined as any;
      default:
        if (this.template.Parameters?.[name]) {
          const d = this.template.Parameters[name].Default;
          if (d === undefined) throw new Error(`parameter '${name}' has no default; the policy kit cannot resolve it`);
          return d;
        }
        return this.ref(name);
    }
  }

  private sub(arg: Json): string {
    const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
    return String(text).replace(/\$\{([^}!]+)\}/g, (_m, expr: string) => {
      if (vars[expr] !== undefined) return this.resolve(vars[expr]);
      if (expr.includes('.') && !expr.startsWith('AWS::')) {
        const [id, attr] = expr.split(/\.(.+)/);
        return this.getAtt(id, attr);
      }
      return this.refOrPseudo(expr);
    });
  }

  /** Deterministic physical names and ARNs, by resource type. */
  private physicalOf(id: string, r: Json): ResolvedResource {
    const p = r.Properties ?? {};
    const a = this.account;
    const rg = this.region;
    const arn = (svc: string, rest: string, region = rg, account = a) => `arn:${PARTITION}:${svc}:${region}:${account}:${rest}`;
    // A name property may itself hold intrinsics: resolve lazily but without cycles (names are literal or pseudo-based).
    const literal = (v: Json) => (v === undefined ? undefined : this.resolveNameOnly(v));
    const lower = id.toLowerCase().slice(0, 63);
    switch (r.Type) {
      case 'AWS::S3::Bucket': {
        const name = literal(p.BucketName) ?? lower;
        return {
          type: r.Type,
          ref: name,
          attributes: {
            Arn: `arn:${PARTITION}:s3:::${name}`,
            DomainName: `${name}.s3.amazonaws.com`,
            RegionalDomainName: `${name}.s3.${rg}.amazonaws.com`,
          },
        };
      }
      case 'AWS::KMS::Key': {
        const keyId = uuidOf(`${this.stackName}/${id}`);
        return { type: r.Type, ref: keyId, attributes: { Arn: arn('kms', `key/${keyId}`), KeyId: keyId } };
      }
      case 'AWS::KMS::Alias':
        return { type: r.Type, ref: literal(p.AliasName) ?? `alias/${id}`, attributes: {} };
      case 'AWS::IAM::Role': {
        const name = literal(p.RoleName) ?? `${this.stackName}-${id}`.slice(0, 64);
        const path = literal(p.Path) ?? '/';
        return { type: r.Type, ref: name, attributes: { Arn: `arn:${PARTITION}:iam::${a}:role${path}${name}`, RoleId: `AROA${id.toUpperCase().slice(0, 16)}` } };
      }
      case 'AWS::IAM::ManagedPolicy': {
        const name = literal(p.ManagedPolicyName) ?? `${this.stackName}-${id}`.slice(0, 128);
        const path = literal(p.Path) ?? '/';
        const policyArn = `arn:${PARTITION}:iam::${a}:policy${path}${name}`;
        return { type: r.Type, ref: policyArn, attributes: { PolicyArn: policyArn } };
      }
      case 'AWS::IAM::User': {
        const name = literal(p.UserName) ?? `${this.stackName}-${id}`;
        return { type: r.Type, ref: name, attributes: { Arn: `arn:${PARTITION}:iam::${a}:user${literal(p.Path) ?? '/'}${name}` } };
      }
      case 'AWS::Logs::LogGroup': {
        const name = literal(p.LogGroupName) ?? `${this.stackName}-${id}`;
        return { type: r.Type, ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
      }
      case 'AWS::SNS::Topic': {
        const name = literal(p.TopicName) ?? `${this.stackName}-${id}`;
        const t = arn('sns', name);
        return { type: r.Type, ref: t, attributes: { TopicArn: t, TopicName: name } };
      }
      case 'AWS::SQS::Queue': {
        const name = literal(p.QueueName) ?? `${this.stackName}-${id}`.slice(0, 80);
        return { type: r.Type, ref: `https://sqs.${this.region}.amazonaws.com/${a}/${name}`, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: `https://sqs.${this.region}.amazonaws.com/${a}/${name}` } };
      }
      case 'AWS::SecretsManager::Secret': {
        const name = literal(p.Name) ?? `${id}`;
        const s = arn('secretsmanager', `secret:${name}-AbCdEf`);
        return { type: r.Type, ref: s, attributes: { Id: s } };
      }
      case 'AWS::DynamoDB::Table': {
        const name = literal(p.TableName) ?? `${this.stackName}-${id}`;
        return { type: r.Type, ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } };
      }
      case 'AWS::Lambda::Function': {
        const name = literal(p.FunctionName) ?? `${this.stackName}-${id}`.slice(0, 64);
        return { type: r.Type, ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
      }
      case 'AWS::Glue::Job':
      case 'AWS::Glue::Workflow':
      case 'AWS::Glue::Trigger':
      case 'AWS::Glue::SecurityConfiguration':
      case 'AWS::Glue::Database': {
        const name = literal(p.Name) ?? literal(p.DatabaseInput?.Name) ?? `${id}`;
        return { type: r.Type, ref: name, attributes: {} };
      }
      case 'AWS::CloudTrail::Trail': {
        const name = literal(p.TrailName) ?? `${this.stackName}-${id}`;
        return { type: r.Type, ref: name, attributes: { Arn: arn('cloudtrail', `trail/${name}`) } };
      }
      case 'AWS::CloudWatch::Alarm': {
        const name = literal(p.AlarmName) ?? `${this.stackName}-${id}`;
        return { type: r.Type, ref: name, attributes: { Arn: arn('cloudwatch', `alarm:${name}`) } };
      }
      case 'AWS::Events::Rule': {
        const name = literal(p.Name) ?? `${this.stackName}-${id}`.slice(0, 64);
        return { type: r.Type, ref: name, attributes: { Arn: arn('events', `rule/${name}`) } };
      }
      default:
        return { type: r.Type, ref: id, attributes: { Arn: arn(r.Type.split('::')[1].toLowerCase(), id) } };
    }
  }

  /** Names may use pseudo parameters but never other resources' attributes. */
  private resolveNameOnly(v: Json): string {
    if (typeof v === 'string') return v;
    try {
      return this.resolve(v);
    } catch (e) {
      throw new Error(`the policy kit cannot resolve a physical name that refers to another resource (${JSON.stringify(v)}): ${(e as Error).message}`);
    }
  }
}

function uuidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function envOf(stack: Stack): { account: string; region: string } {
  const isConcrete = (s: string) => !s.startsWith('${Token');
  return {
    account: isConcrete(stack.account) ? stack.account : DEFAULT_ACCOUNT,
    region: isConcrete(stack.region) ? stack.region : DEFAULT_REGION,
  };
}

/**
 * Resolve the templates of several stacks of one app (synthesized once), in dependency order,
 * so that cross-stack references (`Fn::ImportValue`) resolve to the exporting stack's values.
 */
export function resolveStacks(stacks: Stack[]): ResolvedTemplate[] {
  const apps = new Set(stacks.map((s) => s.node.root));
  if (apps.size !== 1) throw new Error('resolveStacks takes stacks of one app');
  const app = [...apps][0] as App;
  const assembly = app.synth();
  const byName = new Map(stacks.map((s) => [s.artifactId, s]));
  const exports: { [name: string]: string } = {};
  const out: ResolvedTemplate[] = [];
  // The assembly lists stacks in dependency order.
  for (const artifact of assembly.stacks) {
    const stack = byName.get(artifact.id);
    if (!stack) continue;
    const env = envOf(stack);
    const t = new ResolvedTemplate(stack.stackName, artifact.template, env.account, env.region, exports);
    Object.assign(exports, t.exports);
    out.push(t);
  }
  return out;
}

/** Resolve one stack (synthesizes its app if needed). */
export function resolveStack(stack: Stack): ResolvedTemplate {
  const env = envOf(stack);
  return new ResolvedTemplate(stack.stackName, Template.fromStack(stack).toJSON(), env.account, env.region);
}
