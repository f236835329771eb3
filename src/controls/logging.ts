/**
 * 7. Logging and Monitoring: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { BUCKET, ControlFamily, JOB, PIPELINE } from './definition';
import { configurationDeny, EvidenceItem, Facts, item, lake, perJob } from '../audit/evidence';
import { actionCovered, ARN_SEGMENT, conditionEntries, denies, ModelResource, ModelStatement, render } from '../audit/template-model';

/** Whether an advanced event selector records the object-level (data) events of an object ARN. */
function selectorRecords(selector: any, objectArn: string): boolean {
  let data = false;
  let objects = false;
  for (const fs of selector.FieldSelectors ?? []) {
    const field = String(fs.Field);
    const has = (k: string) => (fs[k] ?? []).map(render) as string[];
    if (field === 'eventCategory') {
      data = has('Equals').includes('Data') && Object.keys(fs).length === 2;
    } else if (field === 'resources.type') {
      objects = has('Equals').includes('AWS::S3::Object') && Object.keys(fs).length === 2;
    } else if (field === 'resources.ARN') {
      const ok = has('StartsWith').some((v) => objectArn.startsWith(v)) || has('Equals').includes(objectArn);
      const excluded = has('NotStartsWith').some((v) => objectArn.startsWith(v)) || has('NotEquals').includes(objectArn) || has('NotEndsWith').length > 0;
      if (!ok || excluded) return false;
    } else {
      // Any other field (readOnly, eventName, userIdentity.arn, ...) records only part of the events.
      return false;
    }
  }
  return data && objects;
}

/** The trail bucket: only this trail may write into it; nobody bypasses its retention; its configuration is guarded. */
function trailBucketProblems(f: Facts, t: ModelResource): string[] {
  const bucket = f.m.target(t, t.properties.S3BucketName);
  if (!bucket) return [`${t.path}: delivers to a bucket outside the app`];
  const sts = f.bucketStatements(bucket);
  const problems: string[] = [];
  const name = render(t.properties.TrailName);
  const thisTrail = (v: string) => v === `<${t.logicalId}.Arn>` || (!v.includes('*') && v.endsWith(`:trail/${name}`) && new RegExp(`^arn:${ARN_SEGMENT}:cloudtrail:`).test(v));
  const object = `<${bucket.logicalId}.Arn>/AWSLogs/sdl-probe/CloudTrail/x.json.gz`;
  const intoBucket = (s: ModelStatement) => s.effect === 'Allow' && actionCovered(s.actions, 's3:PutObject') && s.resources.some((r) => r.startsWith(`<${bucket.logicalId}.Arn>/`) || r === '*');
  const denyOthers = sts.some((s) => denies(s, 's3:PutObject', object, 'cloudtrail.amazonaws.com') && conditionEntries(s).length === 1
    && conditionEntries(s).every((e) => ['StringNotEquals', 'ArnNotEquals', 'ArnNotLike', 'StringNotLike'].includes(e.operator) && e.key.toLowerCase() === 'aws:sourcearn' && e.values.length > 0 && e.values.every(thisTrail)));
  const allowsScoped = sts.filter((s) => intoBucket(s) && (s.principals.includes('cloudtrail.amazonaws.com') || s.principals.includes('*')))
    .every((s) => conditionEntries(s).some((e) => ['StringEquals', 'ArnEquals', 'ArnLike'].includes(e.operator) && e.key.toLowerCase() === 'aws:sourcearn' && e.values.every(thisTrail)));
  if (!denyOthers && !allowsScoped) problems.push(`${bucket.path}: CloudTrail may write into the trail bucket for trails other than ${name} (no aws:SourceArn condition)`);
  const bypass = sts.some((s) => denies(s, 's3:BypassGovernanceRetention', object) && conditionEntries(s).length === 0);
  if (!bypass) problems.push(`${bucket.path}: s3:BypassGovernanceRetention is not denied to everyone, so governance retention can be bypassed`);
  const config = configurationDeny(f, bucket);
  if (config.problem) problems.push(`${bucket.path}: ${config.problem}`);
  return problems;
}

