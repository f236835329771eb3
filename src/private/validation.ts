import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Collects every problem of a set of props. A construct defers them to synth (`deferTo`): CDK
 * runs every construct's validations of the whole app before it writes any template, and throws
 * once with a `[path] message` line for each problem of each construct. So one `cdk synth` lists
 * every bad prop of the app, not only those of the first bad construct.
 *
 * Construction continues with a harmless value in place of each bad one (the default, or a valid
 * placeholder); no template is ever written from it, since synth fails on the deferred problems.
 *
 * A construct still throws at once (`throwNow`, with the problems found so far in the app) where
 * it cannot go on:
 * - a `LakeTable` in another account or region than its lake: CDK would refuse the cross-environment
 *   references before validation, with a message that does not name the fix;
 * - problems CDK's own constructs refuse on the spot (a rule name over 64 characters, a Duration
 *   that does not convert), and the library's checks in methods and factories the app calls (the
 *   grant methods, `restrictToGrantees`, `TableSchema.of`, `JobScript.fromAsset`): the app sees them
 *   where it made the call;
 * - a stack that deploys without an execution role is not one of them: the administrators'
 *   problem is deferred like a prop's, the account root standing in meanwhile;
 * - a `LeastPrivilegeGlueJob` whose `source.lakeBucket` is not the construct of `source.bucket`,
 *   or whose `target` is not a lake bucket; a lake or pipeline given a bucket that is not a lake
 *   bucket: the construct calls the lake bucket's methods, which a plain bucket does not have.
 *
 * A problem already reported by a construct above (an `AuditedPipeline` checks its table's and
 * job's props too) is not repeated by the constructs under it.
 */
export class PropsValidator {
  /** Hand a validator over to the construct that will be built with `props`. */
  public static handOver(props: object, v: PropsValidator): void {
    PropsValidator.handedOver.set(props, v);
  }

  /** The validator handed over with `props`, or a new one. */
  public static of(props: object, construct: string): PropsValidator {
    const v = PropsValidator.handedOver.get(props);
    PropsValidator.handedOver.delete(props);
    return v ?? new PropsValidator(construct);
  }

  /**
   * The validator an `AuditedPipeline` hands to its lake, keyed by the lake props it builds: the
   * pipeline checks its props before `super()`, the lake adds its own and defers them all.
   */
  private static readonly handedOver = new WeakMap<object, PropsValidator>();
  /** The validators deferred on each construct. */
  private static readonly deferredOn = new WeakMap<IConstruct, PropsValidator[]>();
  /** Every construct of an app with deferred validators, for the problems found so far. */
  private static readonly deferredIn = new WeakMap<IConstruct, IConstruct[]>();

  /** The deferred problems of a construct, less those an earlier validator or a construct above reports. */
  private static reportOf(scope: IConstruct): string[] {
    const above = new Set<string>();
    for (const s of scope.node.scopes.slice(0, -1)) {
      for (const v of PropsValidator.deferredOn.get(s) ?? []) v.problems.forEach((p) => above.add(p));
    }
    const out: string[] = [];
    for (const v of PropsValidator.deferredOn.get(scope) ?? []) {
      for (const p of v.problems) {
        if (above.has(p)) continue;
        above.add(p);
        out.push(`${v.construct}: ${p}`);
      }
    }
    return out;
  }

  private readonly problems: string[] = [];

  constructor(private readonly construct: string) {}

  /** The number of problems found so far. */
  public get count(): number {
    return this.problems.length;
  }

  public check(ok: boolean, message: string): this {
    if (!ok) this.add(message);
    return this;
  }

  public positiveDuration(name: string, value: Duration | undefined): this {
    if (value === undefined || Token.isUnresolved(value.toSeconds({ integral: false }) as any)) return this;
    return this.check(value.toSeconds({ integral: false }) > 0, `${name} must be positive (got ${value.toHumanString()}); remove the prop to use the default`);
  }

  /**
   * An enum-like prop from any language: jsii passes strings, so a value the type checker would
   * refuse (a cast, a Python string) still arrives. Name the accepted values.
   */
  public oneOf(name: string, value: string | undefined, enumName: string, values: { [k: string]: string }): this {
    if (value === undefined || Token.isUnresolved(value)) return this;
    const accepted = Object.entries(values).map(([k, v]) => `${enumName}.${k} ('${v}')`);
    return this.check(Object.values(values).includes(value), `${name} must be one of ${accepted.join(', ')} (got '${value}')`);
  }

  /** Add a problem (once: the same text twice is one problem). */
  public add(message: string): this {
    if (!this.problems.includes(message)) this.problems.push(message);
    return this;
  }

  /**
   * The value `f` returns, or `fallback` with the error `f` threw added as a problem (without the
   * `Construct: ` prefix of the library's own messages).
   */
  public attempt<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (e) {
      this.add((e as Error).message.replace(/^[A-Za-z.]+: /, ''));
      return fallback;
    }
  }

  /** Throw now when there is a problem, with every problem of these props. */
  public throwIfAny(): void {
    if (this.problems.length === 1) {
      throw new Error(`${this.construct}: ${this.problems[0]}`);
    }
    if (this.problems.length > 1) {
      throw new Error(`${this.construct}: ${this.problems.length} problems:\n- ${this.problems.join('\n- ')}`);
    }
  }

  /**
   * Throw now (with a last problem, the construct cannot go on after), listing this validator's
   * problems and those the app's other constructs deferred so far (with their paths).
   */
  public throwNow(scope: IConstruct, problem?: string): never {
    if (problem !== undefined) this.add(problem);
    const others = (PropsValidator.deferredIn.get(scope.node.root) ?? [])
      .filter((c) => !(PropsValidator.deferredOn.get(c) ?? []).includes(this))
      .flatMap((c) => PropsValidator.reportOf(c).map((m) => `[${c.node.path}] ${m}`));
    const own = this.problems.length === 1 ? `${this.construct}: ${this.problems[0]}`
      : `${this.construct}: ${this.problems.length} problems:\n- ${this.problems.join('\n- ')}`;
    throw new Error(others.length === 0 ? own : `${own}\nProblems found so far in other constructs:\n  ${others.join('\n  ')}`);
  }

  /**
   * Report the problems at synth, as validations of `scope` (one `Construct: problem` line each),
   * problems added later included.
   */
  public deferTo(scope: IConstruct): void {
    const list = PropsValidator.deferredOn.get(scope);
    if (list) {
      if (!list.includes(this)) list.push(this);
      return;
    }
    PropsValidator.deferredOn.set(scope, [this]);
    const root = scope.node.root;
    const all = PropsValidator.deferredIn.get(root) ?? [];
    all.push(scope);
    PropsValidator.deferredIn.set(root, all);
    scope.node.addValidation({ validate: () => PropsValidator.reportOf(scope) });
  }
}

