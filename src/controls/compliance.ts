/**
 * 10. Compliance Considerations: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { ControlFamily, PIPELINE } from './definition';
import { Evidence, EvidenceItem, Facts, item, librarySecrets, perJob } from '../audit/evidence';
import {
  GLUE_CONFIG_TAMPER_EVENTS, GLUE_JOB_TAMPER_EVENTS, IAM_TAMPER_EVENTS, KMS_TAMPER_EVENTS, S3_TAMPER_EVENTS, SECRET_TAMPER_EVENTS,
  TRAIL_TAMPER_EVENTS,
} from '../audit/pipeline-alerts';
import { ModelResource, render } from '../audit/template-model';

/**
 * The tamper events the alerts must watch, by source: the API names the library expects
 * (`pipeline-alerts.ts`), each to be found in an enabled rule's pattern that targets the alert topic.
 */
const EXPECTED_ALERTS: Array<{ source: string; eventSource: string; names: string[]; required?: (f: Facts) => boolean }> = [
  { source: 'aws.s3', eventSource: 's3.amazonaws.com', names: S3_TAMPER_EVENTS },
  { source: 'aws.kms', eventSource: 'kms.amazonaws.com', names: KMS_TAMPER_EVENTS },
  { source: 'aws.cloudtrail', eventSource: 'cloudtrail.amazonaws.com', names: TRAIL_TAMPER_EVENTS },
  { source: 'aws.glue', eventSource: 'glue.amazonaws.com', names: [...GLUE_JOB_TAMPER_EVENTS, ...GLUE_CONFIG_TAMPER_EVENTS] },
  { source: 'aws.secretsmanager', eventSource: 'secretsmanager.amazonaws.com', names: SECRET_TAMPER_EVENTS, required: (f) => librarySecrets(f).length > 0 },
  // IAM events reach EventBridge in us-east-1 only: required where the app has an IAM rule at all.
  { source: 'aws.iam', eventSource: 'iam.amazonaws.com', names: IAM_TAMPER_EVENTS, required: () => false },
];

