import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { JobMetrics, LeastPrivilegeGlueJob } from '../glue/least-privilege-glue-job';

/**
 * The count of files a run ingested, which the job script publishes beside the `JobMetrics` names.
 * Not in `JobMetrics` yet.
 */

/** @internal */
export interface PipelineDashboardProps {
  readonly dashboardName: string;
  /** The job whose metrics (its `JobName` and `Table` dimensions, in its namespace) the dashboard shows. */
  readonly job: LeastPrivilegeGlueJob;
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
    const own = (metricName: string, label: string) => props.job.metric(metricName, { period: Duration.hours(1), label });
    // Glue's job metrics (published under the Glue namespace for every run).
    const glue = (metricName: string, label: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'Glue',
      metricName,
      statistic,
      period: Duration.hours(1),
      label,
      dimensionsMap: { JobName: props.job.job.jobName, JobRunId: 'ALL', Type: 'gauge' },
    });
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Runs', left: [own(JobMetrics.RUNS_SUCCEEDED, 'succeeded'), own(JobMetrics.FAILED_CLOSED, 'failed closed')], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Records',
            left: [own(JobMetrics.RECORDS_VALID, 'valid'), own(JobMetrics.RECORDS_QUARANTINED, 'quarantined'), own(JobMetrics.RECORDS_READ, 'read')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Run duration (ms)', left: [glue('glue.driver.aggregate.elapsedTime', 'elapsed', 'Maximum')], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Failed, timed-out or stopped runs',
            left: [new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensionsMap: { RuleName: props.failureRuleName }, statistic: 'Sum', period: Duration.hours(1), label: 'failures' })],
            width: 8,
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 8 }),
          new cloudwatch.SingleValueWidget({ title: 'Files ingested', metrics: [own(JobMetrics.FILES, 'files')], setPeriodToTimeRange: true, width: 8 }),
        ],
      ],
    });
  }
}
