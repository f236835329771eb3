/**
 * Writes docs/controls.md from the control registry (src/controls/security-controls.ts): the table
 * is generated, never copied. `npx projen docs:controls` runs it; a test fails when the committed
 * file differs from what the registry gives.
 */
import * as fs from 'fs';
import * as path from 'path';
import { controlsMarkdown } from '../test/controls/controls-markdown';

const out = path.join(__dirname, '..', 'docs', 'controls.md');
fs.writeFileSync(out, controlsMarkdown());
console.log(`docs:controls: ${path.relative(process.cwd(), out)} written from the control registry`);
