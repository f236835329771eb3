/**
 * The report's per-table view: each table's readers and operators, and the status of each control
 * over the table's own resources.
 */
import { dataReaders, principals, tableName } from './access-matrix';
import { Facts } from './evidence';
import { ModelResource, allows } from './template-model';
import { ControlVerification } from '../controls/security-controls';

/**
 * One entry per table (per job) of the app: who reads its data, its quarantine and its source,
 * who operates it, and the status of each control over its own resources (the resources under the
 * construct that owns the job), so a control that holds for one table and not another shows where.
 */
export function tablesOf(f: Facts, controls: Array<{ id: string; verification: ControlVerification; evidence: any[]; problems: string[] }>): any[] {
  const readers = dataReaders(f);
  return f.jobs.map((job) => {
    const role = f.roleOf(job);
    // The construct that owns the job (a table, a pipeline) owns the table's resources; without construct paths, the job and its role.
    const scopes = job.path.includes('/Job/') ? [job.path.slice(0, job.path.lastIndexOf('/Job/') + 1)] : [job.path, ...(role ? [role.path] : [])];
    const under = (x: string) => scopes.some((scope) => x.startsWith(scope));
    const rows = readers.filter((d) => d.job === job.path);
    const at = (what: string) => rows.find((d) => d.location.startsWith(what))?.readers ?? [];
    const workflows = f.m.ofType('AWS::Glue::Trigger').filter((t) => (t.properties.Actions ?? []).some((a: any) => f.m.target(t, a.JobName) === job))
      .map((t) => f.m.target(t, t.properties.WorkflowName)).filter((w): w is ModelResource => w !== undefined);
    // Operators start the table's workflow (a job a workflow starts) or its job.
    const started = [
      ...workflows.map((w) => ['glue:StartWorkflowRun', `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:workflow/<${w.logicalId}>`]),
      ['glue:StartJobRun', `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:job/<${job.logicalId}>`],
    ];
    const operates = (p: ModelResource) => f.m.identityStatements(p).statements.some((s) => started.some(([action, arn]) => allows(s, action, arn)));
    const operators = principals(f.m).filter((p) => p !== role && operates(p))
      .map((p) => p.path);
    const own = controls.filter((c) => c.evidence.some((e) => under(e.path)) || c.problems.some(under))
      .map((c) => ({
        id: c.id,
        status: c.problems.some(under) ? 'missing' : c.verification === ControlVerification.RUNTIME ? 'needs-runtime-verification' : 'proven',
        problems: c.problems.filter(under),
      }));
    return {
      table: tableName(f, job),
      job: job.path,
      role: role?.path,
      dataReaders: at('curated data'),
      quarantineReaders: at('quarantine'),
      sourceReaders: at('source'),
      operators,
      controls: own,
    };
  });
}
