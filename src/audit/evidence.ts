import {
  GLUE_CONFIG_TAMPER_EVENTS, GLUE_JOB_TAMPER_EVENTS, IAM_TAMPER_EVENTS, KMS_TAMPER_EVENTS, S3_TAMPER_EVENTS, SECRET_TAMPER_EVENTS,
  TRAIL_TAMPER_EVENTS,
} from './pipeline-alerts';
import {
  ARN_SEGMENT, ModelResource, ModelStatement, RESERVED_ROLE_PATH, TemplateModel, actionCovered, admits, allows, appliesToEveryone, conditionEntries,
  conditionsAre, coversArn, denies, outsiderArns, principalArnParts, refId, render, rotationPeriodDays, statementsOf, wildcardMatch,
} from './template-model';

/** @internal */
export interface EvidenceItem {
  readonly path: string;
  readonly type: string;
  readonly property: string;
  readonly value: string;
}

/** @internal */
export interface Evidence {
  readonly items: EvidenceItem[];
  readonly problems: string[];
}

const RESERVED_PATH = RESERVED_ROLE_PATH;

/** Object reads the data perimeter must deny outside its allow-list (`s3:GetObject*` covers the first group). @internal */
export const PERIMETER_READ_ACTIONS = [
  's3:GetObject', 's3:GetObjectVersion', 's3:GetObjectVersionForReplication', 's3:GetObjectAttributes', 's3:GetObjectVersionAttributes',
  's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:GetObjectAcl', 's3:GetObjectVersionAcl', 's3:GetObjectRetention',
  's3:GetObjectLegalHold', 's3:GetObjectTorrent', 's3:GetObjectVersionTorrent', 's3:ListMultipartUploadParts',
];
/** Listings the data perimeter must deny (on the bucket ARN). @internal */
export const PERIMETER_LIST_ACTIONS = ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'];
/** Object writes, deletes, restores, replication and the governance bypass the data perimeter must deny. @internal */
export const PERIMETER_WRITE_ACTIONS = [
  's3:PutObject', 's3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:PutObjectRetention', 's3:PutObjectLegalHold', 's3:PutObjectAcl',
  's3:PutObjectVersionAcl', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging',
  's3:RestoreObject', 's3:AbortMultipartUpload', 's3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags', 's3:InitiateReplication',
  's3:BypassGovernanceRetention',
];
/** Bucket-configuration changes that would remove a guard: only administrators may make them. @internal */
export const CONFIGURATION_ACTIONS = [
  's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketVersioning', 's3:PutReplicationConfiguration', 's3:DeleteReplicationConfiguration',
  's3:PutBucketPublicAccessBlock', 's3:PutEncryptionConfiguration', 's3:PutLifecycleConfiguration', 's3:PutBucketLogging',
  's3:PutBucketNotification', 's3:PutBucketOwnershipControls', 's3:DeleteBucketOwnershipControls', 's3:PutBucketAcl',
  's3:PutBucketObjectLockConfiguration', 's3:PutInventoryConfiguration', 's3:PutAnalyticsConfiguration', 's3:PutMetricsConfiguration',
  's3:PutIntelligentTieringConfiguration', 's3:CreateBucketMetadataTableConfiguration', 's3:DeleteBucket',
];
/** Fence actions: reads and writes under a restricted prefix. */
const FENCE_READ_ACTIONS = PERIMETER_READ_ACTIONS;
const FENCE_WRITE_ACTIONS = PERIMETER_WRITE_ACTIONS;
/** Glue special parameters that load code or configure the runtime: a run must not replace them. @internal */
export const CODE_BEARING_ARGUMENTS = [
  '--scriptLocation', '--extra-py-files', '--extra-jars', '--extra-files', '--additional-python-modules',
  '--python-modules-installer-option', '--user-jars-first', '--conf',
];
/** Arguments the library manages: a run must not replace them either. */
const MANAGED_ARGUMENTS = [
  '--source-uri', '--table-uri', '--schema', '--schema-hash', '--pseudonym-key', '--custom-logGroup-prefix',
  '--metrics-namespace', '--max-quarantine-ratio', '--quarantine-retention-days',
];
const SECRET_WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];
const SECRET_MANAGEMENT_ACTIONS = [
  'secretsmanager:UpdateSecret', 'secretsmanager:ReplicateSecretToRegions', 'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:StopReplicationToReplica', 'secretsmanager:RestoreSecret', 'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy', 'secretsmanager:DeleteSecret',
];
const SECRET_ROTATION_ACTIONS = ['secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret'];
const KEY_ENCRYPT_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptTo'];
const KEY_ADMINISTRATION_ACTIONS = ['kms:PutKeyPolicy', 'kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:DisableKeyRotation'];

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

