/**
 * The main job's summary, read from the security report the synthesis wrote. Exits non-zero when
 * a control is missing or a finding is unacknowledged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SecurityReport } from '../../src';

export function printSummary(assemblyDirectory: string): void {
  const file = path.join(assemblyDirectory, SecurityReport.JSON_FILE_NAME);
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const lines = [
    `cloud assembly: ${assemblyDirectory}`,
    ...report.stacks.map((s: any) => `stack ${s.path}: ${s.resources} resources`),
    ...report.compliance.checks.map((c: any) => `check ${c.name}: ${c.unacknowledged} unacknowledged, ${c.acknowledged} acknowledged`),
    `controls: ${report.summary.controls} (${report.summary.proven} proven from the templates, ${report.summary.needsRuntimeVerification} needing runtime verification, ` +
      `${report.summary.missing.length} missing${report.summary.missing.length ? ': ' + report.summary.missing.join(', ') : ''})`,
    `acknowledged findings (each with a reason): ${report.summary.acknowledgments}, from ${report.summary.acknowledgedDecisions} distinct decisions`,
    `security report: ${path.join(assemblyDirectory, SecurityReport.MARKDOWN_FILE_NAME)} and ${SecurityReport.JSON_FILE_NAME}`,
  ];
  process.stderr.write(lines.join('\n') + '\n');
  if (report.summary.missing.length > 0 || report.summary.unacknowledgedFindings > 0) {
    process.exitCode = 1;
    throw new Error(`${report.summary.missing.length} missing control(s), ${report.summary.unacknowledgedFindings} unacknowledged finding(s)`);
  }
}
