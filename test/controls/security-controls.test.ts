import * as fs from 'fs';
import * as path from 'path';
import { controlsMarkdown } from './controls-markdown';
import * as lib from '../../src';
import { ControlVerification, SecurityControls } from '../../src';
import { indexControlTests } from '../../src/audit/control-tests';

const root = path.join(__dirname, '..', '..');

/** Test titles of the jest suites and the pytest suites that name a control id. */
function provenControlIds(): Set<string> {
  return new Set(Object.keys(indexControlTests(root)));
}

describe('control registry', () => {
  const all = SecurityControls.all();

  test('ids are unique and well formed', () => {
    const ids = all.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^SDL-(IAM|S3|GLUE|DELTA|ENC|LOG|SEC|ACC|CMP)-\d\d$/);
  });

  test('every section of the security documentation with requirements has controls', () => {
    const sections = new Set(all.map((c) => c.section.split('.')[0]));
    expect([...sections].sort((a, b) => Number(a) - Number(b))).toEqual(['2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  test('every table row and bullet of the security documentation maps to a control', () => {
    // 4 IAM rows + least privilege, 4 S3 bullets, 3 Glue bullets, 2 Delta bullets, 2 encryption rows,
    // 3 logging rows, 3 secrets bullets, 3 access-control rows, 3 compliance bullets.
    const perSection: { [s: string]: number } = {};
    for (const c of all) perSection[c.section.split('.')[0]] = (perSection[c.section.split('.')[0]] ?? 0) + 1;
    expect(perSection).toEqual({ 2: 5, 3: 4, 4: 3, 5: 2, 6: 2, 7: 3, 8: 3, 9: 3, 10: 3 });
  });

  test('lookups by id and by construct', () => {
    expect(SecurityControls.byId('SDL-S3-02').requirement).toMatch(/Public access blocked/);
    expect(() => SecurityControls.byId('SDL-NOPE-01')).toThrow(/unknown security control id 'SDL-NOPE-01'/);
    expect(SecurityControls.implementedBy('SecureDeltaLakeBucket').map((c) => c.id)).toContain('SDL-S3-04');
    expect(all.filter((c) => c.verification === ControlVerification.RUNTIME).map((c) => c.id)).toEqual(['SDL-IAM-03', 'SDL-LOG-01']);
  });

  test('every control of a construct the library ships is proven by a test named with its id', () => {
    const shipped = new Set(Object.keys(lib));
    const proven = provenControlIds();
    const missing = all.filter((c) => shipped.has(c.implementedBy) && !proven.has(c.id)).map((c) => `${c.id} (${c.implementedBy})`);
    expect(missing).toEqual([]);
  });
});

describe('docs/controls.md', () => {
  test('is the table the control registry renders (run `npx projen docs:controls` after changing a control)', () => {
    expect(fs.readFileSync(path.join(root, 'docs', 'controls.md'), 'utf8')).toBe(controlsMarkdown());
  });
});
