/**
 * The shape of a control family file (src/controls/<family>.ts): each control's registry entry,
 * its evidence check over the synthesized templates, and the deploy-time assumptions it rests on
 * with the `verify-deployment` check (src/audit/verify_deployment.py) that confirms each.
 *
 * Internal: the public registry (`SecurityControls`, src/controls/security-controls.ts) is
 * assembled from these definitions and exposes no functions.
 */
import type { Evidence, Facts } from '../audit/evidence';

/** The constructs that carry controls as defaults. @internal */
export const BUCKET = 'SecureDeltaLakeBucket';
/** @internal */
export const JOB = 'LeastPrivilegeGlueJob';
/** @internal */
export const PIPELINE = 'AuditedPipeline';

/**
 * A deploy-time assumption: what the templates cannot prove, and the `verify-deployment` check
 * that confirms it after a deploy. It is written in the entry of the control it belongs to; other
 * controls that rest on it are named in `alsoFor`.
 *
 * @internal
 */
export interface AssumptionDefinition {
  /** Stable id, for example `glue-log-group-names`. */
  readonly id: string;
  /** What the templates cannot prove. */
  readonly statement: string;
  /** The name of the check in `CHECKS` of src/audit/verify_deployment.py. */
  readonly check: string;
  /** Further controls (ids) that rest on the assumption. */
  readonly alsoFor?: string[];
}

/**
 * One control of a family: the registry entry, its evidence and its deploy-time assumptions.
 *
 * @internal
 */
export interface ControlDefinition {
  /** Stable identifier, `SDL-<FAMILY>-NN`. */
  readonly id: string;
  /** The construct that carries the control as a default. */
  readonly implementedBy: string;
  /** Whether the control depends on behaviour that only a deployed account shows (default: proven from the templates). */
  readonly runtime?: boolean;
  /** What the documentation asks for, in its words. */
  readonly requirement: string;
  /** What the library does to meet it. */
  readonly implementation: string;
  /**
   * The control's evidence, read from the templates through the facts of src/audit/evidence.ts.
   * Read behaviour, never presence; no items, or any problem, reports the control missing.
   */
  readonly evidence: (f: Facts) => Evidence;
  /** The deploy-time assumptions the control rests on (a `RUNTIME` control has at least one). */
  readonly assumptions?: AssumptionDefinition[];
}

/**
 * A family of controls: one section of the security documentation.
 *
 * @internal
 */
export interface ControlFamily {
  /** Section of the security documentation, for example `3. S3 Bucket Policies`. */
  readonly section: string;
  /**
   * The family's framework mapping: which obligations its controls help to meet. Meeting them
   * also takes the processes, contracts and people on the customer's side of the
   * shared-responsibility model.
   */
  readonly gdpr: string[];
  readonly hipaa: string[];
  readonly soc2: string[];
  /** The controls, in the order of the documentation. */
  readonly controls: ControlDefinition[];
}
