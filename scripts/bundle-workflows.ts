// `npm run bundle:workflows -- <file>`: the workflows as one bundle; start workers with WORKFLOW_BUNDLE=<file>.
import { writeFileSync } from 'node:fs';
import { bundleWorkflows } from '../app/workflow-bundle.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run bundle:workflows -- <file.js>');
  process.exit(2);
}
writeFileSync(file, await bundleWorkflows());
console.log(`${file}: start workers with WORKFLOW_BUNDLE=${file}`);
