/**
 * Synthesizes the example pipeline (or, with `lake` as second argument, the example lake) without
 * the checks, into the directory given as argument; the Python examples' tests compare their
 * templates with these.
 */
import { App } from 'aws-cdk-lib';
import { exampleLake } from './lake';
import { examplePipeline } from './pipeline';

const app = new App({ outdir: process.argv[2] });
if (process.argv[3] === 'lake') exampleLake(app);
else examplePipeline(app);
process.stdout.write(app.synth().directory + '\n');