/** Facts about the synthesized app that several controls read. @internal */
export class Facts {
  public readonly lakeBuckets: ModelResource[];
  public readonly jobs: ModelResource[];
  public readonly roles: ModelResource[];
  /** ARNs and patterns the configuration denies admit as administrators (the deployment role among them). */
  public readonly administrators: string[];

  constructor(public readonly m: TemplateModel) {
    this.jobs = m.ofType('AWS::Glue::Job');
    // Lake buckets: those with a data perimeter, and those a job reads or writes (whatever their policy says).
    const inLake = new Set<ModelResource>();
    for (const p of m.ofType('AWS::S3::BucketPolicy').filter((x) => statements(x).some((s) => s.sid === 'DataPerimeter'))) {
      const b = m.target(p, p.properties.Bucket);
      if (b) inLake.add(b);
    }
    for (const job of this.jobs) {
      for (const name of ['--source-uri', '--table-uri']) {
        const id = this.location(job, name).bucketId;
        const b = m.resources.find((r) => r.logicalId === id && r.type === 'AWS::S3::Bucket');
        if (b) inLake.add(b);
      }
    }
    this.lakeBuckets = m.ofType('AWS::S3::Bucket').filter((b) => inLake.has(b));
    this.roles = [...m.ofType('AWS::IAM::Role'), ...m.ofType('AWS::IAM::User')];
    // The administrators: the exceptions of the buckets' configuration denies that name administrators soundly.
    const named = new Set<string>();
    for (const p of m.ofType('AWS::S3::BucketPolicy')) {
      for (const s of statements(p).filter((x) => x.effect === 'Deny' && x.sid === 'DenyConfigurationChanges')) {
        for (const e of conditionEntries(s).filter((x) => x.key.toLowerCase() === 'aws:principalarn' && NEGATED_PRINCIPAL_OPERATORS.includes(x.operator))) {
          for (const v of e.values) if (administratorPatternProblem(this, v) === undefined) named.add(v);
        }
      }
    }
    this.administrators = [...named];
  }

  /** Whether an account segment of an ARN names an account of the app's stacks. */
  public isThisAccount(account: string): boolean {
    return this.m.accounts.includes(account);
  }

  public roleOf(job: ModelResource): ModelResource | undefined {
    return this.m.target(job, job.properties.Role);
  }

  public jobStatements(job: ModelResource): ModelStatement[] {
    const role = this.roleOf(job);
    return role ? this.m.identityStatements(role).statements : [];
  }

  public policyOf(bucket: ModelResource): ModelResource | undefined {
    return this.m.ofType('AWS::S3::BucketPolicy').find((p) => p.stack === bucket.stack && refId(p.properties.Bucket) === bucket.logicalId);
  }

  public bucketStatements(bucket: ModelResource): ModelStatement[] {
    const p = this.policyOf(bucket);
    return p ? statements(p) : [];
  }

  /** A job argument, locked (`NonOverridableArguments`) or default. */
  public arg(job: ModelResource, name: string): any {
    return job.properties.NonOverridableArguments?.[name] ?? job.properties.DefaultArguments?.[name];
  }

  /** Every argument of a job, locked ones last (they win). */
  public args(job: ModelResource): { [name: string]: any } {
    return { ...(job.properties.DefaultArguments ?? {}), ...(job.properties.NonOverridableArguments ?? {}) };
  }

  /** The bucket (logical id) and key of an `s3://` argument of a job, such as `--table-uri`. */
  public location(job: ModelResource, name: string): { bucketId?: string; key: string } {
    const m = /^s3:\/\/<([^>.]+)>\/?(.*)$/.exec(render(this.arg(job, name)));
    return m ? { bucketId: m[1], key: m[2] } : { key: '' };
  }

  /** The ARNs under which a role or user of the app can appear in a policy condition. */
  public arnsOf(principal: ModelResource): string[] {
    const kind = principal.type === 'AWS::IAM::User' ? 'user' : 'role';
    const name = render(principal.properties.RoleName ?? principal.properties.UserName) || principal.logicalId;
    const p = principal.properties.Path ?? '/';
    return [`<${principal.logicalId}.Arn>`, `arn:<AWS::Partition>:iam::<AWS::AccountId>:${kind}${p}${name}`];
  }

  public tagsOf(principal: ModelResource): { [key: string]: string } {
    const tags = principal.properties.Tags ?? [];
    return Array.isArray(tags) ? Object.fromEntries(tags.map((t: any) => [render(t.Key), render(t.Value)])) : tags;
  }

  /** Whether a principal's identity policies allow an action on a resource. */
  public identityAllows(principal: ModelResource, action: string, resource: string): boolean {
    return this.m.identityStatements(principal).statements.some((s) => allows(s, action, resource));
  }

