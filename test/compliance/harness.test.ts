import { Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgmentsIn, expectCompliant, runPacks, testStack } from './harness';

describe('compliance harness', () => {
  test('canary: a plain bucket is reported by every one of the four packs', () => {
    const stack = testStack('Canary');
    new s3.Bucket(stack, 'Plain');
    const report = runPacks(stack);
    expect(report.packs.map((p) => p.pack)).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']);
    for (const p of report.packs) {
      expect(p.findings.length).toBeGreaterThan(0);
    }
    expect(report.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    expect(() => expectCompliant(stack)).toThrow(/unacknowledged compliance finding\(s\):\n.*AwsSolutions-S1/);
  });

  test('passes on a compliant stack', () => {
    const stack = testStack('Compliant');
    new kms.Key(stack, 'Key', { enableKeyRotation: true });
    expect(expectCompliant(stack).findings).toEqual([]);
  });

  test('an acknowledgment with a reason silences exactly its rule, and is listed', () => {
    const stack = testStack('Acked');
    const bucket = new s3.Bucket(stack, 'Plain');
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'canary: access logging is out of scope here' });
    const rules = runPacks(stack).findings.map((f) => f.rule);
    expect(rules).not.toContain('AwsSolutions-S1');
    expect(rules).toContain('AwsSolutions-S10');
    expect(acknowledgmentsIn(stack)).toEqual([
      { path: 'Acked/Plain', id: 'AwsSolutions-S1', reason: 'canary: access logging is out of scope here' },
    ]);
  });

  test('the Serverless pack joins where the tree holds a Lambda function', () => {
    const stack = testStack('Fn');
    new lambda.Function(stack, 'F', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    expect(runPacks(stack).packs.map((p) => p.pack)).toContain('Serverless');
  });
});
