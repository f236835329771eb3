/**
 * A read-only model of synthesized CloudFormation templates, for the security report: resources
 * by logical id and type, references between them, and statements of identity and resource
 * policies. Values are rendered as readable strings (`<RawBucket.Arn>/tables/x/*`); nothing is
 * resolved against an account.
 *
 * @internal
 */
export interface ModelResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: any;
  /** The construct path (from the `aws:cdk:path` metadata). */
  readonly path: string;
}

/** @internal */
export interface ModelStatement {
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly principals: string[];
  readonly conditions: any;
  readonly sid?: string;
}

/** @internal */
export class TemplateModel {
  public readonly resources: ModelResource[] = [];

  constructor(
    templates: Array<{ stack: string; template: any; templatePath?: string }>,
    pathOf?: (templatePath: string | undefined, logicalId: string) => string | undefined,
  ) {
    // Cross-stack references read as the exported value, so a reference to a bucket of another
    // stack reads like one to a bucket of the same stack.
    const exports = new Map<string, any>();
    for (const { template } of templates) {
      for (const o of Object.values<any>(template.Outputs ?? {})) {
        if (typeof o.Export?.Name === 'string') exports.set(o.Export.Name, o.Value);
      }
    }
    const inline = (v: any): any => {
      if (Array.isArray(v)) return v.map(inline);
      if (v && typeof v === 'object') {
        if (typeof v['Fn::ImportValue'] === 'string' && exports.has(v['Fn::ImportValue'])) return inline(exports.get(v['Fn::ImportValue']));
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, inline(x)]));
      }
      return v;
    };
    for (const { stack, template, templatePath } of templates) {
      for (const [logicalId, r] of Object.entries<any>(template.Resources ?? {})) {
        const where = pathOf?.(templatePath, logicalId) ?? r.Metadata?.['aws:cdk:path'] ?? `${stack}/${logicalId}`;
        this.resources.push({ stack, logicalId, type: r.Type, properties: inline(r.Properties ?? {}), path: where });
      }
    }
  }

  public ofType(type: string): ModelResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The resource a `Ref` / `Fn::GetAtt` (or an import of one) points to, in the same stack. */
  public target(from: ModelResource, value: any): ModelResource | undefined {
    const id = refId(value);
    if (!id) return undefined;
    return this.resources.find((r) => r.stack === from.stack && r.logicalId === id) ?? this.resources.find((r) => r.logicalId === id);
  }

  /** Identity statements of a role or user: its managed policies, inline policies and AWS managed policy ARNs. */
  public identityStatements(principal: ModelResource): { statements: ModelStatement[]; awsManaged: string[] } {
    const statements: ModelStatement[] = [];
    const attachedTo = (list: any[] | undefined) => (list ?? []).some((x) => refId(x) === principal.logicalId);
    const key = principal.type === 'AWS::IAM::User' ? 'Users' : 'Roles';
    for (const p of [...this.ofType('AWS::IAM::ManagedPolicy'), ...this.ofType('AWS::IAM::Policy')]) {
      if (attachedTo(p.properties[key]) && this.target(p, p.properties[key].find((x: any) => refId(x) === principal.logicalId)) === principal) {
        statements.push(...statementsOf(p.properties.PolicyDocument));
      }
    }
    for (const inline of principal.properties.Policies ?? []) statements.push(...statementsOf(inline.PolicyDocument));
    const awsManaged = (principal.properties.ManagedPolicyArns ?? []).map(render).filter((a: string) => a.includes(':iam::aws:policy/'));
    return { statements, awsManaged };
  }
}

/** The logical id a `Ref` or `Fn::GetAtt` names. @internal */
export function refId(value: any): string | undefined {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref;
    if (Array.isArray(value['Fn::GetAtt'])) return value['Fn::GetAtt'][0];
  }
  return undefined;
}

/** A readable string for a template value. @internal */
export function render(value: any): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(render).join(', ');
  if (value.Ref) return `<${value.Ref}>`;
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'][0]}.${value['Fn::GetAtt'][1]}>`;
  if (value['Fn::Join']) return (value['Fn::Join'][1] as any[]).map(render).join(value['Fn::Join'][0]);
  if (value['Fn::ImportValue']) return `<import ${render(value['Fn::ImportValue'])}>`;
  if (value['Fn::Sub']) return render(Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'][0] : value['Fn::Sub']);
  if (value['Fn::Select']) return `<select ${render(value['Fn::Select'][0])} of ${render(value['Fn::Select'][1])}>`;
  if (value['Fn::Split']) return `<split ${render(value['Fn::Split'][1])}>`;
  return JSON.stringify(value);
}

/** The statements of a policy document, rendered. @internal */
export function statementsOf(doc: any): ModelStatement[] {
  const list = (x: any) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  return list(doc?.Statement).map((s: any) => ({
    effect: s.Effect,
    actions: list(s.Action).map(render),
    notActions: list(s.NotAction).map(render),
    resources: list(s.Resource).map(render),
    principals: s.Principal === '*' ? ['*'] : Object.values<any>(s.Principal ?? {}).flatMap((p) => list(p).map(render)),
    conditions: s.Condition,
    sid: s.Sid,
  }));
}

/** IAM-style wildcard match (`*` and `?`), case-insensitive for actions. @internal */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp('^' + pattern.split('').map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('') + '$', ignoreCase ? 'i' : '');
  return re.test(value);
}

/** Whether an Allow statement covers an action on a resource (conditions are not evaluated). @internal */
export function allows(statement: ModelStatement, action: string, resource: string): boolean {
  if (statement.effect !== 'Allow') return false;
  const actionOk = statement.actions.some((a) => wildcardMatch(a, action, true));
  return actionOk && statement.resources.some((r) => wildcardMatch(r, resource));
}