  /** The roles of jobs that read a secret (their arguments carry its ARN). */
  public readersOf(secret: ModelResource): ModelResource[] {
    return this.jobs.filter((j) => Object.values(this.args(j)).some((v) => this.m.target(j, v) === secret))
      .map((j) => this.roleOf(j)).filter((r): r is ModelResource => r !== undefined);
  }

  /** The role of the function that rotates a secret. */
  public rotatorOf(secret: ModelResource): ModelResource | undefined {
    const schedule = this.m.ofType('AWS::SecretsManager::RotationSchedule').find((x) => x.stack === secret.stack && refId(x.properties.SecretId) === secret.logicalId);
    const fn = schedule ? this.m.target(schedule, schedule.properties.RotationLambdaARN) : undefined;
    return fn ? this.m.target(fn, fn.properties.Role) : undefined;
  }
}

function statements(policy: ModelResource): ModelStatement[] {
  return statementsOf(policy.properties.PolicyDocument);
}

const item = (r: ModelResource, property: string, value: any): EvidenceItem => ({ path: r.path, type: r.type, property, value: typeof value === 'string' ? value : render(value) });
const stmtText = (s: ModelStatement) => `${s.effect} ${s.actions.join(' ')}${s.notActions.length ? ` except ${s.notActions.join(' ')}` : ''} on ${s.resources.join(' ')}${s.conditions ? ` if ${JSON.stringify(s.conditions)}` : ''}`;

/** Operators of an exception list in a Deny: the deny applies to principals the list does not name. */
const NEGATED_PRINCIPAL_OPERATORS = [
  'ArnNotLike', 'ArnNotLikeIfExists', 'ArnNotEquals', 'ArnNotEqualsIfExists',
  'StringNotLike', 'StringNotLikeIfExists', 'StringNotEquals', 'StringNotEqualsIfExists',
];

interface ExceptionRules {
  /** Principals the deny must still hold for (each as the ARNs it may appear as). */
  readonly mustDeny: string[][];
  /** Whether the deny may exempt AWS service principals (`aws:PrincipalIsAWSService` false). */
  readonly services?: boolean;
  /** A tag exemption: which principal tag keys and values may admit, and who carries them. */
  readonly tag?: (key: string, values: string[]) => string | undefined;
  /** Whether the list may admit the library's reserved role path of this account (the data perimeter). */
  readonly reservedPath?: boolean;
  /** Whether the list names the administrators (a configuration deny): sound patterns of administrators pass. */
  readonly administrators?: boolean;
}

/** Where an administrator pattern must not reach, besides the outsiders: the library's own roles. */
const ADMINISTRATOR_PROBES = [`role${RESERVED_ROLE_PATH}sdl-probe`, 'role/x', 'user/sdl-probe'];

/**
 * Why a pattern cannot stand for named administrators: it admits other accounts, every role or
 * user, every principal on a path, the library's data roles or an outsider. Undefined when sound
 * (an exact ARN, or a pattern such as `role/aws-reserved/sso.amazonaws.com/*\/AWSReservedSSO_Admin_*`).
 */
function administratorPatternProblem(f: Facts, value: string): string | undefined {
  const parts = principalArnParts(value);
  if (!parts) return /^<[^>]+>$/.test(value) ? undefined : `'${value}' is not the ARN of a role or user`;
  if (!/[*?]/.test(value)) return undefined;
  if (/[*?]/.test(parts.account) || !f.isThisAccount(parts.account)) return `'${value}' admits principals of other accounts`;
  if (/[*?]/.test(parts.partition)) return `'${value}' admits principals of every partition`;
  const m = /^(role|user)\/([^*?]+)/.exec(parts.resource);
  if (!m || !/[^/]/.test(m[2])) return `'${value}' admits every ${parts.resource.startsWith('user') ? 'user' : 'role'}`;
  if (/\/\*$/.test(parts.resource)) return `'${value}' admits every principal on the path ${parts.resource.slice(0, -1)}`;
  const probes = [...outsiderArns([value], f.m.accounts), ...ADMINISTRATOR_PROBES.map((r) => `arn:${parts.partition}:iam::${parts.account}:${r}`)];
  const leaks = probes.filter((arn) => wildcardMatch(value, arn));
  return leaks.length > 0 ? `'${value}' admits ${leaks.join(', ')}` : undefined;
}

/**
 * Why an entry of a principal exception list (an `ArnNotLike aws:PrincipalArn` value, say) is
 * unsound: an entry passes only as an exact ARN of a principal, a reference to a principal of the
 * app, the library's reserved role path in this account (where the rules allow it) or a named
 * administrator (an exception of the configuration denies that passes `administratorPatternProblem`).
 */
