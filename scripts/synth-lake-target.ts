/**
 * One synthesis of a lake with N tables, for the synth benchmark: the lake in one stack, ten tables
 * per domain stack (half with PII). Prints the in-process milliseconds (tree and synthesis, module
 * loading excluded), the resources of the lake stack and of the whole app, and the largest stack.
 *
 *   ts-node scripts/synth-lake-target.ts <tables> <outdir>
 */
import { App, Stack } from 'aws-cdk-lib';
import { ColumnType, LakeTable, SecureDeltaLake, TableSchema } from '../src';

const [n, outdir] = [Number(process.argv[2]), process.argv[3]];
const env = { account: '111111111111', region: 'eu-west-1' };
const pii = TableSchema.of([{ name: 'id', type: ColumnType.LONG, nullable: false }, { name: 'email', type: ColumnType.STRING, pii: true }]);
const plain = TableSchema.of([{ name: 'id', type: ColumnType.LONG, nullable: false }, { name: 'amount', type: ColumnType.STRING }]);

const start = process.hrtime.bigint();
const app = new App({ outdir });
const lake = new SecureDeltaLake(new Stack(app, 'Lake', { env }), 'Lake', { lakeName: 'bench' });
let domain: Stack | undefined;
for (let i = 0; i < n; i++) {
  if (i % 10 === 0) domain = new Stack(app, `Domain${i / 10}`, { env });
  new LakeTable(domain!, `T${i}`, { lake, tableName: `t${i}`, schema: i % 2 === 0 ? pii : plain });
}
const assembly = app.synth();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const counts = assembly.stacks.map((s) => Object.keys(s.template.Resources ?? {}).length);
const lakeCount = Object.keys(assembly.getStackByName('Lake').template.Resources).length;
const trails = assembly.stacks.flatMap((s) => Object.values<any>(s.template.Resources).filter((r) => r.Type === 'AWS::CloudTrail::Trail')).length;
process.stdout.write(JSON.stringify({ ms, lake: lakeCount, total: counts.reduce((a, b) => a + b, 0), largest: Math.max(...counts), trails }) + '\n');
