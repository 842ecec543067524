import { createRequire } from 'node:module';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../platform/codec/data-converter.js';

const require = createRequire(import.meta.url);
// From the sources under tsx, from dist/ once built.
export const workflowsPath = require.resolve(
  import.meta.url.endsWith('.ts') ? '../workflows/index.ts' : '../workflows/index.js',
);

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };

/**
 * The case engine's workflows as one bundle, as a worker would build it at start-up. Built ahead (WORKFLOW_BUNDLE), a
 * worker starts without webpack, sooner and with less memory.
 */
export async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quiet });
  return code;
}