/** @internal */
export const LOG: ControlFamily = {
  section: '7. Logging and Monitoring',
  gdpr: ['Art. 30 records of processing', 'Art. 33 breach notification (detection)'],
  hipaa: ['164.312(b) audit controls', '164.308(a)(1)(ii)(D) information system activity review'],
  soc2: ['CC7.2', 'CC7.3'],
  controls: [
    {
      id: 'SDL-LOG-01',
      implementedBy: JOB,
      runtime: true,
      requirement: 'CloudWatch Logs: Glue job logs and error output',
      implementation: 'the job\'s Glue 5 log groups pre-created, KMS-encrypted, retention of at least 365 days',
      evidence: (f) => perJob(f, (job, _sts, items, problems) => {
        const prefix = render(f.arg(job, '--custom-logGroup-prefix'));
        for (const suffix of ['output', 'error']) {
          const g = f.m.ofType('AWS::Logs::LogGroup').find((x) => render(x.properties.LogGroupName) === `${prefix}/${suffix}`);
          if (!g) {
            problems.push(`${job.path}: no log group ${prefix}/${suffix}`);
            continue;
          }
          items.push(item(g, 'KMS key / retention days', `${render(g.properties.KmsKeyId)} / ${g.properties.RetentionInDays ?? 'never expire'}`));
          if (!g.properties.KmsKeyId || (g.properties.RetentionInDays !== undefined && g.properties.RetentionInDays < 365)) problems.push(`${g.path}: not KMS-encrypted or kept less than 365 days`);
        }
      }),
      assumptions: [
        {
          id: 'glue-log-group-names',
          check: 'glue_log_groups',
          alsoFor: ['SDL-IAM-03'],
          statement: 'Glue 5 writes the job\'s logs to the pre-created <prefix>/output and <prefix>/error log groups under a KMS security configuration',
        },
      ],
    },
    {
      id: 'SDL-LOG-02',
      implementedBy: PIPELINE,
      requirement: 'AWS CloudTrail: auditing S3, Glue, IAM activity',
      implementation: 'a trail of the pipeline\'s data events, encrypted and validated; account-level auditing opt-in',
      evidence: (f) => {
        const items: EvidenceItem[] = [];
        const problems: string[] = [];
        const trails = f.m.ofType('AWS::CloudTrail::Trail');
        if (trails.length === 0) problems.push('no CloudTrail trail in the app');
        for (const t of trails) {
          const p = t.properties;
          const selectors = (p.AdvancedEventSelectors ?? []).map((s: any) => s.Name).join('; ');
          items.push(item(t, 'KMS key / log-file validation / log group / selectors', `${render(p.KMSKeyId)} / ${p.EnableLogFileValidation} / ${render(p.CloudWatchLogsLogGroupArn)} / ${selectors}`));
          items.push(item(t, 'logging', String(p.IsLogging)));
          if (p.IsLogging !== true) problems.push(`${t.path}: not logging (IsLogging ${p.IsLogging})`);
          if (!p.KMSKeyId || p.EnableLogFileValidation !== true || !p.CloudWatchLogsLogGroupArn) problems.push(`${t.path}: not encrypted, not validated or not delivered to CloudWatch Logs`);
          const group = f.m.target(t, p.CloudWatchLogsLogGroupArn);
          if (group && (group.properties.RetentionInDays !== undefined && group.properties.RetentionInDays < 365)) problems.push(`${group.path}: trail logs kept ${group.properties.RetentionInDays} days, less than 365`);
          for (const b of f.lakeBuckets) {
            if (!(p.AdvancedEventSelectors ?? []).some((s: any) => selectorRecords(s, `<${b.logicalId}.Arn>/sdl-probe`))) problems.push(`${t.path}: does not record the object-level events of ${b.path}`);
          }
          problems.push(...trailBucketProblems(f, t));
        }
        return { items, problems };
      },
      assumptions: [
        {
          id: 'trail-delivery',
          check: 'trail_status',
          statement: 'CloudTrail delivers to the trail bucket and the log group with the audit key\'s policy (no delivery errors)',
        },
        {
          id: 'management-events-trail',
          check: 'management_trail',
          alsoFor: ['SDL-CMP-03'],
          statement: 'a trail records the account\'s management events, so tamper events reach EventBridge (the account or organization trail, or accountTrail: true)',
        },
      ],
    },
    {
      id: 'SDL-LOG-03',
      implementedBy: BUCKET,
      requirement: 'Amazon S3 Events: object-level monitoring',
      implementation: 'EventBridge notifications on every lake bucket and server access logging to a dedicated log bucket',
      evidence: (f) => lake(f, (b) => {
        const eb = b.properties.NotificationConfiguration?.EventBridgeConfiguration?.EventBridgeEnabled === true;
        const dest = f.m.target(b, b.properties.LoggingConfiguration?.DestinationBucketName);
        const logging = dest?.type === 'AWS::S3::Bucket' && dest !== b;
        return [eb && logging, `EventBridge events: ${eb}; access logs to ${logging ? dest!.path : 'nowhere'}`];
      }),
      assumptions: [
        {
          id: 's3-access-log-delivery',
          check: 'access_log_delivery',
          statement: 'S3 server access logs reach the SSE-S3 access-log bucket through its bucket policy (no ACLs)',
        },
      ],
    },
  ],
};
