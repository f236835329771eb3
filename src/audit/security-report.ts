import * as fs from 'fs';
import * as path from 'path';
import {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import { runChecks, templatesOf } from './report-checks';
import { renderMarkdown } from './report-markdown';
import { buildReport } from './report-model';

export { buildReport } from './report-model';
export { RESIDUAL_RISKS } from './residual-risks';

/** Properties of a `SecurityReport`. */
export interface SecurityReportProps {
  /**
   * Compliance checks whose findings the report records (cdk-nag 3 packs, for example). The report
   * runs them itself: register them here rather than with `Validations.of(app).addPlugins`.
   *
   * @default - none: the report has no compliance section
   */
  readonly checks?: IPolicyValidationPlugin[];

  /**
   * Checks written against the older plugin interface (`@cdklabs/cdk-validator-cfnguard`'s
   * `CfnGuardValidator`, for example).
   *
   * @default - none
   */
  readonly legacyChecks?: IPolicyValidationPluginBeta1[];

  /**
   * Where `security-report.md` and `security-report.json` are written during validation. It must
   * lie outside the cloud assembly: CDK fails synthesis when a plugin changes a file that was in
   * the assembly before validation (the report of the previous synthesis, for example).
   *
   * @default - nothing is written during validation; call `writeReport` after `app.synth()`
   */
  readonly outputDirectory?: string;
}

/**
 * A CDK validation plugin that writes the app's security report at synthesis, from the synthesized
 * templates: each control of the registry with the resources and property values that implement
 * it, the tests that prove it and whether it needs runtime verification (a control without
 * evidence is reported missing); the access matrix computed from the policies; the findings of
 * the compliance checks it runs, with every acknowledgment and its reason; the mapping to GDPR,
 * HIPAA and SOC 2; and a Mermaid data-flow diagram.
 *
 * Unacknowledged findings of the checks are returned as violations, so synthesis fails on them
 * like any validation plugin.
 *
 * @example
 * const app = new App();
 * const report = new sdl.SecurityReport();
 * Validations.of(app).addPlugins(report);
 * // ... the app's stacks ...
 * const assembly = app.synth();
 * report.writeReport(assembly.directory);
 */
export class SecurityReport implements IPolicyValidationPlugin {
  /** The JSON report's file name. */
  public static readonly JSON_FILE_NAME = 'security-report.json';
  /** The Markdown report's file name. */
  public static readonly MARKDOWN_FILE_NAME = 'security-report.md';

  /** The plugin's name in CDK's validation report. */
  public readonly name = 'cdk-secure-delta-lake-security-report';

  private readonly checks: IPolicyValidationPlugin[];
  private readonly legacyChecks: IPolicyValidationPluginBeta1[];
  private readonly outputDirectory?: string;
  private report?: any;

  constructor(props: SecurityReportProps = {}) {
    this.checks = props.checks ?? [];
    this.legacyChecks = props.legacyChecks ?? [];
    this.outputDirectory = props.outputDirectory;
  }

  /** Writes the report and returns the checks' unacknowledged findings. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const templates = templatesOf(context);
    const { results, violations, acks, pathOf } = runChecks(context, this.checks, this.legacyChecks);
    this.report = buildReport(templates, results, acks, pathOf);
    if (this.outputDirectory) this.writeReport(this.outputDirectory);
    return { success: violations.length === 0, violations };
  }

  /**
   * Write the report of the last synthesis as `security-report.json` and `security-report.md`.
   *
   * @param directory the directory, for example the cloud assembly's (`app.synth().directory`)
   * @returns the path of the JSON report
   */
  public writeReport(directory: string): string {
    if (!this.report) {
      throw new Error('SecurityReport: there is no report yet; register the plugin with Validations.of(app).addPlugins(report) and call app.synth() first');
    }
    fs.mkdirSync(directory, { recursive: true });
    const file = path.join(directory, SecurityReport.JSON_FILE_NAME);
    fs.writeFileSync(file, JSON.stringify(this.report, null, 2) + '\n');
    fs.writeFileSync(path.join(directory, SecurityReport.MARKDOWN_FILE_NAME), renderMarkdown(this.report));
    return file;
  }
}
