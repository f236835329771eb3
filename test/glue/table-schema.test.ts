import * as fs from 'fs';
import * as path from 'path';
import { ColumnType, TableColumn, TableSchema } from '../../src';

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'glue', 'job-script', 'golden', 'schema-vectors.json'), 'utf8'));

describe('TableSchema: the schema contract, golden vectors shared with the Python side', () => {
  test.each<[string, any]>(vectors.valid.map((v: any) => [v.name, v]))('valid: %s gives the recorded canonical JSON and hash', (_name, v: any) => {
    const schema = TableSchema.of(v.columns as TableColumn[]);
    expect(schema.toJson()).toBe(v.canonical);
    expect(schema.hash).toBe(v.hash);
    expect(schema.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each<[string, any]>(vectors.invalid.map((v: any) => [v.name, v]))('fails when the schema has %s', (_name, v: any) => {
    expect(() => TableSchema.of(v.columns as TableColumn[])).toThrow(v.error);
  });

  test('defaults are filled in: required, not PII, Spark date and timestamp formats', () => {
    const s = TableSchema.of([{ name: 'd', type: ColumnType.DATE }, { name: 't', type: ColumnType.TIMESTAMP }]);
    expect(s.columns).toEqual([
      expect.objectContaining({ name: 'd', nullable: false, pii: false, format: 'yyyy-MM-dd' }),
      expect.objectContaining({ name: 't', nullable: false, pii: false, format: 'yyyy-MM-dd HH:mm:ss' }),
    ]);
  });

  test('every problem is reported at once', () => {
    expect(() => TableSchema.of([{ name: '1', type: ColumnType.LONG, pii: true }])).toThrow(/2 problem\(s\):\n- .*name must be.*\n- .*pii is for string columns only/);
  });

  test('the hash changes with any change of the contract', () => {
    const a = TableSchema.of([{ name: 'a', type: ColumnType.STRING }]);
    const b = TableSchema.of([{ name: 'a', type: ColumnType.STRING, nullable: true }]);
    expect(a.hash).not.toBe(b.hash);
  });

  test.each<[string, any]>(vectors.valid.map((v: any) => [v.name, v]))('fromJson reads the canonical JSON of %s back to the same schema', (_name, v: any) => {
    expect(TableSchema.fromJson(v.canonical).toJson()).toBe(v.canonical);
  });

  test('fromJson reads the example schema file', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'data', 'customers.schema.json'), 'utf8');
    const schema = TableSchema.fromJson(text);
    expect(schema.columns.filter((c) => c.pii).map((c) => c.name)).toEqual(['email', 'full_name']);
  });

  test.each([
    ['not JSON', '{', /the schema is not JSON/],
    ['another version', '{"version":2,"columns":[]}', /a schema is an object with "version": 1 and a "columns" array/],
    ['an unknown key', '{"version":1,"columns":[{"name":"a","type":"string","piii":true}]}', /column 1: unknown key 'piii'/],
    ['an invalid column', '{"version":1,"columns":[{"name":"a","type":"money"}]}', /unknown type 'money'/],
  ])('fromJson fails on %s', (_name, text, message) => {
    expect(() => TableSchema.fromJson(text as string)).toThrow(message as RegExp);
  });
});

describe('the schema contract in both languages', () => {
  test('ColumnType has exactly the types of table-schema.schema.json, which the job script checks one by one (test_sdl_validate.py)', () => {
    const contract = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'glue', 'job-script', 'table-schema.schema.json'), 'utf8'));
    const types: string[] = contract.properties.columns.items.properties.type.enum;
    expect(Object.values(ColumnType).sort()).toEqual([...types].sort());
  });
});
