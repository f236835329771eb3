/**
 * Checkov as a CDK validation plugin: scans the synthesized templates with the pinned Checkov of
 * .venv-checkov (installed by scripts/dev) and reports each failed check on its resource. The
 * security report filters the findings acknowledged in the construct tree.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';

export class CheckovCheck implements IPolicyValidationPlugin {
  public readonly name = 'Checkov';

  constructor(private readonly command = process.env.SDL_CHECKOV) {}

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    if (!this.command) {
      throw new Error('Checkov is not set up: run through ./scripts/dev, which installs it into .venv-checkov/ and sets SDL_CHECKOV');
    }
    const args = ['--framework', 'cloudformation', '--output', 'json', '--quiet', '--compact', '--skip-download', '--soft-fail'];
    for (const t of context.templatePaths) args.push('--file', t);
    const out = execFileSync(this.command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false' } });
    const parsed = JSON.parse(out);
    const reports: any[] = Array.isArray(parsed) ? parsed : [parsed];
    const byRule = new Map<string, PolicyViolation>();
    for (const report of reports) {
      for (const failed of report.results?.failed_checks ?? []) {
        const logicalId = String(failed.resource).split('.').slice(1).join('.');
        const file = path.resolve(failed.file_abs_path ?? failed.file_path);
        const templatePath = context.templatePaths.find((t) => path.resolve(t) === file) ?? file;
        const v = byRule.get(failed.check_id)
          ?? { ruleName: failed.check_id, description: failed.check_name, fix: failed.guideline ?? undefined, violatingResources: [] };
        (v.violatingResources as any[]).push({ resourceLogicalId: logicalId, templatePath, locations: [failed.resource] });
        byRule.set(failed.check_id, v);
      }
    }
    const violations = [...byRule.values()];
    return { success: violations.length === 0, violations };
  }
}
