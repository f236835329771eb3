/**
 * The example ingestion pipeline. Synthesized by the README's main command into examples/cdk.out,
 * with every compliance pack applied.
 *
 * Today it stands up the two lake zones and the data grants of the ingestion job's role; the Glue
 * job, the audit layer and the schema join as their constructs land.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { synthesizeWithCompliance } from './summary';
import { LakeZone, SecureDeltaLakeBucket } from '../../src';

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

synthesizeWithCompliance(app);
