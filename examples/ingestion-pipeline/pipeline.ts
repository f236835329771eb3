/**
 * The example pipeline: customers' CSV files (with PII) ingested into a validated Delta table,
 * with its audit trail, alerts, catalog table and Athena workgroup. Two stacks: the lake zones,
 * and the pipeline that uses them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AuditedPipeline, LakeZone, PipelineTrigger, SecureDeltaLakeBucket, TableSchema } from '../../src';

export interface ExamplePipeline {
  readonly data: Stack;
  readonly pipelineStack: Stack;
  readonly pipeline: AuditedPipeline;
}

/** The schema shared by the example app, the Python example and the local runner. */
export const SCHEMA_FILE = path.join(__dirname, '..', 'data', 'customers.schema.json');

export function examplePipeline(app: App): ExamplePipeline {
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const data = new Stack(app, 'SecureDeltaLakeData', { env, description: 'Secure Delta Lake: raw (CSV) and curated (Delta) zones' });
  const raw = new SecureDeltaLakeBucket(data, 'Raw', { zone: LakeZone.RAW });
  const curated = new SecureDeltaLakeBucket(data, 'Curated', { zone: LakeZone.CURATED });

  const pipelineStack = new Stack(app, 'SecureDeltaLakePipeline', { env, description: 'Secure Delta Lake: the audited customers ingestion pipeline' });
  const pipeline = new AuditedPipeline(pipelineStack, 'Customers', {
    tableName: 'customers',
    schema: TableSchema.fromJson(fs.readFileSync(SCHEMA_FILE, 'utf8')),
    rawBucket: raw,
    curatedBucket: curated,
    trigger: PipelineTrigger.onObjectCreated({ batchSize: 10 }),
    alertEmails: ['data-platform@example.com'],
  });

  // People, through roles on the path the lake buckets admit across stacks.
  const role = (id: string, description: string) => new iam.Role(pipelineStack, id, {
    assumedBy: new iam.AccountRootPrincipal(),
    path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH,
    description,
  });
  raw.grantWrite(role('Producers', 'uploads customers CSV files'), pipeline.sourcePrefix);
  pipeline.grantOperate(role('DataEngineers', 'operates the customers pipeline'));
  pipeline.grantReadCurated(role('Analysts', 'queries the curated customers table in Athena'));
  return { data, pipelineStack, pipeline };
}
