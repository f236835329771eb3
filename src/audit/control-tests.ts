import * as fs from 'fs';
import * as path from 'path';

/**
 * The tests of this library that prove each control, by control id: jest titles that start with
 * the id (`test('SDL-S3-02: ...')`) and pytest functions named with it (`def test_sdl_s3_02_...`).
 *
 * The build writes the index into the package (`lib/controls/control-tests.json`); from a source
 * checkout it is computed from the test folders.
 *
 * @internal
 */
export function controlTestIndex(): { [id: string]: string[] } {
  const shipped = path.join(__dirname, '..', 'controls', 'control-tests.json');
  if (fs.existsSync(shipped)) return JSON.parse(fs.readFileSync(shipped, 'utf8'));
  return indexControlTests(path.join(__dirname, '..', '..'));
}

/**
 * Scan a source checkout's `test/` and `src/` folders for tests named with a control id.
 *
 * @internal
 */
export function indexControlTests(root: string): { [id: string]: string[] } {
  const index: { [id: string]: string[] } = {};
  const add = (id: string, where: string) => {
    (index[id] ??= []).push(where);
  };
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!['node_modules', '__pycache__', '.pytest_cache'].includes(e.name)) walk(p);
        continue;
      }
      if (!/\.test\.ts$|^test_.*\.py$/.test(e.name)) continue;
      const text = fs.readFileSync(p, 'utf8');
      const file = path.relative(root, p).split(path.sep).join('/');
      for (const m of text.matchAll(/(?:test|it)\(\s*['`"]((SDL-[A-Z0-9]+-\d\d)\b[^'`"]*)/g)) add(m[2], `${file}: ${m[1]}`);
      for (const m of text.matchAll(/def (test_(sdl_[a-z0-9]+_\d\d)_\w*)/g)) add(m[2].toUpperCase().replace(/_/g, '-'), `${file}: ${m[1]}`);
    }
  };
  walk(path.join(root, 'test'));
  walk(path.join(root, 'src'));
  return index;
}
