/**
 * The example lake: three tables (customers with PII, orders, products) on one SecureDeltaLake.
 * The lake (zones, trail, alerts, pseudonymization key, database, dashboard) lives in one stack,
 * the tables in another, the people who use them in a third. Each reader reads its own table only.
 */
import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SCHEMA_FILE } from './pipeline';
import { ColumnType, LakeTable, PipelineTrigger, SecureDeltaLake, SecureDeltaLakeBucket, TableSchema } from '../../src';

export interface ExampleLake {
  readonly lakeStack: Stack;
  readonly tablesStack: Stack;
  readonly peopleStack: Stack;
  readonly lake: SecureDeltaLake;
  readonly tables: LakeTable[];
}

/** The stacks of the lake example, the Python twin (examples/python/lake_app.py) uses the same. */
export const LAKE_STACKS = ['SecureDeltaLakeSales', 'SecureDeltaLakeSalesTables', 'SecureDeltaLakeSalesPeople'];

export function exampleLake(app: App): ExampleLake {
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const lakeStack = new Stack(app, LAKE_STACKS[0], { env, description: 'Secure Delta Lake: the sales lake (zones, trail, alerts, catalog)' });
  const lake = new SecureDeltaLake(lakeStack, 'Lake', { lakeName: 'sales', alertEmails: ['data-platform@example.com'] });

  // The tables, in a stack of their own: adding one never changes the lake's stack.
  const tablesStack = new Stack(app, LAKE_STACKS[1], { env, description: 'Secure Delta Lake: the sales tables' });
  const customers = new LakeTable(tablesStack, 'Customers', {
    lake,
    tableName: 'customers',
    schema: TableSchema.fromJson(fs.readFileSync(SCHEMA_FILE, 'utf8')),
    trigger: PipelineTrigger.onObjectCreated({ batchSize: 10 }),
  });
  const orders = new LakeTable(tablesStack, 'Orders', {
    lake,
    tableName: 'orders',
    schema: TableSchema.of([
      { name: 'order_id', type: ColumnType.LONG, nullable: false },
      { name: 'customer_id', type: ColumnType.LONG, nullable: false },
      { name: 'amount', type: ColumnType.DECIMAL, precision: 12, scale: 2 },
    ]),
    trigger: PipelineTrigger.onSchedule('cron(0 2 * * ? *)'),
  });
  const products = new LakeTable(tablesStack, 'Products', {
    lake,
    tableName: 'products',
    schema: TableSchema.of([
      { name: 'product_id', type: ColumnType.LONG, nullable: false },
      { name: 'name', type: ColumnType.STRING },
    ]),
  });

  // People, through roles on the path the lake buckets admit across stacks.
  const peopleStack = new Stack(app, LAKE_STACKS[2], { env, description: 'Secure Delta Lake: who loads, operates and reads the sales tables' });
  const role = (id: string, description: string) => new iam.Role(peopleStack, id, {
    assumedBy: new iam.AccountRootPrincipal(),
    path: SecureDeltaLakeBucket.DATA_ACCESS_ROLE_PATH,
    description,
  });
  const producers = role('Producers', 'uploads the sales CSV files');
  const engineers = role('DataEngineers', 'operates the sales tables');
  for (const t of [customers, orders, products]) {
    lake.rawBucket.grantWrite(producers, t.sourcePrefix);
    t.grantOperate(engineers);
  }
  customers.grantRead(role('CustomerAnalysts', 'queries the customers table (pseudonymized)'));
  const sales = role('SalesAnalysts', 'queries the orders and products tables');
  orders.grantRead(sales);
  products.grantRead(sales);
  return { lakeStack, tablesStack, peopleStack, lake, tables: [customers, orders, products] };
}
