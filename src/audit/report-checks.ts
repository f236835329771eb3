/**
 * Running the compliance checks for the report: each finding kept or set aside by the
 * acknowledgments recorded in the construct tree, and the synthesized templates read back.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CfnResource,
  IPolicyValidationContext,
  IPolicyValidationContextBeta1,
  IPolicyValidationPlugin,
  IPolicyValidationPluginBeta1,
  PolicyViolation,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One finding of a check, after acknowledgments. */
export interface CheckResult { name: string; unacknowledged: Array<{ rule: string; path: string; description: string }>; acknowledged: number }

/** An acknowledgment recorded in the tree: the rule id, its reason and the construct's path. */
export type Ack = { id: string; reason: string; path: string };

/** A synthesized template, with the literal account its stack deploys to (if any). */
export type ReportTemplate = { stack: string; templatePath: string; template: any; account?: string };

/** The construct path of a resource, from its template and logical id. */
export type PathOf = (templatePath: string | undefined, logicalId: string) => string | undefined;

/** What running the checks gives the report: their results, the violations CDK reports, the tree's acknowledgments. */
export interface CheckRun { results: CheckResult[]; violations: PolicyViolation[]; acks: Ack[]; pathOf: PathOf }

/** The synthesized templates of the validation context. */
export function templatesOf(context: IPolicyValidationContext): ReportTemplate[] {
  // Each stack's account, when it is deployed to a literal one: ARNs of that account are this account's.
  const stacks = new Map(context.appConstruct.node.findAll().filter((c): c is Stack => Stack.isStack(c)).map((c) => [c.node.path, c]));
  const accountOf = (p: string) => {
    const account = stacks.get(p)?.account;
    return account !== undefined && !Token.isUnresolved(account) ? account : undefined;
  };
  return context.stackTemplates.map((s) => ({
    stack: s.stackConstructPath, templatePath: s.templatePath, account: accountOf(s.stackConstructPath), template: JSON.parse(fs.readFileSync(s.templatePath, 'utf8')),
  }));
}

/** Runs the checks, setting aside each finding on a resource whose construct (or a scope of it) acknowledges its rule. */
export function runChecks(
  context: IPolicyValidationContext, checks: IPolicyValidationPlugin[], legacyChecks: IPolicyValidationPluginBeta1[],
): CheckRun {
  const acks = acknowledgmentsOf(context.appConstruct);
  const results: CheckResult[] = [];
  const violations: PolicyViolation[] = [];
  const locate = constructLocator(context.appConstruct);
  const run = (name: string, report: { violations: PolicyViolation[] }, prefix?: string) => {
    const result: CheckResult = { name, unacknowledged: [], acknowledged: 0 };
    for (const v of report.violations) {
      const open = v.violatingResources.filter((r) => {
        const c = (r as any).constructPath ? undefined : locate(r.templatePath, r.resourceLogicalId);
        if (c && isAcknowledged(c, v.ruleName)) {
          result.acknowledged++;
          return false;
        }
        return true;
      });
      for (const r of open) {
        const where = (r as any).constructPath ?? locate(r.templatePath, r.resourceLogicalId)?.node.path ?? r.resourceLogicalId;
        result.unacknowledged.push({ rule: v.ruleName, path: where, description: v.description });
      }
      if (open.length > 0) violations.push({ ...v, ruleName: `${name}: ${v.ruleName}`, violatingResources: open });
    }
    if (prefix) result.acknowledged += acks.filter((a) => a.id.startsWith(prefix)).length;
    results.push(result);
  };
  for (const check of checks) {
    const prefix: string | undefined = (check as any).readPackName ? `${(check as any).readPackName}-` : undefined;
    run(prefix ? prefix.slice(0, -1) : check.name, check.validate(context), prefix);
  }
  for (const check of legacyChecks) run(check.name, check.validate(context as IPolicyValidationContextBeta1));
  return { results, violations, acks, pathOf: (t, id) => locate(t, id)?.node.path };
}

/** Acknowledgments recorded in the tree. */
function acknowledgmentsOf(root: IConstruct): Ack[] {
  const out: Ack[] = [];
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !m.data) continue;
      for (const [key, reason] of Object.entries<any>(m.data)) out.push({ id: key.replace(/^annotation::/i, ''), reason: String(reason), path: c.node.path });
    }
  }
  return out.sort((a, b) => (a.path + a.id).localeCompare(b.path + b.id));
}

function isAcknowledged(c: IConstruct, rule: string): boolean {
  for (const scope of c.node.scopes) {
    for (const m of scope.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !m.data) continue;
      if (Object.keys(m.data).some((k) => k.replace(/^annotation::/i, '') === rule)) return true;
    }
  }
  return false;
}

function constructLocator(root: IConstruct): (templatePath: string | undefined, logicalId: string | undefined) => IConstruct | undefined {
  const index = new Map<string, IConstruct>();
  for (const c of root.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const stack = Stack.of(c);
    index.set(`${stack.templateFile}|${stack.resolve(c.logicalId)}`, c);
  }
  return (templatePath, logicalId) => index.get(`${path.basename(templatePath ?? '')}|${logicalId ?? ''}`);
}
