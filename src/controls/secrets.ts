/**
 * 8. Secrets Management: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { ControlFamily, JOB } from './definition';
import { EvidenceItem, guardKey, guardSecret, item, librarySecrets, perJob, SECRET_ROTATION_ACTIONS, stmtText } from '../audit/evidence';
import { actionCovered, coversArn, ModelResource, refId, render, rotationPeriodDays } from '../audit/template-model';

/** @internal */
export const SEC: ControlFamily = {
  section: '8. Secrets Management',
  gdpr: ['Art. 32(1)(b) confidentiality', 'Art. 32(1)(d) regular testing of measures'],
  hipaa: ['164.312(a)(1) access control', '164.308(a)(5)(ii)(D) password management'],
  soc2: ['CC6.1', 'CC6.7'],
  controls: [
    {
      id: 'SDL-SEC-01',
      implementedBy: JOB,
      requirement: 'All secrets are stored in AWS Secrets Manager',
      implementation: 'secrets are passed to the job by ARN, never by value',
      evidence: (f) => perJob(f, (job, _sts, items, problems) => {
        for (const [k, v] of Object.entries<any>(f.args(job))) {
          const target = f.m.target(job, v);
          if (target?.type === 'AWS::SecretsManager::Secret') items.push(item(job, `argument ${k}`, `the ARN of ${target.path}`));
          else if (/pass(word)?|secret|token|-key$/i.test(k) && typeof v === 'string') problems.push(`${job.path}: argument ${k} carries a literal value`);
        }
        if (items.length === 0) items.push(item(job, 'secret arguments', 'none (the schema needs no secret)'));
      }),
    },
    {
      id: 'SDL-SEC-02',
      implementedBy: JOB,
      requirement: 'Jobs fetch secrets using IAM-based secure retrieval',
      implementation: 'secretsmanager:GetSecretValue on exactly the job\'s secrets, kms:Decrypt on their keys',
      evidence: (f) => {
        const ev = perJob(f, (job, sts, items, problems) => {
          for (const s of sts.filter((x) => x.effect === 'Allow' && actionCovered(x.actions, 'secretsmanager:GetSecretValue'))) {
            items.push(item(job, 'secret read', stmtText(s)));
            if (coversArn(s.resources, 'secretsmanager', 'secret:sdl-other-secret-AbCdEf')) problems.push(`${job.path}: reads every secret (${stmtText(s)})`);
          }
        });
        for (const secret of librarySecrets(f)) {
          const readers = [...f.readersOf(secret), ...[f.rotatorOf(secret)].filter((r): r is ModelResource => r !== undefined)];
          guardSecret(f, secret, ['secretsmanager:GetSecretValue'], readers, 'reads', ev);
          guardKey(f, secret, ['kms:Decrypt'], readers, 'decrypts', ev);
        }
        return ev;
      },
    },
    {
      id: 'SDL-SEC-03',
      implementedBy: JOB,
      requirement: 'Secrets are rotated and version-controlled',
      implementation: 'a secret of the same app without a rotation schedule fails synthesis unless acknowledged',
      evidence: (f) => {
        const items: EvidenceItem[] = [];
        const problems: string[] = [];
        const schedules = f.m.ofType('AWS::SecretsManager::RotationSchedule');
        for (const s of f.m.ofType('AWS::SecretsManager::Secret')) {
          const r = schedules.find((x) => x.stack === s.stack && refId(x.properties.SecretId) === s.logicalId);
          items.push(item(s, 'rotation', r ? render(r.properties.RotationRules?.ScheduleExpression ?? r.properties.RotationRules?.AutomaticallyAfterDays) : 'none'));
          if (!r) {
            problems.push(`${s.path}: no rotation schedule`);
            continue;
          }
          const days = rotationPeriodDays(r.properties.RotationRules);
          if (days === undefined || days > 365) problems.push(`${s.path}: rotated ${days === undefined ? 'at an unreadable period' : `every ${days} days`}, not at least yearly`);
          if (!f.m.target(r, r.properties.RotationLambdaARN) && !r.properties.HostedRotationLambda) problems.push(`${s.path}: no rotation function in the app`);
        }
        const ev = { items, problems };
        for (const secret of librarySecrets(f)) guardSecret(f, secret, SECRET_ROTATION_ACTIONS, [], 'changes the rotation of', ev);
        return ev;
      },
    },
  ],
};
