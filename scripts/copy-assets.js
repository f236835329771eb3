// Copies the run-time assets of src/ (everything that is not TypeScript: the Glue job script,
// JSON schemas) into lib/, because projen's .npmignore leaves src/ out of the npm package.
// Test files (test_*.py, conftest.py) stay behind.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');
const lib = path.join(root, 'lib');
const skip = (name) => name.endsWith('.ts') || /^test_.*\.py$/.test(name) || name === 'conftest.py'
  || name === '__pycache__' || name === '.pytest_cache' || name === 'tests';

let copied = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(from);
    } else {
      const to = path.join(lib, path.relative(src, from));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
      copied++;
    }
  }
}
walk(src);
console.log(`copy-assets: ${copied} run-time asset(s) copied from src/ to lib/`);

