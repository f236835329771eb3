/**
 * The library of facts the controls' evidence checks read (src/controls/<family>.ts): the app's
 * lake buckets, jobs, roles and administrators (`Facts`), and the shared checks of denies, grants,
 * secrets and keys. A control's own check lives in its family file, not here.
 */
import { admits, allows, appliesToEveryone, conditionEntries, denies, ModelResource, ModelStatement, outsiderArns, principalArnParts, refId, render, RESERVED_ROLE_PATH, statementsOf, TemplateModel, wildcardMatch } from './template-model';

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
export const SECRET_ROTATION_ACTIONS = ['secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret'];

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

/** One piece of evidence: a resource, the property read and its value. @internal */
export const item = (r: ModelResource, property: string, value: any): EvidenceItem => ({ path: r.path, type: r.type, property, value: typeof value === 'string' ? value : render(value) });
/** A statement in one line. @internal */
export const stmtText = (s: ModelStatement) => `${s.effect} ${s.actions.join(' ')}${s.notActions.length ? ` except ${s.notActions.join(' ')}` : ''} on ${s.resources.join(' ')}${s.conditions ? ` if ${JSON.stringify(s.conditions)}` : ''}`;

/** Operators of an exception list in a Deny: the deny applies to principals the list does not name. */
const NEGATED_PRINCIPAL_OPERATORS = [
  'ArnNotLike', 'ArnNotLikeIfExists', 'ArnNotEquals', 'ArnNotEqualsIfExists',
  'StringNotLike', 'StringNotLikeIfExists', 'StringNotEquals', 'StringNotEqualsIfExists',
];

/** Whom a deny's exceptions may admit. @internal */
export interface ExceptionRules {
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
export function denyCoverage(
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

/** The problem of a deny coverage, or undefined when every action is denied. @internal */
export function coverageText(what: string, c: { open: string[]; unsound: string[] }): string | undefined {
  if (c.open.length === 0) return undefined;
  return `${what} not denied for ${c.open.join(', ')}${c.unsound.length ? ` (${[...new Set(c.unsound)].join('; ')})` : ''}`;
}

/** A check of one job, given its role's statements; it adds items and problems. @internal */
export type JobCheck = (job: ModelResource, statements: ModelStatement[], items: EvidenceItem[], problems: string[]) => void;
/** A check over every job of the app. @internal */
export function perJob(f: Facts, check: JobCheck): Evidence {
  const items: EvidenceItem[] = [];
  const problems: string[] = [];
  for (const job of f.jobs) check(job, f.jobStatements(job), items, problems);
  return { items, problems };
}

/** A check over every bucket of the app: [ok, evidence text]. @internal */
export function everyBucket(f: Facts, check: (b: ModelResource) => [boolean, string]): Evidence {
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
export function lake(f: Facts, check: (b: ModelResource) => [boolean, string, Array<string | undefined>?]): Evidence {
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

/** Whether a bucket is SSE-KMS with a rotated key of the app and the S3 Bucket Key. @internal */
export function keyed(f: Facts, b: ModelResource): [boolean, string] {
  const rule = b.properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0];
  const alg = rule?.ServerSideEncryptionByDefault?.SSEAlgorithm;
  const key = f.m.target(b, rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
  const rotation = key?.properties.EnableKeyRotation === true;
  return [alg === 'aws:kms' && key?.type === 'AWS::KMS::Key' && rotation && rule?.BucketKeyEnabled === true,
    `SSE ${alg} with ${key ? key.path : render(rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID)}; rotation ${rotation}; bucket key ${rule?.BucketKeyEnabled === true}`];
}

/** Whether a bucket's configuration changes are denied to all but the administrators. @internal */
export function configurationDeny(f: Facts, b: ModelResource): { text: string; problem?: string } {
  const rules: ExceptionRules = { mustDeny: f.roles.map((r) => f.arnsOf(r)), services: true, administrators: true };
  const c = denyCoverage(f, f.bucketStatements(b), CONFIGURATION_ACTIONS, `<${b.logicalId}.Arn>`, rules);
  const problem = coverageText('configuration changes', c);
  return { text: problem ? 'configuration changes open' : 'configuration changes denied to all but the administrators', problem };
}

/** Secrets the library's jobs read (the pseudonymization key): their resource policies must hold. */
export function librarySecrets(f: Facts): ModelResource[] {
  return f.m.ofType('AWS::SecretsManager::Secret').filter((s) => f.readersOf(s).length > 0);
}

/** Evidence that a secret's resource policy denies `actions` to all but `allowed`. @internal */
export function guardSecret(f: Facts, secret: ModelResource, actions: string[], allowed: ModelResource[], verb: string, ev: Evidence): void {
  const policies = f.m.ofType('AWS::SecretsManager::ResourcePolicy').filter((p) => f.m.target(p, p.properties.SecretId) === secret);
  const sts = policies.flatMap((p) => statementsOf(p.properties.ResourcePolicy));
  const rules: ExceptionRules = { mustDeny: f.roles.filter((r) => !allowed.includes(r)).map((r) => f.arnsOf(r)), services: true };
  const c = denyCoverage(f, sts.map(accountWide), actions, `<${secret.logicalId}>`, rules);
  const problem = coverageText(`${verb} the secret:`, c);
  ev.items.push(item(secret, `who ${verb} it`, problem ? 'not restricted' : `only ${allowed.map((r) => r.path).join(', ') || 'the administrators'}`));
  if (problem) ev.problems.push(`${secret.path}: ${problem}`);
}

/** Evidence that a secret's key policy denies `actions` to all but `allowed`. @internal */
export function guardKey(f: Facts, secret: ModelResource, actions: string[], allowed: ModelResource[], verb: string, ev: Evidence): void {
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
