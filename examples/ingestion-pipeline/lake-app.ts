/**
 * The example lake app: three tables on one SecureDeltaLake (examples/ingestion-pipeline/lake.ts),
 * every compliance check run by the security report plugin, the report written beside the
 * templates and a summary printed. Synthesize it with `npx cdk synth --app "npx ts-node -P
 * ../../tsconfig.dev.json --prefer-ts-exts lake-app.ts"` from this directory.
 */
import { App, Validations } from 'aws-cdk-lib';
import { securityReport } from './checks';
import { exampleLake } from './lake';
import { printSummary } from './summary';

const app = new App();
exampleLake(app);
const report = securityReport();
Validations.of(app).addPlugins(report);
const assembly = app.synth();
report.writeReport(assembly.directory);
printSummary(assembly.directory);
