/**
 * The report's layout: the Markdown sections in their order and the JSON model's keys, so that
 * moving code between the report's modules (plugin, model, access views, diagram, renderer) cannot
 * reorder or drop a part of what readers and `verify-deployment` consume.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AuditedPipeline, ColumnType, PipelineTrigger, SecurityReport, TableSchema } from '../../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdl-report-layout-'));
const app = new App({ outdir: path.join(dir, 'cdk.out') });
const stack = new Stack(app, 'Layout', { env: { account: '111111111111', region: 'eu-west-1' } });
const pipeline = new AuditedPipeline(stack, 'Customers', {
  tableName: 'customers',
  schema: TableSchema.of([{ name: 'customer_id', type: ColumnType.LONG }, { name: 'email', type: ColumnType.STRING, pii: true }]),
  trigger: PipelineTrigger.onDemand(),
});
pipeline.grantReadCurated(new iam.Role(stack, 'Analysts', { assumedBy: new iam.AccountRootPrincipal() }));
const plugin = new SecurityReport();
Validations.of(app).addPlugins(plugin);
const assembly = app.synth();
const report = JSON.parse(fs.readFileSync(plugin.writeReport(assembly.directory), 'utf8'));
const md = fs.readFileSync(path.join(assembly.directory, SecurityReport.MARKDOWN_FILE_NAME), 'utf8');

describe('SecurityReport layout', () => {
  test('the Markdown report has its sections in this order', () => {
    expect(md.split('\n').filter((l) => l.startsWith('#'))).toEqual([
      '# Security report',
      '## Summary',
      '## Controls',
      '## Deploy-time assumptions',
      '## Residual risks',
      '## Who can read the data',
      '## Tables',
      '## Access matrix',
      '## Compliance checks',
      '### Acknowledgments',
      '## GDPR, HIPAA and SOC 2',
      '## Data flow',
    ]);
    expect(md.endsWith('```\n')).toBe(true);
  });

  test('the JSON report has these top-level keys, in this order', () => {
    expect(Object.keys(report)).toEqual([
      'report', 'stacks', 'summary', 'controls', 'deployTimeAssumptions', 'accessMatrix', 'dataReaders', 'tables',
      'compliance', 'residualRisks', 'frameworkCaveats', 'diagram',
    ]);
  });

  test('the summary, a control, a table and the compliance section have these keys, in this order', () => {
    expect(Object.keys(report.summary)).toEqual([
      'controls', 'proven', 'needsRuntimeVerification', 'missing', 'unacknowledgedFindings', 'acknowledgments', 'acknowledgedDecisions',
    ]);
    expect(Object.keys(report.controls[0])).toEqual([
      'id', 'section', 'requirement', 'implementation', 'implementedBy', 'verification', 'status', 'evidence', 'problems', 'tests', 'assumptions', 'frameworks',
    ]);
    expect(Object.keys(report.tables[0])).toEqual(['table', 'job', 'role', 'dataReaders', 'quarantineReaders', 'sourceReaders', 'operators', 'controls']);
    expect(Object.keys(report.compliance)).toEqual(['checks', 'acknowledgments']);
    expect(Object.keys(report.deployTimeAssumptions[0])).toEqual(['id', 'statement', 'controls', 'verifyDeploymentCheck']);
  });
});
