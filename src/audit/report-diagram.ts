/**
 * The report's Mermaid data-flow diagram: the trust boundary, the data perimeter, compute, audit,
 * and the flows between them, drawn from the templates.
 */
import { Facts } from './evidence';
import { ModelResource, allows, refId } from './template-model';

/** A Mermaid flowchart of the app's data flows. */
export function dataFlowDiagram(f: Facts): string {
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
