/**
 * Who may do what: the access matrix (each principal's allowed actions by resource, from its
 * identity policies) and the readers of each table's data, quarantine and source (identity policies
 * and the bucket perimeter, through the evidence's `canRead`).
 */
import { Facts, canRead } from './evidence';
import { ModelResource, TemplateModel, render } from './template-model';

/** The roles and users of the templates. */
export function principals(m: TemplateModel): ModelResource[] {
  return [...m.ofType('AWS::IAM::Role'), ...m.ofType('AWS::IAM::User')];
}

/** Each principal's allowed actions, by resource. */
export function accessMatrix(f: Facts): any[] {
  const rows: any[] = [];
  for (const p of principals(f.m)) {
    const byResource = new Map<string, Set<string>>();
    for (const s of f.m.identityStatements(p).statements) {
      if (s.effect !== 'Allow') continue;
      for (const r of s.resources) {
        const set = byResource.get(r) ?? new Set<string>();
        s.actions.forEach((a) => set.add(a));
        byResource.set(r, set);
      }
    }
    for (const [resource, actions] of [...byResource.entries()].sort()) rows.push({ principal: p.path, resource, actions: [...actions].sort() });
  }
  return rows;
}

/** Who reads each table's curated data, quarantine and source CSV. */
export function dataReaders(f: Facts): any[] {
  const out: any[] = [];
  for (const job of f.jobs) {
    const table = f.location(job, '--table-uri');
    const source = f.location(job, '--source-uri');
    const locations: Array<[string, string, string]> = [];
    if (table.bucketId) {
      locations.push(['curated data', table.bucketId, `${table.key}/data/part-00000.parquet`]);
      locations.push(['quarantine (raw records, PII in clear)', table.bucketId, `${table.key}/quarantine/part-00000.parquet`]);
    }
    if (source.bucketId) locations.push(['source CSV', source.bucketId, `${source.key}file.csv`]);
    for (const [what, bucketId, key] of locations) {
      const bucket = f.m.resources.find((r) => r.logicalId === bucketId && r.type === 'AWS::S3::Bucket');
      if (!bucket) continue;
      const readers = principals(f.m).filter((p) => canRead(f, p, bucket, key)).map((p) => p.path);
      out.push({ table: tableName(f, job), job: job.path, location: what, object: `${bucket.path}/${key}`, readers });
    }
  }
  return out;
}

/** The catalog name of a job's table (the Glue table at its `--table-uri`), else the last segment of that location. */
export function tableName(f: Facts, job: ModelResource): string {
  const { bucketId, key } = f.location(job, '--table-uri');
  const location = `s3://<${bucketId}>/${key}/data/`;
  const catalog = f.m.ofType('AWS::Glue::Table').find((t) => render(t.properties.TableInput?.StorageDescriptor?.Location).replace(/\/?$/, '/') === location);
  return catalog ? render(catalog.properties.TableInput.Name) : key.split('/').filter((x) => x).pop() ?? job.logicalId;
}
