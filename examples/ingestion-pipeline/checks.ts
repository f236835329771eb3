/**
 * Every compliance check the example app is held to: the cdk-nag 3 packs (AWS Solutions, HIPAA
 * Security, NIST 800-53 R5, PCI DSS 3.2.1, Serverless), the AWS Control Tower guard rules
 * (cfn-guard) and Checkov.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { CheckovCheck } from './checkov';
import { SecurityReport } from '../../src';

export function securityReport(outputDirectory?: string, options: { checkov?: boolean } = {}): SecurityReport {
  return new SecurityReport({
    outputDirectory,
    checks: [
      new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks(), new PCIDSS321Checks(), new ServerlessChecks(),
      ...(options.checkov ?? true ? [new CheckovCheck()] : []),
    ],
    legacyChecks: [new CfnGuardValidator({ controlTowerRulesEnabled: true })],
  });
}
