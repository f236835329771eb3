/**
 * What the compliance mapping does not cover: the operator's share of GDPR, HIPAA and SOC 2, listed
 * under the report's framework table.
 *
 * @internal
 */
export const FRAMEWORK_CAVEATS = [
  'The controls are technical safeguards in this app; GDPR, HIPAA and SOC 2 also require processes, agreements (a BAA for HIPAA, a DPA for GDPR), training and evidence that only the operator can provide.',
  'AWS is responsible for the security of the cloud (facilities, hardware, the services\' own software); the operator is responsible for what runs in the account: identities outside this app, data classification, key administrators, who is subscribed to alerts and how alerts are answered.',
  'A control marked "needs runtime verification" is proven from the templates but depends on service behaviour that only a deployed account shows: run verify-deployment after deploying.',
  'Pseudonymized data stays personal data under GDPR (recital 26); erasure requests reach the curated table through the key version and a Delta delete.',
];
