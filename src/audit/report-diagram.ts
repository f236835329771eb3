/**
 * The report's Mermaid data-flow diagram: the trust boundary, the data perimeter, compute, audit,
 * and the flows between them, drawn from the templates.
 *
 * Node ids (`n0`, `n1`, ...) are numbered in the order resources are first drawn, so the steps of
 * `dataFlowDiagram` keep their order.
 */
import { Facts } from './evidence';
import { ModelResource, allows, refId } from './template-model';

/** A Mermaid flowchart of the app's data flows. */
export function dataFlowDiagram(f: Facts): string {
  const d = new Flowchart();
  drawBoundaries(d, f);
  drawJobFlows(d, f);
  drawTriggers(d, f);
  drawLogging(d, f);
  drawPeople(d, f);
  drawAlerts(d, f);
  return d.lines.join('\n');
}

/** The flowchart being drawn: its lines and the ids of the resources drawn so far. */
class Flowchart {
  public readonly lines = ['flowchart LR'];
  private readonly ids = new Map<string, string>();

  /** A resource's node: its id (numbered at first use) and its declaration with a label. */
  public node(r: ModelResource, label: string): { id: string; decl: string } {
    const key = `${r.stack}|${r.logicalId}`;
    if (!this.ids.has(key)) this.ids.set(key, `n${this.ids.size}`);
    return { id: this.ids.get(key)!, decl: `${this.ids.get(key)}["${label.replace(/"/g, '\'')}"]` };
  }

  /** The id of a resource's node. */
  public id(r: ModelResource): string {
    return this.node(r, '').id;
  }

  public edge(a: string, label: string, b: string, dotted = false): void {
    this.lines.push(`  ${a} ${dotted ? '-.->' : '-->'}|"${label}"| ${b}`);
  }
}

/** A resource's short name: the two path segments above its own. */
function short(r: ModelResource): string {
  return r.path.split('/').slice(-3, -1).join('/') || r.logicalId;
}

/** Statements of a principal that allow an action on objects of a lake bucket. */
function onObjectsOf(statements: Array<{ actions: string[]; resources: string[] }>, action: string, bucket: ModelResource): boolean {
  return statements.some((s) => s.actions.includes(action) && s.resources.some((r) => r.startsWith(`<${bucket.logicalId}.Arn>/`)));
}

/** The account, the data perimeter (lake buckets), compute and audit, with their resources. */
function drawBoundaries(d: Flowchart, f: Facts): void {
  const logBucketIds = new Set<string>();
  for (const b of f.m.ofType('AWS::S3::Bucket')) {
    const dest = refId(b.properties.LoggingConfiguration?.DestinationBucketName);
    if (dest) logBucketIds.add(`${b.stack}|${dest}`);
  }
  const trails = f.m.ofType('AWS::CloudTrail::Trail');
  const trailBuckets = new Set(trails.map((t) => `${t.stack}|${refId(t.properties.S3BucketName)}`));
  const lake = f.lakeBuckets.map((b) => d.node(b, `${short(b)} (lake bucket, SSE-KMS)`));
  const logs = f.m.ofType('AWS::S3::Bucket').filter((b) => logBucketIds.has(`${b.stack}|${b.logicalId}`) || trailBuckets.has(`${b.stack}|${b.logicalId}`))
    .map((b) => d.node(b, `${short(b)} (log bucket)`));
  const jobs = f.jobs.map((j) => d.node(j, `${short(j)} (Glue job)`));
  const workflows = f.m.ofType('AWS::Glue::Workflow').map((w) => d.node(w, `${short(w)} (Glue workflow)`));
  const trailNodes = trails.map((t) => d.node(t, `${short(t)} (CloudTrail, KMS, validated)`));
  const topics = f.m.ofType('AWS::SNS::Topic').map((t) => d.node(t, `${short(t)} (SNS, KMS, TLS only)`));
  const secrets = f.m.ofType('AWS::SecretsManager::Secret').map((s) => d.node(s, `${short(s)} (secret, rotated)`));
  d.lines.push('  subgraph account["AWS account (trust boundary)"]');
  d.lines.push('    subgraph perimeter["Data perimeter: bucket policies admit granted roles only, TLS 1.2+, SSE-KMS"]', ...lake.map((n) => `      ${n.decl}`), '    end');
  d.lines.push('    subgraph compute["Compute: dedicated role on the reserved path"]', ...[...workflows, ...jobs, ...secrets].map((n) => `      ${n.decl}`), '    end');
  d.lines.push('    subgraph audit["Audit and alerts"]', ...[...trailNodes, ...logs, ...topics].map((n) => `      ${n.decl}`), '    end');
  d.lines.push('  end');
}

