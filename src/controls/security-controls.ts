/**
 * Where a control's evidence comes from.
 */
export enum ControlVerification {
  /** Proven from the synthesized templates: properties, rule packs and the policy evaluator. */
  TEMPLATE = 'TEMPLATE',
  /** Depends on behaviour that only a deployed account shows (listed as a deploy-time assumption). */
  RUNTIME = 'RUNTIME',
}

/**
 * One control of the pipeline's security documentation.
 *
 * Every row of the security documentation has a stable id here. The constructs name the ids
 * they implement, the tests that prove a control carry its id at the start of their name,
 * and the security report lists each id with its evidence.
 */
export interface SecurityControl {
  /**
   * Stable identifier, for example `SDL-S3-02`.
   */
  readonly id: string;

  /**
   * Section of the security documentation the control comes from, for example `3. S3 Bucket Policies`.
   */
  readonly section: string;

  /**
   * What the documentation asks for, in its words.
   */
  readonly requirement: string;

  /**
   * What the library does to meet it, including where the documentation is corrected.
   */
  readonly implementation: string;

  /**
   * The construct that carries the control as a default.
   */
  readonly implementedBy: string;

  /**
   * Where the control's evidence comes from.
   */
  readonly verification: ControlVerification;

  /**
   * GDPR articles the control supports (Regulation (EU) 2016/679).
   */
  readonly gdpr: string[];

  /**
   * HIPAA Security Rule safeguards the control supports (45 CFR 164).
   */
  readonly hipaa: string[];

  /**
   * SOC 2 Trust Services Criteria the control supports (2017 TSC, common criteria).
   */
  readonly soc2: string[];
}

const S = {
  iam: '2. IAM Policies',
  s3: '3. S3 Bucket Policies',
  glue: '4. Glue Job Security',
  delta: '5. Delta Lake Storage Security',
  enc: '6. Encryption',
  log: '7. Logging and Monitoring',
  sec: '8. Secrets Management',
  acc: '9. Access Controls',
  cmp: '10. Compliance Considerations',
};

const BUCKET = 'SecureDeltaLakeBucket';
const JOB = 'LeastPrivilegeGlueJob';
const PIPELINE = 'AuditedPipeline';
const T = ControlVerification.TEMPLATE;
const R = ControlVerification.RUNTIME;

function c(
  id: string,
  section: string,
  implementedBy: string,
  verification: ControlVerification,
  requirement: string,
  implementation: string,
): SecurityControl {
  const m = FRAMEWORKS[id.split('-')[1]];
  return { id, section, implementedBy, verification, requirement, implementation, gdpr: m[0], hipaa: m[1], soc2: m[2] };
}

/**
 * Framework mapping per control family: [GDPR articles, HIPAA safeguards, SOC 2 criteria]. The
 * mapping says which obligation a control helps to meet; meeting it also takes the processes,
 * contracts and people on the customer's side of the shared-responsibility model.
 */
const FRAMEWORKS: { [family: string]: [string[], string[], string[]] } = {
  IAM: [['Art. 25(2) data protection by default', 'Art. 32(1)(b) confidentiality'], ['164.312(a)(1) access control', '164.308(a)(4) information access management'], ['CC6.1', 'CC6.3']],
  S3: [['Art. 32(1)(b) confidentiality', 'Art. 25(2) data protection by default'], ['164.312(a)(1) access control', '164.312(c)(1) integrity'], ['CC6.1', 'CC6.6']],
  GLUE: [['Art. 32(1)(b) confidentiality'], ['164.312(a)(1) access control', '164.312(d) person or entity authentication'], ['CC6.1', 'CC6.2', 'CC8.1']],
  DELTA: [['Art. 32(1)(a) encryption', 'Art. 5(1)(f) integrity and confidentiality'], ['164.312(a)(2)(iv) encryption and decryption'], ['CC6.1', 'CC6.7']],
  ENC: [['Art. 32(1)(a) encryption'], ['164.312(a)(2)(iv) encryption and decryption', '164.312(e)(1) transmission security'], ['CC6.1', 'CC6.7']],
  LOG: [['Art. 30 records of processing', 'Art. 33 breach notification (detection)'], ['164.312(b) audit controls', '164.308(a)(1)(ii)(D) information system activity review'], ['CC7.2', 'CC7.3']],
  SEC: [['Art. 32(1)(b) confidentiality', 'Art. 32(1)(d) regular testing of measures'], ['164.312(a)(1) access control', '164.308(a)(5)(ii)(D) password management'], ['CC6.1', 'CC6.7']],
  ACC: [['Art. 25(2) data protection by default', 'Art. 32(4) access on instruction only'], ['164.308(a)(3) workforce security', '164.312(a)(1) access control'], ['CC6.2', 'CC6.3']],
  CMP: [['Art. 5(2) accountability', 'Art. 30 records of processing', 'Art. 4(5) pseudonymisation'], ['164.312(b) audit controls', '164.316(b)(1) documentation'], ['CC2.1', 'CC4.1', 'CC7.2']],
};

