/**
 * The attacker matrix: the example app's two stacks (the lake zones, and the pipeline with its
 * Producers, DataEngineers and Analysts roles), every request decided by the IAM policy evaluator
 * over the synthesized identity, bucket, key, secret and topic policies.
 *
 * Each row is one request (or the chain of authorizations one operation needs: S3 then KMS) by one
 * principal, with the decision it must get. A denial of a principal whose own identity policies
 * allow the action must be explicit: only a resource policy stops it.
 */
import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ExamplePipeline, examplePipeline } from '../../examples/ingestion-pipeline/pipeline';
import { AccessRequest, Decision, PolicyDocument, PolicyWorld } from '../kit/policy-kit';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const FOREIGN = '222222222222';

/** The example app with a fixed environment (the app reads it from CDK_DEFAULT_*). */
function synthesize(): ExamplePipeline {
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  process.env.CDK_DEFAULT_ACCOUNT = ACCOUNT;
  process.env.CDK_DEFAULT_REGION = REGION;
  try {
    return examplePipeline(new App());
  } finally {
    for (const [name, value] of [['CDK_DEFAULT_ACCOUNT', saved.account], ['CDK_DEFAULT_REGION', saved.region]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

const ex = synthesize();
const world = PolicyWorld.of(ex.data, ex.pipelineStack);
const pipeline = ex.pipeline;

// Resources, as the resolved templates name them.
const ref = (c: IConstruct) => {
  const [t, id] = world.locate(c);
  return t.ref(id);
};
const att = (c: IConstruct, attr: string) => {
  const [t, id] = world.locate(c);
  return t.getAtt(id, attr);
};
const rawArn = world.bucketArn(pipeline.rawBucket.bucket);
const curatedArn = world.bucketArn(pipeline.curatedBucket.bucket);
const rawKey = world.keyArn(pipeline.rawBucket.encryptionKey);
const curatedKey = world.keyArn(pipeline.curatedBucket.encryptionKey);
const secretArn = ref(pipeline.pseudonymKey!);
const secretKey = world.keyArn(pipeline.pseudonymKey!.encryptionKey!);
const trailBucketArn = world.bucketArn(pipeline.trailBucket);
const trailArn = att(pipeline.trail, 'Arn');
const topicArn = ref(pipeline.alertTopic);
const auditKey = world.keyArn(pipeline.auditKey);
const alarmArns = pipeline.alarms.map((a) => att(a, 'Arn'));
const jobName = ref(pipeline.job.job);
const jobArn = `arn:aws:glue:${REGION}:${ACCOUNT}:job/${jobName}`;
const workflowArn = `arn:aws:glue:${REGION}:${ACCOUNT}:workflow/${ref(pipeline.workflow)}`;
const jobLogStreams = pipeline.job.logGroups.map((g) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${ref(g)}:log-stream:jr_0123456789abcdef`);

const rawCsv = `${rawArn}/${pipeline.sourcePrefix}/2026-11-27.csv`;
const table = (sub: string, key: string) => `${curatedArn}/${pipeline.tablePath}/${sub}/${key}`;
const quarantineFile = table('quarantine', 'part-00000.parquet');
const dataFile = table('data', 'part-00000.parquet');
const trailObject = `${trailBucketArn}/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/27/${ACCOUNT}_CloudTrail_${REGION}_20261127T0000Z_x.json.gz`;

// Principals.
interface Actor {
  readonly label: string;
  readonly principal: string;
  /** Identity policies; default: the world's policies of the role. */
  readonly identityPolicies?: PolicyDocument[];
  /** The extra policy the actor holds, by which a denial of it must be explicit (same account only). */
  readonly broadActions?: string[];
}

const allowAll = (actions: string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const BROAD = ['s3:*', 'kms:*', 'secretsmanager:*'];
const READ_ONLY = ['s3:Get*', 's3:List*', 'kms:Decrypt', 'secretsmanager:GetSecretValue', 'secretsmanager:Describe*'];
const roleOf = (id: string) => world.roleArn(ex.pipelineStack.node.findChild(id) as iam.IRole);
const withExtra = (label: string, principal: string, extra: string[]): Actor => ({
  label, principal, identityPolicies: [...world.identityPoliciesOf(principal), allowAll(extra)], broadActions: extra,
});

const broad: Actor = { label: 'attacker 1 (broad role)', principal: `arn:aws:iam::${ACCOUNT}:role/platform/broad-admin`, identityPolicies: [allowAll(BROAD)], broadActions: BROAD };
const broadReserved: Actor = {
  label: 'attacker 2 (broad role on the reserved path)',
  principal: `arn:aws:iam::${ACCOUNT}:role/cdk-secure-delta-lake/broad-admin`,
  identityPolicies: [allowAll(BROAD)],
  broadActions: BROAD,
};
const operatorReading = withExtra('attacker 3 (DataEngineers + read-only)', roleOf('DataEngineers'), READ_ONLY);
const analystReading = withExtra('attacker 4 (Analysts + read-only)', roleOf('Analysts'), READ_ONLY);
const producer: Actor = { label: 'attacker 5 (Producers)', principal: roleOf('Producers') };
const foreign: Actor = { label: 'attacker 6 (another account)', principal: `arn:aws:iam::${FOREIGN}:role/intruder`, identityPolicies: [allowAll(BROAD)] };
const operator: Actor = { label: 'DataEngineers', principal: roleOf('DataEngineers') };
const analyst: Actor = { label: 'Analysts', principal: roleOf('Analysts') };
const jobRole: Actor = { label: 'the job role', principal: world.roleArn(pipeline.job.role) };
const rotation: Actor = { label: 'the rotation role', principal: world.roleArn(pipeline.node.findChild('PseudonymKey').node.findChild('RotationRole') as iam.IRole) };
const deployer: Actor = {
  label: 'the deployment role',
  principal: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`,
  identityPolicies: [allowAll(BROAD)],
  broadActions: BROAD,
};

// Rows.
type Expected = 'Allowed' | 'ExplicitlyDenied' | 'Denied';

interface Row {
  readonly item: string;
  readonly who: string;
  readonly what: string;
  readonly steps: AccessRequest[];
  readonly expected: Expected;
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');

/** Denied; explicitly when the actor's own broad policy allows the action in its own account. */
function denied(actor: Actor, action: string): Expected {
  const own = actor.principal.split(':')[4] === ACCOUNT;
  return own && (actor.broadActions ?? []).some((p) => wildcard(p).test(action)) ? 'ExplicitlyDenied' : 'Denied';
}

function request(actor: Actor, action: string, resource: string, context: AccessRequest['context'] = {}): AccessRequest {
  return { principal: actor.principal, action, resource, context, identityPolicies: actor.identityPolicies };
}

const VIA_S3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
const VIA_SECRETS = { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': secretArn };

/** A GET of an SSE-KMS object: S3, then KMS Decrypt through S3 with the bucket as encryption context (bucket keys). */
function read(actor: Actor, object: string, bucketArn: string, key: string): AccessRequest[] {
  return [
    request(actor, 's3:GetObject', object),
    request(actor, 'kms:Decrypt', key, { ...VIA_S3, 'kms:EncryptionContext:aws:s3:arn': bucketArn }),
  ];
}

/** A PUT: S3 with the headers sent, then GenerateDataKey through S3 on the bucket's key. */
function write(actor: Actor, object: string, bucketArn: string, key: string, headers: { sse?: string; keyId?: string } = {}): AccessRequest[] {
  return [
    request(actor, 's3:PutObject', object, { 's3:x-amz-server-side-encryption': headers.sse, 's3:x-amz-server-side-encryption-aws-kms-key-id': headers.keyId }),
    request(actor, 'kms:GenerateDataKey', key, { ...VIA_S3, 'kms:EncryptionContext:aws:s3:arn': bucketArn }),
  ];
}

const rows: Row[] = [];
const row = (item: string, actor: Actor, what: string, expected: Expected, ...steps: AccessRequest[]) =>
  rows.push({ item, who: actor.label, what, steps, expected });

const BUCKETS: Array<[string, string]> = [['raw', rawArn], ['curated', curatedArn]];

// Item 1: operators start the workflow, never a run with arguments of their own.
const OPERATE = 'item 1 (operators)';
row(OPERATE, operator, 'glue:StartWorkflowRun on the workflow', 'Allowed', request(operator, 'glue:StartWorkflowRun', workflowArn));
for (const action of ['glue:GetJobRun', 'glue:GetJobRuns']) row(OPERATE, operator, `${action} on the job`, 'Allowed', request(operator, action, jobArn));
for (const action of ['glue:StartJobRun', 'glue:UpdateJob']) row(OPERATE, operator, `${action} on the job`, 'Denied', request(operator, action, jobArn));
row(OPERATE, operator, 'iam:PassRole of the job role to Glue', 'Denied',
  request(operator, 'iam:PassRole', jobRole.principal, { 'iam:PassedToService': 'glue.amazonaws.com' }));

// Item 2: bucket configuration is the deployment's alone; object reads stay fenced.
const CONFIG = 'item 2 (bucket configuration)';
const CONFIG_ACTIONS = [
  's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketVersioning', 's3:PutReplicationConfiguration', 's3:PutEncryptionConfiguration',
  's3:PutLifecycleConfiguration', 's3:PutBucketPublicAccessBlock', 's3:PutBucketLogging', 's3:PutBucketOwnershipControls',
  's3:PutInventoryConfiguration', 's3:PutBucketObjectLockConfiguration', 's3:PutBucketNotification',
];
for (const [name, arn] of BUCKETS) {
  for (const action of CONFIG_ACTIONS) {
    for (const actor of [broad, broadReserved, operatorReading]) row(CONFIG, actor, `${action} on ${name}`, denied(actor, action), request(actor, action, arn));
    row(CONFIG, deployer, `${action} on ${name}`, 'Allowed', request(deployer, action, arn));
  }
}
const OBJECT_READS = ['s3:GetObjectVersionForReplication', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:InitiateReplication'];
for (const [name, object] of [['raw', rawCsv], ['curated', dataFile]]) {
  for (const action of OBJECT_READS) {
    for (const actor of [broad, foreign]) row(CONFIG, actor, `${action} of a ${name} object`, denied(actor, action), request(actor, action, object));
  }
}
const SSE_C = { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' };
row(CONFIG, producer, 'an SSE-C put under its own prefix', 'ExplicitlyDenied', request(producer, 's3:PutObject', rawCsv, SSE_C));
row(CONFIG, jobRole, 'an SSE-C put into its own table', 'ExplicitlyDenied', request(jobRole, 's3:PutObject', dataFile, SSE_C));

// Item 3: the PII zones (raw CSV files, quarantine) admit their grantees only.
const PII = 'item 3 (PII fences)';
for (const [name, object] of [['the raw CSV prefix', rawCsv], ['the quarantine', quarantineFile]]) {
  for (const actor of [broadReserved, operatorReading, analystReading]) {
    for (const action of ['s3:GetObject', 's3:GetObjectVersion']) row(PII, actor, `${action} in ${name}`, denied(actor, action), request(actor, action, object));
  }
}
row(PII, broadReserved, 's3:PutObject (a forged file) in the raw CSV prefix', 'ExplicitlyDenied', request(broadReserved, 's3:PutObject', rawCsv));
row(PII, broadReserved, 's3:PutObject in the quarantine', 'ExplicitlyDenied', request(broadReserved, 's3:PutObject', quarantineFile));
row(PII, broadReserved, 's3:DeleteObject in the quarantine', 'ExplicitlyDenied', request(broadReserved, 's3:DeleteObject', quarantineFile));
row(PII, jobRole, 'reads a raw CSV file', 'Allowed', ...read(jobRole, rawCsv, rawArn, rawKey));
row(PII, jobRole, 'reads the quarantine', 'Allowed', ...read(jobRole, quarantineFile, curatedArn, curatedKey));
row(PII, producer, 'writes a raw CSV file (header-less)', 'Allowed', ...write(producer, rawCsv, rawArn, rawKey));
row(PII, producer, 's3:PutObject in the quarantine', 'Denied', request(producer, 's3:PutObject', quarantineFile));
row(PII, analyst, 'reads the data table', 'Allowed', ...read(analyst, dataFile, curatedArn, curatedKey));

// Item 4: the pseudonymization key.
const SECRET = 'item 4 (pseudonymization key)';
const SECRET_ACTIONS = [
  'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:ReplicateSecretToRegions',
  'secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret', 'secretsmanager:RestoreSecret', 'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy', 'secretsmanager:UpdateSecret',
];
for (const action of SECRET_ACTIONS) {
  for (const actor of [broad, operatorReading, foreign]) row(SECRET, actor, `${action} on the secret`, denied(actor, action), request(actor, action, secretArn));
}
row(SECRET, broad, 'kms:Decrypt of the secret\'s key through Secrets Manager', 'ExplicitlyDenied', request(broad, 'kms:Decrypt', secretKey, VIA_SECRETS));
row(SECRET, broad, 'kms:Decrypt of the secret\'s key directly', 'ExplicitlyDenied', request(broad, 'kms:Decrypt', secretKey));
for (const action of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion']) row(SECRET, broad, `${action} on the secret's key`, 'ExplicitlyDenied', request(broad, action, secretKey));
row(SECRET, broad, 'kms:GenerateDataKey with the secret\'s key through Secrets Manager', 'ExplicitlyDenied', request(broad, 'kms:GenerateDataKey', secretKey, VIA_SECRETS));
row(SECRET, deployer, 'secretsmanager:GetSecretValue (administrators manage the secret, they do not read it)', 'ExplicitlyDenied',
  request(deployer, 'secretsmanager:GetSecretValue', secretArn));
row(SECRET, jobRole, 'secretsmanager:PutSecretValue (a job cannot replace the key it reads)', 'Denied', request(jobRole, 'secretsmanager:PutSecretValue', secretArn));
row(SECRET, jobRole, 'secretsmanager:GetSecretValue', 'Allowed', request(jobRole, 'secretsmanager:GetSecretValue', secretArn));
row(SECRET, jobRole, 'kms:Decrypt of the secret\'s key through Secrets Manager', 'Allowed', request(jobRole, 'kms:Decrypt', secretKey, VIA_SECRETS));
// PutSecretValue carries no stage condition key; UpdateSecretVersionStage moves AWSCURRENT only.
row(SECRET, rotation, 'secretsmanager:PutSecretValue', 'Allowed', request(rotation, 'secretsmanager:PutSecretValue', secretArn),
  request(rotation, 'kms:GenerateDataKey', secretKey, VIA_SECRETS));
row(SECRET, rotation, 'secretsmanager:UpdateSecretVersionStage (AWSCURRENT)', 'Allowed',
  request(rotation, 'secretsmanager:UpdateSecretVersionStage', secretArn, { 'secretsmanager:VersionStage': 'AWSCURRENT' }));
// Whoever changes the rotation function's code acts as its role: it still cannot read the current key.
row(SECRET, rotation, 'secretsmanager:GetSecretValue of the current key (it reads only the pending one)', 'ExplicitlyDenied',
  request(rotation, 'secretsmanager:GetSecretValue', secretArn, { 'secretsmanager:VersionStage': 'AWSCURRENT' }));
row(SECRET, rotation, 'secretsmanager:GetSecretValue of the pending key', 'Allowed',
  request(rotation, 'secretsmanager:GetSecretValue', secretArn, { 'secretsmanager:VersionStage': 'AWSPENDING' }));
// Every key of the library, not only the secret's, is administered by the administrators alone.
for (const [label, keyArn] of [['the audit key', world.keyArn(ex.pipeline.auditKey)], ['the job key', world.keyArn(ex.pipeline.job.key)],
  ['the curated bucket key', world.keyArn(ex.pipeline.curatedBucket.encryptionKey)], ['the raw bucket key', world.keyArn(ex.pipeline.rawBucket.encryptionKey)]] as const) {
  for (const action of ['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy']) {
    row(SECRET, broad, `${action} on ${label}`, 'ExplicitlyDenied', request(broad, action, keyArn));
  }
  row(SECRET, deployer, `kms:PutKeyPolicy on ${label}`, 'Allowed', request(deployer, 'kms:PutKeyPolicy', keyArn));
}
for (const action of ['secretsmanager:PutResourcePolicy', 'secretsmanager:UpdateSecret', 'secretsmanager:RotateSecret']) {
  row(SECRET, deployer, action, 'Allowed', request(deployer, action, secretArn));
}
row(SECRET, deployer, 'kms:PutKeyPolicy on the secret\'s key', 'Allowed', request(deployer, 'kms:PutKeyPolicy', secretKey));

// Item 5: CloudWatch publishes this pipeline's alarms to the alert topic.
const TOPIC = 'item 5 (CloudWatch to the alert topic)';
const cloudwatch: Actor = { label: 'cloudwatch.amazonaws.com', principal: 'cloudwatch.amazonaws.com' };
const publish = (sourceArn: string | undefined, sourceAccount: string | undefined): AccessRequest[] => {
  const source = { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount };
  return [
    request(cloudwatch, 'sns:Publish', topicArn, source),
    request(cloudwatch, 'kms:GenerateDataKey', auditKey, { ...source, 'kms:EncryptionContext:aws:sns:topicArn': topicArn }),
  ];
};
alarmArns.forEach((arn) => row(TOPIC, cloudwatch, `publishes for alarm ${arn.split(':').pop()}`, 'Allowed', ...publish(arn, ACCOUNT)));
row(TOPIC, cloudwatch, 'publishes for another account\'s alarm', 'Denied', ...publish(`arn:aws:cloudwatch:${REGION}:${FOREIGN}:alarm:customers`, FOREIGN));
row(TOPIC, cloudwatch, 'publishes for another alarm of this account', 'Denied', ...publish(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:unrelated`, ACCOUNT));
row(TOPIC, cloudwatch, 'publishes for an alarm named like this pipeline\'s (one more name under their prefix)', 'Denied',
  ...publish(`${alarmArns[0].replace(/[^:-]+$/, '')}impostor`, ACCOUNT));
row(TOPIC, cloudwatch, 'publishes without a source', 'Denied', ...publish(undefined, undefined));

// Item 5: the alert topic cannot be deleted, reopened, subscribed to or rewritten by a broad role.
const ALERTING = 'item 5 (alert topic administration)';
const REVIEW_BROAD = [...BROAD, 'glue:*', 'events:*', 'logs:*', 'sns:*', 'cloudwatch:*', 'lambda:*'];
const broadAlerting: Actor = { ...broad, label: 'attacker 1 (broad role, with sns:* and the alerting services)', identityPolicies: [allowAll(REVIEW_BROAD)], broadActions: REVIEW_BROAD };
const deployerStar: Actor = { ...deployer, label: 'the deployment role (allowed *)', identityPolicies: [allowAll(['*'])], broadActions: ['*'] };
const TOPIC_ADMINISTRATION = ['sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:AddPermission', 'sns:RemovePermission', 'sns:Subscribe', 'sns:PutDataProtectionPolicy'];
for (const action of TOPIC_ADMINISTRATION) {
  for (const actor of [broadAlerting, operatorReading]) row(ALERTING, actor, `${action} on the alert topic`, denied(actor, action), request(actor, action, topicArn));
  row(ALERTING, deployerStar, `${action} on the alert topic`, 'Allowed', request(deployerStar, action, topicArn));
}

// Item 6: the trail bucket.
const TRAIL = 'item 6 (trail bucket)';
const cloudtrail: Actor = { label: 'cloudtrail.amazonaws.com', principal: 'cloudtrail.amazonaws.com' };
const delivery = (sourceArn: string, sourceAccount: string) => ({ 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount });
row(TRAIL, cloudtrail, 'this trail checks the bucket ACL', 'Allowed', request(cloudtrail, 's3:GetBucketAcl', trailBucketArn, { 'aws:SourceArn': trailArn, 'aws:SourceAccount': ACCOUNT }));
row(TRAIL, cloudtrail, 'this trail delivers a log file', 'Allowed', request(cloudtrail, 's3:PutObject', trailObject, delivery(trailArn, ACCOUNT)));
const trailFor = (account: string, name: string) => `arn:aws:cloudtrail:${REGION}:${account}:trail/${name}`;
row(TRAIL, { label: 'attacker 7 (another trail of this account)', principal: 'cloudtrail.amazonaws.com' }, 'delivers under AWSLogs/<account>/', 'Denied',
  request(cloudtrail, 's3:PutObject', trailObject, delivery(trailFor(ACCOUNT, 'other'), ACCOUNT)));
row(TRAIL, { label: 'attacker 7 (another account\'s trail)', principal: 'cloudtrail.amazonaws.com' }, `delivers under AWSLogs/${ACCOUNT}/ (its key prefix)`, 'Denied',
  request(cloudtrail, 's3:PutObject', `${trailBucketArn}/AWSLogs/${ACCOUNT}/AWSLogs/${FOREIGN}/CloudTrail/${REGION}/2026/11/27/x.json.gz`, delivery(trailFor(FOREIGN, 'customers'), FOREIGN)));
for (const actor of [broad, deployer]) {
  row(TRAIL, actor, 's3:BypassGovernanceRetention on a log file', 'ExplicitlyDenied', request(actor, 's3:BypassGovernanceRetention', trailObject));
}
for (const action of ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration']) {
  row(TRAIL, broad, `${action} on the trail bucket`, 'ExplicitlyDenied', request(broad, action, trailBucketArn));
}
row(TRAIL, deployer, 's3:PutBucketPolicy on the trail bucket', 'Allowed', request(deployer, 's3:PutBucketPolicy', trailBucketArn));

// The paths the pipeline needs stay open.
const OPEN = 'allowed paths';
row(OPEN, jobRole, 'lists the raw CSV prefix', 'Allowed', request(jobRole, 's3:ListBucket', rawArn, { 's3:prefix': `${pipeline.sourcePrefix}/` }));
// The job reads each file at the version it listed: version reads are granted on its prefix only.
const rawVersion = { 's3:versionid': '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY' };
row(OPEN, jobRole, 'lists the versions under the raw CSV prefix', 'Allowed', request(jobRole, 's3:ListBucketVersions', rawArn, { 's3:prefix': `${pipeline.sourcePrefix}/` }));
row(OPEN, jobRole, 'reads a raw CSV file at its listed version', 'Allowed', request(jobRole, 's3:GetObjectVersion', rawCsv, rawVersion));
row(PII, jobRole, 's3:ListBucketVersions of another prefix of the raw bucket', 'Denied', request(jobRole, 's3:ListBucketVersions', rawArn, { 's3:prefix': 'landing/' }));
row(PII, jobRole, 's3:GetObjectVersion of a file outside its prefix', 'Denied', request(jobRole, 's3:GetObjectVersion', `${rawArn}/landing/other/x.csv`, rawVersion));
for (const actor of [broad, foreign]) {
  row(PII, actor, 's3:ListBucketVersions of the raw CSV prefix', denied(actor, 's3:ListBucketVersions'), request(actor, 's3:ListBucketVersions', rawArn, { 's3:prefix': `${pipeline.sourcePrefix}/` }));
  row(PII, actor, 's3:GetObjectVersion of a raw CSV file', denied(actor, 's3:GetObjectVersion'), request(actor, 's3:GetObjectVersion', rawCsv, rawVersion));
}
for (const sub of ['data', 'quarantine', '_ingest_log']) {
  row(OPEN, jobRole, `writes ${sub} with the bucket key`, 'Allowed',
    ...write(jobRole, table(sub, 'part-00001.parquet'), curatedArn, curatedKey, { sse: 'aws:kms', keyId: curatedKey }));
}
row(OPEN, producer, 'puts a CSV file header-less (bucket default encryption)', 'Allowed', ...write(producer, rawCsv, rawArn, rawKey));
row(OPEN, producer, 'puts a CSV file with aws:kms and the bucket key ARN', 'Allowed', ...write(producer, rawCsv, rawArn, rawKey, { sse: 'aws:kms', keyId: rawKey }));
row(OPEN, analyst, 'reads the data table\'s log', 'Allowed', ...read(analyst, table('data', '_delta_log/00000000000000000000.json'), curatedArn, curatedKey));
row(OPEN, analyst, 'lists the data table', 'Allowed', request(analyst, 's3:ListBucket', curatedArn, { 's3:prefix': `${pipeline.tablePath}/data/` }));
for (const stream of jobLogStreams) row(OPEN, operator, `reads job logs (${stream.split(':log-group:')[1].split(':')[0]})`, 'Allowed', request(operator, 'logs:GetLogEvents', stream));
for (const [name, arn] of BUCKETS) {
  for (const action of ['s3:GetBucketPolicy', 's3:PutBucketTagging']) row(OPEN, deployer, `${action} on ${name}`, 'Allowed', request(deployer, action, arn));
}

/** The decision of a chain of authorizations: the first that is not Allowed. */
async function decideAll(steps: AccessRequest[]): Promise<Decision> {
  for (const step of steps) {
    const d = await world.decide(step);
    if (d !== 'Allowed') return d;
  }
  return 'Allowed';
}

const items = [...new Set(rows.map((r) => r.item))];

describe(`attacker matrix over the example app (${rows.length} rows)`, () => {
  for (const item of items) {
    const mine = rows.filter((r) => r.item === item);
    describe(`${item} (${mine.length} rows)`, () => {
      test.each(mine.map((r) => [`${r.who} | ${r.what} -> ${r.expected}`, r] as [string, Row]))('%s', async (_title, r) => {
        const decision = await decideAll(r.steps);
        if (r.expected === 'Denied') expect(decision).not.toBe('Allowed');
        else expect(decision).toBe(r.expected);
      });
    });
  }
});

describe('item 1: a run cannot replace the arguments the job is defined with', () => {
  const jobs = world.resourcesOfType('AWS::Glue::Job');
  const job = jobs[0]?.properties;
  const locked: { [k: string]: string } = job?.NonOverridableArguments ?? {};
  const defaults: { [k: string]: string } = job?.DefaultArguments ?? {};
  const MANAGED = [
    '--source-uri', '--table-uri', '--schema', '--schema-hash', '--pseudonym-key', '--metrics-namespace', '--max-quarantine-ratio',
    '--quarantine-retention-days', '--conf', '--extra-py-files', '--datalake-formats', '--job-language', '--custom-logGroup-prefix',
    '--job-bookmark-option', '--enable-metrics', '--enable-observability-metrics', '--enable-auto-scaling',
  ];
  const CODE_BEARING = ['--extra-jars', '--extra-files', '--additional-python-modules', '--python-modules-installer-option', '--user-jars-first', '--scriptLocation'];

  test('the example has one Glue job', () => {
    expect(jobs).toHaveLength(1);
    expect(job.Command.ScriptLocation).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.py$/);
  });

  test.each([...MANAGED, ...CODE_BEARING])('%s is non-overridable and not an overridable default', (key) => {
    expect(Object.keys(locked)).toContain(key);
    expect(Object.keys(defaults)).not.toContain(key);
  });

  test('the locked values are the job\'s own: its source, table, key, script and modules', () => {
    const rawName = rawArn.split(':::')[1];
    const curatedName = curatedArn.split(':::')[1];
    expect(locked['--source-uri']).toBe(`s3://${rawName}/${pipeline.sourcePrefix}/`);
    expect(locked['--table-uri']).toBe(`s3://${curatedName}/${pipeline.tablePath}`);
    expect(locked['--pseudonym-key']).toBe(secretArn);
    expect(locked['--scriptLocation']).toBe(job.Command.ScriptLocation);
    expect(locked['--extra-py-files']).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.py(,s3:\/\/cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.py)*$/);
    for (const key of ['--extra-jars', '--extra-files', '--additional-python-modules', '--python-modules-installer-option']) expect(locked[key]).toBe('');
  });
});
