/**
 * 4. Glue Job Security: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { ControlFamily, JOB } from './definition';
import { item, perJob, stmtText } from '../audit/evidence';
import { allows, refId, render, statementsOf } from '../audit/template-model';

/** Glue special parameters that load code or configure the runtime: a run must not replace them. @internal */
const CODE_BEARING_ARGUMENTS = [
  '--scriptLocation', '--extra-py-files', '--extra-jars', '--extra-files', '--additional-python-modules',
  '--python-modules-installer-option', '--user-jars-first', '--conf',
];

/** Arguments the library manages: a run must not replace them either. */
const MANAGED_ARGUMENTS = [
  '--source-uri', '--table-uri', '--schema', '--schema-hash', '--pseudonym-key', '--custom-logGroup-prefix',
  '--metrics-namespace', '--max-quarantine-ratio', '--quarantine-retention-days',
];

/** @internal */
export const GLUE: ControlFamily = {
  section: '4. Glue Job Security',
  gdpr: ['Art. 32(1)(b) confidentiality'],
  hipaa: ['164.312(a)(1) access control', '164.312(d) person or entity authentication'],
  soc2: ['CC6.1', 'CC6.2', 'CC8.1'],
  controls: [
    {
      id: 'SDL-GLUE-01',
      implementedBy: JOB,
      requirement: 'The Glue job runs with an IAM role with scoped permissions',
      implementation: 'a role per job, permissions in customer-managed policies scoped to its prefixes, keys, log groups and secrets',
      evidence: (f) => perJob(f, (job, _sts, items, problems) => {
        const role = f.roleOf(job);
        items.push(item(job, 'role', role ? `${role.path} (path ${role.properties.Path ?? '/'})` : render(job.properties.Role)));
        if (!role) {
          problems.push(`${job.path}: the role is not part of the app`);
          return;
        }
        if (f.m.identityStatements(role).awsManaged.length > 0) problems.push(`${job.path}: the role has AWS managed policies`);
        const trust = statementsOf(role.properties.AssumeRolePolicyDocument).filter((s) => s.effect === 'Allow');
        const trusted = trust.flatMap((s) => s.principals);
        if (trust.length === 0 || trusted.some((p) => p !== 'glue.amazonaws.com')) problems.push(`${job.path}: the role is trusted by ${trusted.join(', ') || 'nobody'}, not by glue.amazonaws.com alone`);
      }),
    },
    {
      id: 'SDL-GLUE-02',
      implementedBy: JOB,
      requirement: 'The job script is stored in S3 with restricted access',
      implementation: 'the role reads its script object only, never the rest of the CDK staging bucket',
      evidence: (f) => perJob(f, (job, sts, items, problems) => {
        const script = render(job.properties.Command?.ScriptLocation);
        items.push(item(job, 'script', script));
        const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(script);
        const object = m ? `arn:<AWS::Partition>:s3:::${m[1]}/${m[2]}` : '';
        const reads = sts.filter((s) => allows(s, 's3:GetObject', object));
        for (const s of reads) items.push(item(job, 'script read', stmtText(s)));
        if (reads.length === 0) problems.push(`${job.path}: no statement grants its script object`);
        const other = m ? `arn:<AWS::Partition>:s3:::${m[1]}/sdl-someone-elses-asset.zip` : '';
        for (const s of sts.filter((x) => allows(x, 's3:GetObject', other))) problems.push(`${job.path}: reads the whole staging bucket (${stmtText(s)})`);
        // A run's arguments replace the job's defaults, Glue's code-bearing parameters included.
        const locked = job.properties.NonOverridableArguments ?? {};
        const defaults = job.properties.DefaultArguments ?? {};
        items.push(item(job, 'non-overridable arguments', Object.keys(locked).sort().join(' ') || 'none'));
        const unlocked = CODE_BEARING_ARGUMENTS.filter((k) => !(k in locked));
        if (unlocked.length > 0) problems.push(`${job.path}: a run may replace ${unlocked.join(', ')} (not in NonOverridableArguments)`);
        const overridable = MANAGED_ARGUMENTS.filter((k) => k in defaults);
        if (overridable.length > 0) problems.push(`${job.path}: a run may replace the managed arguments ${overridable.join(', ')} (in DefaultArguments)`);
        if ('--scriptLocation' in locked && render(locked['--scriptLocation']) !== script) {
          problems.push(`${job.path}: the locked --scriptLocation ${render(locked['--scriptLocation'])} is not the job's script ${script}`);
        }
      }),
      assumptions: [
        {
          id: 'empty-code-parameters',
          check: 'locked_job_arguments',
          statement: 'Glue treats a code-bearing special parameter locked with an empty value (--extra-jars, --extra-files, --additional-python-modules, ...) as unset, so the job runs with every such parameter non-overridable',
        },
      ],
    },
    {
      id: 'SDL-GLUE-03',
      implementedBy: JOB,
      requirement: 'Temporary credentials are rotated by AWS automatically',
      implementation: 'the job authenticates only through its role (no access keys, no secrets in arguments); a security configuration encrypts S3, logs and bookmarks',
      evidence: (f) => perJob(f, (job, _sts, items, problems) => {
        const sc = f.m.ofType('AWS::Glue::SecurityConfiguration').find((c) => c.stack === job.stack && refId(job.properties.SecurityConfiguration) === c.logicalId);
        const enc = sc?.properties.EncryptionConfiguration ?? {};
        const s3 = enc.S3Encryptions?.[0]?.S3EncryptionMode;
        const cw = enc.CloudWatchEncryption?.CloudWatchEncryptionMode;
        const bm = enc.JobBookmarksEncryption?.JobBookmarksEncryptionMode;
        items.push(item(job, 'security configuration', `S3 ${s3}, CloudWatch ${cw}, bookmarks ${bm}`));
        if (s3 !== 'SSE-KMS' || cw !== 'SSE-KMS' || bm !== 'CSE-KMS') problems.push(`${job.path}: the security configuration does not encrypt S3, logs and bookmarks with KMS`);
      }),
    },
  ],
};
