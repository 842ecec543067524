import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// A team's service or extension module imports `ozg-case-engine/*`; in the repository that is the sources, as the
// `ozg-source` export condition gives tsx (package.json `exports` name the built files).
const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * The long fault tests: a worker killed after every kind of effect, and several API and worker processes with one
 * killed mid-batch. They run in `npm run test:faults` (vitest.faults.config.ts, with the chaos run), not in `npm test`.
 */
export const FAULT_TESTS = ['test/kill-after-effect.test.ts', 'test/multi-process.test.ts'];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^ozg-case-engine$/, replacement: source('./index.ts') },
      { find: /^ozg-case-engine\/service$/, replacement: source('./services/define-service.ts') },
      { find: /^ozg-case-engine\/extensions$/, replacement: source('./adapters/extensions.ts') },
      { find: /^ozg-case-engine\/client$/, replacement: source('./client/http/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...FAULT_TESTS],
    globalSetup: ['test/global-setup.ts'],
    // Worker threads have crashed with Temporal's native core; forks are safe.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
