/**
 * The security report over a lake of three tables (the example lake, examples/ingestion-pipeline/lake.ts):
 * synthesized once through the report plugin with the cdk-nag packs, every control proven, no
 * unacknowledged finding, and the readers, the access matrix and the per-table controls cover
 * every table.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { exampleLake } from '../../examples/ingestion-pipeline/lake';
import { ControlVerification, SecurityControls, SecurityReport } from '../../src';
import { buildReport } from '../../src/audit/security-report';

const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'sdl-lake-report-')) });
const { lake, tables } = exampleLake(app);
const plugin = new SecurityReport({
  checks: [new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks(), new PCIDSS321Checks(), new ServerlessChecks()],
});
Validations.of(app).addPlugins(plugin);
const assembly = app.synth();
const report = JSON.parse(fs.readFileSync(plugin.writeReport(assembly.directory), 'utf8'));
const control = (id: string) => report.controls.find((c: any) => c.id === id);
const jobPath = (name: string) => `SecureDeltaLakeSalesTables/${name}/Job/Resource/Resource`;
const rolePath = (name: string) => `SecureDeltaLakeSalesTables/${name}/Job/Role/Resource`;
const person = (id: string) => `SecureDeltaLakeSalesPeople/${id}/Resource`;

describe('the security report of a lake with three tables', () => {
  test('every TEMPLATE control is proven and every RUNTIME control needs runtime verification', () => {
    expect(report.controls.map((c: any) => ({ id: c.id, status: c.status, problems: c.problems }))).toEqual(SecurityControls.all().map((c) => ({
      id: c.id, status: c.verification === ControlVerification.RUNTIME ? 'needs-runtime-verification' : 'proven', problems: [],
    })));
  });

  test('the cdk-nag packs report no unacknowledged finding, and each acknowledges something', () => {
    expect(report.compliance.checks.map((c: any) => `${c.name}: ${c.unacknowledged}`)).toEqual([
      'AwsSolutions: 0', 'HIPAA.Security: 0', 'NIST.800.53.R5: 0', 'PCI.DSS.321: 0', 'Serverless: 0',
    ]);
    for (const c of report.compliance.checks) {
      expect({ check: c.name, acknowledged: c.acknowledged > 0 }).toEqual({ check: c.name, acknowledged: true });
    }
    expect(report.summary.unacknowledgedFindings).toBe(0);
  });

  test('the per-table controls hold evidence for each of the three jobs', () => {
    expect(tables.map((t) => t.tableName)).toEqual(['customers', 'orders', 'products']);
    for (const id of ['SDL-IAM-01', 'SDL-IAM-02', 'SDL-GLUE-01', 'SDL-GLUE-02', 'SDL-GLUE-03', 'SDL-LOG-01', 'SDL-CMP-01']) {
      const paths = new Set(control(id).evidence.map((e: any) => e.path));
      expect({ id, jobs: ['Customers', 'Orders', 'Products'].filter((t) => paths.has(jobPath(t)) || [...paths].some((p: any) => p.startsWith(`SecureDeltaLakeSalesTables/${t}/`))) })
        .toEqual({ id, jobs: ['Customers', 'Orders', 'Products'] });
    }
  });

  test('the fences cover each table\'s source prefix and quarantine', () => {
    const fenced = control('SDL-DELTA-02').evidence.map((e: any) => e.property);
    for (const t of tables) {
      expect(fenced).toContain(`source ${t.sourcePrefix.replace(/\/$/, '')}/ reads`);
      expect(fenced).toContain(`quarantine ${t.tablePath}/quarantine/ reads`);
    }
  });

  test('the readers of each table\'s data, quarantine and source are computed per table: a reader reads its own tables only', () => {
    const readers = (table: string, location: string) => report.dataReaders
      .find((d: any) => d.job === jobPath(table) && d.location.startsWith(location))?.readers;
    expect(readers('Customers', 'curated data')).toEqual(expect.arrayContaining([rolePath('Customers'), person('CustomerAnalysts')]));
    expect(readers('Customers', 'curated data')).not.toContain(person('SalesAnalysts'));
    for (const t of ['Orders', 'Products']) {
      expect(readers(t, 'curated data')).toEqual(expect.arrayContaining([person('SalesAnalysts')]));
      expect(readers(t, 'curated data')).not.toContain(person('CustomerAnalysts'));
    }
    for (const t of ['Customers', 'Orders', 'Products']) expect(readers(t, 'quarantine')).toEqual([rolePath(t)]);
    expect(report.dataReaders).toHaveLength(9);
    expect(report.dataReaders.map((d: any) => d.table)).toEqual(['customers', 'customers', 'customers', 'orders', 'orders', 'orders', 'products', 'products', 'products']);
  });

  test('a section per table: its readers, its quarantine\'s readers, its operators and its own controls, all proven', () => {
    expect(report.tables.map((t: any) => t.table)).toEqual(['customers', 'orders', 'products']);
    const byName = Object.fromEntries(report.tables.map((t: any) => [t.table, t]));
    expect(byName.customers.dataReaders).toEqual([rolePath('Customers'), person('CustomerAnalysts')]);
    expect(byName.orders.dataReaders).toEqual([rolePath('Orders'), person('SalesAnalysts')]);
    expect(byName.products.dataReaders).toEqual([rolePath('Products'), person('SalesAnalysts')]);
    for (const [name, t] of Object.entries<any>(byName)) {
      const construct = name.charAt(0).toUpperCase() + name.slice(1);
      expect(t.quarantineReaders).toEqual([rolePath(construct)]);
      expect(t.operators).toEqual([person('DataEngineers')]);
      expect(t.controls.map((c: any) => c.id)).toEqual(expect.arrayContaining(['SDL-IAM-01', 'SDL-IAM-02', 'SDL-GLUE-02', 'SDL-LOG-01', 'SDL-CMP-01']));
      for (const c of t.controls) expect({ table: name, id: c.id, status: c.status }).toEqual({ table: name, id: c.id, status: expect.stringMatching(/^(proven|needs-runtime-verification)$/) });
    }
  });

  test('the access matrix has each table\'s job role and the people of every table', () => {
    const principalsOf = new Set(report.accessMatrix.map((r: any) => r.principal));
    for (const t of ['Customers', 'Orders', 'Products']) expect(principalsOf).toContain(rolePath(t));
    for (const p of ['Producers', 'DataEngineers', 'CustomerAnalysts', 'SalesAnalysts']) expect(principalsOf).toContain(person(p));
  });

  test('the lake shares one trail, one alert topic and one pseudonymization key over its three tables', () => {
    expect(control('SDL-LOG-02').evidence.filter((e: any) => e.property === 'logging')).toHaveLength(1);
    expect(lake.tableList).toHaveLength(3);
    expect(control('SDL-SEC-03').evidence.filter((e: any) => e.property === 'rotation')).toHaveLength(1);
  });

  test('a control broken for one table is missing for that table only, and for the app', () => {
    const templates = assembly.stacks.map((st) => ({
      stack: st.stackName, templatePath: st.templateFullPath, template: JSON.parse(JSON.stringify(st.template)),
    }));
    const tablesTemplate = templates.find((t) => t.stack === 'SecureDeltaLakeSalesTables')!.template;
    const job = Object.entries<any>(tablesTemplate.Resources).find(([id, r]) => r.Type === 'AWS::Glue::Job' && id.startsWith('OrdersJob'))![1];
    delete job.Properties.NonOverridableArguments['--extra-py-files'];
    // Construct paths, as the plugin reads them from the tree.
    const paths = new Map(app.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c))
      .map((c) => [`${Stack.of(c).templateFile}|${Stack.of(c).resolve(c.logicalId)}`, c.node.path]));
    const mutated = buildReport(templates, [{ name: 'HIPAA.Security', unacknowledged: [], acknowledged: 1 }], [], (t, id) => paths.get(`${path.basename(t ?? '')}|${id}`));
    const status = (table: string) => mutated.tables.find((t: any) => t.table === table).controls.find((c: any) => c.id === 'SDL-GLUE-02').status;
    expect({ customers: status('customers'), orders: status('orders'), products: status('products') })
      .toEqual({ customers: 'proven', orders: 'missing', products: 'proven' });
    expect(mutated.summary.missing).toEqual(['SDL-GLUE-02']);
  });
});
