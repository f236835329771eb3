/** The controls table of docs/controls.md, rendered from the control registry. */
import { ControlVerification, SecurityControls } from '../../src';

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function controlsMarkdown(): string {
  const lines = [
    '# Security controls',
    '',
    '<!-- Generated from src/controls/security-controls.ts by `npx projen docs:controls`; do not edit. -->',
    '',
    'Every row of the pipeline\'s security documentation has a stable control id. Constructs carry the',
    'controls as defaults, tests that prove a control start with its id, the security report reads each',
    'control\'s evidence from the synthesized templates, and a mutation suite breaks each control and',
    'expects the report to call it missing. "Runtime" controls also depend on a deploy-time assumption',
    'that `verify-deployment` checks after a deploy.',
    '',
    '| id | section | requirement | implementation | carried by | verified | GDPR | HIPAA | SOC 2 |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of SecurityControls.all()) {
    lines.push(`| ${c.id} | ${esc(c.section)} | ${esc(c.requirement)} | ${esc(c.implementation)} | \`${c.implementedBy}\` | `
      + `${c.verification === ControlVerification.RUNTIME ? 'runtime' : 'template'} | ${esc(c.gdpr.join('; '))} | ${esc(c.hipaa.join('; '))} | ${esc(c.soc2.join(', '))} |`);
  }
  return lines.join('\n') + '\n';
}
