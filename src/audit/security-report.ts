import * as fs from 'fs';
import * as path from 'path';
import {
  CfnResource,
  IPolicyValidationContext,
  IPolicyValidationContextBeta1,
  IPolicyValidationPlugin,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReport,
  PolicyViolation,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { controlTestIndex } from './control-tests';
import { EVIDENCE, Evidence, Facts, canRead } from './evidence';
import { ModelResource, TemplateModel, allows, refId, render } from './template-model';
import { ControlVerification, SecurityControls } from '../controls/security-controls';

/** Properties of a `SecurityReport`. */
export interface SecurityReportProps {
  /**
   * Compliance checks whose findings the report records (cdk-nag 3 packs, for example). The report
   * runs them itself: register them here rather than with `Validations.of(app).addPlugins`.
   *
   * @default - none: the report has no compliance section
   */
  readonly checks?: IPolicyValidationPlugin[];

  /**
   * Checks written against the older plugin interface (`@cdklabs/cdk-validator-cfnguard`'s
   * `CfnGuardValidator`, for example).
   *
   * @default - none
   */
  readonly legacyChecks?: IPolicyValidationPluginBeta1[];

  /**
   * Where `security-report.md` and `security-report.json` are written during validation. It must
   * lie outside the cloud assembly: CDK fails synthesis when a plugin changes a file that was in
   * the assembly before validation (the report of the previous synthesis, for example).
   *
   * @default - nothing is written during validation; call `writeReport` after `app.synth()`
   */
  readonly outputDirectory?: string;
}

/** A deploy-time assumption: what the templates cannot prove and `verify-deployment` checks. */
interface Assumption { id: string; controls: string[]; statement: string; check: string }

const ASSUMPTIONS: Assumption[] = [
  {
    id: 'glue-log-group-names',
    controls: ['SDL-LOG-01', 'SDL-IAM-03'],
    check: 'glue_log_groups',
    statement: 'Glue 5 writes the job\'s logs to the pre-created <prefix>/output and <prefix>/error log groups under a KMS security configuration',
  },
  {
    id: 'emrfs-folder-markers',
    controls: ['SDL-IAM-02'],
    check: 'emrfs_markers',
    statement: 'Glue 5.0 writes s3:// through EMRFS, which may put <dir>_$folder$ marker objects beside a table prefix; the grants cover the table root only',
  },
  {
    id: 's3-access-log-delivery',
    controls: ['SDL-LOG-03'],
    check: 'access_log_delivery',
    statement: 'S3 server access logs reach the SSE-S3 access-log bucket through its bucket policy (no ACLs)',
  },
  {
    id: 'trail-delivery',
    controls: ['SDL-LOG-02'],
    check: 'trail_status',
    statement: 'CloudTrail delivers to the trail bucket and the log group with the audit key\'s policy (no delivery errors)',
  },
  {
    id: 'alert-delivery',
    controls: ['SDL-CMP-03'],
    check: 'alert_delivery',
    statement: 'EventBridge and CloudWatch publish to the KMS-encrypted alert topic (no failed invocations)',
  },
  {
    id: 'management-events-trail',
    controls: ['SDL-LOG-02', 'SDL-CMP-03'],
    check: 'management_trail',
    statement: 'a trail records the account\'s management events, so tamper events reach EventBridge (the account or organization trail, or accountTrail: true)',
  },
  {
    id: 'iam-events-region',
    controls: ['SDL-CMP-03'],
    check: 'iam_events_region',
    statement: 'IAM API events reach EventBridge in us-east-1 only: role-policy alerts need the pipeline there, or a forwarding rule',
  },
  {
    id: 'empty-code-parameters',
    controls: ['SDL-GLUE-02'],
    check: 'locked_job_arguments',
    statement: 'Glue treats a code-bearing special parameter locked with an empty value (--extra-jars, --extra-files, --additional-python-modules, ...) as unset, so the job runs with every such parameter non-overridable',
  },
  {
    id: 'workflow-trigger-delivery',
    controls: ['SDL-ACC-01'],
    check: 'workflow_trigger',
    statement: 'EventBridge starts the Glue workflow with glue:notifyEvent (no failed invocations)',
  },
];

const CAVEATS = [
  'The controls are technical safeguards in this app; GDPR, HIPAA and SOC 2 also require processes, agreements (a BAA for HIPAA, a DPA for GDPR), training and evidence that only the operator can provide.',
  'AWS is responsible for the security of the cloud (facilities, hardware, the services\' own software); the operator is responsible for what runs in the account: identities outside this app, data classification, key administrators, who is subscribed to alerts and how alerts are answered.',
  'A control marked "needs runtime verification" is proven from the templates but depends on service behaviour that only a deployed account shows: run verify-deployment after deploying.',
  'Pseudonymized data stays personal data under GDPR (recital 26); erasure requests reach the curated table through the key version and a Delta delete.',
];

/**
 * What the controls leave open, by design or because AWS offers no guard: the report lists them
 * and the README quotes the same list.
 *
 * @internal
 */
export const RESIDUAL_RISKS: ReadonlyArray<{ readonly id: string; readonly risk: string; readonly mitigation: string }> = [
  {
    id: 'iam-star-principals',
    risk: 'A principal of the same account allowed iam:* can tag itself into a prefix fence (the grant tag) or create a role under the reserved path /cdk-secure-delta-lake/ that the data perimeter admits',
    mitigation: 'keep iam:* and iam:Tag* with the administrators (a permissions boundary or an SCP); the tamper alerts and the trail see role changes',
  },
  {
    id: 'account-root',
    risk: "The account root can always delete or rewrite a bucket policy, a secret's resource policy and a key policy: it is the break-glass path",
    mitigation: 'protect the root user with MFA and no access keys, and alert on its sign-in',
  },
  {
    id: 'named-administrators',
    risk: "Administrators named in administratorArns (and the stack's CloudFormation execution role) may change the bucket configuration, the secret's policy and the key policies",
    mitigation: 'name few administrators; bucket, key, secret and trail changes raise tamper alerts',
  },
  {
    id: 'best-effort-delivery',
    risk: 'CloudTrail and EventBridge deliver on a best-effort basis: an event can arrive late or, rarely, not at all, so an alert can be missed',
    mitigation: "undeliverable alerts land in the dead-letter queue (alarmed); the trail's validated log files remain the record",
  },
  {
    id: 'iam-events-us-east-1',
    risk: "IAM API events reach EventBridge in us-east-1 only: outside it, changes to the job role's policies raise no alert",
    mitigation: 'deploy in us-east-1 or forward iam.amazonaws.com events from there; the account trail records them',
  },
  {
    id: 'run-overrides',
    risk: "An operator of a standalone job (glue:StartJobRun) may choose a run's worker type and count, timeout and security configuration",
    mitigation: 'alerted, not prevented: in an AuditedPipeline every StartJobRun a principal makes is reported, and so is a trigger created or changed to start the job; pipeline operators start the workflow instead',
  },
  {
    id: 'delete-every-alert-rule',
    risk: 'A principal allowed events:DeleteRule can delete every alert rule in one sequence of calls; the last deletions raise no alert',
    mitigation: 'seen by the account trail only: keep events:* with the administrators and review the trail',
  },
  {
    id: 'empty-code-parameters',
    risk: 'Code-bearing Glue parameters the job does not use are locked with an empty value; that Glue treats an empty value as unset is a deploy-time assumption',
    mitigation: 'a successful run of the deployed job proves it; the StartJobRun rule reports every run a principal starts, whatever its arguments',
  },
  {
    id: 'fenced-object-keys',
    risk: 'Object keys (file names) under a fenced prefix stay visible to principals allowed to list the bucket, though not their contents',
    mitigation: 'the data perimeter limits listing to grantees, and grants limit it to their own prefix; keep personal data out of file names',
  },
  {
    id: 'subscription-changes',
    risk: 'A principal allowed sns:Unsubscribe or sns:SetSubscriptionAttributes can remove an alert subscription or give it a filter policy that matches nothing; a topic policy cannot deny these calls (they are authorized on the subscription)',
    mitigation: 'the topic tamper rule reports both calls; keep sns:* with the administrators (a service control policy can deny them)',
  },
  {
    id: 'forged-metrics',
    risk: "A principal allowed cloudwatch:PutMetricData can publish the job's metrics (RunsSucceeded) into its namespace and keep the no-successful-run alarm quiet, or raise false quarantine alarms",
    mitigation: "failed, timed-out and stopped runs are reported from Glue's own events, not from metrics; restrict cloudwatch:PutMetricData by the cloudwatch:namespace condition key",
  },
  {
    id: 'lake-shared-logs-key',
    risk: "In a SecureDeltaLake, every table's job role may use the lake's logs key directly (Glue's client-side bookmark encryption needs it); a job role could decrypt data encrypted with that key",
    mitigation: "bookmarks are locked off and job roles cannot read log events, so no data encrypted with the key is reachable to them; give a table its own job key where this matters",
  },
];

/** One finding of a check, after acknowledgments. */
interface CheckResult { name: string; unacknowledged: Array<{ rule: string; path: string; description: string }>; acknowledged: number }

/**
 * A CDK validation plugin that writes the app's security report at synthesis, from the synthesized
 * templates: each control of the registry with the resources and property values that implement
 * it, the tests that prove it and whether it needs runtime verification (a control without
 * evidence is reported missing); the access matrix computed from the policies; the findings of
 * the compliance checks it runs, with every acknowledgment and its reason; the mapping to GDPR,
 * HIPAA and SOC 2; and a Mermaid data-flow diagram.
 *
 * Unacknowledged findings of the checks are returned as violations, so synthesis fails on them
 * like any validation plugin.
 *
 * @example
 * const app = new App();
 * const report = new sdl.SecurityReport();
 * Validations.of(app).addPlugins(report);
 * // ... the app's stacks ...
 * const assembly = app.synth();
 * report.writeReport(assembly.directory);
 */
export class SecurityReport implements IPolicyValidationPlugin {
  /** The JSON report's file name. */
  public static readonly JSON_FILE_NAME = 'security-report.json';
  /** The Markdown report's file name. */
  public static readonly MARKDOWN_FILE_NAME = 'security-report.md';

  /** The plugin's name in CDK's validation report. */
  public readonly name = 'cdk-secure-delta-lake-security-report';

  private readonly checks: IPolicyValidationPlugin[];
  private readonly legacyChecks: IPolicyValidationPluginBeta1[];
  private readonly outputDirectory?: string;
  private report?: any;

  constructor(props: SecurityReportProps = {}) {
    this.checks = props.checks ?? [];
    this.legacyChecks = props.legacyChecks ?? [];
    this.outputDirectory = props.outputDirectory;
  }

  /** Writes the report and returns the checks' unacknowledged findings. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    // Each stack's account, when it is deployed to a literal one: ARNs of that account are this account's.
    const stacks = new Map(context.appConstruct.node.findAll().filter((c): c is Stack => Stack.isStack(c)).map((c) => [c.node.path, c]));
    const accountOf = (p: string) => {
      const account = stacks.get(p)?.account;
      return account !== undefined && !Token.isUnresolved(account) ? account : undefined;
    };
    const templates = context.stackTemplates.map((s) => ({
      stack: s.stackConstructPath, templatePath: s.templatePath, account: accountOf(s.stackConstructPath), template: JSON.parse(fs.readFileSync(s.templatePath, 'utf8')),
    }));
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
    for (const check of this.checks) {
      const prefix: string | undefined = (check as any).readPackName ? `${(check as any).readPackName}-` : undefined;
      run(prefix ? prefix.slice(0, -1) : check.name, check.validate(context), prefix);
    }
    for (const check of this.legacyChecks) run(check.name, check.validate(context as IPolicyValidationContextBeta1));

    this.report = buildReport(templates, results, acks, (t, id) => locate(t, id)?.node.path);
    if (this.outputDirectory) this.writeReport(this.outputDirectory);
    return { success: violations.length === 0, violations };
  }

  /**
   * Write the report of the last synthesis as `security-report.json` and `security-report.md`.
   *
   * @param directory the directory, for example the cloud assembly's (`app.synth().directory`)
   * @returns the path of the JSON report
   */
  public writeReport(directory: string): string {
    if (!this.report) {
      throw new Error('SecurityReport: there is no report yet; register the plugin with Validations.of(app).addPlugins(report) and call app.synth() first');
    }
    fs.mkdirSync(directory, { recursive: true });
    const file = path.join(directory, SecurityReport.JSON_FILE_NAME);
    fs.writeFileSync(file, JSON.stringify(this.report, null, 2) + '\n');
    fs.writeFileSync(path.join(directory, SecurityReport.MARKDOWN_FILE_NAME), markdown(this.report));
    return file;
  }
}

/** An acknowledgment recorded in the tree: the rule id, its reason and the construct's path. */
type Ack = { id: string; reason: string; path: string };

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

type PathOf = (templatePath: string | undefined, logicalId: string) => string | undefined;

/** A synthesized template, with the literal account its stack deploys to (if any). */
type Template = { stack: string; templatePath: string; template: any; account?: string };

/**
 * The report's model, from templates, the checks' results and the acknowledgments.
 *
 * @internal
 */
export function buildReport(templates: Template[], checks: CheckResult[], acks: Ack[] = [], pathOf: PathOf = () => undefined): any {
  const model = new TemplateModel(templates, pathOf);
  const facts = new Facts(model);
  const tests = controlTestIndex();
  const hipaa = checks.find((c) => /HIPAA/i.test(c.name));
  const controls = SecurityControls.all().map((c) => {
    let ev: Evidence = (EVIDENCE[c.id] ?? (() => ({ items: [], problems: [] })))(facts);
    if (c.id === 'SDL-CMP-02') {
      // The pack's result, and the template's encryption and access logging read by the evidence.
      ev = hipaa
        ? {
          items: [{ path: '(app)', type: 'compliance check', property: hipaa.name, value: `${hipaa.unacknowledged.length} unacknowledged, ${hipaa.acknowledged} acknowledged with reasons` }, ...ev.items],
          problems: [...(hipaa.unacknowledged.length > 0 ? [`${hipaa.unacknowledged.length} unacknowledged HIPAA finding(s)`] : []), ...ev.problems],
        }
        : { items: [], problems: ['the HIPAA Security pack was not run', ...ev.problems] };
    }
    const status = ev.items.length === 0 || ev.problems.length > 0 ? 'missing' : c.verification === ControlVerification.RUNTIME ? 'needs-runtime-verification' : 'proven';
    return {
      id: c.id,
      section: c.section,
      requirement: c.requirement,
      implementation: c.implementation,
      implementedBy: c.implementedBy,
      verification: c.verification,
      status,
      evidence: ev.items,
      problems: ev.problems,
      tests: tests[c.id] ?? [],
      assumptions: ASSUMPTIONS.filter((a) => a.controls.includes(c.id)).map((a) => a.id),
      frameworks: { gdpr: c.gdpr, hipaa: c.hipaa, soc2: c.soc2 },
    };
  });
  return {
    report: 'cdk-secure-delta-lake security report',
    stacks: templates.map((t) => ({
      path: t.stack, template: path.basename(t.templatePath), resources: Object.keys(t.template.Resources ?? {}).length,
    })),
    summary: {
      controls: controls.length,
      proven: controls.filter((c) => c.status === 'proven').length,
      needsRuntimeVerification: controls.filter((c) => c.status === 'needs-runtime-verification').length,
      missing: controls.filter((c) => c.status === 'missing').map((c) => c.id),
      unacknowledgedFindings: checks.reduce((n, c) => n + c.unacknowledged.length, 0),
      acknowledgments: acks.length,
      // The same decision often answers a rule of several packs on several resources.
      acknowledgedDecisions: new Set(acks.map((a) => a.reason)).size,
    },
    controls,
    deployTimeAssumptions: ASSUMPTIONS.map((a) => ({ id: a.id, statement: a.statement, controls: a.controls, verifyDeploymentCheck: a.check })),
    accessMatrix: accessMatrix(facts),
    dataReaders: dataReaders(facts),
    tables: tablesOf(facts, controls),
    compliance: {
      checks: checks.map((c) => ({
        name: c.name, unacknowledged: c.unacknowledged.length, acknowledged: c.acknowledged, findings: c.unacknowledged,
      })),
      acknowledgments: acks,
    },
    residualRisks: RESIDUAL_RISKS.map((r) => ({ ...r })),
    frameworkCaveats: CAVEATS,
    diagram: mermaid(facts),
  };
}

function principals(m: TemplateModel): ModelResource[] {
  return [...m.ofType('AWS::IAM::Role'), ...m.ofType('AWS::IAM::User')];
}

function accessMatrix(f: Facts): any[] {
  const rows: any[] = [];
  for (const p of principals(f.m)) {
    const byResource = new Map<string, Set<string>>();
    for (const s of f.m.identityStatements(p).statements) {
      if (s.effect !== 'Allow') continue;
      for (const r of s.resources) {
        const set = byResource.get(r) ?? new Set<string>();
        s.actions.forEach((a) => set.add(a));
        byResource.set(r, set);
      }
    }
    for (const [resource, actions] of [...byResource.entries()].sort()) rows.push({ principal: p.path, resource, actions: [...actions].sort() });
  }
  return rows;
}

function dataReaders(f: Facts): any[] {
  const out: any[] = [];
  for (const job of f.jobs) {
    const table = f.location(job, '--table-uri');
    const source = f.location(job, '--source-uri');
    const locations: Array<[string, string, string]> = [];
    if (table.bucketId) {
      locations.push(['curated data', table.bucketId, `${table.key}/data/part-00000.parquet`]);
      locations.push(['quarantine (raw records, PII in clear)', table.bucketId, `${table.key}/quarantine/part-00000.parquet`]);
    }
    if (source.bucketId) locations.push(['source CSV', source.bucketId, `${source.key}file.csv`]);
    for (const [what, bucketId, key] of locations) {
      const bucket = f.m.resources.find((r) => r.logicalId === bucketId && r.type === 'AWS::S3::Bucket');
      if (!bucket) continue;
      const readers = principals(f.m).filter((p) => canRead(f, p, bucket, key)).map((p) => p.path);
      out.push({ table: tableName(f, job), job: job.path, location: what, object: `${bucket.path}/${key}`, readers });
    }
  }
  return out;
}

/** The catalog name of a job's table (the Glue table at its `--table-uri`), else the last segment of that location. */
function tableName(f: Facts, job: ModelResource): string {
  const { bucketId, key } = f.location(job, '--table-uri');
  const location = `s3://<${bucketId}>/${key}/data/`;
  const catalog = f.m.ofType('AWS::Glue::Table').find((t) => render(t.properties.TableInput?.StorageDescriptor?.Location).replace(/\/?$/, '/') === location);
  return catalog ? render(catalog.properties.TableInput.Name) : key.split('/').filter((x) => x).pop() ?? job.logicalId;
}

/**
 * One entry per table (per job) of the app: who reads its data, its quarantine and its source,
 * who operates it, and the status of each control over its own resources (the resources under the
 * construct that owns the job), so a control that holds for one table and not another shows where.
 */
function tablesOf(f: Facts, controls: Array<{ id: string; verification: ControlVerification; evidence: any[]; problems: string[] }>): any[] {
  const readers = dataReaders(f);
  return f.jobs.map((job) => {
    const role = f.roleOf(job);
    // The construct that owns the job (a table, a pipeline) owns the table's resources; without construct paths, the job and its role.
    const scopes = job.path.includes('/Job/') ? [job.path.slice(0, job.path.lastIndexOf('/Job/') + 1)] : [job.path, ...(role ? [role.path] : [])];
    const under = (x: string) => scopes.some((scope) => x.startsWith(scope));
    const rows = readers.filter((d) => d.job === job.path);
    const at = (what: string) => rows.find((d) => d.location.startsWith(what))?.readers ?? [];
    const workflows = f.m.ofType('AWS::Glue::Trigger').filter((t) => (t.properties.Actions ?? []).some((a: any) => f.m.target(t, a.JobName) === job))
      .map((t) => f.m.target(t, t.properties.WorkflowName)).filter((w): w is ModelResource => w !== undefined);
    // Operators start the table's workflow (a job a workflow starts) or its job.
    const started = [
      ...workflows.map((w) => ['glue:StartWorkflowRun', `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:workflow/<${w.logicalId}>`]),
      ['glue:StartJobRun', `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:job/<${job.logicalId}>`],
    ];
    const operates = (p: ModelResource) => f.m.identityStatements(p).statements.some((s) => started.some(([action, arn]) => allows(s, action, arn)));
    const operators = principals(f.m).filter((p) => p !== role && operates(p))
      .map((p) => p.path);
    const own = controls.filter((c) => c.evidence.some((e) => under(e.path)) || c.problems.some(under))
      .map((c) => ({
        id: c.id,
        status: c.problems.some(under) ? 'missing' : c.verification === ControlVerification.RUNTIME ? 'needs-runtime-verification' : 'proven',
        problems: c.problems.filter(under),
      }));
    return {
      table: tableName(f, job),
      job: job.path,
      role: role?.path,
      dataReaders: at('curated data'),
      quarantineReaders: at('quarantine'),
      sourceReaders: at('source'),
      operators,
      controls: own,
    };
  });
}

function mermaid(f: Facts): string {
  const lines = ['flowchart LR'];
  const ids = new Map<string, string>();
  const node = (r: ModelResource, label: string) => {
    const key = `${r.stack}|${r.logicalId}`;
    if (!ids.has(key)) ids.set(key, `n${ids.size}`);
    return { id: ids.get(key)!, decl: `${ids.get(key)}["${label.replace(/"/g, '\'')}"]` };
  };
  const short = (r: ModelResource) => r.path.split('/').slice(-3, -1).join('/') || r.logicalId;
  const logBucketIds = new Set<string>();
  for (const b of f.m.ofType('AWS::S3::Bucket')) {
    const dest = refId(b.properties.LoggingConfiguration?.DestinationBucketName);
    if (dest) logBucketIds.add(`${b.stack}|${dest}`);
  }
  const trails = f.m.ofType('AWS::CloudTrail::Trail');
  const trailBuckets = new Set(trails.map((t) => `${t.stack}|${refId(t.properties.S3BucketName)}`));
  const lake = f.lakeBuckets.map((b) => node(b, `${short(b)} (lake bucket, SSE-KMS)`));
  const logs = f.m.ofType('AWS::S3::Bucket').filter((b) => logBucketIds.has(`${b.stack}|${b.logicalId}`) || trailBuckets.has(`${b.stack}|${b.logicalId}`))
    .map((b) => node(b, `${short(b)} (log bucket)`));
  const jobs = f.jobs.map((j) => node(j, `${short(j)} (Glue job)`));
  const workflows = f.m.ofType('AWS::Glue::Workflow').map((w) => node(w, `${short(w)} (Glue workflow)`));
  const trailNodes = trails.map((t) => node(t, `${short(t)} (CloudTrail, KMS, validated)`));
  const topics = f.m.ofType('AWS::SNS::Topic').map((t) => node(t, `${short(t)} (SNS, KMS, TLS only)`));
  const secrets = f.m.ofType('AWS::SecretsManager::Secret').map((s) => node(s, `${short(s)} (secret, rotated)`));
  lines.push('  subgraph account["AWS account (trust boundary)"]');
  lines.push('    subgraph perimeter["Data perimeter: bucket policies admit granted roles only, TLS 1.2+, SSE-KMS"]', ...lake.map((n) => `      ${n.decl}`), '    end');
  lines.push('    subgraph compute["Compute: dedicated role on the reserved path"]', ...[...workflows, ...jobs, ...secrets].map((n) => `      ${n.decl}`), '    end');
  lines.push('    subgraph audit["Audit and alerts"]', ...[...trailNodes, ...logs, ...topics].map((n) => `      ${n.decl}`), '    end');
  lines.push('  end');
  const edge = (a: string, label: string, b: string, dotted = false) => lines.push(`  ${a} ${dotted ? '-.->' : '-->'}|"${label}"| ${b}`);
  for (const job of f.jobs) {
    const j = node(job, '').id;
    const statements = f.jobStatements(job);
    for (const b of f.lakeBuckets) {
      const obj = `<${b.logicalId}.Arn>/x/y`;
      const writes = statements.some((s) => s.actions.includes('s3:PutObject') && s.resources.some((r) => r.startsWith(`<${b.logicalId}.Arn>/`)));
      const reads = statements.some((s) => allows(s, 's3:GetObject', obj) || (s.actions.includes('s3:GetObject') && s.resources.some((r) => r.startsWith(`<${b.logicalId}.Arn>/`))));
      if (writes) edge(j, 'writes Delta', node(b, '').id);
      else if (reads) edge(node(b, '').id, 'reads CSV', j);
    }
    for (const [, v] of Object.entries<any>(job.properties.DefaultArguments ?? {})) {
      const t = f.m.target(job, v);
      if (t?.type === 'AWS::SecretsManager::Secret') edge(node(t, '').id, 'key by ARN', j);
    }
  }
  for (const t of f.m.ofType('AWS::Glue::Trigger')) {
    const w = f.m.target(t, t.properties.WorkflowName);
    for (const a of t.properties.Actions ?? []) {
      const job = f.m.target(t, a.JobName);
      if (w && job) edge(node(w, '').id, t.properties.Type === 'EVENT' ? 'new objects (batched)' : t.properties.Type === 'SCHEDULED' ? 'schedule' : 'on demand', node(job, '').id);
    }
  }
  for (const b of f.lakeBuckets) {
    const dest = f.m.target(b, b.properties.LoggingConfiguration?.DestinationBucketName);
    if (dest) edge(node(b, '').id, 'access logs', node(dest, '').id, true);
    for (const t of trails) {
      if (JSON.stringify(t.properties.AdvancedEventSelectors ?? []).includes(`"${b.logicalId}"`)) edge(node(b, '').id, 'data events', node(t, '').id, true);
    }
  }
  for (const t of trails) {
    const dest = f.m.target(t, t.properties.S3BucketName);
    if (dest) edge(node(t, '').id, 'log files', node(dest, '').id);
  }
  // People (roles assumed by accounts, not services), outside the boundary.
  const people = f.m.ofType('AWS::IAM::Role').filter((r) => !JSON.stringify(r.properties.AssumeRolePolicyDocument ?? {}).includes('"Service"'));
  for (const p of people) {
    const sts = f.m.identityStatements(p).statements;
    const id = `person_${p.logicalId}`;
    const label = `${id}(("${short(p) || p.logicalId} (role)"))`;
    for (const b of f.lakeBuckets) {
      if (sts.some((s) => s.actions.includes('s3:PutObject') && s.resources.some((x) => x.startsWith(`<${b.logicalId}.Arn>/`)))
        && !sts.some((s) => s.actions.includes('s3:GetObject') && s.resources.some((x) => x.startsWith(`<${b.logicalId}.Arn>/`)))) edge(label, 'uploads', node(b, '').id);
      else if (sts.some((s) => s.actions.includes('s3:GetObject') && s.resources.some((x) => x.startsWith(`<${b.logicalId}.Arn>/`)))) edge(node(b, '').id, 'reads', label);
    }
    for (const w of f.m.ofType('AWS::Glue::Workflow')) {
      if (sts.some((s) => s.actions.includes('glue:StartWorkflowRun'))) edge(label, 'operates', node(w, '').id);
    }
  }
  for (const r of f.m.ofType('AWS::Events::Rule')) {
    for (const target of r.properties.Targets ?? []) {
      const topic = f.m.target(r, target.Arn);
      if (topic?.type === 'AWS::SNS::Topic') {
        const sources = (r.properties.EventPattern?.source ?? []).join(', ');
        edge(`rule_${r.logicalId}(["${sources} rule"])`, 'alert', node(topic, '').id);
      }
    }
  }
  return lines.join('\n');
}

function markdown(r: any): string {
  const esc = (s: any) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const out: string[] = [];
  out.push('# Security report', '');
  out.push('Generated at synthesis from the synthesized templates by `cdk-secure-delta-lake`\'s `SecurityReport` plugin.', '');
  out.push('## Summary', '');
  out.push(`- stacks: ${r.stacks.map((s: any) => `${s.path} (${s.resources} resources)`).join(', ')}`);
  out.push(`- controls: ${r.summary.controls}; proven from the templates: ${r.summary.proven}; proven and needing runtime verification: ${r.summary.needsRuntimeVerification}; missing: ${r.summary.missing.length === 0 ? 'none' : r.summary.missing.join(', ')}`);
  out.push(`- compliance checks: ${r.compliance.checks.map((c: any) => `${c.name} ${c.unacknowledged} unacknowledged / ${c.acknowledged} acknowledged`).join('; ') || 'none run'}`);
  out.push(`- acknowledgments (each with a reason): ${r.summary.acknowledgments}, from ${r.summary.acknowledgedDecisions} distinct decisions`, '');
  out.push('## Controls', '');
  out.push('| Control | Requirement | Status | Evidence | Proven by |', '|---|---|---|---|---|');
  for (const c of r.controls) {
    const evidence = [...c.evidence.slice(0, 6).map((e: any) => `${e.path}: ${e.property} = ${e.value}`), ...(c.evidence.length > 6 ? [`… ${c.evidence.length - 6} more in the JSON`] : []), ...c.problems.map((p: string) => `PROBLEM: ${p}`)];
    out.push(`| ${c.id} | ${esc(c.requirement)} | ${c.status}${c.assumptions.length ? ` (assumes ${c.assumptions.join(', ')})` : ''} | ${esc(evidence.join('<br>'))} | ${esc(c.tests.slice(0, 3).join('<br>'))}${c.tests.length > 3 ? ` (+${c.tests.length - 3})` : ''} |`);
  }
  out.push('', '## Deploy-time assumptions', '', 'Checked by `verify-deployment` after a deploy.', '');
  out.push('| Assumption | Controls | Check |', '|---|---|---|');
  for (const a of r.deployTimeAssumptions) out.push(`| ${esc(a.statement)} | ${a.controls.join(', ')} | \`${a.verifyDeploymentCheck}\` |`);
  out.push('', '## Residual risks', '', 'What the controls leave open, by design or because AWS offers no guard.', '');
  out.push('| Risk | Mitigation |', '|---|---|');
  for (const x of r.residualRisks) out.push(`| ${esc(x.risk)} | ${esc(x.mitigation)} |`);
  out.push('', '## Who can read the data', '', 'From identity policies and the bucket perimeter (conditions such as TLS and KMS context are proven by the test suite\'s policy evaluator).', '');
  out.push('| Table | Location | Object | Readers |', '|---|---|---|---|');
  for (const d of r.dataReaders) out.push(`| ${esc(d.table)} | ${esc(d.location)} | ${esc(d.object)} | ${esc(d.readers.join('<br>') || 'nobody')} |`);
  out.push('', '## Tables', '', 'Each table\'s readers and operators, and the controls over its own resources.', '');
  out.push('| Table | Job | Data readers | Quarantine readers | Operators | Controls |', '|---|---|---|---|---|---|');
  for (const t of r.tables) {
    const controls = t.controls.map((c: any) => `${c.id} ${c.status}`).join('<br>');
    out.push(`| ${esc(t.table)} | ${esc(t.job)} | ${esc(t.dataReaders.join('<br>') || 'nobody')} | ${esc(t.quarantineReaders.join('<br>') || 'nobody')} | ${esc(t.operators.join('<br>') || 'nobody')} | ${esc(controls)} |`);
  }
  out.push('', '## Access matrix', '', '| Principal | Resource | Allowed actions |', '|---|---|---|');
  for (const row of r.accessMatrix) out.push(`| ${esc(row.principal)} | ${esc(row.resource)} | ${esc(row.actions.join(', '))} |`);
  out.push('', '## Compliance checks', '', '| Check | Unacknowledged | Acknowledged |', '|---|---|---|');
  for (const c of r.compliance.checks) out.push(`| ${c.name} | ${c.unacknowledged} | ${c.acknowledged} |`);
  for (const c of r.compliance.checks) for (const f of c.findings) out.push(`- UNACKNOWLEDGED ${c.name} ${f.rule} at ${f.path}: ${esc(f.description)}`);
  out.push('', '### Acknowledgments', '', '| Where | Rule | Reason |', '|---|---|---|');
  for (const a of r.compliance.acknowledgments) out.push(`| ${esc(a.path)} | ${esc(a.id)} | ${esc(a.reason)} |`);
  out.push('', '## GDPR, HIPAA and SOC 2', '', '| Control | GDPR | HIPAA | SOC 2 |', '|---|---|---|---|');
  for (const c of r.controls) out.push(`| ${c.id} | ${esc(c.frameworks.gdpr.join('; '))} | ${esc(c.frameworks.hipaa.join('; '))} | ${esc(c.frameworks.soc2.join(', '))} |`);
  out.push('', 'Shared responsibility:', '', ...r.frameworkCaveats.map((c: string) => `- ${c}`));
  out.push('', '## Data flow', '', '```mermaid', r.diagram, '```', '');
  return out.join('\n');
}
