import { ModelResource, ModelStatement, TemplateModel, allows, refId, render, statementsOf } from './template-model';

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

const RESERVED_PATH = '/cdk-secure-delta-lake/';

/** Facts about the synthesized app that several controls read. @internal */
export class Facts {
  public readonly lakePolicies: ModelResource[];
  public readonly lakeBuckets: ModelResource[];
  public readonly jobs: ModelResource[];

  constructor(public readonly m: TemplateModel) {
    this.lakePolicies = m.ofType('AWS::S3::BucketPolicy').filter((p) => statements(p).some((s) => s.sid === 'DataPerimeter'));
    this.lakeBuckets = this.lakePolicies.map((p) => m.target(p, p.properties.Bucket)).filter((b): b is ModelResource => b !== undefined);
    this.jobs = m.ofType('AWS::Glue::Job');
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

  public arg(job: ModelResource, name: string): any {
    return job.properties.DefaultArguments?.[name];
  }

  /** The bucket (logical id) and key of an `s3://` argument of a job, such as `--table-uri`. */
  public location(job: ModelResource, name: string): { bucketId?: string; key: string } {
    const m = /^s3:\/\/<([^>.]+)>\/?(.*)$/.exec(render(this.arg(job, name)));
    return m ? { bucketId: m[1], key: m[2] } : { key: '' };
  }
}

function statements(policy: ModelResource): ModelStatement[] {
  return statementsOf(policy.properties.PolicyDocument);
}

const item = (r: ModelResource, property: string, value: any): EvidenceItem => ({ path: r.path, type: r.type, property, value: typeof value === 'string' ? value : render(value) });
const stmtText = (s: ModelStatement) => `${s.effect} ${s.actions.join(' ')} on ${s.resources.join(' ')}${s.conditions ? ` if ${JSON.stringify(s.conditions)}` : ''}`;

/** Each control's evidence, read from the templates. @internal */
export const EVIDENCE: { [id: string]: (f: Facts) => Evidence } = {
  'SDL-IAM-01': (f) => perJob(f, (job, sts, items, problems) => {
    const { bucketId } = f.location(job, '--source-uri');
    for (const s of sts.filter((x) => x.resources.some((r) => r.includes(`<${bucketId}.Arn>`)))) {
      items.push(item(job, 'role statement on the source bucket', stmtText(s)));
      if (s.actions.some((a) => /^s3:(Put|Delete|\*)|^\*$/i.test(a))) problems.push(`${job.path}: the role may write to the source bucket (${stmtText(s)})`);
    }
  }),
  'SDL-IAM-02': (f) => perJob(f, (job, sts, items, problems) => {
    const { bucketId } = f.location(job, '--table-uri');
    for (const s of sts.filter((x) => x.resources.some((r) => r.includes(`<${bucketId}.Arn>`)))) {
      items.push(item(job, 'role statement on the target bucket', stmtText(s)));
      // Deletes: the Delta log's expired files, and the quarantine's files (its retention); never the data table's.
      const deletesData = s.actions.includes('s3:DeleteObject') && s.resources.some((r) => !r.endsWith('/_delta_log/*') && !r.endsWith('/quarantine/*'));
      if (deletesData) problems.push(`${job.path}: the role deletes data files (${stmtText(s)})`);
    }
  }),
  'SDL-IAM-03': (f) => perJob(f, (job, sts, items, problems) => {
    for (const s of sts.filter((x) => x.actions.some((a) => a.startsWith('logs:')))) {
      items.push(item(job, 'log permissions', stmtText(s)));
      if (s.resources.includes('*')) problems.push(`${job.path}: log permissions on every log group`);
    }
  }),
  'SDL-IAM-04': (f) => {
    const ev = perJob(f, (job, sts, items, problems) => {
      for (const s of sts.filter((x) => x.actions.some((a) => /^glue:/i.test(a) || a === '*'))) problems.push(`${job.path}: the job role holds Glue permissions (${stmtText(s)})`);
      items.push(item(job, 'job role Glue permissions', 'none'));
    });
    for (const r of [...f.m.ofType('AWS::IAM::Role'), ...f.m.ofType('AWS::IAM::User')]) {
      for (const s of f.m.identityStatements(r).statements.filter((x) => x.actions.some((a) => /^glue:(StartJobRun|BatchStopJobRun)/i.test(a)))) {
        ev.items.push(item(r, 'operator Glue permissions', stmtText(s)));
        if (s.resources.includes('*')) ev.problems.push(`${r.path}: Glue job actions on every job`);
      }
    }
    return ev;
  },
  'SDL-IAM-05': (f) => {
    const items: EvidenceItem[] = [];
    const problems: string[] = [];
    for (const r of f.m.ofType('AWS::IAM::Role')) {
      const { statements: sts, awsManaged } = f.m.identityStatements(r);
      const trust: any[] = r.properties.AssumeRolePolicyDocument?.Statement ?? [];
      const trusted = trust.flatMap((s: any) => Object.values<any>(s.Principal ?? {}).flat().map(render));
      items.push(item(r, 'trusted by / customer-managed statements', `${trusted.join(', ')} / ${sts.length}`));
      if (awsManaged.length > 0) problems.push(`${r.path}: AWS managed policies ${awsManaged.join(', ')}`);
      for (const s of sts) if (s.effect === 'Allow' && s.actions.includes('*')) problems.push(`${r.path}: Allow * (${stmtText(s)})`);
    }
    return { items, problems };
  },
  'SDL-S3-01': (f) => perimeter(f),
  'SDL-S3-02': (f) => everyBucket(f, (b) => {
    const pab = b.properties.PublicAccessBlockConfiguration ?? {};
    const all = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) => pab[k] === true);
    const owner = b.properties.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
    return [all && owner === 'BucketOwnerEnforced', `public access block all on: ${all}; object ownership: ${owner}`];
  }),
  'SDL-S3-03': (f) => perimeter(f),
  'SDL-S3-04': (f) => lake(f, (_b, p) => {
    const sids = statements(p).map((s) => s.sid);
    const need = ['DenyEncryptionOtherThanKms', 'DenyKmsKeyOtherThanBucketKey', 'DenyKmsWithoutKeyId'];
    return [need.every((x) => sids.includes(x)), `encryption denies: ${need.filter((x) => sids.includes(x)).join(', ')}`];
  }),
  'SDL-GLUE-01': (f) => perJob(f, (job, _sts, items, problems) => {
    const role = f.roleOf(job);
    items.push(item(job, 'role', role ? `${role.path} (path ${role.properties.Path ?? '/'})` : render(job.properties.Role)));
    if (!role) problems.push(`${job.path}: the role is not part of the app`);
    else if (f.m.identityStatements(role).awsManaged.length > 0) problems.push(`${job.path}: the role has AWS managed policies`);
  }),
  'SDL-GLUE-02': (f) => perJob(f, (job, sts, items, problems) => {
    const script = render(job.properties.Command?.ScriptLocation);
    items.push(item(job, 'script', script));
    const key = script.replace(/^s3:\/\/[^/]+\//, '');
    const reads = sts.filter((s) => s.actions.includes('s3:GetObject') && s.resources.some((r) => r.endsWith(key)));
    for (const s of reads) items.push(item(job, 'script read', stmtText(s)));
    if (reads.length === 0) problems.push(`${job.path}: no statement grants its script object`);
    const broad = sts.filter((s) => s.resources.some((r) => /cdk-[a-z0-9]+-assets-.*\/\*$/.test(r) || /<[^>]*[Ss]taging[^>]*>\/\*$/.test(r)));
    for (const s of broad) problems.push(`${job.path}: reads the whole staging bucket (${stmtText(s)})`);
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
  'SDL-DELTA-02': (f) => perimeter(f),
  'SDL-ENC-01': (f) => lake(f, (b) => keyed(f, b)),
  'SDL-ENC-02': (f) => everyBucket(f, (b) => {
    const p = f.policyOf(b);
    const sts = p ? statements(p) : [];
    const tls = sts.some((s) => s.effect === 'Deny' && JSON.stringify(s.conditions ?? {}).includes('"aws:SecureTransport":"false"'));
    const min = sts.find((s) => s.effect === 'Deny' && s.conditions?.NumericLessThan?.['s3:TlsVersion'] !== undefined)?.conditions.NumericLessThan['s3:TlsVersion'];
    const isLake = f.lakeBuckets.includes(b);
    return [tls && (!isLake || Number(min) >= 1.2), `deny without TLS: ${tls}; minimum TLS: ${min ?? 'not set'}`];
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
      if (!p.KMSKeyId || p.EnableLogFileValidation !== true || !p.CloudWatchLogsLogGroupArn) problems.push(`${t.path}: not encrypted, not validated or not delivered to CloudWatch Logs`);
    }
    return { items, problems };
  },
  'SDL-LOG-03': (f) => lake(f, (b) => {
    const eb = b.properties.NotificationConfiguration?.EventBridgeConfiguration?.EventBridgeEnabled === true;
    const logging = render(b.properties.LoggingConfiguration?.DestinationBucketName);
    return [eb && logging !== '', `EventBridge events: ${eb}; access logs to ${logging || 'nowhere'}`];
  }),
  'SDL-SEC-01': (f) => perJob(f, (job, _sts, items, problems) => {
    for (const [k, v] of Object.entries<any>(job.properties.DefaultArguments ?? {})) {
      const target = f.m.target(job, v);
      if (target?.type === 'AWS::SecretsManager::Secret') items.push(item(job, `argument ${k}`, `the ARN of ${target.path}`));
      else if (/pass(word)?|secret|token|-key$/i.test(k) && typeof v === 'string') problems.push(`${job.path}: argument ${k} carries a literal value`);
    }
    if (items.length === 0) items.push(item(job, 'secret arguments', 'none (the schema needs no secret)'));
  }),
  'SDL-SEC-02': (f) => perJob(f, (job, sts, items, problems) => {
    for (const s of sts.filter((x) => x.actions.some((a) => a.startsWith('secretsmanager:')))) {
      items.push(item(job, 'secret read', stmtText(s)));
      if (s.resources.includes('*')) problems.push(`${job.path}: reads every secret`);
    }
  }),
  'SDL-SEC-03': (f) => {
    const items: EvidenceItem[] = [];
    const problems: string[] = [];
    const schedules = f.m.ofType('AWS::SecretsManager::RotationSchedule');
    for (const s of f.m.ofType('AWS::SecretsManager::Secret')) {
      const r = schedules.find((x) => x.stack === s.stack && refId(x.properties.SecretId) === s.logicalId);
      items.push(item(s, 'rotation', r ? render(r.properties.RotationRules?.ScheduleExpression ?? r.properties.RotationRules?.AutomaticallyAfterDays) : 'none'));
      if (!r) problems.push(`${s.path}: no rotation schedule`);
    }
    return { items, problems };
  },
  'SDL-ACC-01': (f) => {
    const items: EvidenceItem[] = [];
    const problems: string[] = [];
    for (const r of [...f.m.ofType('AWS::IAM::Role'), ...f.m.ofType('AWS::IAM::User')]) {
      for (const s of f.m.identityStatements(r).statements.filter((x) => x.actions.some((a) => /^glue:Start(Job|Workflow)Run$/i.test(a)))) {
        items.push(item(r, 'operates', stmtText(s)));
        if (s.resources.includes('*')) problems.push(`${r.path}: operates every job`);
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
    for (const r of f.m.ofType('AWS::IAM::Role')) {
      for (const s of f.m.identityStatements(r).statements.filter((x) => x.actions.some((a) => a.startsWith('secretsmanager:')))) {
        const writes = s.actions.some((a) => /^secretsmanager:(Put|Update|Delete|Restore|\*)/i.test(a));
        items.push(item(r, writes ? 'writes secrets (rotation)' : 'reads secrets', stmtText(s)));
        if (writes && !rotators.has(r.logicalId)) problems.push(`${r.path}: may change secrets (${stmtText(s)})`);
      }
    }
    return { items, problems };
  },
  'SDL-ACC-03': (f) => {
    const items: EvidenceItem[] = [];
    const problems: string[] = [];
    const ids = new Set(f.lakeBuckets.map((b) => b.logicalId));
    for (const r of [...f.m.ofType('AWS::IAM::Role'), ...f.m.ofType('AWS::IAM::User')]) {
      for (const s of f.m.identityStatements(r).statements) {
        const onLake = s.resources.filter((x) => [...ids].some((id) => x.startsWith(`<${id}.Arn>/`)));
        if (onLake.length === 0 || s.effect !== 'Allow') continue;
        items.push(item(r, 'object access', stmtText(s)));
        if (onLake.some((x) => /^<[^>]+\.Arn>\/\*$/.test(x))) problems.push(`${r.path}: object access to a whole lake bucket (${stmtText(s)})`);
      }
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
    if (pii.length > 0 && !f.arg(job, '--pseudonym-key')) problems.push(`${job.path}: PII columns without a pseudonymization key`);
  }),
  'SDL-CMP-02': () => ({ items: [], problems: [] }), // filled from the compliance results
  'SDL-CMP-03': (f) => {
    const items: EvidenceItem[] = [];
    const problems: string[] = [];
    const tamper = f.m.ofType('AWS::Events::Rule').filter((r) => (r.properties.EventPattern?.['detail-type'] ?? []).includes('AWS API Call via CloudTrail'));
    for (const r of tamper) items.push(item(r, 'tamper alert', `${(r.properties.EventPattern.detail?.eventName ?? []).join(', ')}`));
    if (tamper.length === 0) problems.push('no tamper alert rule in the app');
    if (f.m.ofType('AWS::CloudTrail::Trail').length === 0) problems.push('no audit trail in the app');
    return { items, problems };
  },
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

function lake(f: Facts, check: (b: ModelResource, policy: ModelResource) => [boolean, string]): Evidence {
  const items: EvidenceItem[] = [];
  const problems: string[] = [];
  f.lakeBuckets.forEach((b, i) => {
    const [ok, text] = check(b, f.lakePolicies[i]);
    items.push(item(b, 'setting', text));
    if (!ok) problems.push(`${b.path}: ${text}`);
  });
  return { items, problems };
}

function keyed(f: Facts, b: ModelResource): [boolean, string] {
  const rule = b.properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0];
  const alg = rule?.ServerSideEncryptionByDefault?.SSEAlgorithm;
  const key = f.m.target(b, rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
  const rotation = key?.properties.EnableKeyRotation === true;
  return [alg === 'aws:kms' && rotation && rule?.BucketKeyEnabled === true,
    `SSE ${alg} with ${key ? key.path : render(rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID)}; rotation ${rotation}; bucket key ${rule?.BucketKeyEnabled === true}`];
}

function perimeter(f: Facts): Evidence {
  return lake(f, (_b, p) => {
    const s = statements(p).find((x) => x.sid === 'DataPerimeter')!;
    const allow = [].concat(s.conditions?.ArnNotLikeIfExists?.['aws:PrincipalArn'] ?? []).map(render);
    return [allow.length > 0, `object access denied to all but: ${allow.join(', ')} (AWS services pass)`];
  });
}

/** Whether a principal may read an object, from its identity statements and the bucket perimeter (conditions aside). @internal */
export function canRead(f: Facts, principal: ModelResource, bucket: ModelResource, key: string): boolean {
  const object = `<${bucket.logicalId}.Arn>/${key}`;
  const identity = f.m.identityStatements(principal).statements.some((s) => allows(s, 's3:GetObject', object));
  if (!identity) return false;
  const policy = f.policyOf(bucket);
  const perim = policy ? statements(policy).find((s) => s.sid === 'DataPerimeter') : undefined;
  if (!perim) return true;
  const allow: string[] = [].concat(perim.conditions?.ArnNotLikeIfExists?.['aws:PrincipalArn'] ?? []).map(render);
  const arn = `<${principal.logicalId}.Arn>`;
  return allow.includes(arn) || (principal.properties.Path === RESERVED_PATH && allow.some((a) => a.includes(`:role${RESERVED_PATH}`)));
}