/** What each job writes (Delta) or reads (CSV) in the lake buckets, and the secrets it reads by ARN. */
function drawJobFlows(d: Flowchart, f: Facts): void {
  for (const job of f.jobs) {
    const j = d.id(job);
    const statements = f.jobStatements(job);
    for (const b of f.lakeBuckets) {
      const obj = `<${b.logicalId}.Arn>/x/y`;
      const writes = onObjectsOf(statements, 's3:PutObject', b);
      const reads = statements.some((s) => allows(s, 's3:GetObject', obj)) || onObjectsOf(statements, 's3:GetObject', b);
      if (writes) d.edge(j, 'writes Delta', d.id(b));
      else if (reads) d.edge(d.id(b), 'reads CSV', j);
    }
    for (const [, v] of Object.entries<any>(job.properties.DefaultArguments ?? {})) {
      const t = f.m.target(job, v);
      if (t?.type === 'AWS::SecretsManager::Secret') d.edge(d.id(t), 'key by ARN', j);
    }
  }
}

/** Which workflow starts which job, and on what. */
function drawTriggers(d: Flowchart, f: Facts): void {
  for (const t of f.m.ofType('AWS::Glue::Trigger')) {
    const w = f.m.target(t, t.properties.WorkflowName);
    for (const a of t.properties.Actions ?? []) {
      const job = f.m.target(t, a.JobName);
      if (w && job) d.edge(d.id(w), t.properties.Type === 'EVENT' ? 'new objects (batched)' : t.properties.Type === 'SCHEDULED' ? 'schedule' : 'on demand', d.id(job));
    }
  }
}

/** Access logs and data events of the lake buckets, and where the trails deliver. */
function drawLogging(d: Flowchart, f: Facts): void {
  const trails = f.m.ofType('AWS::CloudTrail::Trail');
  for (const b of f.lakeBuckets) {
    const dest = f.m.target(b, b.properties.LoggingConfiguration?.DestinationBucketName);
    if (dest) d.edge(d.id(b), 'access logs', d.id(dest), true);
    for (const t of trails) {
      if (JSON.stringify(t.properties.AdvancedEventSelectors ?? []).includes(`"${b.logicalId}"`)) d.edge(d.id(b), 'data events', d.id(t), true);
    }
  }
  for (const t of trails) {
    const dest = f.m.target(t, t.properties.S3BucketName);
    if (dest) d.edge(d.id(t), 'log files', d.id(dest));
  }
}

/** People (roles assumed by accounts, not services), outside the boundary: who uploads, reads and operates. */
function drawPeople(d: Flowchart, f: Facts): void {
  const people = f.m.ofType('AWS::IAM::Role').filter((r) => !JSON.stringify(r.properties.AssumeRolePolicyDocument ?? {}).includes('"Service"'));
  for (const p of people) {
    const sts = f.m.identityStatements(p).statements;
    const id = `person_${p.logicalId}`;
    const label = `${id}(("${short(p) || p.logicalId} (role)"))`;
    for (const b of f.lakeBuckets) {
      if (onObjectsOf(sts, 's3:PutObject', b) && !onObjectsOf(sts, 's3:GetObject', b)) d.edge(label, 'uploads', d.id(b));
      else if (onObjectsOf(sts, 's3:GetObject', b)) d.edge(d.id(b), 'reads', label);
    }
    for (const w of f.m.ofType('AWS::Glue::Workflow')) {
      if (sts.some((s) => s.actions.includes('glue:StartWorkflowRun'))) d.edge(label, 'operates', d.id(w));
    }
  }
}

/** The alert rules and the topics they publish to. */
function drawAlerts(d: Flowchart, f: Facts): void {
  for (const r of f.m.ofType('AWS::Events::Rule')) {
    for (const target of r.properties.Targets ?? []) {
      const topic = f.m.target(r, target.Arn);
      if (topic?.type === 'AWS::SNS::Topic') {
        const sources = (r.properties.EventPattern?.source ?? []).join(', ');
        d.edge(`rule_${r.logicalId}(["${sources} rule"])`, 'alert', d.id(topic));
      }
    }
  }
}
