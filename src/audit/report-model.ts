/**
 * The report's model, built from the synthesized templates: the controls with their evidence, tests
 * and assumptions, the access views, the checks' results, the lists of assumptions and residual
 * risks, and the diagram. Renderers (`report-markdown.ts`) and the JSON file read this model.
 */
import * as path from 'path';
import { accessMatrix, dataReaders } from './access-matrix';
import { controlTestIndex } from './control-tests';
import { Evidence, Facts } from './evidence';
import { FRAMEWORK_CAVEATS } from './framework-caveats';
import { Ack, CheckResult, PathOf, ReportTemplate } from './report-checks';
import { dataFlowDiagram } from './report-diagram';
import { tablesOf } from './report-tables';
import { RESIDUAL_RISKS } from './residual-risks';
import { TemplateModel } from './template-model';
import { ControlVerification, SecurityControls, controlEvidence, deployTimeAssumptions } from '../controls/security-controls';

/**
 * The report's model, from templates, the checks' results and the acknowledgments.
 *
 * @internal
 */
export function buildReport(templates: ReportTemplate[], checks: CheckResult[], acks: Ack[] = [], pathOf: PathOf = () => undefined): any {
  const model = new TemplateModel(templates, pathOf);
  const facts = new Facts(model);
  const tests = controlTestIndex();
  const assumptions = deployTimeAssumptions();
  const hipaa = checks.find((c) => /HIPAA/i.test(c.name));
  const controls = SecurityControls.all().map((c) => {
    let ev: Evidence = controlEvidence(c.id)(facts);
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
      assumptions: assumptions.filter((a) => a.controls.includes(c.id)).map((a) => a.id),
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
    deployTimeAssumptions: assumptions.map((a) => ({ id: a.id, statement: a.statement, controls: a.controls, verifyDeploymentCheck: a.check })),
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
    frameworkCaveats: FRAMEWORK_CAVEATS,
    diagram: dataFlowDiagram(facts),
  };
}
