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
  /** The resource's `DeletionPolicy` (CloudFormation deletes when it is absent). */
  readonly deletionPolicy?: string;
}

/** @internal */
export interface ModelStatement {
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly principals: string[];
  /** Principals a `NotPrincipal` exempts (a Deny with one does not apply to everyone). */
  readonly notPrincipals: string[];
  readonly conditions: any;
  readonly sid?: string;
}

/** @internal */
export class TemplateModel {
  public readonly resources: ModelResource[] = [];
  /** The accounts of the app's stacks: `<AWS::AccountId>`, and the literal account of each stack deployed to one. */
  public readonly accounts: string[] = ['<AWS::AccountId>'];

  constructor(
    templates: Array<{ stack: string; template: any; templatePath?: string; account?: string }>,
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
    for (const { account } of templates) {
      if (account !== undefined && /^\d{12}$/.test(account) && !this.accounts.includes(account)) this.accounts.push(account);
    }
    for (const { stack, template, templatePath } of templates) {
      for (const [logicalId, r] of Object.entries<any>(template.Resources ?? {})) {
        const where = pathOf?.(templatePath, logicalId) ?? r.Metadata?.['aws:cdk:path'] ?? `${stack}/${logicalId}`;
        const properties = inline(r.Properties ?? {});
        this.resources.push({ stack, logicalId, type: r.Type, properties, path: where, deletionPolicy: r.DeletionPolicy });
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
  // `${AWS::AccountId}` reads like a `Ref` (`<AWS::AccountId>`), so patterns compare across both forms.
  if (value['Fn::Sub']) return render(Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'][0] : value['Fn::Sub']).replace(/\$\{([^}!][^}]*)\}/g, '<$1>');
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
    notPrincipals: s.NotPrincipal === undefined ? [] : s.NotPrincipal === '*' ? ['*'] : Object.values<any>(s.NotPrincipal).flatMap((p) => list(p).map(render)),
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

/**
 * One segment of a rendered ARN: a reference such as `<AWS::Partition>` holds colons of its own.
 *
 * @internal
 */
export const ARN_SEGMENT = '(?:<[^>]*>|[^:<])*';

/** One operator and key of a statement's `Condition`, with its values rendered. @internal */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
}

/** A statement's conditions, one entry per operator and key. @internal */
export function conditionEntries(statement: ModelStatement): ConditionEntry[] {
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries<any>(statement.conditions ?? {})) {
    if (!block || typeof block !== 'object' || Array.isArray(block)) {
      out.push({ operator, key: '', values: [render(block)] });
      continue;
    }
    for (const [key, v] of Object.entries<any>(block)) out.push({ operator, key, values: (Array.isArray(v) ? v : [v]).map(render) });
  }
  return out;
}

/**
 * Whether the conditions of a statement are exactly these operators, keys (case-insensitive, as
 * IAM reads them) and value sets. An extra condition on a Deny narrows it; a changed value can
 * make it never apply.
 *
 * @internal
 */
export function conditionsAre(statement: ModelStatement, expected: Array<[string, string, string[]]>): boolean {
  const actual = conditionEntries(statement);
  if (actual.length !== expected.length) return false;
  return expected.every(([operator, key, values]) => actual.some((e) => e.operator === operator
    && e.key.toLowerCase() === key.toLowerCase()
    && e.values.length === values.length && values.every((v) => e.values.includes(v))));
}

/** Whether one of the IAM action patterns covers an action (`s3:GetObject*` covers `s3:GetObjectVersionForReplication`). @internal */
export function actionCovered(patterns: string[], action: string): boolean {
  return patterns.some((p) => wildcardMatch(p, action, true));
}

/** The actions of `required` that a statement's actions (or its `NotAction`) leave out. @internal */
export function uncoveredActions(statement: ModelStatement, required: string[]): string[] {
  return required.filter((a) => !statementAction(statement, a));
}

function statementAction(statement: ModelStatement, action: string): boolean {
  if (statement.notActions.length > 0) return !actionCovered(statement.notActions, action);
  return actionCovered(statement.actions, action);
}

function statementResource(statement: ModelStatement, resource: string): boolean {
  return statement.resources.some((r) => wildcardMatch(r, resource));
}

/** Whether a statement applies to every principal (`*`, `{ "AWS": "*" }`) with no `NotPrincipal`. @internal */
export function appliesToEveryone(statement: ModelStatement): boolean {
  return statement.principals.includes('*') && statement.notPrincipals.length === 0;
}

/**
 * Whether a statement denies an action on a resource, IAM wildcards understood, to every
 * principal (or to `principal` when given: a service principal, for example). Conditions are
 * not evaluated here: read them with `conditionEntries` or `conditionsAre`.
 *
 * @internal
 */
export function denies(statement: ModelStatement, action: string, resource: string, principal?: string): boolean {
  if (statement.effect !== 'Deny') return false;
  const who = principal === undefined
    ? appliesToEveryone(statement)
    : (statement.principals.includes('*') || statement.principals.includes(principal)) && !statement.notPrincipals.includes(principal);
  return who && statementAction(statement, action) && statementResource(statement, resource);
}

/** Whether a list of ARN patterns (an `ArnLike` condition's values, say) admits an ARN. @internal */
export function admits(patterns: string[], arn: string): boolean {
  return patterns.some((p) => wildcardMatch(p, arn));
}

/** The library's reserved role path, as it follows `:role` in an ARN. @internal */
export const RESERVED_ROLE_PATH = '/cdk-secure-delta-lake/';

/** An account of no stack of the app: a probe for patterns that admit other accounts. @internal */
export const FOREIGN_ACCOUNT = '999999999999';

/**
 * ARNs of principals that no exception list of this library should admit: roles and users
 * outside the reserved path, at the root and on other paths (one a deep one), in this account
 * (in the forms the patterns themselves use) and in other ones, and roles on the reserved path in
 * other accounts. `thisAccounts` are the accounts of the app's stacks (`<AWS::AccountId>` and any
 * literal account a stack is deployed to).
 *
 * @internal
 */
export function outsiderArns(patterns: string[] = [], thisAccounts: string[] = ['<AWS::AccountId>']): string[] {
  const accounts = new Set(['<AWS::AccountId>', FOREIGN_ACCOUNT]);
  const partitions = new Set(['<AWS::Partition>', 'aws']);
  for (const p of patterns) {
    const m = new RegExp(`^arn:(${ARN_SEGMENT}):(?:iam|sts)::(${ARN_SEGMENT}):`).exec(p);
    if (m && !/[*?]/.test(m[1])) partitions.add(m[1]);
    if (m && !/[*?]/.test(m[2])) accounts.add(m[2]);
  }
  const out: string[] = [];
  for (const partition of partitions) {
    for (const account of accounts) {
      const arn = (resource: string) => `arn:${partition}:iam::${account}:${resource}`;
      out.push(
        arn('role/sdl-outsider'), arn('user/sdl-outsider'), arn('role/sdl-probe/x'), arn('role/platform/x'), arn('user/x'),
        arn('user/sdl-probe/x'), arn('role/sdl-probe/a/b/c/d/e/x'),
      );
      // The reserved path admits the library's roles of this account only.
      if (!thisAccounts.includes(account)) out.push(arn(`role${RESERVED_ROLE_PATH}sdl-probe`), arn(`role${RESERVED_ROLE_PATH}a/b/x`));
    }
  }
  return out;
}

/** The parts of a principal ARN (`arn:<partition>:iam::<account>:<resource>`), or undefined. @internal */
export function principalArnParts(value: string): { partition: string; service: string; account: string; resource: string } | undefined {
  const m = new RegExp(`^arn:(${ARN_SEGMENT}):(iam|sts)::(${ARN_SEGMENT}):(.+)$`).exec(value);
  return m ? { partition: m[1], service: m[2], account: m[3], resource: m[4] } : undefined;
}

/**
 * Whether resource patterns cover the resource `arn:<partition>:<service>:<region>:<account>:<suffix>`,
 * read in the partition, region and account each pattern names (so a pattern of a literal
 * account is compared in that account).
 *
 * @internal
 */
export function coversArn(patterns: string[], service: string, suffix: string): boolean {
  return patterns.some((p) => {
    const m = new RegExp(`^arn:(${ARN_SEGMENT}):(${ARN_SEGMENT}):(${ARN_SEGMENT}):(${ARN_SEGMENT}):`).exec(p);
    const seg = (x: string | undefined, d: string) => (x === undefined ? d : x.replace(/\*/g, 'x'));
    const arn = `arn:${seg(m?.[1], '<AWS::Partition>')}:${service}:${seg(m?.[3], '<AWS::Region>')}:${seg(m?.[4], '<AWS::AccountId>')}:${suffix}`;
    return wildcardMatch(p, arn, false);
  });
}

/**
 * The period in days of a rotation rule or schedule: `AutomaticallyAfterDays`, `rate(n days)`,
 * `rate(n hours)`, or a cron expression (31 days when it runs every month, 365 when every year);
 * undefined when it cannot be read.
 *
 * @internal
 */
export function rotationPeriodDays(rules: any): number | undefined {
  if (typeof rules?.AutomaticallyAfterDays === 'number') return rules.AutomaticallyAfterDays;
  const expr = render(rules?.ScheduleExpression).trim();
  const rate = /^rate\((\d+)\s+(day|days|hour|hours)\)$/.exec(expr);
  if (rate) return Number(rate[1]) / (rate[2].startsWith('hour') ? 24 : 1);
  const cron = /^cron\((.+)\)$/.exec(expr);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6 || fields[5] !== '*') return undefined;
    return fields[3] === '*' ? 31 : 365;
  }
  return undefined;
}
