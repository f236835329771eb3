/**
 * The security report: written from what is synthesized, a missing control reported missing, the
 * checks' findings filtered by the acknowledgments of the tree, and unacknowledged ones failing
 * synthesis.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, IPolicyValidationContextBeta1, Lazy, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { AuditedPipeline, ColumnType, PipelineTrigger, SecurityControls, SecurityReport, TableSchema } from '../../src';
import { RESIDUAL_RISKS } from '../../src/audit/security-report';

const schema = TableSchema.of([
  { name: 'customer_id', type: ColumnType.LONG },
  { name: 'email', type: ColumnType.STRING, pii: true },
]);
const env = { account: '111111111111', region: 'eu-west-1' };

type Synthesized = { report: any; md: string };

function synth(build: (stack: Stack) => void, checks: any[] = [], legacyChecks: IPolicyValidationPluginBeta1[] = []): Synthesized {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdl-report-'));
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  build(new Stack(app, 'Report', { env }));
  const plugin = new SecurityReport({ checks, legacyChecks });
  Validations.of(app).addPlugins(plugin);
  const assembly = app.synth();
  const file = plugin.writeReport(assembly.directory);
  return { report: JSON.parse(fs.readFileSync(file, 'utf8')), md: fs.readFileSync(path.join(assembly.directory, SecurityReport.MARKDOWN_FILE_NAME), 'utf8') };
}

function pipeline(stack: Stack): AuditedPipeline {
  const p = new AuditedPipeline(stack, 'Customers', { tableName: 'customers', schema, trigger: PipelineTrigger.onDemand() });
  p.grantReadCurated(new iam.Role(stack, 'Analysts', { assumedBy: new iam.AccountRootPrincipal() }));
  p.grantOperate(new iam.Role(stack, 'Engineers', { assumedBy: new iam.AccountRootPrincipal() }));
  return p;
}

// The pipeline with two packs, synthesized once for the file.
const { report, md } = synth(pipeline, [new AwsSolutionsChecks(), new HIPAASecurityChecks()]);
const control = (id: string) => report.controls.find((c: any) => c.id === id);

describe('SecurityReport of an AuditedPipeline', () => {
  test('every control of the registry is reported, proven from the templates or needing runtime verification, with its tests', () => {
    expect(report.controls.map((c: any) => c.id)).toEqual(SecurityControls.all().map((c) => c.id));
    expect(report.summary.missing).toEqual([]);
    for (const c of report.controls) {
      expect({ id: c.id, status: c.status }).toEqual({ id: c.id, status: c.verification === 'RUNTIME' ? 'needs-runtime-verification' : 'proven' });
      expect({ id: c.id, evidence: c.evidence.length > 0, tests: c.tests.length > 0 }).toEqual({ id: c.id, evidence: true, tests: true });
    }
  });

  test('evidence names the resources and the property values that implement a control', () => {
    expect(control('SDL-LOG-02').evidence[0]).toEqual(expect.objectContaining({
      path: 'Report/Customers/Trail/Resource/Resource',
      type: 'AWS::CloudTrail::Trail',
      value: expect.stringMatching(/^<CustomersAuditKey[0-9A-F]+\.Arn> \/ true \/ <CustomersTrailLogs[0-9A-F]+\.Arn> \/ Object-level events/),
    }));
    expect(control('SDL-SEC-03').evidence).toEqual([
      expect.objectContaining({ type: 'AWS::SecretsManager::Secret', property: 'rotation', value: 'rate(90 days)' }),
      expect.objectContaining({ type: 'AWS::SecretsManager::Secret', property: 'who changes the rotation of it', value: 'only the administrators' }),
    ]);
    expect(control('SDL-CMP-02').evidence[0].value).toMatch(/^0 unacknowledged, \d+ acknowledged with reasons$/);
  });

  test('runtime-dependent controls name their deploy-time assumptions, each checked by verify-deployment', () => {
    expect(control('SDL-LOG-01').assumptions).toEqual(['glue-log-group-names']);
    expect(report.deployTimeAssumptions.map((a: any) => a.verifyDeploymentCheck)).toEqual([
      'glue_log_groups', 'emrfs_markers', 'access_log_delivery', 'trail_status', 'alert_delivery', 'management_trail', 'iam_events_region',
      'locked_job_arguments', 'workflow_trigger',
    ]);
  });

  test('SDL-ACC-03: who can read the curated data and the quarantine is computed from the policies', () => {
    const readers = Object.fromEntries(report.dataReaders.map((d: any) => [d.location, d.readers]));
    expect(readers['curated data']).toEqual(['Report/Customers/Default/Job/Role/Resource', 'Report/Analysts/Resource']);
    expect(readers['quarantine (raw records, PII in clear)']).toEqual(['Report/Customers/Default/Job/Role/Resource']);
    expect(readers['source CSV']).toEqual(['Report/Customers/Default/Job/Role/Resource']);
  });

  test('the access matrix lists each principal\'s allowed actions per resource', () => {
    const engineer = report.accessMatrix.filter((r: any) => r.principal === 'Report/Engineers/Resource');
    // Pipeline operators start the workflow, never a job run with arguments of their own.
    expect(engineer.flatMap((r: any) => r.actions)).toEqual(expect.arrayContaining(['glue:StartWorkflowRun', 'glue:BatchStopJobRun']));
    expect(engineer.flatMap((r: any) => r.actions)).not.toContain('glue:StartJobRun');
    expect(engineer.flatMap((r: any) => r.actions).some((a: string) => a.startsWith('s3:'))).toBe(false);
  });

  test('compliance: counts per check and every acknowledgment with its id and reason', () => {
    expect(report.compliance.checks.map((c: any) => [c.name, c.unacknowledged])).toEqual([['AwsSolutions', 0], ['HIPAA.Security', 0]]);
    expect(report.compliance.acknowledgments.length).toBe(report.summary.acknowledgments);
    for (const a of report.compliance.acknowledgments) {
      expect(a).toEqual({ id: expect.any(String), reason: expect.stringMatching(/.{40,}/), path: expect.stringMatching(/^Report\//) });
    }
  });

  test('SDL-CMP-01: each control maps to GDPR, HIPAA and SOC 2, with the shared-responsibility caveats', () => {
    expect(control('SDL-CMP-01').frameworks.gdpr).toContain('Art. 4(5) pseudonymisation');
    expect(control('SDL-LOG-02').frameworks.hipaa).toContain('164.312(b) audit controls');
    expect(control('SDL-ACC-01').frameworks.soc2).toContain('CC6.3');
    expect(report.frameworkCaveats.join(' ')).toMatch(/BAA.*DPA/);
  });

  test('the data-flow diagram is Mermaid text with the trust boundaries, the flows and the people', () => {
    expect(report.diagram).toMatch(/^flowchart LR\n {2}subgraph account\["AWS account \(trust boundary\)"\]/);
    expect(report.diagram).toContain('subgraph perimeter["Data perimeter');
    expect(report.diagram).toMatch(/-->\|"writes Delta"\|/);
    expect(report.diagram).toMatch(/-\.->\|"data events"\|/);
    expect(report.diagram).toMatch(/\|"reads"\| person_Analysts/);
    expect(md).toContain('```mermaid\nflowchart LR');
  });

  test('the residual risks are listed in the JSON and the Markdown, from the one exported list', () => {
    expect(report.residualRisks).toEqual(RESIDUAL_RISKS);
    expect(RESIDUAL_RISKS.map((r) => r.id)).toEqual([
      'iam-star-principals', 'account-root', 'named-administrators', 'best-effort-delivery', 'iam-events-us-east-1', 'run-overrides',
      'delete-every-alert-rule', 'empty-code-parameters', 'fenced-object-keys', 'subscription-changes', 'forged-metrics',
      'lake-shared-logs-key',
    ]);
    for (const r of RESIDUAL_RISKS) expect(md).toContain(`| ${r.risk} | ${r.mitigation} |`);
  });

  test('the threat model in docs/ lists the same residual risks, by id, and no other', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'threat-model.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Residual risks'));
    const listed = [...section.matchAll(/^- `([a-z0-9-]+)`:/gm)].map((m) => m[1]);
    expect(listed).toEqual(RESIDUAL_RISKS.map((r) => r.id));
  });

  test('the Markdown report has every section', () => {
    for (const h of ['## Summary', '## Controls', '## Deploy-time assumptions', '## Residual risks', '## Who can read the data', '## Access matrix', '## Compliance checks', '### Acknowledgments', '## GDPR, HIPAA and SOC 2', '## Data flow']) {
      expect(md).toContain(h);
    }
  });
});

describe('SecurityReport reports what is missing', () => {
  test('a plain bucket: its missing controls are reported missing with the reason, not hidden', () => {
    const { report: plain } = synth((s) => new s3.Bucket(s, 'Plain'));
    const c = (id: string) => plain.controls.find((x: any) => x.id === id);
    expect(c('SDL-S3-02').status).toBe('missing');
    expect(c('SDL-S3-02').problems[0]).toMatch(/^Report\/Plain\/Resource: public access block all on: false/);
    expect(c('SDL-LOG-02').problems).toEqual(['no CloudTrail trail in the app']);
    expect(c('SDL-CMP-02').problems).toEqual(['the HIPAA Security pack was not run', 'Report/Plain/Resource: no default encryption']);
    expect(plain.summary.missing.length).toBeGreaterThan(20);
  });

  test.each([
    ['SDL-LOG-02', 'a trail without KMS', (p: AuditedPipeline) => { (p.trail.node.defaultChild as cloudtrail.CfnTrail).kmsKeyId = undefined; }, /not encrypted, not validated/],
    ['SDL-LOG-02', 'a trail without log-file validation', (p: AuditedPipeline) => { (p.trail.node.defaultChild as cloudtrail.CfnTrail).enableLogFileValidation = false; }, /not encrypted, not validated/],
    ['SDL-ENC-01', 'a lake key without rotation', (p: AuditedPipeline) => { (p.curatedBucket.encryptionKey.node.defaultChild as kms.CfnKey).enableKeyRotation = false; }, /rotation false/],
    ['SDL-S3-02', 'a lake bucket with public access allowed', (p: AuditedPipeline) => {
      (p.rawBucket.bucket.node.defaultChild as s3.CfnBucket).publicAccessBlockConfiguration = undefined;
    }, /public access block all on: false/],
    ['SDL-SEC-03', 'a secret without rotation beside the pipeline', (p: AuditedPipeline) => {
      new secretsmanager.Secret(Stack.of(p), 'Unrotated');
    }, /Report\/Unrotated\/Resource: no rotation schedule/],
  ])('%s is missing for %s', (id, _name, weaken, problem) => {
    const { report: weak } = synth((s) => weaken(pipeline(s)));
    const c = weak.controls.find((x: any) => x.id === id);
    expect(c.status).toBe('missing');
    expect(c.problems.join('\n')).toMatch(problem);
  });
});

describe('SecurityReport reads exception lists entry by entry (no wildcard passes for a name)', () => {
  const withAdministrators = (administratorArns: string[]) => synth((s) => {
    const p = new AuditedPipeline(s, 'Customers', { tableName: 'customers', schema, trigger: PipelineTrigger.onDemand(), administratorArns });
    p.grantReadCurated(new iam.Role(s, 'Analysts', { assumedBy: new iam.AccountRootPrincipal() }));
    p.grantOperate(new iam.Role(s, 'Engineers', { assumedBy: new iam.AccountRootPrincipal() }));
  }).report;

  test('administrators named by a pattern of this account that reaches no outsider (IAM Identity Center) stay proven', () => {
    const r = withAdministrators(['arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*', 'arn:aws:iam::111111111111:user/break-glass']);
    // SDL-CMP-02 needs the HIPAA pack, which this synthesis does not run.
    expect(r.summary.missing).toEqual(['SDL-CMP-02']);
  });

  test('administrators named as every role on a path leave the configuration guards missing, naming the pattern', () => {
    // The construct refuses such a pattern when it can read it; a token (resolved only at synth) gets past it, the report does not.
    const r = withAdministrators([Lazy.string({ produce: () => 'arn:aws:iam::111111111111:role/platform/*' })]);
    expect(r.summary.missing).toEqual(expect.arrayContaining(['SDL-S3-01', 'SDL-S3-03']));
    expect(r.controls.find((c: any) => c.id === 'SDL-S3-03').problems.join('\n'))
      .toMatch(/'arn:aws:iam::111111111111:role\/platform\/\*' admits every principal on the path role\/platform\//);
  });
});

describe('SecurityReport runs the checks', () => {
  /** A check that reports every S3 bucket, like cfn-guard or Checkov do. */
  class EveryBucketCheck implements IPolicyValidationPluginBeta1 {
    public readonly name = 'every-bucket';
    public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
      const violatingResources = context.templatePaths.flatMap((t) => Object.entries<any>(JSON.parse(fs.readFileSync(t, 'utf8')).Resources)
        .filter(([, r]) => r.Type === 'AWS::S3::Bucket').map(([id]) => ({ resourceLogicalId: id, templatePath: t, locations: ['Properties'] })));
      return { success: violatingResources.length === 0, violations: [{ ruleName: 'BUCKET_RULE', description: 'every bucket', violatingResources }] };
    }
  }

  test('a finding acknowledged on the construct is counted as acknowledged; the others fail synthesis', () => {
    expect(() => synth((s) => {
      const ok = new s3.Bucket(s, 'Acknowledged');
      Validations.of(ok).acknowledge({ id: 'BUCKET_RULE', reason: 'this bucket is acknowledged for the test of the report' });
      new s3.Bucket(s, 'Open');
    }, [], [new EveryBucketCheck()])).toThrow(/BUCKET_RULE/);
  });

  test('with every finding acknowledged, synthesis passes and the report counts them', () => {
    const { report: r } = synth((s) => {
      const ok = new s3.Bucket(s, 'Acknowledged');
      Validations.of(ok).acknowledge({ id: 'BUCKET_RULE', reason: 'this bucket is acknowledged for the test of the report' });
    }, [], [new EveryBucketCheck()]);
    expect(r.compliance.checks).toEqual([{ name: 'every-bucket', unacknowledged: 0, acknowledged: 1, findings: [] }]);
  });

  test('fails when the report is written before any synthesis', () => {
    expect(() => new SecurityReport().writeReport(os.tmpdir())).toThrow(/there is no report yet; register the plugin/);
  });
});
