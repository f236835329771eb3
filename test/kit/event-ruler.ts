/**
 * Event Ruler (Maven `software.amazon.event.ruler:event-ruler`), the matcher EventBridge is built
 * on, as a test kit: does an EventBridge event pattern match an event?
 *
 * ```ts
 * const [hit, miss] = matchAll([
 *   { pattern: rule.EventPattern, event: ownBucketEvent },
 *   { pattern: rule.EventPattern, event: otherBucketEvent },
 * ]);
 * ```
 *
 * Every pair of a call runs in one JVM (`java RuleMatcher.java`, a single-file source launch):
 * batch the cases of a test file into one call. `./scripts/dev` fetches the jars into
 * `.cache/event-ruler/` (or `SDL_EVENT_RULER_DIR`); without them, or without `java`, the call
 * throws, so a test that needs Event Ruler fails instead of passing unproven.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface MatchCase {
  /** An EventBridge event pattern, as in a synthesized `AWS::Events::Rule` (resolved). */
  readonly pattern: any;
  /** An event, as EventBridge delivers it (`source`, `detail-type`, `detail`, ...). */
  readonly event: any;
}

const ROOT = path.join(__dirname, '..', '..');
const HARNESS = path.join(__dirname, 'event-ruler', 'RuleMatcher.java');
const SETUP = 'run ./scripts/dev once (it fetches Event Ruler and its dependencies, checksums verified, and Java 17 must be installed)';

/** The directory of the Event Ruler jars. */
export function eventRulerDir(): string {
  return process.env.SDL_EVENT_RULER_DIR ?? path.join(ROOT, '.cache', 'event-ruler');
}

function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  if (home && fs.existsSync(path.join(home, 'bin', 'java'))) return path.join(home, 'bin', 'java');
  return 'java';
}

/** Match every pair with Event Ruler, in one JVM; the answers are in the order of the cases. */
export function matchAll(cases: readonly MatchCase[]): boolean[] {
  if (cases.length === 0) return [];
  const dir = eventRulerDir();
  const jars = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jar')) : [];
  if (!jars.some((f) => f.startsWith('event-ruler-'))) {
    throw new Error(`Event Ruler is not in ${dir}: ${SETUP}`);
  }
  const run = spawnSync(javaCommand(), ['-cp', jars.map((f) => path.join(dir, f)).join(path.delimiter), HARNESS], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.error) {
    throw new Error(`cannot run java (${run.error.message}): ${SETUP}`);
  }
  if (run.status !== 0) {
    throw new Error(`RuleMatcher failed (status ${run.status}): ${run.stderr}`);
  }
  const answers = JSON.parse(run.stdout);
  if (!Array.isArray(answers) || answers.length !== cases.length || !answers.every((a) => typeof a === 'boolean')) {
    throw new Error(`RuleMatcher answered ${run.stdout.slice(0, 200)} for ${cases.length} cases`);
  }
  return answers;
}
