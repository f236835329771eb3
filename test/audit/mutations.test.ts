/**
 * The security report cannot be fooled by presence: the example app is synthesized once, then each
 * mutation breaks a deep copy of its templates the way an attacker or a careless change would
 * (an allow-list of `*`, a deny turned into an Allow, a trail switched off, a rule disabled, ...)
 * and the control it targets must no longer be reported proven. Every control of the registry has
 * at least one mutation.
 *
 * The HIPAA pack's result (SDL-CMP-02) is the unmutated synthesis's: the pack runs on constructs,
 * not on templates. The template part of that control (encryption and access logging) is
 * re-read from each mutated copy.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { examplePipeline } from '../../examples/ingestion-pipeline/pipeline';
import { ControlVerification, SecurityControls } from '../../src';
import { RESIDUAL_RISKS, buildReport } from '../../src/audit/security-report';

const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'sdl-mutations-')) });
examplePipeline(app);
const assembly = app.synth();
const synthesized = assembly.stacks.map((s) => ({ stack: s.stackName, templatePath: s.templateFullPath, template: s.template }));

type Templates = { [stack: string]: any };
const HIPAA = { name: 'HIPAA.Security', unacknowledged: [], acknowledged: 1 };

function reportOf(templates: Templates): any {
  return buildReport(synthesized.map((s) => ({ ...s, template: templates[s.stack] })), [HIPAA]);
}

const copy = (): Templates => Object.fromEntries(synthesized.map((s) => [s.stack, JSON.parse(JSON.stringify(s.template))]));

/** The resource whose logical id is `prefix` followed by CDK's hash, of the given type. */
function res(t: Templates, prefix: string, type?: string): any {
  for (const template of Object.values<any>(t)) {
    for (const [id, r] of Object.entries<any>(template.Resources ?? {})) {
      if (new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id) && (!type || r.Type === type)) return r;
    }
  }
  throw new Error(`no resource ${prefix} ${type ?? ''}`);
}

/** The logical id of that resource, for references. */
function idOf(t: Templates, prefix: string, type?: string): string {
  const r = res(t, prefix, type);
  for (const template of Object.values<any>(t)) {
    for (const [id, x] of Object.entries<any>(template.Resources ?? {})) if (x === r) return id;
  }
  throw new Error(prefix);
}

