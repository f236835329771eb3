/**
 * The main job's report: after synthesis, every compliance pack runs over the app (cdk-nag 3
 * `validateScope`, through the project's compliance harness) and a short summary is printed.
 * Any unacknowledged finding makes the job fail.
 */
import { App, Stack } from 'aws-cdk-lib';
import { acknowledgmentsIn, formatFindings, runPacks } from '../../test/compliance/harness';

export function synthesizeWithCompliance(app: App): void {
  const assembly = app.synth();
  const report = runPacks(app);
  const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const lines: string[] = [];
  lines.push(`cloud assembly: ${assembly.directory}`);
  for (const s of assembly.stacks) {
    lines.push(`stack ${s.stackName}: ${Object.keys(s.template.Resources ?? {}).length} resources`);
  }
  for (const p of report.packs) {
    lines.push(`pack ${p.pack}: ${p.findings.length} unacknowledged finding(s)`);
  }
  lines.push(`acknowledged findings (each with a reason): ${acknowledgmentsIn(app).length}`);
  lines.push(`stacks: ${stacks.length}; total unacknowledged findings: ${report.findings.length}`);
  process.stderr.write(lines.join('\n') + '\n');
  if (report.findings.length > 0) {
    process.stderr.write(formatFindings(report.findings) + '\n');
    process.exitCode = 1;
    throw new Error(`${report.findings.length} unacknowledged compliance finding(s)`);
  }
}
