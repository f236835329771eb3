/**
 * Synthesizes the example pipeline without the checks, into the directory given as argument; the
 * Python example's test compares its templates with these.
 */
import { App } from 'aws-cdk-lib';
import { examplePipeline } from './pipeline';

const app = new App({ outdir: process.argv[2] });
examplePipeline(app);
process.stdout.write(app.synth().directory + '\n');
