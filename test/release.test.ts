import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { github } from 'projen';

/**
 * The release workflow projen generates from .projenrc.ts (.ci/run's drift check keeps the committed
 * file equal to what projen writes): a maintainer starts it, it runs the release through the
 * project's toolchain, and projen's publisher jobs publish both packages with trusted publishing.
 */

const root = path.join(__dirname, '..');
const workflowsDir = path.join(root, '.github', 'workflows');

// The YAML parser projen writes its workflows with (a dependency of projen, not of this project).
const { parse } = createRequire(require.resolve('projen/package.json'))('yaml') as { parse: (text: string) => any };

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly steps: Step[];
  readonly needs?: string | string[];
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly if?: string;
}

const text = fs.readFileSync(path.join(workflowsDir, 'release.yml'), 'utf8');
const workflow = parse(text);
const jobs = workflow.jobs as Record<string, Job>;

function stepIndex(job: Job, predicate: (s: Step) => boolean, what: string): number {
  const i = job.steps.findIndex(predicate);
  if (i < 0) throw new Error(`no step ${what} in ${JSON.stringify(job.steps.map((s) => s.name ?? s.uses))}`);
  return i;
}

/** 11.5.1 or later: the npm that can publish with a trusted publisher (OIDC). */
function npmSupportsTrustedPublishing(version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number);
  return major > 11 || (major === 11 && (minor > 5 || (minor === 5 && patch >= 1)));
}