function exceptionEntryProblem(f: Facts, value: string, like: boolean, rules: ExceptionRules): string | undefined {
  if (/^<[^>]+>$/.test(value)) return undefined;
  const parts = principalArnParts(value);
  if (!parts) return `'${value}' is not the ARN of a principal`;
  if (!like || !/[*?]/.test(value)) return undefined;
  if (rules.reservedPath && parts.resource === `role${RESERVED_ROLE_PATH}*` && !/[*?]/.test(parts.partition) && !/[*?]/.test(parts.account)) {
    return f.isThisAccount(parts.account) ? undefined : `'${value}' admits the library's roles of another account`;
  }
  if (rules.administrators) return administratorPatternProblem(f, value);
  if (f.administrators.includes(value)) return undefined;
  return `'${value}' is a pattern, not the exact ARN of a principal${rules.reservedPath ? ', the library\'s role path of this account' : ''} or a named administrator`;
}

/**
 * Why a Deny's conditions fail to deny whom it must: each condition must be a sound exception
 * (AWS services only; principals by ARN, admitting none of `mustDeny` nor an outsider; a tag only
 * grantees carry). Any other condition narrows the deny.
 */
function exceptionProblems(f: Facts, s: ModelStatement, rules: ExceptionRules): string[] {
  const problems: string[] = [];
  for (const e of conditionEntries(s)) {
    const key = e.key.toLowerCase();
    if (key === 'aws:principalisawsservice' && (e.operator === 'Bool' || e.operator === 'BoolIfExists') && rules.services !== false) {
      if (e.values.length !== 1 || e.values[0] !== 'false') problems.push(`it applies only when ${e.operator} aws:PrincipalIsAWSService is ${e.values.join(', ')}`);
    } else if (key === 'aws:principalarn' && NEGATED_PRINCIPAL_OPERATORS.includes(e.operator)) {
      const like = /Like/.test(e.operator);
      const admitted = (arn: string) => (like ? admits(e.values, arn) : e.values.includes(arn));
      for (const v of e.values) {
        const problem = exceptionEntryProblem(f, v, like, rules);
        if (problem) problems.push(`${e.operator} aws:PrincipalArn: ${problem}`);
      }
      const leaks = [...outsiderArns(e.values, f.m.accounts), ...rules.mustDeny.flat()].filter(admitted);
      if (leaks.length > 0) problems.push(`${e.operator} aws:PrincipalArn [${e.values.join(', ')}] exempts ${leaks.join(', ')}`);
    } else if (key.startsWith('aws:principaltag/') && (e.operator === 'StringNotEquals' || e.operator === 'StringNotEqualsIfExists') && rules.tag) {
      const problem = rules.tag(e.key.slice('aws:principaltag/'.length), e.values);
      if (problem) problems.push(problem);
    } else {
      problems.push(`the condition ${e.operator} ${e.key} [${e.values.join(', ')}] narrows it`);
    }
  }
  return problems;
}

/**
 * Whether the statements deny every action of `required` on `resource` to everyone but sound
 * exceptions. Returns the actions left open and why the denying statements are unsound.
 */
function denyCoverage(
  f: Facts, sts: ModelStatement[], required: string[], resource: string, rules: ExceptionRules,
): { open: string[]; unsound: string[] } {
  const unsound: string[] = [];
  const sound = sts.filter((s) => {
    if (!required.some((a) => denies(s, a, resource))) return false;
    const problems = exceptionProblems(f, s, rules);
    // Why a deny about principals fails; denies of other purposes (TLS, encryption headers) are not meant to cover these.
    const aboutPrincipals = conditionEntries(s).length === 0 || conditionEntries(s).some((e) => /^aws:principal(arn|isawsservice|tag\/)/i.test(e.key));
    if (aboutPrincipals) for (const p of problems) unsound.push(`${s.sid ?? 'a deny'}: ${p}`);
    return problems.length === 0;
  });
  return { open: required.filter((a) => !sound.some((s) => denies(s, a, resource))), unsound };
}

function coverageText(what: string, c: { open: string[]; unsound: string[] }): string | undefined {
  if (c.open.length === 0) return undefined;
  return `${what} not denied for ${c.open.join(', ')}${c.unsound.length ? ` (${[...new Set(c.unsound)].join('; ')})` : ''}`;
}

