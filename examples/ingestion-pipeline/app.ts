/**
 * The example ingestion pipeline. Synthesized by the README's main command into examples/cdk.out,
 * with every compliance pack applied.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { synthesizeWithCompliance } from './summary';
import { SecurityControls } from '../../lib';

const app = new App();
const stack = new Stack(app, 'SecureDeltaLakeExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: `Secure Glue + Delta Lake ingestion pipeline (${SecurityControls.all().length} security controls)`,
});
new kms.Key(stack, 'PipelineKey', { enableKeyRotation: true, description: 'placeholder until the lake constructs land' });

synthesizeWithCompliance(app);
