/**
 * SecureDeltaLake and LakeTable: what one table adds, that tables in other stacks neither tie the
 * stacks in a cycle nor change the lake's resources, that each table's grants stay its own
 * (decided by the policy evaluator), and the quota checks.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AuditedPipeline, ColumnType, LakeTable, PipelineTrigger, SecureDeltaLake, SecureDeltaLakeBucket, TableSchema } from '../../src';
import { matchAll } from '../kit/event-ruler';
import { PolicyWorld } from '../kit/policy-kit';
import { problemAt, synthError } from '../kit/synth-error';

const env = { account: '111111111111', region: 'eu-west-1' };
const schema = TableSchema.of([
  { name: 'id', type: ColumnType.LONG, nullable: false },
  { name: 'email', type: ColumnType.STRING, pii: true },
]);
const plain = TableSchema.of([{ name: 'order_id', type: ColumnType.LONG }]);
const resourcesOf = (s: Stack) => Object.values(Template.fromStack(s).toJSON().Resources ?? {}) as any[];

// The lake in one stack, two tables in another, readers of each in a third; synthesized once.
const app = new App();
const lakeStack = new Stack(app, 'Lake', { env });
const lake = new SecureDeltaLake(lakeStack, 'Lake', { lakeName: 'sales', alertEmails: ['data-platform@example.com'] });
const tableStack = new Stack(app, 'Tables', { env });
const orders = new LakeTable(tableStack, 'Orders', { lake, tableName: 'orders', schema: plain });
const customers = new LakeTable(tableStack, 'Customers', {
  lake, tableName: 'customers', schema, trigger: PipelineTrigger.onSchedule('cron(0 2 * * ? *)'),
});
const people = new Stack(app, 'People', { env });
const role = (id: string) => new iam.Role(people, id, {
  assumedBy: new iam.AccountRootPrincipal(), path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH,
});
const ordersReader = role('OrdersReader');
const customersSteward = role('CustomersSteward');
const ordersOperator = role('OrdersOperator');
orders.grantRead(ordersReader);
customers.grantReadQuarantine(customersSteward);
customers.grantRead(customersSteward);
orders.grantOperate(ordersOperator);
const world = PolicyWorld.of(lakeStack, tableStack, people);
const curated = world.bucketArn(lake.curatedBucket.bucket);
const raw = world.bucketArn(lake.rawBucket.bucket);
const results = world.bucketArn(lake.queryResultsBucket.bucket);
const lakeTemplate = Template.fromStack(lakeStack);
const s3Context = (_bucket: string) => ({});

describe('SecureDeltaLake with tables in another stack', () => {
  test('one trail for the lake; the tables add none', () => {
    expect(resourcesOf(lakeStack).filter((r) => r.Type === 'AWS::CloudTrail::Trail')).toHaveLength(1);
    expect(resourcesOf(tableStack).filter((r) => r.Type === 'AWS::CloudTrail::Trail')).toHaveLength(0);
  });

  test('a table adds at most 15 resources: job and role (8), workflow and trigger, catalog table, workgroup, two alarms and its object-created rule', () => {
    const solo = new App();
    const ls = new Stack(solo, 'L', { env });
    const l = new SecureDeltaLake(ls, 'Lake', { lakeName: 'solo' });
    const ts = new Stack(solo, 'T', { env });
    new LakeTable(ts, 'Orders', { lake: l, tableName: 'orders', schema });
    const types = resourcesOf(ts).map((r) => r.Type).sort();
    expect(types.length).toBeLessThanOrEqual(15);
    // No key of its own (the lake's logs key), no tamper rule of its own (the lake's rules match its names).
    expect(types).toEqual([
      'AWS::Athena::WorkGroup', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Alarm', 'AWS::Events::Rule',
      'AWS::Glue::Job', 'AWS::Glue::SecurityConfiguration', 'AWS::Glue::Table', 'AWS::Glue::Trigger', 'AWS::Glue::Workflow',
      'AWS::IAM::ManagedPolicy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role',
      'AWS::Logs::LogGroup', 'AWS::Logs::LogGroup',
    ]);
  });

  test('the tables\' log groups and security configurations use the lake\'s logs key; CloudWatch Logs may use it for the lake\'s job log groups only', () => {
    const t = Template.fromStack(tableStack);
    const keyRef = lakeStack.resolve((lake.logsKey.node.defaultChild as any).logicalId);
    for (const g of Object.values<any>(t.findResources('AWS::Logs::LogGroup'))) {
      expect(g.Properties.LogGroupName).toMatch(/^\/aws-glue\/jobs\/sdl\/sales-(orders|customers)\/(output|error)$/);
      expect(JSON.stringify(g.Properties.KmsKeyId)).toContain(keyRef);
    }
    for (const c of Object.values<any>(t.findResources('AWS::Glue::SecurityConfiguration'))) {
      const enc = c.Properties.EncryptionConfiguration;
      expect(JSON.stringify(enc.CloudWatchEncryption.KmsKeyArn)).toContain(keyRef);
      expect(JSON.stringify(enc.JobBookmarksEncryption.KmsKeyArn)).toContain(keyRef);
    }
    const key = lakeTemplate.toJSON().Resources[keyRef];
    const logs = key.Properties.KeyPolicy.Statement.find((st: any) => st.Sid === 'AllowCloudWatchLogsForTheLakeJobLogGroups');
    expect(JSON.stringify(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(':log-group:/aws-glue/jobs/sdl/sales-*');
    t.resourceCountIs('AWS::KMS::Key', 0);
  });

  test('the orders job writes its own log groups only, not those of customers, and reads no log', async () => {
    const logArn = (t: LakeTable, g: string) => `arn:aws:logs:eu-west-1:111111111111:log-group:/aws-glue/jobs/sdl/${t.jobName}/${g}:log-stream:run-1`;
    const put = (t: LakeTable, g: string) => world.decide({ principal: world.roleArn(orders.job.role), action: 'logs:PutLogEvents', resource: logArn(t, g) });
    expect(await put(orders, 'output')).toBe('Allowed');
    expect(await put(orders, 'error')).toBe('Allowed');
    expect(await put(customers, 'output')).toBe('ImplicitlyDenied');
    expect(await put(customers, 'error')).toBe('ImplicitlyDenied');
    const read = await world.decide({ principal: world.roleArn(orders.job.role), action: 'logs:GetLogEvents', resource: logArn(customers, 'output') });
    expect(read).toBe('ImplicitlyDenied');
  });

  test('the lake stack references no table stack (no cycle): its template names no resource of the tables', () => {
    const json = JSON.stringify(lakeTemplate.toJSON());
    expect(json).not.toMatch(/Fn::ImportValue/);
    expect(app.synth().getStackByName('Lake').dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'))).toEqual([]);
  });

  test('every name of a table\'s job, role, workflow, trigger, security configuration, alarms, rules and policies starts with the lake name', () => {
    const t = Template.fromStack(tableStack).toJSON().Resources;
    const p = (r: any) => r.Properties ?? {};
    const names = Object.values<any>(t)
      .map((r) => p(r).Name ?? p(r).RoleName ?? p(r).AlarmName ?? p(r).ManagedPolicyName ?? p(r).SecurityConfigurationName)
      .filter((n) => typeof n === 'string');
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const n of names) expect(n.startsWith('sales-') || n === 'orders' || n === 'customers').toBe(true);
  });

  test('every customer-managed policy of the lake and its tables is named under the lake name (the policy-version rule matches the prefix)', () => {
    for (const t of [Template.fromStack(tableStack), lakeTemplate]) {
      // The grantees' policies are in the People stack, theirs to name.
      const policies = Object.entries<any>(t.findResources('AWS::IAM::ManagedPolicy'));
      expect(policies.length).toBeGreaterThan(0);
      for (const [id, r] of policies) expect([id, r.Properties.ManagedPolicyName?.startsWith?.('sales-')]).toEqual([id, true]);
    }
  });

  test('the lake\'s rules match every table by the name prefix', () => {
    const rules = lakeTemplate.findResources('AWS::Events::Rule');
    const byName = Object.fromEntries(Object.values<any>(rules).map((r) => [r.Properties.Name, r.Properties.EventPattern]));
    expect(byName['sales-JobRunFailed'].detail.jobName).toEqual([{ prefix: 'sales-' }]);
    expect(byName['sales-JobTampering'].detail.requestParameters.jobName).toEqual([{ prefix: 'sales-' }]);
    expect(byName['sales-GlueConfigurationTampering'].detail.requestParameters.name).toEqual([{ prefix: 'sales-' }]);
    expect(byName['sales-JobRunStartedByPrincipal'].detail.requestParameters.jobName).toEqual([{ prefix: 'sales-' }]);
    expect(byName['sales-JobTriggerTampering'].detail.$or[0].requestParameters.actions.jobName).toEqual([{ prefix: 'sales-' }]);
    expect(byName['sales-AlarmTampering'].detail.$or[0].requestParameters.alarmNames).toEqual([{ prefix: 'sales-' }]);
    for (const pattern of Object.values(byName)) expect(JSON.stringify(pattern).length).toBeLessThan(2048);
  });

  test('the lake\'s alerts, matched by Event Ruler: runs started by a principal, triggers, catalog changes, log groups and their data protection of any table, and each table\'s object-created rule', () => {
    // Resolved: the log-group rules name the trail's log group by reference.
    const rules = Object.values<any>(world.template(lakeStack).resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const patternOf = (name: string) => rules.find((r) => r.Properties.Name === `sales-${name}`)!.Properties.EventPattern;
    const jobNames = Object.values<any>(Template.fromStack(tableStack).findResources('AWS::Glue::Job')).map((j) => j.Properties.Name);
    const objectCreated = Object.values<any>(Template.fromStack(tableStack).findResources('AWS::Events::Rule'))
      .map((r) => r.Properties.Name).filter((n: string) => n.endsWith('-ObjectCreated'));
    expect(jobNames).toHaveLength(2);
    expect(objectCreated).toHaveLength(1);
    const call = (source: string, eventName: string, requestParameters: any, sourceIPAddress = '198.51.100.7') => ({
      'version': '0',
      'id': 'x',
      'detail-type': 'AWS API Call via CloudTrail',
      source,
      'account': env.account,
      'time': '2026-01-01T00:00:00Z',
      'region': env.region,
      'resources': [],
      'detail': { eventSource: `${source.slice(4)}.amazonaws.com`, eventName, sourceIPAddress, requestParameters, eventType: 'AwsApiCall' },
    });
    const cases: Array<[string, string, any, boolean]> = [
      ...jobNames.flatMap((jobName): Array<[string, string, any, boolean]> => [
        [`StartJobRun of ${jobName} by a principal, an unlocked argument only`, 'JobRunStartedByPrincipal',
          call('aws.glue', 'StartJobRun', { jobName, arguments: { '--TempDir': 's3://elsewhere/' } }), true],
        [`StartJobRun of ${jobName} by its workflow`, 'JobRunStartedByPrincipal', call('aws.glue', 'StartJobRun', { jobName }, 'glue.amazonaws.com'), false],
        [`CreateTrigger naming ${jobName}`, 'JobTriggerTampering', call('aws.glue', 'CreateTrigger', { name: 'x', type: 'ON_DEMAND', actions: [{ jobName }] }), true],
        [`UpdateTrigger naming ${jobName}`, 'JobTriggerTampering', call('aws.glue', 'UpdateTrigger', { name: 'x', triggerUpdate: { actions: [{ jobName }] } }), true],
        [`ResetJobBookmark of ${jobName}`, 'JobTampering', call('aws.glue', 'ResetJobBookmark', { jobName }), true],
      ]),
      ['StartJobRun of another job', 'JobRunStartedByPrincipal', call('aws.glue', 'StartJobRun', { jobName: 'finance-orders' }), false],
      ['CreateTrigger naming another job', 'JobTriggerTampering', call('aws.glue', 'CreateTrigger', { name: 'x', actions: [{ jobName: 'finance-orders' }] }), false],
      ['UpdateTable of a table of the lake', 'CatalogTableTampering',
        call('aws.glue', 'UpdateTable', { databaseName: lake.databaseName, tableInput: { name: 'orders', storageDescriptor: { location: 's3://elsewhere/' } } }), true],
      ['DeleteTable of a table of the lake, in upper case', 'CatalogTableTampering', call('aws.glue', 'DeleteTable', { databaseName: lake.databaseName.toUpperCase(), name: 'ORDERS' }), true],
      ['UpdateTable in another database', 'CatalogTableTampering', call('aws.glue', 'UpdateTable', { databaseName: 'finance', tableInput: { name: 'orders' } }), false],
      ...[orders, customers].flatMap((t): Array<[string, string, any, boolean]> => {
        const group = `/aws-glue/jobs/sdl/${t.jobName}/error`;
        const arn = `arn:aws:logs:${env.region}:${env.account}:log-group:${group}`;
        return [
          [`PutDataProtectionPolicy on ${group} by name`, 'LogProtectionTampering', call('aws.logs', 'PutDataProtectionPolicy', { logGroupIdentifier: group, policyDocument: '{}' }), true],
          [`DeleteDataProtectionPolicy on ${group} by ARN`, 'LogProtectionTampering', call('aws.logs', 'DeleteDataProtectionPolicy', { logGroupIdentifier: arn }), true],
          [`PutRetentionPolicy on ${group}`, 'LogGroupTampering', call('aws.logs', 'PutRetentionPolicy', { logGroupName: group, retentionInDays: 1 }), true],
          [`DeleteLogGroup of ${group}`, 'LogGroupTampering', call('aws.logs', 'DeleteLogGroup', { logGroupName: group }), true],
          [`PutSubscriptionFilter on ${group} by ARN`, 'LogGroupTampering', call('aws.logs', 'PutSubscriptionFilter', { resourceIdentifier: `${arn}:*` }), true],
        ];
      }),
      ['PutDataProtectionPolicy on another lake\'s job log group', 'LogProtectionTampering',
        call('aws.logs', 'PutDataProtectionPolicy', { logGroupIdentifier: '/aws-glue/jobs/sdl/finance-orders/error' }), false],
      ['DeleteLogGroup of another lake\'s job log group', 'LogGroupTampering', call('aws.logs', 'DeleteLogGroup', { logGroupName: '/aws-glue/jobs/sdl/finance-orders/error' }), false],
      ...['RuleTamperingA', 'RuleTamperingB'].flatMap((w): Array<[string, string, any, boolean]> => [
        [`DisableRule of a table's object-created rule (${w})`, w, call('aws.events', 'DisableRule', { name: objectCreated[0] }), true],
        [`PutTargets on a table's object-created rule (${w})`, w, call('aws.events', 'PutTargets', { rule: objectCreated[0], targets: [{ id: 'x', arn: 'arn:aws:events:eu-west-1:222222222222:event-bus/default' }] }), true],
      ]),
    ];
    const answers = matchAll(cases.map(([, rule, event]) => ({ pattern: patternOf(rule), event })));
    expect(cases.filter((c, i) => answers[i] !== c[3]).map((c) => c[0])).toEqual([]);
  });

  test('the lake\'s topic cannot be deleted, reopened, subscribed to or rewritten but by the administrators', async () => {
    const [t, id] = world.locate(lake.alertTopic);
    const topicArn = t.ref(id);
    const ask = (principal: string, action: string) => world.decide({
      principal,
      action,
      resource: topicArn,
      context: {},
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    });
    for (const action of ['sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:AddPermission', 'sns:RemovePermission', 'sns:Subscribe', 'sns:PutDataProtectionPolicy']) {
      expect(await ask(`arn:aws:iam::${env.account}:role/platform/broad-admin`, action)).toBe('ExplicitlyDenied');
      expect(await ask(`arn:aws:iam::${env.account}:role/cdk-hnb659fds-cfn-exec-role-${env.account}-${env.region}`, action)).toBe('Allowed');
    }
  });

  test('the topic admits the tables\' alarms by their exact ARNs', () => {
    const policy = Object.values<any>(lakeTemplate.findResources('AWS::SNS::TopicPolicy'))[0];
    const stmt = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'AllowCloudWatchAlarmsOfThisLake');
    const arns = JSON.stringify(stmt.Condition.ArnEquals['aws:SourceArn']);
    for (const name of [...orders.alarmNames, ...customers.alarmNames]) expect(arns).toContain(`:alarm:${name}`);
  });

  test('one pseudonymization key for the lake, readable by the job of the table with PII only', async () => {
    lakeTemplate.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const secretArn = world.template(lakeStack).ref(lakeStack.getLogicalId(lake.pseudonymKey!.node.defaultChild as any));
    const decide = (principal: string) => world.decide({ principal, action: 'secretsmanager:GetSecretValue', resource: secretArn });
    expect(await decide(world.roleArn(customers.job.role))).toBe('Allowed');
    expect(await decide(world.roleArn(orders.job.role))).not.toBe('Allowed');
  });

  test('the reader of orders reads orders, not customers, not the quarantine, not the raw files', async () => {
    const get = (resource: string) => world.decide({ principal: world.roleArn(ordersReader), action: 's3:GetObject', resource, context: s3Context(curated) });
    expect(await get(`${curated}/tables/orders/data/part-0.parquet`)).toBe('Allowed');
    expect(await get(`${curated}/tables/customers/data/part-0.parquet`)).not.toBe('Allowed');
    expect(await get(`${curated}/tables/orders/quarantine/part-0.parquet`)).not.toBe('Allowed');
    expect(await get(`${raw}/landing/orders/a.csv`)).not.toBe('Allowed');
  });

  test('the reader of orders queries through the orders workgroup only, and reads its results only', async () => {
    const wg = (name: string) => `arn:aws:athena:eu-west-1:111111111111:workgroup/${name}`;
    const q = (name: string) => world.decide({ principal: world.roleArn(ordersReader), action: 'athena:GetQueryResults', resource: wg(name) });
    expect(await q(orders.workGroupName)).toBe('Allowed');
    expect(await q(customers.workGroupName)).toBe('ImplicitlyDenied');
    const res = (name: string) => world.decide({ principal: world.roleArn(ordersReader), action: 's3:GetObject', resource: `${results}/athena-results/${name}/q.csv`, context: s3Context(results) });
    expect(await res(orders.workGroupName)).toBe('Allowed');
    expect(await res(customers.workGroupName)).not.toBe('Allowed');
  });

  test('the steward of customers reads the customers quarantine, not the orders quarantine (the fence)', async () => {
    const get = (resource: string) => world.decide({ principal: world.roleArn(customersSteward), action: 's3:GetObject', resource, context: s3Context(curated) });
    expect(await get(`${curated}/tables/customers/quarantine/part-0.parquet`)).toBe('Allowed');
    expect(await get(`${curated}/tables/orders/quarantine/part-0.parquet`)).not.toBe('Allowed');
  });

  test('the orders job reads its own landing prefix only and writes its own table only', async () => {
    const job = world.roleArn(orders.job.role);
    expect(await world.decide({ principal: job, action: 's3:GetObject', resource: `${raw}/landing/orders/a.csv`, context: s3Context(raw) })).toBe('Allowed');
    expect(await world.decide({ principal: job, action: 's3:GetObject', resource: `${raw}/landing/customers/a.csv`, context: s3Context(raw) })).not.toBe('Allowed');
    expect(await world.decide({ principal: job, action: 's3:PutObject', resource: `${curated}/tables/customers/data/x.parquet`, context: s3Context(curated) })).not.toBe('Allowed');
  });

  test('the operator of orders starts the orders workflow, not the customers one', async () => {
    const wf = (t: LakeTable) => `arn:aws:glue:eu-west-1:111111111111:workflow/${t.jobName}`;
    const start = (t: LakeTable) => world.decide({ principal: world.roleArn(ordersOperator), action: 'glue:StartWorkflowRun', resource: wf(t) });
    expect(await start(orders)).toBe('Allowed');
    expect(await start(customers)).toBe('ImplicitlyDenied');
  });
});

describe('SecureDeltaLake with 50 tables over several stacks', () => {
  // One synthesis for the block: the lake, then ten tables in each of five domain stacks.
  const big = new App();
  const bl = new Stack(big, 'Lake', { env });
  const blake = new SecureDeltaLake(bl, 'Lake', { lakeName: 'corp' });
  const domains: Stack[] = [];
  for (let d = 0; d < 5; d++) {
    const s = new Stack(big, `Domain${d}`, { env });
    domains.push(s);
    for (let i = 0; i < 10; i++) {
      new LakeTable(s, `T${i}`, { lake: blake, tableName: `d${d}_t${i}`, schema: i % 2 === 0 ? schema : plain });
    }
  }
  const assembly = big.synth();
  const counts = assembly.stacks.map((s) => Object.keys(s.template.Resources ?? {}).length);

  test('one trail in the app, no stack near 500 resources, no warning about quotas', () => {
    const trails = assembly.stacks.flatMap((s) => Object.values<any>(s.template.Resources).filter((r) => r.Type === 'AWS::CloudTrail::Trail'));
    expect(trails).toHaveLength(1);
    expect(Math.max(...counts)).toBeLessThan(400);
    for (const s of [bl, ...domains]) Annotations.fromStack(s).hasNoWarning('*', Match.stringLikeRegexp('quota|per stack'));
  });

  test('adding tables in other stacks keeps every resource of the lake stack (same logical ids and types)', () => {
    const one = new App();
    const ol = new Stack(one, 'Lake', { env });
    const olake = new SecureDeltaLake(ol, 'Lake', { lakeName: 'corp' });
    new LakeTable(new Stack(one, 'Domain0', { env }), 'T0', { lake: olake, tableName: 'd0_t0', schema });
    const before = Template.fromStack(ol).toJSON().Resources;
    const after = assembly.getStackByName('Lake').template.Resources;
    for (const [id, r] of Object.entries<any>(before)) {
      expect(after[id]?.Type).toBe(r.Type);
      // Properties that replace a resource when they change stay as they are.
      for (const p of ['BucketName', 'TrailName', 'TopicName', 'QueueName', 'Name', 'KeySpec']) {
        expect(JSON.stringify(after[id].Properties?.[p])).toBe(JSON.stringify(r.Properties?.[p]));
      }
    }
  });
});

describe('SecureDeltaLake quota and prop checks', () => {
  test('fails when the app would create more trails than CloudTrail allows in a region, naming the limit and the fix', () => {
    const a = new App();
    const s = new Stack(a, 'S', { env });
    for (let i = 0; i < 5; i++) new AuditedPipeline(s, `P${i}`, { tableName: `t${i}`, schema: plain });
    new SecureDeltaLake(s, 'Lake', { lakeName: 'late' });
    expect(() => a.synth()).toThrow(/CloudTrail allows 5 trails per region.*one SecureDeltaLake/s);
  });

  test('fails when a table name is used twice in a lake', () => {
    const a = new App();
    const s = new Stack(a, 'S', { env });
    const l = new SecureDeltaLake(s, 'Lake', { lakeName: 'dup' });
    l.addTable('A', { tableName: 'orders', schema: plain });
    expect(synthError(() => l.addTable('B', { tableName: 'orders', schema: plain }))).toMatch(problemAt('S/Lake/B', /the lake dup already has a table named 'orders'/));
  });

  test('fails on a bad lake name and a bad database name at once', () => {
    const s = new Stack(new App(), 'S', { env });
    const message = synthError(() => new SecureDeltaLake(s, 'Lake', { lakeName: 'Bad_Name', databaseName: 'x-y' }));
    expect(message).toMatch(problemAt('S/Lake', /lakeName 'Bad_Name'/));
    expect(message).toMatch(problemAt('S/Lake', /databaseName 'x-y'/));
  });

  test('fails when the app creates more Glue jobs than the account allows', () => {
    const a = new App();
    const s = new Stack(a, 'S', { env });
    const l = new SecureDeltaLake(s, 'Lake', { lakeName: 'jobs', glueJobQuota: 1 });
    l.addTable('A', { tableName: 'a', schema: plain });
    l.addTable('B', { tableName: 'b', schema: plain });
    expect(() => a.synth()).toThrow(/2 Glue jobs: the account allows 1 \(glueJobQuota\)/);
  });

  test('warns when a stack of the lake passes 80% of the 500 resources', () => {
    const a = new App();
    const s = new Stack(a, 'S', { env });
    const l = new SecureDeltaLake(s, 'Lake', { lakeName: 'full' });
    for (let i = 0; i < 27; i++) l.addTable(`T${i}`, { tableName: `t${i}`, schema: plain, trigger: PipelineTrigger.onDemand() });
    a.synth();
    Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp('above 80% of CloudFormation\'s 500 per stack; add further tables in another stack'));
  });
});
