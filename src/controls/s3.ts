/**
 * 3. S3 Bucket Policies: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { BUCKET, ControlFamily } from './definition';
import { configurationDeny, coverageText, denyCoverage, everyBucket, ExceptionRules, Facts, lake, PERIMETER_LIST_ACTIONS, PERIMETER_READ_ACTIONS, PERIMETER_WRITE_ACTIONS } from '../audit/evidence';
import { conditionEntries, conditionsAre, denies, ModelResource, render, RESERVED_ROLE_PATH } from '../audit/template-model';

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

/** Roles of the app that a bucket's perimeter must still stop: those granted nothing on it (outsiders are added by the check). */
function ungrantedRoles(f: Facts, b: ModelResource): string[][] {
  const arn = `<${b.logicalId}.Arn>`;
  return f.roles.filter((r) => !f.m.identityStatements(r).statements.some((s) => s.effect === 'Allow' && s.resources.some((x) => x === arn || x.startsWith(`${arn}/`))))
    .filter((r) => r.properties.Path !== RESERVED_ROLE_PATH)
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

/** @internal */
export const S3: ControlFamily = {
  section: '3. S3 Bucket Policies',
  gdpr: ['Art. 32(1)(b) confidentiality', 'Art. 25(2) data protection by default'],
  hipaa: ['164.312(a)(1) access control', '164.312(c)(1) integrity'],
  soc2: ['CC6.1', 'CC6.6'],
  controls: [
    {
      id: 'SDL-S3-01',
      implementedBy: BUCKET,
      requirement: 'Source bucket: read access restricted to the Glue job IAM role',
      implementation: 'data perimeter: object reads and writes denied to every principal outside the bucket\'s allow-list (a reserved role path), whatever its IAM policies say',
      evidence: (f) => lake(f, (b) => {
        const read = perimeterCoverage(f, b, 'reads');
        const config = configurationDeny(f, b);
        return [!read.problem && !config.problem, [read.text, config.text].join('; '), [read.problem, config.problem]];
      }),
    },
    {
      id: 'SDL-S3-02',
      implementedBy: BUCKET,
      requirement: 'Public access blocked',
      implementation: 'all four Block Public Access settings on; object ownership BucketOwnerEnforced (no ACLs)',
      evidence: (f) => everyBucket(f, (b) => {
        const pab = b.properties.PublicAccessBlockConfiguration ?? {};
        const all = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) => pab[k] === true);
        const owner = b.properties.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
        return [all && owner === 'BucketOwnerEnforced', `public access block all on: ${all}; object ownership: ${owner}`];
      }),
    },
    {
      id: 'SDL-S3-03',
      implementedBy: BUCKET,
      requirement: 'Target bucket: write access restricted to the Glue job IAM role',
      implementation: 'the same data perimeter; grants are per table prefix',
      evidence: (f) => lake(f, (b) => {
        const write = perimeterCoverage(f, b, 'writes');
        const config = configurationDeny(f, b);
        return [!write.problem && !config.problem, [write.text, config.text].join('; '), [write.problem, config.problem]];
      }),
    },
    {
      id: 'SDL-S3-04',
      implementedBy: BUCKET,
      requirement: 'Bucket policies enforce encryption at rest',
      implementation: 'three denies: a non-KMS encryption header, a key id other than the bucket key, aws:kms without a key id; header-less puts take the bucket default key',
      evidence: (f) => lake(f, (b) => encryptionDenies(f, b)),
    },
  ],
};
