/**
 * The metric helpers return the metrics the ingestion script publishes and the alarms watch: same
 * namespace, names and dimensions, resolved from the synthesized template.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AuditedPipeline, ColumnType, JobMetrics, TableSchema } from '../../src';
import { testStack } from '../compliance/harness';

const stack = testStack('Metrics');
const pipeline = new AuditedPipeline(stack, 'Orders', {
  tableName: 'orders',
  schema: TableSchema.of([{ name: 'order_id', type: ColumnType.LONG }]),
});
const resolve = (m: cloudwatch.Metric) => Stack.of(pipeline).resolve(m.toMetricConfig().metricStat);
const jobName = Stack.of(pipeline).resolve(pipeline.job.job.jobName);
const template = Template.fromStack(stack);

describe('metric helpers', () => {
  test.each([
    ['metricRecordsValid', JobMetrics.RECORDS_VALID],
    ['metricRecordsQuarantined', JobMetrics.RECORDS_QUARANTINED],
    ['metricRunsSucceeded', JobMetrics.RUNS_SUCCEEDED],
  ])('%s is the script\'s %s for this job and table, summed', (method, name) => {
    const stat = resolve((pipeline as any)[method]());
    expect(stat).toEqual(expect.objectContaining({ namespace: 'CdkSecureDeltaLake', metricName: name, statistic: 'Sum' }));
    expect(stat.dimensions).toEqual([{ name: 'JobName', value: jobName }, { name: 'Table', value: 'orders' }]);
  });

  test('the job\'s helpers take options, and name the dimensions the no-successful-run alarm watches', () => {
    const metric = pipeline.job.metricRunsSucceeded({ period: Duration.hours(1) });
    expect(metric.period.toHours()).toBe(1);
    const stat = resolve(metric);
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((a: any) => a.Properties).find((p: any) => p.MetricName === JobMetrics.RUNS_SUCCEEDED);
    expect(alarm.Namespace).toBe(stat.namespace);
    expect(alarm.Dimensions).toEqual([{ Name: 'JobName', Value: alarm.Dimensions[0].Value }, { Name: 'Table', Value: 'orders' }]);
    for (const m of [pipeline.job.metricRecordsRead(), pipeline.job.metricFilesRefused(), pipeline.job.metricRunsFailedClosed()]) {
      expect(resolve(m).namespace).toBe('CdkSecureDeltaLake');
    }
  });

  test('failed runs are the invocations of the pipeline\'s failed-run rule', () => {
    const stat = resolve(pipeline.metricFailedRuns());
    expect(stat).toEqual(expect.objectContaining({ namespace: 'AWS/Events', metricName: 'TriggeredRules', statistic: 'Sum' }));
    const rules = template.findResources('AWS::Events::Rule');
    const [failedId] = Object.entries(rules).find(([, r]: any) => r.Properties.EventPattern?.['detail-type']?.includes('Glue Job State Change'))!;
    // A rule's Ref is its name on the default bus.
    expect(stat.dimensions).toEqual([{ name: 'RuleName', value: { Ref: failedId } }]);
  });
});