describe('the release workflow', () => {
  test('is the only hosted workflow: CI is .ci/run, no pull-request build diverges from it', () => {
    expect(fs.readdirSync(workflowsDir)).toEqual(['release.yml']);
  });

  test('is started by a maintainer (workflow_dispatch, with a dry run), never by a push', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
    expect(workflow.on.workflow_dispatch.inputs.dry_run.type).toBe('boolean');
  });

  test('the release job installs the toolchain as CI does, then runs `npx projen release` through scripts/dev', () => {
    const job = jobs.release;
    const java = stepIndex(job, (s) => s.uses === github.ActionRefs.ACTIONS_SETUP_JAVA, 'setting up Java');
    const python = stepIndex(job, (s) => s.uses === github.ActionRefs.ACTIONS_SETUP_PYTHON, 'setting up Python');
    const toolchain = stepIndex(job, (s) => s.run === './scripts/dev', 'running scripts/dev');
    const release = stepIndex(job, (s) => s.run === './scripts/dev npx projen release', 'running the release');
    expect(job.steps[java].with).toEqual({ 'distribution': 'temurin', 'java-version': '17' });
    expect(job.steps[python].with).toEqual({ 'python-version': '3.11' });
    expect(java).toBeLessThan(toolchain);
    expect(python).toBeLessThan(toolchain);
    expect(toolchain).toBeLessThan(release);
    // Nothing installs or runs projen around scripts/dev (its environment is what the test task needs).
    const runs = job.steps.map((s) => s.run ?? '');
    expect(runs.filter((r) => /\bnpm (ci|install)\b/.test(r))).toEqual([]);
    expect(runs.filter((r) => r.includes('projen') && !r.startsWith('./scripts/dev '))).toEqual([]);
    // The release's artifacts (the packages, the version, the tag, the changelog) go to the publishers.
    expect(runs.some((r) => r.includes('dist/releasetag.txt'))).toBe(true);
    const upload = job.steps.find((s) => s.uses === github.ActionRefs.ACTIONS_UPLOAD_ARTIFACT);
    expect(upload?.with?.path).toBe('dist');
  });

  test('publishes the npm tarball with projen\'s publisher job, by trusted publishing (no token)', () => {
    const job = jobs.release_npm;
    expect(job.needs).toEqual('release');
    expect(job.environment).toBe('release');
    expect(job.permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
    const publish = stepIndex(job, (s) => /^npx '-p' 'publib@[^']+' 'publib-npm'$/.test(s.run ?? ''), 'running publib-npm');
    expect(job.steps[publish].env).toMatchObject({ NPM_TRUSTED_PUBLISHER: 'true', NPM_CONFIG_PROVENANCE: 'true' });
    expect(job.steps[publish].env).not.toHaveProperty('NPM_TOKEN');
    // Node.js 22 bundles npm 10: the job updates npm before it publishes.
    const update = stepIndex(job, (s) => /^npm install --global npm@\d+\.\d+\.\d+$/.test(s.run ?? ''), 'updating npm');
    const setupNode = stepIndex(job, (s) => s.uses === github.ActionRefs.ACTIONS_SETUP_NODE, 'setting up Node.js');
    expect(npmSupportsTrustedPublishing(job.steps[update].run!.split('@')[1])).toBe(true);
    expect(setupNode).toBeLessThan(update);
    expect(update).toBeLessThan(publish);
  });

  test('publishes the wheel with projen\'s publisher job, by trusted publishing (no token)', () => {
    const job = jobs.release_pypi;
    expect(job.needs).toEqual('release');
    expect(job.environment).toBe('release');
    expect(job.permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
    const publish = stepIndex(job, (s) => /^npx '-p' 'publib@[^']+' 'publib-pypi'$/.test(s.run ?? ''), 'running publib-pypi');
    expect(job.steps[publish].env).toMatchObject({ PYPI_TRUSTED_PUBLISHER: 'true' });
    expect(job.steps[publish].env).not.toHaveProperty('TWINE_USERNAME');
    expect(job.steps[publish].env).not.toHaveProperty('TWINE_PASSWORD');
  });

  test('the publisher jobs run only for a new version built from the branch head', () => {
    for (const name of ['release_npm', 'release_pypi', 'release_github']) {
      expect(jobs[name].if).toContain("needs.release.outputs.tag_exists != 'true'");
      expect(jobs[name].if).toContain('needs.release.outputs.latest_commit == github.sha');
    }
    // The GitHub release (the tag and the changelog) comes after both packages are published.
    expect([...(jobs.release_github.needs as string[])].sort()).toEqual(['release', 'release_npm', 'release_pypi']);
  });

  test('holds no secret but the workflow\'s own GITHUB_TOKEN, and pins every action and publib', () => {
    const secrets = [...text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    expect([...new Set(secrets)]).toEqual(['GITHUB_TOKEN']);
    const pinned = new Set(Object.values(github.ActionRefs));
    const uses = Object.values(jobs).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => !!u));
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((u) => !pinned.has(u))).toEqual([]);
    const publib = [...text.matchAll(/publib@([^' ]+)/g)].map((m) => m[1]);
    expect(publib.length).toBe(2);
    for (const v of publib) expect(v).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('the release task', () => {
  interface Task {
    readonly steps?: Array<{ spawn?: string; exec?: string; execArgs?: string[] }>;
    readonly env?: Record<string, string>;
  }
  const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks as Record<string, Task>;

  /** Every task `name` runs, itself included. */
  function reachable(name: string, seen = new Set<string>()): Set<string> {
    if (seen.has(name)) return seen;
    seen.add(name);
    for (const step of tasks[name].steps ?? []) if (step.spawn) reachable(step.spawn, seen);
    return seen;
  }

  test('versions from the commit history on the 0.x line, builds and tests, then resets the version', () => {
    const release = tasks.release;
    expect(release.env).toMatchObject({ RELEASE: 'true', MAJOR: '0' });
    expect(release.steps?.map((s) => s.spawn).filter(Boolean)).toEqual(['bump', 'build', 'unbump']);
    expect(reachable('build').has('test')).toBe(true);
    expect([...reachable('test')]).toEqual(expect.arrayContaining(['package:check', 'test:python']));
  });

  test('no build step deletes the version, tag and changelog that the bump writes into dist/', () => {
    const bumpFiles = ['BUMPFILE', 'RELEASETAG', 'CHANGELOG'].map((k) => tasks.bump.env![k]);
    expect(bumpFiles).toEqual(['dist/version.txt', 'dist/releasetag.txt', 'dist/changelog.md']);
    const commands = [...reachable('build')].flatMap((t) =>
      (tasks[t].steps ?? []).map((s) => s.exec ?? (s.execArgs ?? []).join(' ')).filter(Boolean));
    const removesDist = commands.filter((c) => /\brm\s+-\w*r\w*\s+(.*\s)?(\.\/)?dist\/?(\s|$)/.test(c));
    expect(removesDist).toEqual([]);
  });
});
