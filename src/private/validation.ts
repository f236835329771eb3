import { Duration, Token } from 'aws-cdk-lib';

/**
 * Collects every problem of a set of props, then throws once with all of them.
 */
export class PropsValidator {
  private readonly problems: string[] = [];

  constructor(private readonly construct: string) {}

  public check(ok: boolean, message: string): this {
    if (!ok) this.problems.push(message);
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

  public add(message: string): this {
    this.problems.push(message);
    return this;
  }

  public throwIfAny(): void {
    if (this.problems.length === 1) {
      throw new Error(`${this.construct}: ${this.problems[0]}`);
    }
    if (this.problems.length > 1) {
      throw new Error(`${this.construct}: ${this.problems.length} problems:\n- ${this.problems.join('\n- ')}`);
    }
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
