/**
 * Synth-time benchmark: the example pipeline (two stacks, no compliance checks) against an empty
 * aws-cdk-lib app, in one run, alternating. Each sample is a fresh `node` process (ts-node in
 * transpile-only mode for both) that loads aws-cdk-lib, builds the app and writes the cloud
 * assembly: the time a `cdk synth` waits for the app. The in-process part (tree and synthesis,
 * module loading excluded, aws-cdk-lib's built-in template validation included) is reported too.
 * The empty app's one warning (a stack without resources) is not shown.
 *
 * Then a lake (`SecureDeltaLake`) with 1, 10 and 50 tables (ten per domain stack): the synth time
 * per table and the resources per added table, each as a ratio to one table, and the time each
 * table adds ((time at N - time at 1) / (N - 1)).
 *
 *   npx ts-node scripts/benchmark-synth.ts [runs]     # default 5 runs of each
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const runs = Number(process.argv[2] ?? 5);
const root = path.resolve(__dirname, '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function sample(which: string): { wall: number; inProcess: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `sdl-synth-${which}-`));
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'scripts', 'synth-target.ts'), which, outdir], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.dev.json') },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  return { wall, inProcess: Number(out.trim()) };
}

sample('empty'); // warm the file-system cache and ts-node's compiler once, untimed
const results: { [k: string]: Array<{ wall: number; inProcess: number }> } = { example: [], empty: [] };
for (let i = 0; i < runs; i++) {
  for (const which of i % 2 === 0 ? ['example', 'empty'] : ['empty', 'example']) results[which].push(sample(which));
}
const wall = (k: string) => median(results[k].map((r) => r.wall));
const inProc = (k: string) => median(results[k].map((r) => r.inProcess));
console.log(`synth benchmark, ${runs} alternating runs each, medians (${os.cpus().length} cores, node ${process.version})`);
console.log(`  example pipeline: ${wall('example').toFixed(0)} ms per process (${inProc('example').toFixed(0)} ms building and synthesizing)`);
console.log(`  empty app:        ${wall('empty').toFixed(0)} ms per process (${inProc('empty').toFixed(0)} ms building and synthesizing)`);
console.log(`  ratio example / empty (whole process): ${(wall('example') / wall('empty')).toFixed(2)} (goal: 1.5 or less)`);

// A lake with 1, 10 and 50 tables: one fresh process per sample, the median of `runs`.
interface LakeSample { wall: number; ms: number; lake: number; total: number; largest: number; trails: number }
function lakeSample(tables: number): LakeSample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `sdl-synth-lake-${tables}-`));
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'scripts', 'synth-lake-target.ts'), String(tables), outdir], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.dev.json') },
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  return { wall: elapsed, ...JSON.parse(out.trim()) };
}
const lakeRuns: { [n: number]: LakeSample[] } = { 1: [], 10: [], 50: [] };
for (let i = 0; i < runs; i++) for (const n of [1, 10, 50]) lakeRuns[n].push(lakeSample(n));
const lakeMedian = (n: number, k: 'wall' | 'ms') => median(lakeRuns[n].map((r) => r[k]));
const perTable = (n: number) => lakeMedian(n, 'ms') / n;
const resourcesPerTable = (n: number) => (lakeRuns[n][0].total - lakeRuns[n][0].lake) / n;
console.log(`lake benchmark, ${runs} runs each, medians`);
for (const n of [1, 10, 50]) {
  const r = lakeRuns[n][0];
  console.log(`  ${String(n).padStart(2)} tables: ${lakeMedian(n, 'wall').toFixed(0)} ms per process, ${lakeMedian(n, 'ms').toFixed(0)} ms building and synthesizing `
    + `(${perTable(n).toFixed(0)} ms per table, ratio ${(perTable(n) / perTable(1)).toFixed(2)}`
    + `${n > 1 ? `; each added table ${((lakeMedian(n, 'ms') - lakeMedian(1, 'ms')) / (n - 1)).toFixed(0)} ms` : ''}); `
    + `${resourcesPerTable(n).toFixed(1)} resources per table (ratio ${(resourcesPerTable(n) / resourcesPerTable(1)).toFixed(2)}), lake stack ${r.lake}, largest stack ${r.largest}, ${r.trails} trail(s)`);
}
