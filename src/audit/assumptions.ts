/**
 * The deploy-time assumptions: what the templates cannot prove, the controls that rest on each, and
 * the `verify-deployment` check (src/audit/verify_deployment.py) that confirms it after a deploy.
 */

/** A deploy-time assumption: what the templates cannot prove and `verify-deployment` checks. */
export interface Assumption { readonly id: string; readonly controls: string[]; readonly statement: string; readonly check: string }

/**
 * Every deploy-time assumption, in the report's order.
 *
 * @internal
 */
export const ASSUMPTIONS: Assumption[] = [
  {
    id: 'glue-log-group-names',
    controls: ['SDL-LOG-01', 'SDL-IAM-03'],
    check: 'glue_log_groups',
    statement: 'Glue 5 writes the job\'s logs to the pre-created <prefix>/output and <prefix>/error log groups under a KMS security configuration',
  },
  {
    id: 'emrfs-folder-markers',
    controls: ['SDL-IAM-02'],
    check: 'emrfs_markers',
    statement: 'Glue 5.0 writes s3:// through EMRFS, which may put <dir>_$folder$ marker objects beside a table prefix; the grants cover the table root only',
  },
  {
    id: 's3-access-log-delivery',
    controls: ['SDL-LOG-03'],
    check: 'access_log_delivery',
    statement: 'S3 server access logs reach the SSE-S3 access-log bucket through its bucket policy (no ACLs)',
  },
  {
    id: 'trail-delivery',
    controls: ['SDL-LOG-02'],
    check: 'trail_status',
    statement: 'CloudTrail delivers to the trail bucket and the log group with the audit key\'s policy (no delivery errors)',
  },
  {
    id: 'alert-delivery',
    controls: ['SDL-CMP-03'],
    check: 'alert_delivery',
    statement: 'EventBridge and CloudWatch publish to the KMS-encrypted alert topic (no failed invocations)',
  },
  {
    id: 'management-events-trail',
    controls: ['SDL-LOG-02', 'SDL-CMP-03'],
    check: 'management_trail',
    statement: 'a trail records the account\'s management events, so tamper events reach EventBridge (the account or organization trail, or accountTrail: true)',
  },
  {
    id: 'iam-events-region',
    controls: ['SDL-CMP-03'],
    check: 'iam_events_region',
    statement: 'IAM API events reach EventBridge in us-east-1 only: role-policy alerts need the pipeline there, or a forwarding rule',
  },
  {
    id: 'empty-code-parameters',
    controls: ['SDL-GLUE-02'],
    check: 'locked_job_arguments',
    statement: 'Glue treats a code-bearing special parameter locked with an empty value (--extra-jars, --extra-files, --additional-python-modules, ...) as unset, so the job runs with every such parameter non-overridable',
  },
  {
    id: 'workflow-trigger-delivery',
    controls: ['SDL-ACC-01'],
    check: 'workflow_trigger',
    statement: 'EventBridge starts the Glue workflow with glue:notifyEvent (no failed invocations)',
  },
];
