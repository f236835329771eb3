/**
 * 6. Encryption: the controls of this section of the security documentation, each with its evidence
 * and its deploy-time assumptions.
 */
import { BUCKET, ControlFamily } from './definition';
import { everyBucket, keyed, lake } from '../audit/evidence';
import { conditionEntries, conditionsAre, denies, ModelStatement } from '../audit/template-model';

/** @internal */
export const ENC: ControlFamily = {
  section: '6. Encryption',
  gdpr: ['Art. 32(1)(a) encryption'],
  hipaa: ['164.312(a)(2)(iv) encryption and decryption', '164.312(e)(1) transmission security'],
  soc2: ['CC6.1', 'CC6.7'],
  controls: [
    {
      id: 'SDL-ENC-01',
      implementedBy: BUCKET,
      requirement: 'At rest (S3): SSE-KMS',
      implementation: 'customer managed KMS key per bucket, rotation on, removal policy RETAIN',
      evidence: (f) => lake(f, (b) => {
        const [ok, text] = keyed(f, b);
        const rule = b.properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0];
        const key = f.m.target(b, rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
        const retained = key?.deletionPolicy === 'Retain';
        return [ok && retained, `${text}; key deletion policy ${key?.deletionPolicy ?? 'Delete'}`];
      }),
    },
    {
      id: 'SDL-ENC-02',
      implementedBy: BUCKET,
      requirement: 'In transit: SSL/TLS enforced',
      implementation: 'bucket policy denies requests without TLS and below TLS 1.2',
      evidence: (f) => everyBucket(f, (b) => {
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
    },
  ],
};