const ALL_CONTROLS: SecurityControl[] = [
  // 2. IAM Policies
  c('SDL-IAM-01', S.iam, JOB, T, 'Glue job role: read-only on s3://source/* to read source CSV data',
    'list limited to the source prefix and s3:GetObject under it; no put or delete on the source'),
  c('SDL-IAM-02', S.iam, BUCKET, T, 'Glue job role: write-only on s3://target/* to write validated Delta tables',
    'corrected: a Delta writer must read its _delta_log, so grantDeltaWrite gives list under the table root, get/put/abort under it, delete only under _delta_log/ (and the quarantine\'s files, for its retention)'),
  c('SDL-IAM-03', S.iam, JOB, R, 'logs:* write for Glue job logging',
    'logs:CreateLogStream, PutLogEvents and AssociateKmsKey on the job\'s own log groups only'),
  c('SDL-IAM-04', S.iam, JOB, T, 'glue:* limited to the job only, for execution and monitoring',
    'Glue actions on this job (and its catalog table when catalogued) only'),
  c('SDL-IAM-05', S.iam, JOB, T, 'All IAM policies follow the principle of least privilege',
    'dedicated role trusted by glue.amazonaws.com only, customer-managed policies, no AWS managed policies, no * resource where AWS offers a narrower one'),
  // 3. S3 Bucket Policies
  c('SDL-S3-01', S.s3, BUCKET, T, 'Source bucket: read access restricted to the Glue job IAM role',
    'data perimeter: object reads and writes denied to every principal outside the bucket\'s allow-list (a reserved role path), whatever its IAM policies say'),
  c('SDL-S3-02', S.s3, BUCKET, T, 'Public access blocked',
    'all four Block Public Access settings on; object ownership BucketOwnerEnforced (no ACLs)'),
  c('SDL-S3-03', S.s3, BUCKET, T, 'Target bucket: write access restricted to the Glue job IAM role',
    'the same data perimeter; grants are per table prefix'),
  c('SDL-S3-04', S.s3, BUCKET, T, 'Bucket policies enforce encryption at rest',
    'three denies: a non-KMS encryption header, a key id other than the bucket key, aws:kms without a key id; header-less puts take the bucket default key'),
  // 4. Glue Job Security
  c('SDL-GLUE-01', S.glue, JOB, T, 'The Glue job runs with an IAM role with scoped permissions',
    'a role per job, permissions in customer-managed policies scoped to its prefixes, keys, log groups and secrets'),
  c('SDL-GLUE-02', S.glue, JOB, T, 'The job script is stored in S3 with restricted access',
    'the role reads its script object only, never the rest of the CDK staging bucket'),
  c('SDL-GLUE-03', S.glue, JOB, T, 'Temporary credentials are rotated by AWS automatically',
    'the job authenticates only through its role (no access keys, no secrets in arguments); a security configuration encrypts S3, logs and bookmarks'),
  // 5. Delta Lake Storage Security
  c('SDL-DELTA-01', S.delta, BUCKET, T, 'Delta tables encrypted at rest using AWS KMS (default SSE-KMS)',
    'SSE-KMS with a customer managed key with rotation, S3 Bucket Key enabled'),
  c('SDL-DELTA-02', S.delta, BUCKET, T, 'Fine-grained access via S3 bucket policies',
    'table-scoped grants; the bucket policy admits only granted principals to the data'),
  // 6. Encryption
  c('SDL-ENC-01', S.enc, BUCKET, T, 'At rest (S3): SSE-KMS',
    'customer managed KMS key per bucket, rotation on, removal policy RETAIN'),
  c('SDL-ENC-02', S.enc, BUCKET, T, 'In transit: SSL/TLS enforced',
    'bucket policy denies requests without TLS and below TLS 1.2'),
  // 7. Logging and Monitoring
  c('SDL-LOG-01', S.log, JOB, R, 'CloudWatch Logs: Glue job logs and error output',
    'the job\'s Glue 5 log groups pre-created, KMS-encrypted, retention of at least 365 days'),
  c('SDL-LOG-02', S.log, PIPELINE, T, 'AWS CloudTrail: auditing S3, Glue, IAM activity',
    'a trail of the pipeline\'s data events, encrypted and validated; account-level auditing opt-in'),
  c('SDL-LOG-03', S.log, BUCKET, T, 'Amazon S3 Events: object-level monitoring',
    'EventBridge notifications on every lake bucket and server access logging to a dedicated log bucket'),
  // 8. Secrets Management
  c('SDL-SEC-01', S.sec, JOB, T, 'All secrets are stored in AWS Secrets Manager',
    'secrets are passed to the job by ARN, never by value'),
  c('SDL-SEC-02', S.sec, JOB, T, 'Jobs fetch secrets using IAM-based secure retrieval',
    'secretsmanager:GetSecretValue on exactly the job\'s secrets, kms:Decrypt on their keys'),
  c('SDL-SEC-03', S.sec, JOB, T, 'Secrets are rotated and version-controlled',
    'a secret of the same app without a rotation schedule fails synthesis unless acknowledged'),
  // 9. Access Controls
  c('SDL-ACC-01', S.acc, JOB, T, 'Glue job: IAM role access for developers and data engineers',
    'grantOperate: start, stop and read runs of this job and read its logs, nothing else'),
  c('SDL-ACC-02', S.acc, JOB, T, 'Secrets: read-only via IAM policies',
    'the job role may only read its secrets; no put, update or delete'),
  c('SDL-ACC-03', S.acc, BUCKET, T, 'S3: role-specific access through bucket policies',
    'grantRead / grantDeltaRead / grantDeltaWrite per prefix; everyone else denied by the data perimeter'),
  // 10. Compliance Considerations
  c('SDL-CMP-01', S.cmp, PIPELINE, T, 'GDPR: supports data lineage and access control',
    'lineage recorded in Delta commit metadata and the ingestion ledger; pseudonymized PII; erasure through an explicit maintenance grant'),
  c('SDL-CMP-02', S.cmp, PIPELINE, T, 'HIPAA: uses encryption and access logging',
    'the HIPAA Security rule pack runs over every construct with no unacknowledged finding'),
  c('SDL-CMP-03', S.cmp, PIPELINE, T, 'SOC 2: audit trails and principle of least privilege',
    'audit trail, tamper alerts and the access matrix in the security report'),
];

/**
 * The registry of the pipeline's security controls.
 */
export class SecurityControls {
  /**
   * Every control, in the order of the security documentation.
   */
  public static all(): SecurityControl[] {
    return ALL_CONTROLS.map((x) => ({ ...x }));
  }

  /**
   * The control with this id.
   *
   * @param id the control id, for example `SDL-S3-02`
   */
  public static byId(id: string): SecurityControl {
    const found = ALL_CONTROLS.find((x) => x.id === id);
    if (!found) {
      throw new Error(`unknown security control id '${id}'; known ids: ${ALL_CONTROLS.map((x) => x.id).join(', ')}`);
    }
    return { ...found };
  }

  /**
   * The controls a construct carries as defaults.
   *
   * @param constructName the construct's class name, for example `SecureDeltaLakeBucket`
   */
  public static implementedBy(constructName: string): SecurityControl[] {
    return ALL_CONTROLS.filter((x) => x.implementedBy === constructName).map((x) => ({ ...x }));
  }

  private constructor() {}
}
