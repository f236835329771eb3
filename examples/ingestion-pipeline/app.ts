/**
 * The example app, synthesized by the README's main command into examples/cdk.out: the audited
 * customers pipeline, every compliance check run by the security report plugin, the report written
 * beside the templates (security-report.md and .json) and a summary printed.
 */
import { App, Validations } from 'aws-cdk-lib';
import { securityReport } from './checks';
import { examplePipeline } from './pipeline';
import { printSummary } from './summary';

const app = new App();
examplePipeline(app);
const report = securityReport();
Validations.of(app).addPlugins(report);
const assembly = app.synth();
// CDK forbids validation plugins to change files of an existing cloud assembly: the report is
// written once synthesis is over.
report.writeReport(assembly.directory);
printSummary(assembly.directory);
