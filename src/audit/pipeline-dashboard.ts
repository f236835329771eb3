import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** @internal */
export interface PipelineDashboardProps {
  readonly dashboardName: string;
  readonly jobName: string;
  readonly metricsNamespace: string;
  readonly tableDimension: string;
  readonly alarms: cloudwatch.IAlarm[];
  /** The EventBridge rule that matches failed, timed-out and stopped runs. */
  readonly failureRuleName: string;
}

/**
 * The pipeline's dashboard: runs, duration, records valid and quarantined, failures.
 *
 * @internal
 */
export class PipelineDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const dims = { JobName: props.jobName, Table: props.tableDimension };
    const own = (metricName: string, label: string) => new cloudwatch.Metric({
      namespace: props.metricsNamespace, metricName, dimensionsMap: dims, statistic: 'Sum', period: Duration.hours(1), label,
    });
    // Glue's job metrics (published under the Glue namespace for every run).
    const glue = (metricName: string, label: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'Glue',
      metricName,
      statistic,
      period: Duration.hours(1),
      label,
      dimensionsMap: { JobName: props.jobName, JobRunId: 'ALL', Type: 'gauge' },
    });
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Runs', left: [own('RunsSucceeded', 'succeeded'), own('FailedClosed', 'failed closed')], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Records', left: [own('RecordsValid', 'valid'), own('RecordsQuarantined', 'quarantined'), own('RecordsRead', 'read')], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Run duration (ms)', left: [glue('glue.driver.aggregate.elapsedTime', 'elapsed', 'Maximum')], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Failed, timed-out or stopped runs',
            left: [new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensionsMap: { RuleName: props.failureRuleName }, statistic: 'Sum', period: Duration.hours(1), label: 'failures' })],
            width: 8,
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 8 }),
          new cloudwatch.SingleValueWidget({ title: 'Files ingested', metrics: [own('Files', 'files')], setPeriodToTimeRange: true, width: 8 }),
        ],
      ],
    });
  }
}
