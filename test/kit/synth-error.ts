/**
 * Prop problems fail `cdk synth`, not the constructor: build the constructs (which must not
 * throw), synthesize their app, and return the one error synth throws.
 */
import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The message of the error synth throws for the app of what `build` returns; fails when build throws or synth passes. */
export function synthError(build: () => IConstruct | { node: IConstruct['node'] }): string {
  const scope = build() as IConstruct;
  const stage = Stage.of(scope);
  if (!stage) throw new Error('the construct is not in an app');
  try {
    stage.synth({ force: true });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`synth of ${scope.node.path} did not fail`);
}

/**
 * A line of synth's validation error: `[path] Construct: message`, the message holding the
 * fragment (a RegExp or a literal string) on the same line.
 */
export function problemAt(path: string, message: RegExp | string): RegExp {
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const fragment = typeof message === 'string' ? escape(message) : message.source;
  return new RegExp(`\\[${escape(path)}\\] [A-Za-z.]+: [^\\n]*(?:${fragment})`);
}
