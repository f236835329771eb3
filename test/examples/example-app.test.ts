/**
 * The example app under every check the main job runs: the five cdk-nag packs, the Control Tower
 * guard rules and Checkov (from .venv-checkov, set up by scripts/dev), through the security report.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { securityReport } from '../../examples/ingestion-pipeline/checks';
import { examplePipeline } from '../../examples/ingestion-pipeline/pipeline';
import { SecurityControls } from '../../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdl-example-'));
const app = new App({ outdir: dir });
examplePipeline(app);
const plugin = securityReport();
Validations.of(app).addPlugins(plugin);
const assembly = app.synth();
const report = JSON.parse(fs.readFileSync(plugin.writeReport(assembly.directory), 'utf8'));

describe('the example app', () => {
  test('SDL-CMP-02: every check runs and reports no unacknowledged finding', () => {
    expect(report.compliance.checks.map((c: any) => `${c.name}: ${c.unacknowledged}`)).toEqual([
      'AwsSolutions: 0', 'HIPAA.Security: 0', 'NIST.800.53.R5: 0', 'PCI.DSS.321: 0', 'Serverless: 0', 'Checkov: 0', 'cdk-validator-cfnguard: 0',
    ]);
  });

  test('every check acknowledges something, so each one demonstrably ran', () => {
    for (const c of report.compliance.checks) {
      expect({ check: c.name, acknowledged: c.acknowledged > 0 }).toEqual({ check: c.name, acknowledged: true });
    }
  });

  test('no control is missing', () => {
    expect(report.summary.missing).toEqual([]);
    expect(report.summary.proven + report.summary.needsRuntimeVerification).toBe(SecurityControls.all().length);
  });

  test('the acknowledgments are counted and kept to a small set of decisions', () => {
    // 88 before AuditedPipeline was a one-table lake, the lake's events role, which notifies workflow/<lakeName>-*,
    // and the job's read of its source files' listed versions (GetObjectVersion under its prefix).
    expect(report.summary.acknowledgments).toBe(90);
    // 25, and the job's read of the listed versions (a decision of its own: the version actions differ from GetObject).
    expect(report.summary.acknowledgedDecisions).toBeLessThanOrEqual(26);
  });

  test('nobody but the job reads the quarantine', () => {
    const quarantine = report.dataReaders.find((d: any) => d.location.startsWith('quarantine'));
    expect(quarantine.readers).toEqual(['SecureDeltaLakePipeline/Customers/Default/Job/Role/Resource']);
  });
});
