import * as fs from 'fs';
import * as path from 'path';

/**
 * The job contract (job-script/job-contract.json): the one declaration of the ingestion script's
 * arguments, metrics and dimensions. The script builds its parser from it; the construct takes its
 * argument names, defaults and metric names from here. Internal: the public face is `JobArguments`
 * and `JobMetrics`.
 */

/** Who passes an argument: see the contract's `$comment`. */
export type SetBy = 'construct' | 'constructWhenSet' | 'secrets' | 'glue' | 'localOnly';

export interface ContractArgument {
  readonly name: string;
  readonly constant?: string;
  readonly type: 'string' | 'float' | 'int' | 'bool';
  readonly required?: boolean;
  readonly default?: string | number | boolean | null;
  readonly constructDefault?: string | number | boolean;
  readonly setBy: SetBy;
  readonly prop?: string;
  readonly description: string;
}

export interface ContractMetric {
  readonly name: string;
  readonly constant: string;
  readonly description: string;
}

export interface ContractDimension {
  readonly name: string;
  readonly from: string;
  readonly derivation: 'lastSegment' | 'value';
  readonly optional?: boolean;
  readonly description: string;
}

export interface JobContractDocument {
  readonly arguments: ContractArgument[];
  readonly metrics: { readonly unit: string; readonly statistic: string; readonly names: ContractMetric[]; readonly dimensions: ContractDimension[] };
}

/** The contract file, beside the script (copied to lib/ with it, shipped in the npm package and the wheel). */
export const JOB_CONTRACT_PATH = path.join(__dirname, 'job-script', 'job-contract.json');

/** The contract, read once. */
export const JOB_CONTRACT: JobContractDocument = JSON.parse(fs.readFileSync(JOB_CONTRACT_PATH, 'utf-8'));

/** Arguments the construct passes (always, or when their prop is set), in the contract's order. */
export const CONSTRUCT_ARGUMENTS = JOB_CONTRACT.arguments.filter((a) => a.setBy === 'construct' || a.setBy === 'constructWhenSet');

function argumentByConstant(constant: string): ContractArgument {
  const found = JOB_CONTRACT.arguments.find((a) => a.constant === constant);
  if (!found) throw new Error(`job contract: no argument with the constant ${constant} in ${JOB_CONTRACT_PATH}`);
  return found;
}

/** `--<name>` of the contract's argument with this constant. */
export function argumentFlag(constant: string): string {
  return `--${argumentByConstant(constant).name}`;
}

/** What the construct passes when the argument's prop is unset: `constructDefault`, else the script's `default`. */
export function constructDefault(constant: string): string | number | boolean {
  const a = argumentByConstant(constant);
  const value = a.constructDefault ?? a.default;
  if (value === undefined || value === null) throw new Error(`job contract: --${a.name} has no default`);
  return value;
}

/** The metric name of the contract's metric with this constant. */
export function metricName(constant: string): string {
  const found = JOB_CONTRACT.metrics.names.find((m) => m.constant === constant);
  if (!found) throw new Error(`job contract: no metric with the constant ${constant} in ${JOB_CONTRACT_PATH}`);
  return found.name;
}

/**
 * The `Table` dimension, derived from the table path as the script derives it from `--table-uri`:
 * its last segment.
 */
export function tableDimension(tablePath: string): string {
  return tablePath.replace(/\/+$/, '').split('/').pop()!;
}

/**
 * The script arguments a job passes, from their values by contract constant: every `construct`
 * argument must have a value, a `constructWhenSet` one may be undefined (then it is left out and the
 * script's default applies), and no value may name an argument the construct does not set.
 * In the contract's order, so the template does not depend on the caller's.
 */
export function constructArguments(values: { [constant: string]: string | undefined }): { [flag: string]: string } {
  const unknown = Object.keys(values).filter((c) => !CONSTRUCT_ARGUMENTS.some((a) => a.constant === c));
  if (unknown.length > 0) throw new Error(`job contract: the construct sets ${unknown.join(', ')}, which the contract does not declare as set by the construct`);
  const out: { [flag: string]: string } = {};
  for (const a of CONSTRUCT_ARGUMENTS) {
    const value = values[a.constant!];
    if (value === undefined && a.setBy === 'construct') throw new Error(`job contract: the construct must set --${a.name} (${a.constant})`);
    if (value !== undefined) out[`--${a.name}`] = value;
  }
  return out;
}

/** The prop that sets each argument the construct passes, by flag (for the messages that refuse them in `defaultArguments`). */
export function propsOfConstructArguments(): { [flag: string]: string } {
  return Object.fromEntries(CONSTRUCT_ARGUMENTS.map((a) => [`--${a.name}`, a.prop!]));
}
