/**
 * 9. Access Controls: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { BUCKET, ControlFamily, JOB } from './definition';
import { canRead, EvidenceItem, guardKey, guardSecret, item, librarySecrets, SECRET_ROTATION_ACTIONS, stmtText } from '../audit/evidence';
import { actionCovered, allows, coversArn, ModelResource, refId, wildcardMatch } from '../audit/template-model';

const SECRET_WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];

const SECRET_MANAGEMENT_ACTIONS = [
  'secretsmanager:UpdateSecret', 'secretsmanager:ReplicateSecretToRegions', 'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:StopReplicationToReplica', 'secretsmanager:RestoreSecret', 'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy', 'secretsmanager:DeleteSecret',
];

const KEY_ENCRYPT_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptTo'];

const KEY_ADMINISTRATION_ACTIONS = ['kms:PutKeyPolicy', 'kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:DisableKeyRotation'];

/** @internal */
export const ACC: ControlFamily = {
  section: '9. Access Controls',
  gdpr: ['Art. 25(2) data protection by default', 'Art. 32(4) access on instruction only'],
  hipaa: ['164.308(a)(3) workforce security', '164.312(a)(1) access control'],
  soc2: ['CC6.2', 'CC6.3'],
  controls: [
    {
      id: 'SDL-ACC-01',
      implementedBy: JOB,
      requirement: 'Glue job: IAM role access for developers and data engineers',
      implementation: 'grantOperate: start, stop and read runs of this job and read its logs, nothing else',
      evidence: (f) => {
        const items: EvidenceItem[] = [];
        const problems: string[] = [];
        // Jobs a workflow starts: their operators start the workflow, never a run with arguments of their own.
        const workflowJobs = f.jobs.filter((j) => f.m.ofType('AWS::Glue::Trigger').some((t) => t.properties.WorkflowName && (t.properties.Actions ?? []).some((a: any) => f.m.target(t, a.JobName) === j)));
        for (const r of f.roles) {
          for (const s of f.m.identityStatements(r).statements.filter((x) => x.effect === 'Allow' && ['glue:StartJobRun', 'glue:StartWorkflowRun'].some((a) => actionCovered(x.actions, a)))) {
            items.push(item(r, 'operates', stmtText(s)));
            if (coversArn(s.resources, 'glue', 'job/sdl-other-job') || coversArn(s.resources, 'glue', 'workflow/sdl-other-workflow')) problems.push(`${r.path}: operates every job (${stmtText(s)})`);
            for (const j of workflowJobs) {
              if (actionCovered(s.actions, 'glue:StartJobRun') && coversArn(s.resources, 'glue', `job/<${j.logicalId}>`)) problems.push(`${r.path}: may start ${j.path} directly, with run arguments of its own, instead of its workflow (${stmtText(s)})`);
            }
          }
        }
        return { items, problems };
      },
      assumptions: [
        {
          id: 'workflow-trigger-delivery',
          check: 'workflow_trigger',
          statement: 'EventBridge starts the Glue workflow with glue:notifyEvent (no failed invocations)',
        },
      ],
    },
    {
      id: 'SDL-ACC-02',
      implementedBy: JOB,
      requirement: 'Secrets: read-only via IAM policies',
      implementation: 'the job role may only read its secrets; no put, update or delete',
      evidence: (f) => {
        const items: EvidenceItem[] = [];
        const problems: string[] = [];
        const rotators = new Set(f.m.ofType('AWS::SecretsManager::RotationSchedule').map((r) => {
          const fn = f.m.target(r, r.properties.RotationLambdaARN);
          return fn ? refId(fn.properties.Role) : undefined;
        }));
        const writes = [...SECRET_WRITE_ACTIONS, ...SECRET_MANAGEMENT_ACTIONS, ...SECRET_ROTATION_ACTIONS];
        for (const r of f.m.ofType('AWS::IAM::Role')) {
          for (const s of f.m.identityStatements(r).statements.filter((x) => x.effect === 'Allow' && x.actions.some((a) => /^secretsmanager:|^\*$/i.test(a)))) {
            const changes = writes.filter((a) => actionCovered(s.actions, a));
            items.push(item(r, changes.length ? 'writes secrets (rotation)' : 'reads secrets', stmtText(s)));
            if (changes.length > 0 && (!rotators.has(r.logicalId) || changes.some((a) => !SECRET_WRITE_ACTIONS.includes(a)))) {
              problems.push(`${r.path}: may change secrets (${changes.join(', ')})`);
            }
          }
        }
        const ev = { items, problems };
        for (const secret of librarySecrets(f)) {
          const rotator = [f.rotatorOf(secret)].filter((r): r is ModelResource => r !== undefined);
          guardSecret(f, secret, SECRET_WRITE_ACTIONS, rotator, 'writes', ev);
          guardSecret(f, secret, SECRET_MANAGEMENT_ACTIONS, [], 'manages', ev);
          guardKey(f, secret, KEY_ENCRYPT_ACTIONS, rotator, 'encrypts with', ev);
          guardKey(f, secret, KEY_ADMINISTRATION_ACTIONS, [], 'administers', ev);
        }
        return ev;
      },
    },
    {
      id: 'SDL-ACC-03',
      implementedBy: BUCKET,
      requirement: 'S3: role-specific access through bucket policies',
      implementation: 'grantRead / grantDeltaRead / grantDeltaWrite per prefix; everyone else denied by the data perimeter',
      evidence: (f) => {
        const items: EvidenceItem[] = [];
        const problems: string[] = [];
        for (const r of f.roles) {
          for (const s of f.m.identityStatements(r).statements.filter((x) => x.effect === 'Allow')) {
            for (const b of f.lakeBuckets) {
              const arn = `<${b.logicalId}.Arn>`;
              if (!s.resources.some((x) => x.startsWith(`${arn}/`) || x === '*' || (x.includes('*') && wildcardMatch(x, `${arn}/sdl-probe`)))) continue;
              items.push(item(r, 'object access', stmtText(s)));
              const whole = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'].filter((a) => allows(s, a, `${arn}/sdl-other-prefix/object`));
              if (whole.length > 0) problems.push(`${r.path}: ${whole.join(', ')} on the whole lake bucket ${b.path} (${stmtText(s)})`);
            }
          }
        }
        // The quarantine holds raw records: only the job may read it.
        for (const job of f.jobs) {
          const { bucketId, key } = f.location(job, '--table-uri');
          const bucket = f.lakeBuckets.find((b) => b.logicalId === bucketId);
          if (!bucket) continue;
          const readers = f.roles.filter((p) => canRead(f, p, bucket, `${key}/quarantine/part-00000.parquet`));
          items.push(item(job, 'quarantine readers', readers.map((p) => p.path).join(', ') || 'nobody'));
          for (const p of readers.filter((x) => x !== f.roleOf(job))) problems.push(`${p.path}: reads the quarantine of ${job.path} (raw records, PII in clear)`);
        }
        return { items, problems };
      },
    },
  ],
};
