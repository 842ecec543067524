import { defineConfig } from 'vitest/config';
import base, { FAULT_TESTS } from './vitest.config.js';

// `npm run test:faults`: only the long fault tests, with the same global setup (one Temporal server, one database).
export default defineConfig({ ...base, test: { ...base.test, include: FAULT_TESTS, exclude: ['**/node_modules/**'] } });