/** Each control's evidence, read from the templates. @internal */
export const EVIDENCE: { [id: string]: (f: Facts) => Evidence } = {
  'SDL-IAM-01': (f) => perJob(f, (job, sts, items, problems) => {
    const { bucketId, key } = f.location(job, '--source-uri');
    const object = `<${bucketId}.Arn>/${key}sdl-probe.csv`;
    for (const s of sts.filter((x) => x.resources.some((r) => r.includes(`<${bucketId}.Arn>`) || r === '*'))) items.push(item(job, 'role statement on the source bucket', stmtText(s)));
    if (!sts.some((s) => allows(s, 's3:GetObject', object))) problems.push(`${job.path}: the role cannot read its source ${object}`);
    for (const a of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:PutObjectTagging']) {
      for (const s of sts.filter((x) => allows(x, a, object) || allows(x, a, `<${bucketId}.Arn>/sdl-probe`))) problems.push(`${job.path}: the role may ${a} on the source bucket (${stmtText(s)})`);
    }
  }),
  'SDL-IAM-02': (f) => perJob(f, (job, sts, items, problems) => {
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
  'SDL-IAM-03': (f) => perJob(f, (job, sts, items, problems) => {
    const logStatements = sts.filter((x) => x.effect === 'Allow' && ['logs:PutLogEvents', 'logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:DeleteLogGroup'].some((a) => actionCovered(x.actions, a)));
    for (const s of logStatements) {
      items.push(item(job, 'log permissions', stmtText(s)));
      if (coversArn(s.resources, 'logs', 'log-group:/sdl-other-group:log-stream:x')) problems.push(`${job.path}: log permissions beyond the job's log groups (${stmtText(s)})`);
    }
    if (!logStatements.some((s) => actionCovered(s.actions, 'logs:PutLogEvents'))) problems.push(`${job.path}: the role cannot write its logs`);
  }),
  'SDL-IAM-04': (f) => {
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
  'SDL-IAM-05': (f) => {
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
  'SDL-S3-01': (f) => lake(f, (b) => {
    const read = perimeterCoverage(f, b, 'reads');
    const config = configurationDeny(f, b);
    return [!read.problem && !config.problem, [read.text, config.text].join('; '), [read.problem, config.problem]];
  }),
  'SDL-S3-02': (f) => everyBucket(f, (b) => {
    const pab = b.properties.PublicAccessBlockConfiguration ?? {};
    const all = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) => pab[k] === true);
    const owner = b.properties.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
    return [all && owner === 'BucketOwnerEnforced', `public access block all on: ${all}; object ownership: ${owner}`];
  }),
  'SDL-S3-03': (f) => lake(f, (b) => {
    const write = perimeterCoverage(f, b, 'writes');
    const config = configurationDeny(f, b);
    return [!write.problem && !config.problem, [write.text, config.text].join('; '), [write.problem, config.problem]];
  }),
  'SDL-S3-04': (f) => lake(f, (b) => encryptionDenies(f, b)),
  'SDL-GLUE-01': (f) => perJob(f, (job, _sts, items, problems) => {
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
  'SDL-GLUE-02': (f) => perJob(f, (job, sts, items, problems) => {
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
  'SDL-GLUE-03': (f) => perJob(f, (job, _sts, items, problems) => {
    const sc = f.m.ofType('AWS::Glue::SecurityConfiguration').find((c) => c.stack === job.stack && refId(job.properties.SecurityConfiguration) === c.logicalId);
    const enc = sc?.properties.EncryptionConfiguration ?? {};
    const s3 = enc.S3Encryptions?.[0]?.S3EncryptionMode;
    const cw = enc.CloudWatchEncryption?.CloudWatchEncryptionMode;
    const bm = enc.JobBookmarksEncryption?.JobBookmarksEncryptionMode;
    items.push(item(job, 'security configuration', `S3 ${s3}, CloudWatch ${cw}, bookmarks ${bm}`));
    if (s3 !== 'SSE-KMS' || cw !== 'SSE-KMS' || bm !== 'CSE-KMS') problems.push(`${job.path}: the security configuration does not encrypt S3, logs and bookmarks with KMS`);
  }),
  'SDL-DELTA-01': (f) => lake(f, (b) => keyed(f, b)),
  'SDL-DELTA-02': (f) => fences(f),
  'SDL-ENC-01': (f) => lake(f, (b) => {
    const [ok, text] = keyed(f, b);
    const key = f.m.target(b, b.properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
    const retained = key?.deletionPolicy === 'Retain';
    return [ok && retained, `${text}; key deletion policy ${key?.deletionPolicy ?? 'Delete'}`];
  }),
  'SDL-ENC-02': (f) => everyBucket(f, (b) => {
    const sts = f.bucketStatements(b);
    const arn = `<${b.logicalId}.Arn>`;
    const object = `${arn}/sdl-probe`;
    const covers = (s: ModelStatement) => ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'].every((a) => denies(s, a, object))
      && ['s3:ListBucket', 's3:PutBucketPolicy'].every((a) => denies(s, a, arn));
    const tls = sts.some((s) => covers(s) && conditionsAre(s, [['Bool', 'aws:SecureTransport', ['false']]]));
    const min = sts.filter((s) => covers(s)).map((s) => conditionEntries(s)).filter((es) => es.length === 1 && es[0].operator === 'NumericLessThan' && es[0].key.toLowerCase() === 's3:tlsversion')
      .map((es) => Number(es[0].values[0])).sort((x, y) => y - x)[0];
    const isLake = f.lakeBuckets.includes(b);
    return [tls && (!isLake || min >= 1.2), `deny without TLS: ${tls}; minimum TLS: ${min ?? 'not set'}`];
  }),
  'SDL-LOG-01': (f) => perJob(f, (job, _sts, items, problems) => {
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
  'SDL-LOG-02': (f) => {
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
  'SDL-LOG-03': (f) => lake(f, (b) => {
    const eb = b.properties.NotificationConfiguration?.EventBridgeConfiguration?.EventBridgeEnabled === true;
    const dest = f.m.target(b, b.properties.LoggingConfiguration?.DestinationBucketName);
    const logging = dest?.type === 'AWS::S3::Bucket' && dest !== b;
    return [eb && logging, `EventBridge events: ${eb}; access logs to ${logging ? dest!.path : 'nowhere'}`];
  }),
  'SDL-SEC-01': (f) => perJob(f, (job, _sts, items, problems) => {
    for (const [k, v] of Object.entries<any>(f.args(job))) {
      const target = f.m.target(job, v);
      if (target?.type === 'AWS::SecretsManager::Secret') items.push(item(job, `argument ${k}`, `the ARN of ${target.path}`));
      else if (/pass(word)?|secret|token|-key$/i.test(k) && typeof v === 'string') problems.push(`${job.path}: argument ${k} carries a literal value`);
    }
    if (items.length === 0) items.push(item(job, 'secret arguments', 'none (the schema needs no secret)'));
  }),
  'SDL-SEC-02': (f) => {
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
  'SDL-SEC-03': (f) => {
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
  'SDL-ACC-01': (f) => {
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
  'SDL-ACC-02': (f) => {
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
  'SDL-ACC-03': (f) => {
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
  'SDL-CMP-01': (f) => perJob(f, (job, _sts, items, problems) => {
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
  // The HIPAA pack's result is added by the report; the template part: encryption and access logging.
  'SDL-CMP-02': (f) => {
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
  'SDL-CMP-03': (f) => alerts(f),
};

type JobCheck = (job: ModelResource, statements: ModelStatement[], items: EvidenceItem[], problems: string[]) => void;
function perJob(f: Facts, check: JobCheck): Evidence {
  const items: EvidenceItem[] = [];
  const problems: string[] = [];
  for (const job of f.jobs) check(job, f.jobStatements(job), items, problems);
  return { items, problems };
}

function everyBucket(f: Facts, check: (b: ModelResource) => [boolean, string]): Evidence {
  const items: EvidenceItem[] = [];
  const problems: string[] = [];
  for (const b of f.m.ofType('AWS::S3::Bucket')) {
    const [ok, text] = check(b);
    items.push(item(b, 'setting', text));
    if (!ok) problems.push(`${b.path}: ${text}`);
  }
  return { items, problems };
}

/** A check over every lake bucket: [ok, evidence text, and optionally the problems (else the text)]. */
function lake(f: Facts, check: (b: ModelResource) => [boolean, string, Array<string | undefined>?]): Evidence {
  const items: EvidenceItem[] = [];
  const problems: string[] = [];
  for (const b of f.lakeBuckets) {
    const [ok, text, why] = check(b);
    items.push(item(b, 'setting', text));
    if (!ok) {
      const reasons = (why ?? [text]).filter((x): x is string => x !== undefined);
      problems.push(...(reasons.length > 0 ? reasons : [text]).map((x) => `${b.path}: ${x}`));
    }
  }
  return { items, problems };
}

function keyed(f: Facts, b: ModelResource): [boolean, string] {
  const rule = b.properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0];
  const alg = rule?.ServerSideEncryptionByDefault?.SSEAlgorithm;
  const key = f.m.target(b, rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
  const rotation = key?.properties.EnableKeyRotation === true;
  return [alg === 'aws:kms' && key?.type === 'AWS::KMS::Key' && rotation && rule?.BucketKeyEnabled === true,
    `SSE ${alg} with ${key ? key.path : render(rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID)}; rotation ${rotation}; bucket key ${rule?.BucketKeyEnabled === true}`];
}

/** Roles of the app that a bucket's perimeter must still stop: those granted nothing on it (outsiders are added by the check). */
function ungrantedRoles(f: Facts, b: ModelResource): string[][] {
  const arn = `<${b.logicalId}.Arn>`;
  return f.roles.filter((r) => !f.m.identityStatements(r).statements.some((s) => s.effect === 'Allow' && s.resources.some((x) => x === arn || x.startsWith(`${arn}/`))))
    .filter((r) => r.properties.Path !== RESERVED_PATH)
    .map((r) => f.arnsOf(r));
}

function perimeterCoverage(f: Facts, b: ModelResource, side: 'reads' | 'writes'): { text: string; problem?: string } {
  const sts = f.bucketStatements(b);
  const rules: ExceptionRules = { mustDeny: ungrantedRoles(f, b), services: true, reservedPath: true };
  const arn = `<${b.logicalId}.Arn>`;
  const objects = denyCoverage(f, sts, side === 'reads' ? PERIMETER_READ_ACTIONS : PERIMETER_WRITE_ACTIONS, `${arn}/sdl-probe/object`, rules);
  const lists = side === 'reads' ? denyCoverage(f, sts, PERIMETER_LIST_ACTIONS, arn, rules) : { open: [], unsound: [] };
  const perimeter = sts.find((s) => s.sid === 'DataPerimeter');
  const allow = perimeter ? conditionEntries(perimeter).filter((e) => e.key.toLowerCase() === 'aws:principalarn').flatMap((e) => e.values) : [];
  const problem = [coverageText(`object ${side}`, objects), coverageText('listings', lists)].filter((x) => x !== undefined).join('; ');
  return { text: `object ${side} denied to all but: ${allow.join(', ') || 'nobody'} (AWS services pass)`, problem: problem || undefined };
}

function configurationDeny(f: Facts, b: ModelResource): { text: string; problem?: string } {
  const rules: ExceptionRules = { mustDeny: f.roles.map((r) => f.arnsOf(r)), services: true, administrators: true };
  const c = denyCoverage(f, f.bucketStatements(b), CONFIGURATION_ACTIONS, `<${b.logicalId}.Arn>`, rules);
  const problem = coverageText('configuration changes', c);
  return { text: problem ? 'configuration changes open' : 'configuration changes denied to all but the administrators', problem };
}

function encryptionDenies(f: Facts, b: ModelResource): [boolean, string, string[]] {
  const sts = f.bucketStatements(b);
  const object = `<${b.logicalId}.Arn>/sdl-probe/object`;
  const key = render(b.properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
  const puts = sts.filter((s) => denies(s, 's3:PutObject', object));
  const sse = 's3:x-amz-server-side-encryption';
  const keyId = 's3:x-amz-server-side-encryption-aws-kms-key-id';
  const required: Array<[string, Array<[string, string, string[]]>]> = [
    ['a non-KMS encryption header', [['Null', sse, ['false']], ['StringNotEquals', sse, ['aws:kms']]]],
    ['a KMS key other than the bucket key', [['Null', keyId, ['false']], ['StringNotEquals', keyId, [key]]]],
    ['aws:kms without a key id', [['Null', keyId, ['true']], ['StringEquals', sse, ['aws:kms']]]],
    ['a customer-provided key (SSE-C)', [['Null', 's3:x-amz-server-side-encryption-customer-algorithm', ['false']]]],
  ];
  const missing = required.filter(([, conds]) => !puts.some((s) => conditionsAre(s, conds))).map(([what]) => what);
  const present = required.filter(([what]) => !missing.includes(what)).map(([what]) => what);
  return [missing.length === 0, `puts denied with ${present.join(', ') || 'nothing'}`, missing.map((m) => `puts with ${m} are not denied`)];
}

/** Prefix fences over every job's raw source prefix and its quarantine: reads and writes only for grantees. */
function fences(f: Facts): Evidence {
  const items: EvidenceItem[] = [];
  const problems: string[] = [];
  for (const job of f.jobs) {
    const source = f.location(job, '--source-uri');
    const table = f.location(job, '--table-uri');
    const zones = [
      { what: 'source', bucketId: source.bucketId, prefix: source.key.replace(/\/$/, '') },
      { what: 'quarantine', bucketId: table.bucketId, prefix: `${table.key}/quarantine` },
    ];
    for (const z of zones) {
      const b = f.lakeBuckets.find((x) => x.logicalId === z.bucketId);
      if (!b) continue;
      const object = `<${b.logicalId}.Arn>/${z.prefix}/sdl-probe`;
      for (const [side, actions, probe] of [['reads', FENCE_READ_ACTIONS, 's3:GetObject'], ['writes', FENCE_WRITE_ACTIONS, 's3:PutObject']] as const) {
        const granted = (r: ModelResource) => f.identityAllows(r, probe, object);
        const rules: ExceptionRules = {
          mustDeny: f.roles.filter((r) => !granted(r)).map((r) => f.arnsOf(r)),
          services: true,
          tag: (key, values) => {
            const carriers = f.roles.filter((r) => values.includes(f.tagsOf(r)[key]));
            const strangers = carriers.filter((r) => !granted(r));
            return strangers.length > 0 ? `the tag ${key} admits ${strangers.map((r) => r.path).join(', ')}, not granted ${z.prefix}` : undefined;
          },
        };
        const c = denyCoverage(f, f.bucketStatements(b), [...actions], object, rules);
        const admitted = f.roles.filter(granted).map((r) => r.path);
        items.push(item(b, `${z.what} ${z.prefix}/ ${side}`, `denied to all but ${admitted.join(', ') || 'nobody'}`));
        const problem = coverageText(`${side} under ${z.prefix}/`, c);
        if (problem) problems.push(`${b.path}: ${problem}`);
      }
    }
  }
  return { items, problems };
}

/** Secrets the library's jobs read (the pseudonymization key): their resource policies must hold. */
function librarySecrets(f: Facts): ModelResource[] {
  return f.m.ofType('AWS::SecretsManager::Secret').filter((s) => f.readersOf(s).length > 0);
}

function guardSecret(f: Facts, secret: ModelResource, actions: string[], allowed: ModelResource[], verb: string, ev: Evidence): void {
  const policies = f.m.ofType('AWS::SecretsManager::ResourcePolicy').filter((p) => f.m.target(p, p.properties.SecretId) === secret);
  const sts = policies.flatMap((p) => statementsOf(p.properties.ResourcePolicy));
  const rules: ExceptionRules = { mustDeny: f.roles.filter((r) => !allowed.includes(r)).map((r) => f.arnsOf(r)), services: true };
  const c = denyCoverage(f, sts.map(accountWide), actions, `<${secret.logicalId}>`, rules);
  const problem = coverageText(`${verb} the secret:`, c);
  ev.items.push(item(secret, `who ${verb} it`, problem ? 'not restricted' : `only ${allowed.map((r) => r.path).join(', ') || 'the administrators'}`));
  if (problem) ev.problems.push(`${secret.path}: ${problem}`);
}

function guardKey(f: Facts, secret: ModelResource, actions: string[], allowed: ModelResource[], verb: string, ev: Evidence): void {
  const key = f.m.target(secret, secret.properties.KmsKeyId);
  if (key?.type !== 'AWS::KMS::Key') {
    ev.problems.push(`${secret.path}: not encrypted with a key of the app`);
    return;
  }
  const rules: ExceptionRules = { mustDeny: f.roles.filter((r) => !allowed.includes(r)).map((r) => f.arnsOf(r)), services: true };
  const c = denyCoverage(f, statementsOf(key.properties.KeyPolicy).map(accountWide), actions, `<${key.logicalId}.Arn>`, rules);
  const problem = coverageText(`${verb} the key:`, c);
  ev.items.push(item(key, `who ${verb} it`, problem ? 'not restricted' : `only ${allowed.map((r) => r.path).join(', ') || 'the administrators'}`));
  if (problem) ev.problems.push(`${key.path}: ${problem}`);
}

/** In a resource policy, the account root as principal stands for every principal of the account. */
function accountWide(s: ModelStatement): ModelStatement {
  const root = s.principals.some((p) => /^arn:[^:]+:iam::[^:]+:root$/.test(p));
  return root ? { ...s, principals: ['*'] } : s;
}

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

/** Whether a principal may read an object, from its identity statements and the bucket's guards (conditions aside). @internal */
export function canRead(f: Facts, principal: ModelResource, bucket: ModelResource, key: string): boolean {
  const object = `<${bucket.logicalId}.Arn>/${key}`;
  if (!f.identityAllows(principal, 's3:GetObject', object)) return false;
  const arns = f.arnsOf(principal);
  const tags = f.tagsOf(principal);
  // A Deny of the bucket policy stops the principal unless one of its conditions exempts it.
  const exempt = (s: ModelStatement) => conditionEntries(s).some((e) => {
    const k = e.key.toLowerCase();
    if (k === 'aws:principalarn' && NEGATED_PRINCIPAL_OPERATORS.includes(e.operator)) return arns.some((a) => (/Like/.test(e.operator) ? admits(e.values, a) : e.values.includes(a)));
    if (k.startsWith('aws:principaltag/') && /^StringNotEquals/.test(e.operator)) return e.values.includes(tags[e.key.slice('aws:principaltag/'.length)]);
    // The principal is no AWS service: a deny for services only does not reach it.
    if (k === 'aws:principalisawsservice') return !e.values.includes('false');
    // Other conditions (no TLS, a wrong encryption header) do not hold for a well-formed request.
    return true;
  });
  return !f.bucketStatements(bucket).some((s) => appliesToEveryone(s) && denies(s, 's3:GetObject', object) && !exempt(s));
}
