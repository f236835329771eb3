import { ACC } from './access';
import { CMP } from './compliance';
import type { ControlDefinition, ControlFamily } from './definition';
import { DELTA } from './delta';
import { ENC } from './encryption';
import { GLUE } from './glue';
import { IAM } from './iam';
import { LOG } from './logging';
import { S3 } from './s3';
import { SEC } from './secrets';
import type { Evidence, Facts } from '../audit/evidence';

/**
 * Where a control's evidence comes from.
 */
export enum ControlVerification {
  /** Proven from the synthesized templates: properties, rule packs and the policy evaluator. */
  TEMPLATE = 'TEMPLATE',
  /** Depends on behaviour that only a deployed account shows (listed as a deploy-time assumption). */
  RUNTIME = 'RUNTIME',
}

/**
 * One control of the pipeline's security documentation.
 *
 * Every row of the security documentation has a stable id here. The constructs name the ids
 * they implement, the tests that prove a control carry its id at the start of their name,
 * and the security report lists each id with its evidence.
 */
export interface SecurityControl {
  /**
   * Stable identifier, for example `SDL-S3-02`.
   */
  readonly id: string;

  /**
   * Section of the security documentation the control comes from, for example `3. S3 Bucket Policies`.
   */
  readonly section: string;

  /**
   * What the documentation asks for, in its words.
   */
  readonly requirement: string;

  /**
   * What the library does to meet it, including where the documentation is corrected.
   */
  readonly implementation: string;

  /**
   * The construct that carries the control as a default.
   */
  readonly implementedBy: string;

  /**
   * Where the control's evidence comes from.
   */
  readonly verification: ControlVerification;

  /**
   * GDPR articles the control supports (Regulation (EU) 2016/679).
   */
  readonly gdpr: string[];

  /**
   * HIPAA Security Rule safeguards the control supports (45 CFR 164).
   */
  readonly hipaa: string[];

  /**
   * SOC 2 Trust Services Criteria the control supports (2017 TSC, common criteria).
   */
  readonly soc2: string[];
}

/**
 * The families of controls, one file each (src/controls/<family>.ts), in the order of the security
 * documentation. A family file holds, for each of its controls, the registry entry, its evidence
 * check and its deploy-time assumptions with their `verify-deployment` checks.
 */
const FAMILIES: ControlFamily[] = [IAM, S3, GLUE, DELTA, ENC, LOG, SEC, ACC, CMP];

const DEFINITIONS: ControlDefinition[] = FAMILIES.flatMap((f) => f.controls);

const ALL_CONTROLS: SecurityControl[] = FAMILIES.flatMap((f) => f.controls.map((c) => ({
  id: c.id,
  section: f.section,
  implementedBy: c.implementedBy,
  verification: c.runtime ? ControlVerification.RUNTIME : ControlVerification.TEMPLATE,
  requirement: c.requirement,
  implementation: c.implementation,
  gdpr: f.gdpr,
  hipaa: f.hipaa,
  soc2: f.soc2,
})));

/**
 * The order of the deploy-time assumptions in the security report, as published; an assumption
 * not listed here follows these in the order of the registry.
 */
const ASSUMPTION_ORDER = [
  'glue-log-group-names', 'emrfs-folder-markers', 's3-access-log-delivery', 'trail-delivery', 'alert-delivery',
  'management-events-trail', 'iam-events-region', 'empty-code-parameters', 'workflow-trigger-delivery',
];

/** A deploy-time assumption as the report lists it: what the templates cannot prove, the controls resting on it, its `verify-deployment` check. @internal */
export interface DeployTimeAssumption { readonly id: string; readonly controls: string[]; readonly statement: string; readonly check: string }

/**
 * Every deploy-time assumption of the registry, in the report's order.
 *
 * @internal
 */
export function deployTimeAssumptions(): DeployTimeAssumption[] {
  const all = DEFINITIONS.flatMap((c) => (c.assumptions ?? [])
    .map((a) => ({ id: a.id, controls: [c.id, ...(a.alsoFor ?? [])], statement: a.statement, check: a.check })));
  const rank = (id: string) => (ASSUMPTION_ORDER.includes(id) ? ASSUMPTION_ORDER.indexOf(id) : ASSUMPTION_ORDER.length);
  return all.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a.id) - rank(y.a.id) || x.i - y.i).map((x) => x.a);
}

/**
 * The evidence check of a control, read from the synthesized templates.
 *
 * @internal
 */
export function controlEvidence(id: string): (f: Facts) => Evidence {
  const found = DEFINITIONS.find((c) => c.id === id);
  return found ? found.evidence : () => ({ items: [], problems: [] });
}

/**
 * The names of the `verify-deployment` checks a control's deploy-time assumptions name.
 *
 * @internal
 */
export function deploymentChecks(id: string): string[] {
  return deployTimeAssumptions().filter((a) => a.controls.includes(id)).map((a) => a.check);
}

/**
 * The registry of the pipeline's security controls.
 */
export class SecurityControls {
  /**
   * Every control, in the order of the security documentation.
   */
  public static all(): SecurityControl[] {
    return ALL_CONTROLS.map((x) => ({ ...x }));
  }

  /**
   * The control with this id.
   *
   * @param id the control id, for example `SDL-S3-02`
   */
  public static byId(id: string): SecurityControl {
    const found = ALL_CONTROLS.find((x) => x.id === id);
    if (!found) {
      throw new Error(`unknown security control id '${id}'; known ids: ${ALL_CONTROLS.map((x) => x.id).join(', ')}`);
    }
    return { ...found };
  }

  /**
   * The controls a construct carries as defaults.
   *
   * @param constructName the construct's class name, for example `SecureDeltaLakeBucket`
   */
  public static implementedBy(constructName: string): SecurityControl[] {
    return ALL_CONTROLS.filter((x) => x.implementedBy === constructName).map((x) => ({ ...x }));
  }

  private constructor() {}
}
