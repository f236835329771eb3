/**
 * One synthesis, for the synth benchmark: `example` (the example pipeline, without the checks) or
 * `empty` (an aws-cdk-lib app with one empty stack). Prints the milliseconds spent in-process
 * building the tree and synthesizing (module loading excluded).
 */
import { App, Stack } from 'aws-cdk-lib';
import { examplePipeline } from '../examples/ingestion-pipeline/pipeline';

const [which, outdir] = process.argv.slice(2);
const start = process.hrtime.bigint();
const app = new App({ outdir });
if (which === 'example') examplePipeline(app);
else new Stack(app, 'Empty');
app.synth();
process.stdout.write(`${Number(process.hrtime.bigint() - start) / 1e6}\n`);
