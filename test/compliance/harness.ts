/**
 * The compliance harness: runs the cdk-nag 3 rule packs over a synthesized construct tree and
 * reports every finding that is not acknowledged.
 *
 * cdk-nag 3 packs are CDK validation plugins. `validateScope` walks the tree as it is when called,
 * and aspects only run during synthesis, so the harness synthesizes first (DESIGN-NOTES 1).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One unacknowledged finding. */
export interface Finding {
  readonly pack: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description: string;
}

export interface PackResult {
  readonly pack: string;
  readonly findings: Finding[];
}

export interface ComplianceReport {
  readonly packs: PackResult[];
  readonly findings: Finding[];
}

/** The packs every construct and the example app are held to. */
export function standardPacks(options: { serverless?: boolean } = {}): NagPack[] {
  const packs: NagPack[] = [
    new AwsSolutionsChecks(),
    new HIPAASecurityChecks(),
    new NIST80053R5Checks(),
    new PCIDSS321Checks(),
  ];
  if (options.serverless) packs.push(new ServerlessChecks());
  return packs;
}

function hasLambda(scope: IConstruct): boolean {
  return scope.node.findAll().some((c) => (c as any).cfnResourceType === 'AWS::Lambda::Function');
}

/**
 * Synthesize the app of `scope`, then run the packs over `scope`. The Serverless pack is added
 * where the tree holds Lambda functions.
 */
export function runPacks(scope: IConstruct, packs?: NagPack[]): ComplianceReport {
  const app = scope.node.root as App;
  if (typeof (app as any).synth === 'function') {
    app.synth({ force: true });
  }
  const chosen = packs ?? standardPacks({ serverless: hasLambda(scope) });
  const results: PackResult[] = chosen.map((pack) => {
    const report = pack.validateScope(scope);
    const findings: Finding[] = [];
    for (const v of report.violations) {
      for (const r of v.violatingResources) {
        findings.push({ pack: pack.readPackName, rule: v.ruleName, severity: v.severity ?? 'error', path: r.constructPath ?? '', description: v.description });
      }
    }
    return { pack: pack.readPackName, findings };
  });
  return { packs: results, findings: results.flatMap((r) => r.findings) };
}

/** A readable list of findings, for failure messages. */
export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `  ${f.rule} (${f.severity}) at ${f.path}: ${f.description}`).join('\n');
}

/**
 * Fails (throws) when any pack reports a finding that is not acknowledged with a reason.
 */
export function expectCompliant(scope: IConstruct, packs?: NagPack[]): ComplianceReport {
  const report = runPacks(scope, packs);
  if (report.findings.length > 0) {
    throw new Error(`${report.findings.length} unacknowledged compliance finding(s):\n${formatFindings(report.findings)}`);
  }
  return report;
}

/** An acknowledgment found in the tree: where, which rule, and why. */
export interface Acknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/**
 * Every acknowledgment recorded in a tree (through `Validations.of(x).acknowledge`), sorted by
 * path and id, so a test can pin the list.
 */
export function acknowledgmentsIn(scope: IConstruct): Acknowledgment[] {
  const out: Acknowledgment[] = [];
  for (const c of scope.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !m.data) continue;
      for (const [key, reason] of Object.entries<any>(m.data)) {
        out.push({ path: c.node.path, id: key.replace(/^annotation::/i, ''), reason: String(reason) });
      }
    }
  }
  return out.sort((a, b) => (a.path + a.id).localeCompare(b.path + b.id));
}

/** A stack of its own app with a fixed environment, for construct tests. */
export function testStack(id = 'Test'): Stack {
  const app = new App();
  return new Stack(app, id, { env: { account: '111111111111', region: 'eu-west-1' } });
}
