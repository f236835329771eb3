/**
 * A control lives in one family file (src/controls/<family>.ts) with its evidence check and its
 * deploy-time assumptions; these tests hold the families to the registry's shape and the
 * assumptions' `verify-deployment` checks to the checks src/audit/verify_deployment.py has.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ControlVerification, SecurityControls, deployTimeAssumptions, deploymentChecks } from '../../src/controls/security-controls';

const root = path.join(__dirname, '..', '..');

/** The check registry of verify-deployment (`CHECKS`), read by Python itself from the module. */
function verifyDeploymentChecks(): string[] {
  const python = process.env.SDL_PYTHON ?? 'python3';
  const script = 'import json, sys; sys.path.insert(0, sys.argv[1]); import verify_deployment as v; print(json.dumps(list(v.CHECKS)))';
  return JSON.parse(execFileSync(python, ['-c', script, path.join(root, 'src', 'audit')], { encoding: 'utf8' }));
}

describe('control families', () => {
  const all = SecurityControls.all();
  const assumptions = deployTimeAssumptions();

  test('one file per family, and a family file holds only the ids of its family', () => {
    const files = fs.readdirSync(path.join(root, 'src', 'controls')).filter((f) => !['security-controls.ts', 'definition.ts'].includes(f));
    const families = new Set(all.map((c) => c.id.split('-')[1]));
    expect(files.length).toBe(families.size);
    for (const family of families) {
      const members = all.filter((c) => c.id.split('-')[1] === family);
      expect({ family, sections: new Set(members.map((c) => c.section)).size }).toEqual({ family, sections: 1 });
    }
  });

  test('every deploy-time assumption has a unique id and rests under controls of the registry', () => {
    const ids = assumptions.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    const known = new Set(all.map((c) => c.id));
    expect(assumptions.flatMap((a) => a.controls).filter((id) => !known.has(id))).toEqual([]);
  });

  test('every RUNTIME control names a deploy-time assumption and its verify-deployment check', () => {
    const runtime = all.filter((c) => c.verification === ControlVerification.RUNTIME);
    expect(runtime.length).toBeGreaterThan(0);
    for (const c of runtime) expect({ id: c.id, checks: deploymentChecks(c.id).length > 0 }).toEqual({ id: c.id, checks: true });
  });

  test('every check a control names is a check of verify-deployment, and every check of verify-deployment is named by a control', () => {
    const checks = verifyDeploymentChecks();
    const named = new Set(all.flatMap((c) => deploymentChecks(c.id)));
    expect([...named].filter((n) => !checks.includes(n))).toEqual([]);
    expect(checks.filter((n) => !named.has(n))).toEqual([]);
  });
});