/** The alert rules and alarms: enabled, watching the API names the library expects, publishing to the alert topic. */
function alerts(f: Facts): Evidence {
  const items: EvidenceItem[] = [];
  const problems: string[] = [];
  const topics = new Set(f.m.ofType('AWS::SNS::Topic'));
  const enabled = (r: ModelResource) => (r.properties.State ?? 'ENABLED') === 'ENABLED';
  const toTopic = (r: ModelResource) => (r.properties.Targets ?? []).some((x: any) => topics.has(f.m.target(r, x.Arn)!));
  const rules = f.m.ofType('AWS::Events::Rule');
  const list = (x: any): any[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  const apiRules = rules.filter((r) => list(r.properties.EventPattern?.['detail-type']).includes('AWS API Call via CloudTrail'));
  for (const r of apiRules) {
    items.push(item(r, 'tamper alert', `${list(r.properties.EventPattern.detail?.eventName).map(render).join(', ')} (${enabled(r) ? 'enabled' : 'DISABLED'})`));
    if (!enabled(r)) problems.push(`${r.path}: the rule is ${render(r.properties.State)}`);
    if (!toTopic(r)) problems.push(`${r.path}: the rule does not publish to the alert topic`);
  }
  if (apiRules.length === 0) problems.push('no tamper alert rule in the app');
  for (const g of EXPECTED_ALERTS) {
    const watching = apiRules.filter((r) => enabled(r) && toTopic(r) && list(r.properties.EventPattern.source).includes(g.source)
      && list(r.properties.EventPattern.detail?.eventSource).includes(g.eventSource));
    if (g.required && !g.required(f) && !apiRules.some((r) => list(r.properties.EventPattern.source).includes(g.source))) continue;
    const names = new Set(watching.flatMap((r) => list(r.properties.EventPattern.detail?.eventName).map(render)));
    const unwatched = g.names.filter((n) => !names.has(n));
    if (unwatched.length > 0) problems.push(`no enabled rule alerts on ${g.eventSource} ${unwatched.join(', ')}`);
  }
  // The bucket rule must cover every lake bucket, the trail rule the app's trail.
  const bucketRules = apiRules.filter((r) => list(r.properties.EventPattern.source).includes('aws.s3') && enabled(r));
  for (const b of f.lakeBuckets) {
    const covered = bucketRules.some((r) => {
      const names = r.properties.EventPattern.detail?.requestParameters?.bucketName;
      return names === undefined || list(names).map(render).includes(`<${b.logicalId}>`);
    });
    if (bucketRules.length > 0 && !covered) problems.push(`no enabled rule alerts on configuration changes of ${b.path}`);
  }
  for (const t of f.m.ofType('AWS::CloudTrail::Trail')) {
    const name = render(t.properties.TrailName);
    if (!apiRules.some((r) => enabled(r) && list(r.properties.EventPattern.source).includes('aws.cloudtrail') && JSON.stringify(r.properties.EventPattern).includes(name))) {
      problems.push(`no enabled rule alerts on changes to the trail ${name}`);
    }
  }
  for (const a of f.m.ofType('AWS::CloudWatch::Alarm')) {
    const actions = list(a.properties.AlarmActions).map((x) => f.m.target(a, x)).filter((x) => x && topics.has(x));
    items.push(item(a, 'alarm', `${a.properties.ActionsEnabled === false ? 'actions DISABLED' : 'actions enabled'}, ${actions.length} to the alert topic`));
    if (a.properties.ActionsEnabled === false || actions.length === 0) problems.push(`${a.path}: the alarm does not notify the alert topic`);
  }
  if (f.m.ofType('AWS::CloudTrail::Trail').length === 0) problems.push('no audit trail in the app');
  return { items, problems };
}

/** @internal */
export const CMP: ControlFamily = {
  section: '10. Compliance Considerations',
  gdpr: ['Art. 5(2) accountability', 'Art. 30 records of processing', 'Art. 4(5) pseudonymisation'],
  hipaa: ['164.312(b) audit controls', '164.316(b)(1) documentation'],
  soc2: ['CC2.1', 'CC4.1', 'CC7.2'],
  controls: [
    {
      id: 'SDL-CMP-01',
      implementedBy: PIPELINE,
      requirement: 'GDPR: supports data lineage and access control',
      implementation: 'lineage recorded in Delta commit metadata and the ingestion ledger; pseudonymized PII; erasure through an explicit maintenance grant',
      evidence: (f) => perJob(f, (job, _sts, items, problems) => {
        const hash = render(f.arg(job, '--schema-hash'));
        let pii: string[] = [];
        try {
          pii = (JSON.parse(render(f.arg(job, '--schema'))).columns ?? []).filter((c: any) => c.pii).map((c: any) => c.name);
        } catch {
          pii = [];
        }
        items.push(item(job, 'schema hash (lineage) / PII columns / pseudonymization key', `${hash} / ${pii.join(', ') || 'none'} / ${render(f.arg(job, '--pseudonym-key')) || 'none'}`));
        if (!/^[0-9a-f]{64}$/.test(hash)) problems.push(`${job.path}: no schema hash (lineage) in the job's arguments`);
        if (pii.length > 0 && f.m.target(job, f.arg(job, '--pseudonym-key'))?.type !== 'AWS::SecretsManager::Secret') problems.push(`${job.path}: PII columns without a pseudonymization key secret`);
      }),
    },
    {
      id: 'SDL-CMP-02',
      implementedBy: PIPELINE,
      requirement: 'HIPAA: uses encryption and access logging',
      implementation: 'the HIPAA Security rule pack runs over every construct with no unacknowledged finding',
      // The HIPAA pack's result is added by the report; the template part: encryption and access logging.
      evidence: (f) => {
        const items: EvidenceItem[] = [];
        const problems: string[] = [];
        const trailBuckets = f.m.ofType('AWS::CloudTrail::Trail').map((t) => f.m.target(t, t.properties.S3BucketName)).filter((b): b is ModelResource => b !== undefined);
        for (const b of f.m.ofType('AWS::S3::Bucket')) {
          const alg = b.properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm;
          if (!alg) problems.push(`${b.path}: no default encryption`);
          if ((f.lakeBuckets.includes(b) || trailBuckets.includes(b)) && !f.m.target(b, b.properties.LoggingConfiguration?.DestinationBucketName)) problems.push(`${b.path}: no server access logging`);
        }
        for (const g of f.m.ofType('AWS::Logs::LogGroup')) if (!g.properties.KmsKeyId) problems.push(`${g.path}: log group not KMS-encrypted`);
        items.push({ path: '(app)', type: 'templates', property: 'buckets encrypted and access-logged, log groups KMS-encrypted', value: problems.length === 0 ? 'yes' : 'no' });
        return { items, problems };
      },
    },
    {
      id: 'SDL-CMP-03',
      implementedBy: PIPELINE,
      requirement: 'SOC 2: audit trails and principle of least privilege',
      implementation: 'audit trail, tamper alerts and the access matrix in the security report',
      evidence: (f) => alerts(f),
      assumptions: [
        {
          id: 'alert-delivery',
          check: 'alert_delivery',
          statement: 'EventBridge and CloudWatch publish to the KMS-encrypted alert topic (no failed invocations)',
        },
        {
          id: 'iam-events-region',
          check: 'iam_events_region',
          statement: 'IAM API events reach EventBridge in us-east-1 only: role-policy alerts need the pipeline there, or a forwarding rule',
        },
      ],
    },
  ],
};
