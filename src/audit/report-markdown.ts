/**
 * The report's Markdown rendering, section by section, from the report model.
 */

/** The report model rendered as Markdown (`security-report.md`). */
export function renderMarkdown(r: any): string {
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
