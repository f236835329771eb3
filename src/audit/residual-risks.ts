/**
 * What the controls leave open, by design or because AWS offers no guard: the report lists them
 * and the README quotes the same list.
 *
 * @internal
 */
export const RESIDUAL_RISKS: ReadonlyArray<{ readonly id: string; readonly risk: string; readonly mitigation: string }> = [
  {
    id: 'iam-star-principals',
    risk: 'A principal of the same account allowed iam:* can tag itself into a prefix fence (the grant tag) or create a role under the reserved path /cdk-secure-delta-lake/ that the data perimeter admits',
    mitigation: 'keep iam:* and iam:Tag* with the administrators (a permissions boundary or an SCP); the tamper alerts and the trail see role changes',
  },
  {
    id: 'account-root',
    risk: "The account root can always delete or rewrite a bucket policy, a secret's resource policy and a key policy: it is the break-glass path",
    mitigation: 'protect the root user with MFA and no access keys, and alert on its sign-in',
  },
  {
    id: 'named-administrators',
    risk: "Administrators named in administratorArns (and the stack's CloudFormation execution role) may change the bucket configuration, the secret's policy and the key policies",
    mitigation: 'name few administrators; bucket, key, secret and trail changes raise tamper alerts',
  },
  {
    id: 'best-effort-delivery',
    risk: 'CloudTrail and EventBridge deliver on a best-effort basis: an event can arrive late or, rarely, not at all, so an alert can be missed',
    mitigation: "undeliverable alerts land in the dead-letter queue (alarmed); the trail's validated log files remain the record",
  },
  {
    id: 'iam-events-us-east-1',
    risk: "IAM API events reach EventBridge in us-east-1 only: outside it, changes to the job role's policies raise no alert",
    mitigation: 'deploy in us-east-1 or forward iam.amazonaws.com events from there; the account trail records them',
  },
  {
    id: 'run-overrides',
    risk: "An operator of a standalone job (glue:StartJobRun) may choose a run's worker type and count, timeout and security configuration",
    mitigation: 'alerted, not prevented: in an AuditedPipeline every StartJobRun a principal makes is reported, and so is a trigger created or changed to start the job; pipeline operators start the workflow instead',
  },
  {
    id: 'delete-every-alert-rule',
    risk: 'A principal allowed events:DeleteRule can delete every alert rule in one sequence of calls; the last deletions raise no alert',
    mitigation: 'seen by the account trail only: keep events:* with the administrators and review the trail',
  },
  {
    id: 'empty-code-parameters',
    risk: 'Code-bearing Glue parameters the job does not use are locked with an empty value; that Glue treats an empty value as unset is a deploy-time assumption',
    mitigation: 'a successful run of the deployed job proves it; the StartJobRun rule reports every run a principal starts, whatever its arguments',
  },
  {
    id: 'fenced-object-keys',
    risk: 'Object keys (file names) under a fenced prefix stay visible to principals allowed to list the bucket, though not their contents',
    mitigation: 'the data perimeter limits listing to grantees, and grants limit it to their own prefix; keep personal data out of file names',
  },
  {
    id: 'subscription-changes',
    risk: 'A principal allowed sns:Unsubscribe or sns:SetSubscriptionAttributes can remove an alert subscription or give it a filter policy that matches nothing; a topic policy cannot deny these calls (they are authorized on the subscription)',
    mitigation: 'the topic tamper rule reports both calls; keep sns:* with the administrators (a service control policy can deny them)',
  },
  {
    id: 'forged-metrics',
    risk: "A principal allowed cloudwatch:PutMetricData can publish the job's metrics (RunsSucceeded) into its namespace and keep the no-successful-run alarm quiet, or raise false quarantine alarms",
    mitigation: "failed, timed-out and stopped runs are reported from Glue's own events, not from metrics; restrict cloudwatch:PutMetricData by the cloudwatch:namespace condition key",
  },
  {
    id: 'lake-shared-logs-key',
    risk: "In a SecureDeltaLake, every table's job role may use the lake's logs key directly (Glue's client-side bookmark encryption needs it); a job role could decrypt data encrypted with that key",
    mitigation: 'bookmarks are locked off and job roles cannot read log events, so no data encrypted with the key is reachable to them; give a table its own job key where this matters',
  },
];
