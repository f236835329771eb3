import * as fs from 'fs';
import * as path from 'path';
import * as lib from '../../src';
import { ControlVerification, SecurityControls } from '../../src';

const root = path.join(__dirname, '..', '..');

/** Test titles of the jest suites and the pytest suites that name a control id. */
function provenControlIds(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !['node_modules', '__pycache__'].includes(e.name)) {walk(p);} else if (/\.test\.ts$|^test_.*\.py$/.test(e.name)) {
        const text = fs.readFileSync(p, 'utf8');
        // jest: test('SDL-S3-02: ...'); pytest: def test_sdl_s3_02_...
        for (const m of text.matchAll(/(?:test|it)\(\s*['`"](SDL-[A-Z0-9]+-\d\d)\b/g)) found.add(m[1]);
        for (const m of text.matchAll(/def test_(sdl_[a-z0-9]+_\d\d)_/g)) found.add(m[1].toUpperCase().replace(/_/g, '-'));
      }
    }
  };
  walk(path.join(root, 'test'));
  walk(path.join(root, 'src'));
  return found;
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
