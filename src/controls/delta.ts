/**
 * 5. Delta Lake Storage Security: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { BUCKET, ControlFamily } from './definition';
import { coverageText, denyCoverage, Evidence, EvidenceItem, ExceptionRules, Facts, item, keyed, lake, PERIMETER_READ_ACTIONS, PERIMETER_WRITE_ACTIONS } from '../audit/evidence';
import { ModelResource } from '../audit/template-model';

/** Fence actions: reads and writes under a restricted prefix. */
const FENCE_READ_ACTIONS = PERIMETER_READ_ACTIONS;

const FENCE_WRITE_ACTIONS = PERIMETER_WRITE_ACTIONS;

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

/** @internal */
export const DELTA: ControlFamily = {
  section: '5. Delta Lake Storage Security',
  gdpr: ['Art. 32(1)(a) encryption', 'Art. 5(1)(f) integrity and confidentiality'],
  hipaa: ['164.312(a)(2)(iv) encryption and decryption'],
  soc2: ['CC6.1', 'CC6.7'],
  controls: [
    {
      id: 'SDL-DELTA-01',
      implementedBy: BUCKET,
      requirement: 'Delta tables encrypted at rest using AWS KMS (default SSE-KMS)',
      implementation: 'SSE-KMS with a customer managed key with rotation, S3 Bucket Key enabled',
      evidence: (f) => lake(f, (b) => keyed(f, b)),
    },
    {
      id: 'SDL-DELTA-02',
      implementedBy: BUCKET,
      requirement: 'Fine-grained access via S3 bucket policies',
      implementation: 'table-scoped grants; the bucket policy admits only granted principals to the data',
      evidence: (f) => fences(f),
    },
  ],
};
