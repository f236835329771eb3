/**
 * 2. IAM Policies: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { BUCKET, ControlFamily, JOB } from './definition';
import { EvidenceItem, item, perJob, stmtText } from '../audit/evidence';
import { actionCovered, allows, coversArn, statementsOf } from '../audit/template-model';

/** @internal */
export const IAM: ControlFamily = {
  section: '2. IAM Policies',
  gdpr: ['Art. 25(2) data protection by default', 'Art. 32(1)(b) confidentiality'],
  hipaa: ['164.312(a)(1) access control', '164.308(a)(4) information access management'],
  soc2: ['CC6.1', 'CC6.3'],
  controls: [
    {
      id: 'SDL-IAM-01',
      implementedBy: JOB,
      requirement: 'Glue job role: read-only on s3://source/* to read source CSV data',
      implementation: 'list limited to the source prefix and s3:GetObject under it; no put or delete on the source',
      evidence: (f) => perJob(f, (job, sts, items, problems) => {
        const { bucketId, key } = f.location(job, '--source-uri');
        const object = `<${bucketId}.Arn>/${key}sdl-probe.csv`;
        for (const s of sts.filter((x) => x.resources.some((r) => r.includes(`<${bucketId}.Arn>`) || r === '*'))) items.push(item(job, 'role statement on the source bucket', stmtText(s)));
        if (!sts.some((s) => allows(s, 's3:GetObject', object))) problems.push(`${job.path}: the role cannot read its source ${object}`);
        for (const a of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:PutObjectTagging']) {
          for (const s of sts.filter((x) => allows(x, a, object) || allows(x, a, `<${bucketId}.Arn>/sdl-probe`))) problems.push(`${job.path}: the role may ${a} on the source bucket (${stmtText(s)})`);
        }
      }),
    },
    {
      id: 'SDL-IAM-02',
      implementedBy: BUCKET,
      requirement: 'Glue job role: write-only on s3://target/* to write validated Delta tables',
      implementation: 'corrected: a Delta writer must read its _delta_log, so grantDeltaWrite gives list under the table root, get/put/abort under it, delete only under _delta_log/ (and the quarantine\'s files, for its retention)',
      evidence: (f) => perJob(f, (job, sts, items, problems) => {
        const { bucketId, key } = f.location(job, '--table-uri');
        const arn = `<${bucketId}.Arn>`;
        for (const s of sts.filter((x) => x.resources.some((r) => r.includes(arn) || r === '*'))) items.push(item(job, 'role statement on the target bucket', stmtText(s)));
        if (!sts.some((s) => allows(s, 's3:PutObject', `${arn}/${key}/data/part-00000.parquet`))) problems.push(`${job.path}: the role cannot write its table ${key}`);
        // Deletes: the Delta log's expired files, and the quarantine's files (its retention); never the data table's.
        for (const object of [`${arn}/${key}/data/part-00000.parquet`, `${arn}/${key}/part-00000.parquet`]) {
          for (const a of ['s3:DeleteObject', 's3:DeleteObjectVersion']) {
            for (const s of sts.filter((x) => allows(x, a, object))) problems.push(`${job.path}: the role may ${a} data files (${stmtText(s)})`);
          }
        }
        for (const s of sts.filter((x) => allows(x, 's3:PutObject', `${arn}/sdl-other-table/part-00000.parquet`))) problems.push(`${job.path}: the role writes outside its table (${stmtText(s)})`);
      }),
      assumptions: [
        {
          id: 'emrfs-folder-markers',
          check: 'emrfs_markers',
          statement: 'Glue 5.0 writes s3:// through EMRFS, which may put <dir>_$folder$ marker objects beside a table prefix; the grants cover the table root only',
        },
      ],
    },
    {
      id: 'SDL-IAM-03',
      implementedBy: JOB,
      runtime: true,
      requirement: 'logs:* write for Glue job logging',
      implementation: 'logs:CreateLogStream, PutLogEvents and AssociateKmsKey on the job\'s own log groups only',
      evidence: (f) => perJob(f, (job, sts, items, problems) => {
        const logStatements = sts.filter((x) => x.effect === 'Allow' && ['logs:PutLogEvents', 'logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:DeleteLogGroup'].some((a) => actionCovered(x.actions, a)));
        for (const s of logStatements) {
          items.push(item(job, 'log permissions', stmtText(s)));
          if (coversArn(s.resources, 'logs', 'log-group:/sdl-other-group:log-stream:x')) problems.push(`${job.path}: log permissions beyond the job's log groups (${stmtText(s)})`);
        }
        if (!logStatements.some((s) => actionCovered(s.actions, 'logs:PutLogEvents'))) problems.push(`${job.path}: the role cannot write its logs`);
      }),
    },
    {
      id: 'SDL-IAM-04',
      implementedBy: JOB,
      requirement: 'glue:* limited to the job only, for execution and monitoring',
      implementation: 'Glue actions on this job (and its catalog table when catalogued) only',
      evidence: (f) => {
        const ev = perJob(f, (job, sts, items, problems) => {
          for (const s of sts.filter((x) => x.effect === 'Allow' && ['glue:StartJobRun', 'glue:UpdateJob', 'glue:CreateJob', 'glue:GetJob'].some((a) => actionCovered(x.actions, a)))) {
            problems.push(`${job.path}: the job role holds Glue permissions (${stmtText(s)})`);
          }
          items.push(item(job, 'job role Glue permissions', 'none'));
        });
        for (const r of f.roles) {
          for (const s of f.m.identityStatements(r).statements.filter((x) => x.effect === 'Allow' && ['glue:StartJobRun', 'glue:BatchStopJobRun'].some((a) => actionCovered(x.actions, a)))) {
            ev.items.push(item(r, 'operator Glue permissions', stmtText(s)));
            if (coversArn(s.resources, 'glue', 'job/sdl-other-job')) ev.problems.push(`${r.path}: Glue job actions on every job (${stmtText(s)})`);
          }
        }
        return ev;
      },
    },
    {
      id: 'SDL-IAM-05',
      implementedBy: JOB,
      requirement: 'All IAM policies follow the principle of least privilege',
      implementation: 'dedicated role trusted by glue.amazonaws.com only, customer-managed policies, no AWS managed policies, no * resource where AWS offers a narrower one',
      evidence: (f) => {
        const items: EvidenceItem[] = [];
        const problems: string[] = [];
        for (const r of f.m.ofType('AWS::IAM::Role')) {
          const { statements: sts, awsManaged } = f.m.identityStatements(r);
          const trust = statementsOf(r.properties.AssumeRolePolicyDocument);
          const trusted = trust.filter((s) => s.effect === 'Allow').flatMap((s) => s.principals);
          items.push(item(r, 'trusted by / customer-managed statements', `${trusted.join(', ')} / ${sts.length}`));
          if (awsManaged.length > 0) problems.push(`${r.path}: AWS managed policies ${awsManaged.join(', ')}`);
          if (trusted.some((p) => p === '*' || p.includes(':iam::*'))) problems.push(`${r.path}: trusted by every principal (${trusted.join(', ')})`);
          for (const s of sts.filter((x) => x.effect === 'Allow')) {
            if (actionCovered(s.actions, 'sdl:AnyAction')) problems.push(`${r.path}: Allow * (${stmtText(s)})`);
            const escalates = ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:CreateRole', 'iam:PassRole', 'iam:TagRole', 'iam:CreatePolicyVersion']
              .filter((a) => actionCovered(s.actions, a) && coversArn(s.resources, 'iam', 'role/sdl-outsider'));
            if (escalates.length > 0) problems.push(`${r.path}: may change any role's permissions (${escalates.join(', ')})`);
          }
        }
        return { items, problems };
      },
    },
  ],
};