/** An IAM ARN of this account, as the library writes them (`arn:${AWS::Partition}:iam::${AWS::AccountId}:<resource>`). */
const thisAccount = (resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${resource}` });
const arnOf = (t: Templates, prefix: string) => ({ 'Fn::GetAtt': [idOf(t, prefix, 'AWS::IAM::Role'), 'Arn'] });
const statementsOf = (policy: any): any[] => {
  const p = policy.Properties;
  return (p.PolicyDocument ?? p.ResourcePolicy ?? p.KeyPolicy).Statement;
};
const sid = (policy: any, id: string): any => {
  const s = statementsOf(policy).find((x) => x.Sid === id || (x.Sid ?? '').startsWith(id));
  if (!s) throw new Error(`no statement ${id}`);
  return s;
};
const bucketPolicy = (t: Templates, bucket: string) => res(t, `${bucket}Policy`, 'AWS::S3::BucketPolicy');
/** A customer-managed policy of a role, found by the start of its logical id. */
function managed(t: Templates, prefix: string): any {
  for (const template of Object.values<any>(t)) {
    for (const [id, r] of Object.entries<any>(template.Resources ?? {})) if (id.startsWith(prefix) && r.Type === 'AWS::IAM::ManagedPolicy') return r;
  }
  throw new Error(`no managed policy ${prefix}`);
}
const list = (x: any): any[] => (Array.isArray(x) ? x : [x]);
const tamperRules = (t: Templates) => Object.values<any>(t).flatMap((x) => Object.values<any>(x.Resources))
  .filter((r) => r.Type === 'AWS::Events::Rule' && list(r.Properties.EventPattern?.['detail-type']).includes('AWS API Call via CloudTrail'));

interface Mutation {
  readonly control: string;
  readonly description: string;
  readonly mutate: (t: Templates) => void;
}

const MUTATIONS: Mutation[] = [
  // The five mutations that fooled the presence-based report.
  {
    control: 'SDL-S3-01',
    description: 'the perimeter admits * and denies one harmless action',
    mutate: (t) => {
      const s = sid(bucketPolicy(t, 'Raw'), 'DataPerimeter');
      s.Condition.ArnNotLikeIfExists['aws:PrincipalArn'] = ['*'];
      s.Action = 's3:GetObjectTorrent';
    },
  },
  {
    control: 'SDL-S3-04',
    description: 'the encryption denies become Allows with a never-true condition',
    mutate: (t) => {
      for (const id of ['DenyEncryptionOtherThanKms', 'DenyKmsKeyOtherThanBucketKey', 'DenyKmsWithoutKeyId']) {
        const s = sid(bucketPolicy(t, 'Curated'), id);
        s.Effect = 'Allow';
        s.Condition = { ...s.Condition, StringEquals: { ...(s.Condition.StringEquals ?? {}), 'aws:PrincipalAccount': '000000000000' } };
      }
    },
  },
  {
    control: 'SDL-LOG-02',
    description: 'the trail is switched off and records another bucket',
    mutate: (t) => {
      const trail = res(t, 'CustomersTrail', 'AWS::CloudTrail::Trail');
      trail.Properties.IsLogging = false;
      trail.Properties.AdvancedEventSelectors[0].FieldSelectors.find((f: any) => f.Field === 'resources.ARN').StartsWith = ['arn:aws:s3:::some-other-bucket/'];
    },
  },
  {
    control: 'SDL-CMP-03',
    description: 'every alert rule is disabled and watches a call that does not exist',
    mutate: (t) => {
      for (const r of tamperRules(t)) {
        r.Properties.State = 'DISABLED';
        r.Properties.EventPattern.detail.eventName = ['NoSuchCall'];
      }
    },
  },
  {
    control: 'SDL-SEC-03',
    description: 'the pseudonymization key rotates every ten years',
    mutate: (t) => { res(t, 'CustomersPseudonymKeyRotation', 'AWS::SecretsManager::RotationSchedule').Properties.RotationRules = { ScheduleExpression: 'rate(3650 days)' }; },
  },
  // One (or more) per control.
  {
    control: 'SDL-IAM-01',
    description: 'the job role may write to its source',
    mutate: (t) => { statementsOf(managed(t, 'CustomersJobRoleSecureDeltaLakeAccessSecureDeltaLakeDataRaw')).find((s) => s.Action === 's3:GetObject').Action = ['s3:GetObject', 's3:Put*']; },
  },
  {
    control: 'SDL-IAM-02',
    description: 'the job role may delete the table\'s data files (through a wildcard)',
    mutate: (t) => {
      const s = statementsOf(managed(t, 'CustomersJobRoleSecureDeltaLakeAccessSecureDeltaLakeDataCurated')).find((x) => list(x.Action).includes('s3:PutObject'));
      s.Action = [...list(s.Action), 's3:Delete*'];
    },
  },
  {
    control: 'SDL-IAM-03',
    description: 'the job may write to every log group',
    mutate: (t) => { statementsOf(res(t, 'CustomersJobPolicy')).find((s) => list(s.Action).includes('logs:PutLogEvents')).Resource = '*'; },
  },
  {
    control: 'SDL-IAM-04',
    description: 'the job role holds glue:* (it could swap its own script)',
    mutate: (t) => { statementsOf(res(t, 'CustomersJobPolicy')).push({ Effect: 'Allow', Action: 'glue:*', Resource: '*' }); },
  },
  {
    control: 'SDL-IAM-05',
    description: 'a role carries an AWS managed policy',
    mutate: (t) => { res(t, 'Analysts', 'AWS::IAM::Role').Properties.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess']; },
  },
  {
    control: 'SDL-IAM-05',
    description: 'a role may rewrite any role\'s permissions',
    mutate: (t) => { statementsOf(res(t, 'CustomersJobPolicy')).push({ Effect: 'Allow', Action: 'iam:Put*', Resource: '*' }); },
  },
  {
    control: 'SDL-S3-01',
    description: 'the perimeter no longer covers object reads',
    mutate: (t) => {
      const s = sid(bucketPolicy(t, 'Curated'), 'DataPerimeter');
      s.Action = list(s.Action).filter((a: string) => !a.startsWith('s3:GetObject'));
    },
  },
  {
    control: 'SDL-S3-01',
    description: 'the perimeter applies to AWS services only',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'DataPerimeter').Condition.BoolIfExists['aws:PrincipalIsAWSService'] = 'true'; },
  },
  {
    control: 'SDL-S3-01',
    description: 'the perimeter gains a condition that never holds',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'DataPerimeter').Condition.StringEquals = { 'aws:PrincipalAccount': '000000000000' }; },
  },
  {
    control: 'SDL-S3-03',
    description: 'the perimeter no longer covers writes and deletes',
    mutate: (t) => {
      const s = sid(bucketPolicy(t, 'Curated'), 'DataPerimeter');
      s.Action = list(s.Action).filter((a: string) => !/^s3:(PutObject|DeleteObject)/.test(a));
    },
  },
  {
    control: 'SDL-S3-03',
    description: 'every role of the account may change the bucket configuration (and remove the perimeter)',
    mutate: (t) => { sid(bucketPolicy(t, 'Curated'), 'DenyConfigurationChanges').Condition.ArnNotLike['aws:PrincipalArn'] = ['arn:aws:iam::*:role/*']; },
  },
  // Wildcards that look like named principals (review finding F8): each admits outsiders.
  {
    control: 'SDL-S3-01',
    description: 'the perimeter allow-list gains every role on the path role/platform/',
    mutate: (t) => { sid(bucketPolicy(t, 'Curated'), 'DataPerimeter').Condition.ArnNotLikeIfExists['aws:PrincipalArn'].push(thisAccount('role/platform/*')); },
  },
  {
    control: 'SDL-S3-01',
    description: 'the perimeter admits the library\'s role path in every account',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'DataPerimeter').Condition.ArnNotLikeIfExists['aws:PrincipalArn'] = ['arn:aws:iam::*:role/cdk-secure-delta-lake/*']; },
  },
  {
    control: 'SDL-S3-01',
    description: 'the perimeter admits the library\'s role path of another account',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'DataPerimeter').Condition.ArnNotLikeIfExists['aws:PrincipalArn'].push('arn:aws:iam::222222222222:role/cdk-secure-delta-lake/*'); },
  },
  {
    control: 'SDL-S3-01',
    description: 'the perimeter admits every user of the account',
    mutate: (t) => { sid(bucketPolicy(t, 'Curated'), 'DataPerimeter').Condition.ArnNotLikeIfExists['aws:PrincipalArn'].push(thisAccount('user/*')); },
  },
  {
    control: 'SDL-S3-01',
    description: 'the perimeter admits roles whose name starts with a word (role/data*)',
    mutate: (t) => { sid(bucketPolicy(t, 'Curated'), 'DataPerimeter').Condition.ArnNotLikeIfExists['aws:PrincipalArn'].push(thisAccount('role/data*')); },
  },
  {
    control: 'SDL-S3-03',
    description: 'the configuration deny\'s administrators gain every role on the path role/platform/',
    mutate: (t) => { sid(bucketPolicy(t, 'Curated'), 'DenyConfigurationChanges').Condition.ArnNotLike['aws:PrincipalArn'].push(thisAccount('role/platform/*')); },
  },
  {
    control: 'SDL-S3-03',
    description: 'the configuration deny\'s administrators gain the library\'s data roles',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'DenyConfigurationChanges').Condition.ArnNotLike['aws:PrincipalArn'].push(thisAccount('role/cdk-secure-delta-lake/*')); },
  },
  {
    control: 'SDL-S3-03',
    description: 'the configuration deny\'s administrators gain a role of another account',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'DenyConfigurationChanges').Condition.ArnNotLike['aws:PrincipalArn'].push('arn:aws:iam::222222222222:role/admin*'); },
  },
  {
    control: 'SDL-DELTA-02',
    description: 'the quarantine read fence gains every role on the path role/platform/',
    mutate: (t) => { sid(bucketPolicy(t, 'Curated'), 'FenceReads').Condition.ArnNotLikeIfExists['aws:PrincipalArn'].push(thisAccount('role/platform/*')); },
  },
  {
    control: 'SDL-DELTA-02',
    description: 'the source read fence admits the library\'s role path (every data role)',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'FenceReads').Condition.ArnNotLikeIfExists['aws:PrincipalArn'].push(thisAccount('role/cdk-secure-delta-lake/*')); },
  },
  {
    control: 'SDL-SEC-02',
    description: 'the pseudonymization key\'s readers gain every role on a path',
    mutate: (t) => {
      const s = sid(res(t, 'CustomersPseudonymKeyPolicy', 'AWS::SecretsManager::ResourcePolicy'), 'DenyReadingOutsideTheJobAndRotation');
      s.Condition.ArnNotLike['aws:PrincipalArn'] = [...list(s.Condition.ArnNotLike['aws:PrincipalArn']), thisAccount('role/sdl-analytics/*')];
    },
  },
  {
    control: 'SDL-S3-02',
    description: 'a lake bucket allows public policies',
    mutate: (t) => { res(t, 'Curated', 'AWS::S3::Bucket').Properties.PublicAccessBlockConfiguration.BlockPublicPolicy = false; },
  },
  {
    control: 'SDL-S3-04',
    description: 'uploads with a customer-provided key (SSE-C) are no longer denied',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'DenySseC').Effect = 'Allow'; },
  },
  {
    control: 'SDL-S3-04',
    description: 'the key-id deny names another key',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'DenyKmsKeyOtherThanBucketKey').Condition.StringNotEquals['s3:x-amz-server-side-encryption-aws-kms-key-id'] = 'arn:aws:kms:eu-west-1:999999999999:key/other'; },
  },
  {
    control: 'SDL-GLUE-01',
    description: 'the job role is trusted by Lambda as well',
    mutate: (t) => { res(t, 'CustomersJobRole', 'AWS::IAM::Role').Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service = ['glue.amazonaws.com', 'lambda.amazonaws.com']; },
  },
  {
    control: 'SDL-GLUE-02',
    description: 'a run may replace --extra-py-files (code of its choosing)',
    mutate: (t) => {
      const job = res(t, 'CustomersJob', 'AWS::Glue::Job').Properties;
      delete job.NonOverridableArguments['--extra-py-files'];
    },
  },
  {
    control: 'SDL-GLUE-02',
    description: 'a run may replace the job\'s managed arguments',
    mutate: (t) => {
      const job = res(t, 'CustomersJob', 'AWS::Glue::Job').Properties;
      job.DefaultArguments = { '--table-uri': job.NonOverridableArguments['--table-uri'] };
      delete job.NonOverridableArguments['--table-uri'];
    },
  },
  {
    control: 'SDL-GLUE-02',
    description: 'the job role reads the whole staging bucket',
    mutate: (t) => {
      const s = statementsOf(res(t, 'CustomersJobPolicy')).find((x) => x.Action === 's3:GetObject');
      s.Resource = [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, '/*']] }];
    },
  },
  {
    control: 'SDL-GLUE-03',
    description: 'the security configuration leaves logs unencrypted',
    mutate: (t) => { res(t, 'CustomersJobSecurityConfiguration').Properties.EncryptionConfiguration.CloudWatchEncryption.CloudWatchEncryptionMode = 'DISABLED'; },
  },
  {
    control: 'SDL-DELTA-01',
    description: 'the curated bucket encrypts with SSE-S3',
    mutate: (t) => { res(t, 'Curated', 'AWS::S3::Bucket').Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault = { SSEAlgorithm: 'AES256' }; },
  },
  {
    control: 'SDL-DELTA-02',
    description: 'the quarantine read fence applies to AWS services only',
    mutate: (t) => { sid(bucketPolicy(t, 'Curated'), 'FenceReads').Condition.BoolIfExists['aws:PrincipalIsAWSService'] = 'true'; },
  },
  {
    control: 'SDL-DELTA-02',
    description: 'the source write fence admits every role',
    mutate: (t) => { sid(bucketPolicy(t, 'Raw'), 'FenceWrites').Condition.ArnNotLikeIfExists['aws:PrincipalArn'] = ['arn:*:iam::*:role/*']; },
  },
  {
    control: 'SDL-DELTA-02',
    description: 'the analysts carry the quarantine fence\'s tag',
    mutate: (t) => {
      const fence = sid(bucketPolicy(t, 'Curated'), 'FenceReads');
      const key = Object.keys(fence.Condition.StringNotEqualsIfExists)[0].replace('aws:PrincipalTag/', '');
      const role = res(t, 'Analysts', 'AWS::IAM::Role').Properties;
      role.Tags = [...(role.Tags ?? []), { Key: key, Value: 'read' }];
    },
  },
  {
    control: 'SDL-ENC-01',
    description: 'the lake key is deleted with its stack',
    mutate: (t) => { res(t, 'CuratedKey', 'AWS::KMS::Key').DeletionPolicy = 'Delete'; },
  },
  {
    control: 'SDL-ENC-01',
    description: 'the lake key does not rotate',
    mutate: (t) => { res(t, 'RawKey', 'AWS::KMS::Key').Properties.EnableKeyRotation = false; },
  },
  {
    control: 'SDL-ENC-02',
    description: 'the TLS deny applies only to requests over TLS',
    mutate: (t) => { statementsOf(bucketPolicy(t, 'Raw')).find((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false').Condition.Bool['aws:SecureTransport'] = 'true'; },
  },
  {
    control: 'SDL-LOG-01',
    description: 'the job\'s logs are kept 30 days',
    mutate: (t) => { res(t, 'CustomersJobOutputLogs', 'AWS::Logs::LogGroup').Properties.RetentionInDays = 30; },
  },
  {
    control: 'SDL-LOG-02',
    description: 'the trail is switched off',
    mutate: (t) => { res(t, 'CustomersTrail', 'AWS::CloudTrail::Trail').Properties.IsLogging = false; },
  },
  {
    control: 'SDL-LOG-02',
    description: 'the trail records read-only events only',
    mutate: (t) => { res(t, 'CustomersTrail', 'AWS::CloudTrail::Trail').Properties.AdvancedEventSelectors[0].FieldSelectors.push({ Field: 'readOnly', Equals: ['true'] }); },
  },
  {
    control: 'SDL-LOG-02',
    description: 'any trail may write into the trail bucket',
    mutate: (t) => { sid(bucketPolicy(t, 'CustomersTrailBucket'), 'DenyCloudTrailWritesOfOtherTrails').Condition.StringNotEquals['aws:SourceArn'] = '*'; },
  },
  {
    control: 'SDL-LOG-02',
    description: 'the governance retention of the log files can be bypassed',
    mutate: (t) => { sid(bucketPolicy(t, 'CustomersTrailBucket'), 'DenyGovernanceBypass').Effect = 'Allow'; },
  },
  {
    control: 'SDL-LOG-02',
    description: 'the trail\'s log group keeps 90 days',
    mutate: (t) => { res(t, 'CustomersTrailLogs', 'AWS::Logs::LogGroup').Properties.RetentionInDays = 90; },
  },
  {
    control: 'SDL-LOG-03',
    description: 'the raw bucket sends no events to EventBridge',
    mutate: (t) => { res(t, 'Raw', 'AWS::S3::Bucket').Properties.NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled = false; },
  },
  {
    control: 'SDL-SEC-01',
    description: 'the pseudonymization key is passed by value',
    mutate: (t) => { res(t, 'CustomersJob', 'AWS::Glue::Job').Properties.NonOverridableArguments['--pseudonym-key'] = 'c2VjcmV0LWtleS12YWx1ZQ=='; },
  },
  {
    control: 'SDL-SEC-02',
    description: 'the analysts may read the pseudonymization key',
    mutate: (t) => {
      const s = sid(res(t, 'CustomersPseudonymKeyPolicy', 'AWS::SecretsManager::ResourcePolicy'), 'DenyReadingOutsideTheJobAndRotation');
      s.Condition.ArnNotLike['aws:PrincipalArn'] = [...list(s.Condition.ArnNotLike['aws:PrincipalArn']), arnOf(t, 'Analysts')];
    },
  },
  {
    control: 'SDL-SEC-02',
    description: 'anyone may decrypt with the secret\'s key',
    mutate: (t) => { sid(res(t, 'CustomersPseudonymKey', 'AWS::KMS::Key'), 'DenyDecryptOutsideTheSecretsReaders').Effect = 'Allow'; },
  },
  {
    control: 'SDL-SEC-02',
    description: 'the job role reads every secret',
    mutate: (t) => { statementsOf(res(t, 'CustomersJobPolicy')).find((s) => s.Action === 'secretsmanager:GetSecretValue').Resource = '*'; },
  },
  {
    control: 'SDL-SEC-03',
    description: 'the data engineers may cancel the rotation',
    mutate: (t) => {
      const s = sid(res(t, 'CustomersPseudonymKeyPolicy', 'AWS::SecretsManager::ResourcePolicy'), 'DenyManagementOutsideAdministrators');
      s.Condition.ArnNotLike['aws:PrincipalArn'] = [...list(s.Condition.ArnNotLike['aws:PrincipalArn']), arnOf(t, 'DataEngineers')];
    },
  },
  {
    control: 'SDL-ACC-01',
    description: 'the data engineers may start the job directly, with run arguments of their own',
    mutate: (t) => {
      statementsOf(managed(t, 'DataEngineersSecureDeltaLakeTableOperate')).push({
        Effect: 'Allow',
        Action: 'glue:StartJobRun',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':job/', { Ref: idOf(t, 'CustomersJob', 'AWS::Glue::Job') }]] },
      });
    },
  },
  {
    control: 'SDL-ACC-01',
    description: 'the data engineers operate every workflow',
    mutate: (t) => { statementsOf(managed(t, 'DataEngineersSecureDeltaLakeTableOperate'))[0].Resource = '*'; },
  },
  {
    control: 'SDL-ACC-02',
    description: 'the job role may write the pseudonymization key',
    mutate: (t) => {
      const s = sid(res(t, 'CustomersPseudonymKeyPolicy', 'AWS::SecretsManager::ResourcePolicy'), 'DenyWritingOutsideRotation');
      s.Condition.ArnNotLike['aws:PrincipalArn'] = [...list(s.Condition.ArnNotLike['aws:PrincipalArn']), arnOf(t, 'CustomersJobRole')];
    },
  },
  {
    control: 'SDL-ACC-02',
    description: 'the secret\'s key policy may be changed by anyone',
    mutate: (t) => {
      const key = res(t, 'CustomersPseudonymKey', 'AWS::KMS::Key');
      key.Properties.KeyPolicy.Statement = statementsOf(key).filter((s) => s.Sid !== 'DenyKeyAdministrationOutsideAdministrators');
    },
  },
  {
    control: 'SDL-ACC-03',
    description: 'the analysts read the whole curated bucket (the quarantine included)',
    mutate: (t) => {
      const s = statementsOf(managed(t, 'AnalystsSecureDeltaLakeAccessSecureDeltaLakeDataCurated')).find((x) => x.Action === 's3:GetObject');
      s.Resource = { 'Fn::Join': ['', [JSON.parse(JSON.stringify(s.Resource['Fn::Join'][1][0])), '/*']] };
    },
  },
  {
    control: 'SDL-CMP-01',
    description: 'the job records no schema hash (no lineage)',
    mutate: (t) => { delete res(t, 'CustomersJob', 'AWS::Glue::Job').Properties.NonOverridableArguments['--schema-hash']; },
  },
  {
    control: 'SDL-CMP-01',
    description: 'the PII columns are not pseudonymized',
    mutate: (t) => { delete res(t, 'CustomersJob', 'AWS::Glue::Job').Properties.NonOverridableArguments['--pseudonym-key']; },
  },
  {
    control: 'SDL-CMP-02',
    description: 'the raw bucket keeps no access log',
    mutate: (t) => { delete res(t, 'Raw', 'AWS::S3::Bucket').Properties.LoggingConfiguration; },
  },
  {
    control: 'SDL-CMP-03',
    description: 'the tamper alerts publish nowhere',
    mutate: (t) => { for (const r of tamperRules(t)) r.Properties.Targets = []; },
  },
  {
    control: 'SDL-CMP-03',
    description: 'the bucket rule no longer watches PutBucketPolicy',
    mutate: (t) => {
      const r = tamperRules(t).find((x) => list(x.Properties.EventPattern.source).includes('aws.s3'));
      r.Properties.EventPattern.detail.eventName = r.Properties.EventPattern.detail.eventName.filter((n: string) => n !== 'PutBucketPolicy');
    },
  },
  {
    control: 'SDL-CMP-03',
    description: 'the alarms\' actions are disabled',
    mutate: (t) => {
      for (const r of Object.values<any>(t).flatMap((x) => Object.values<any>(x.Resources)).filter((x) => x.Type === 'AWS::CloudWatch::Alarm')) r.Properties.ActionsEnabled = false;
    },
  },
];

const baseline = reportOf(copy());

describe('the security report over the example app, unmutated', () => {
  test('every TEMPLATE control is proven and every RUNTIME control needs runtime verification', () => {
    expect(baseline.controls.map((c: any) => ({ id: c.id, status: c.status, problems: c.problems }))).toEqual(SecurityControls.all().map((c) => ({
      id: c.id, status: c.verification === ControlVerification.RUNTIME ? 'needs-runtime-verification' : 'proven', problems: [],
    })));
  });

  test('it lists the residual risks, the same list the library exports', () => {
    expect(baseline.residualRisks).toEqual(RESIDUAL_RISKS);
    expect(baseline.residualRisks.map((r: any) => r.id)).toEqual(expect.arrayContaining(['iam-star-principals', 'account-root', 'named-administrators', 'run-overrides']));
  });
});

describe('mutations', () => {
  test('every control of the registry has at least one mutation, and every mutation names a control of the registry', () => {
    const ids = SecurityControls.all().map((c) => c.id);
    expect(ids.filter((id) => !MUTATIONS.some((m) => m.control === id))).toEqual([]);
    expect(MUTATIONS.map((m) => m.control).filter((id) => !ids.includes(id))).toEqual([]);
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(ids.length + 5);
  });

  test.each(MUTATIONS.map((m) => [m.control, m.description, m] as const))('%s is missing when %s', (control, _description, m) => {
    const templates = copy();
    m.mutate(templates);
    const c = reportOf(templates).controls.find((x: any) => x.id === control);
    expect({ id: c.id, status: c.status }).toEqual({ id: control, status: 'missing' });
    expect(c.problems.length).toBeGreaterThan(0);
  });
});