/**
 * Validates and normalizes an S3 key prefix that names a table or a folder: no wildcards, no
 * leading slash, no `..` or empty segments. A trailing slash is dropped.
 *
 * @returns the normalized prefix (`tables/orders`), or the token unchanged
 */
export function normalizePrefix(prop: string, value: string): string {
  if (Token.isUnresolved(value)) return value;
  const problems: string[] = [];
  if (value.length === 0 || value === '/') problems.push('is empty');
  if (/[*?]/.test(value)) problems.push('contains a wildcard (* or ?)');
  if (value.startsWith('/')) problems.push('starts with a slash');
  const trimmed = value.replace(/\/+$/, '');
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '..' || s === '.')) problems.push("contains a '.' or '..' segment");
  if (trimmed.length > 0 && !value.startsWith('/') && segments.some((s) => s === '')) problems.push('contains an empty segment (//)');
  if (/[\u0000-\u001f\u007f]/.test(value)) problems.push('contains a control character');
  if (problems.length > 0) {
    throw new Error(`${prop} '${value}' ${problems.join(', ')}; give a relative key prefix such as 'tables/orders'`);
  }
  return trimmed;
}

/** True when one prefix is the other or lies under it, segment by segment. */
export function prefixesOverlap(a: string, b: string): boolean {
  if (Token.isUnresolved(a) || Token.isUnresolved(b)) return false;
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
