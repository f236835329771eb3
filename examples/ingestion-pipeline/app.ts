/**
 * The example ingestion pipeline. Synthesized by the README's main command into examples/cdk.out,
 * with every compliance pack applied.
 *
 * Today: the two lake zones in one stack, and in another the Glue job that ingests orders (CSV to
 * Delta, with the library's ingestion script) plus a role that reads customers' CSV files through
 * the data perimeter. The audit layer joins with AuditedPipeline.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { synthesizeWithCompliance } from './summary';
import { ColumnType, LakeZone, LeastPrivilegeGlueJob, SecureDeltaLakeBucket, TableSchema } from '../../src';

const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

const data = new Stack(app, 'SecureDeltaLakeData', { env, description: 'Secure Delta Lake: raw (CSV) and curated (Delta) zones' });
const raw = new SecureDeltaLakeBucket(data, 'Raw', { zone: LakeZone.RAW });
const curated = new SecureDeltaLakeBucket(data, 'Curated', { zone: LakeZone.CURATED });

const compute = new Stack(app, 'SecureDeltaLakeIngestion', { env, description: 'Secure Delta Lake: the ingestion job role' });
const jobRole = new iam.Role(compute, 'IngestionJobRole', {
  assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
  path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH,
  description: 'Runs the CSV to Delta ingestion job',
});
raw.grantRead(jobRole, 'landing/customers');
curated.grantDeltaWrite(jobRole, 'tables/customers');

const orders = new LeastPrivilegeGlueJob(compute, 'OrdersIngestion', {
  source: { bucket: raw.bucket, lakeBucket: raw, prefix: 'landing/orders' },
  target: curated,
  tablePath: 'tables/orders',
  schema: TableSchema.of([
    { name: 'order_id', type: ColumnType.LONG, constraints: { minimum: 1 } },
    { name: 'customer_id', type: ColumnType.LONG },
    { name: 'amount', type: ColumnType.DECIMAL, precision: 12, scale: 2 },
    { name: 'currency', type: ColumnType.STRING, constraints: { allowedValues: ['EUR', 'SEK'] } },
    { name: 'ordered_at', type: ColumnType.TIMESTAMP },
  ]),
});
const engineers = new iam.Role(compute, 'DataEngineers', { assumedBy: new iam.AccountRootPrincipal() });
orders.grantOperate(engineers);

synthesizeWithCompliance(app);
