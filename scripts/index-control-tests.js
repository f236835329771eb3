// The index of the tests that prove each control, shipped in the package for the security report of
// installed copies (a source checkout computes it from the test folders). Run by the
// `controls:index` task after compiling, since it reads the compiled lib/audit/control-tests.js.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const lib = path.join(root, 'lib');
const { indexControlTests } = require(path.join(lib, 'audit', 'control-tests.js'));
const index = indexControlTests(root);
fs.mkdirSync(path.join(lib, 'controls'), { recursive: true });
fs.writeFileSync(path.join(lib, 'controls', 'control-tests.json'), JSON.stringify(index, null, 1) + '\n');
console.log(`controls:index: tests of ${Object.keys(index).length} control(s) indexed into lib/controls/control-tests.json`);
