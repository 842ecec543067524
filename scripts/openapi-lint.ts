// `npm run lint:openapi`: the served OpenAPI document (built without a server) against Redocly's recommended rules,
// the check that client generators can use it: summary, operationId and security on every operation, servers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiDocument } from '../http/openapi-document.js';

const dir = mkdtempSync(join(tmpdir(), 'ozg-openapi-'));
const file = join(dir, 'openapi.json');
writeFileSync(file, JSON.stringify(await openApiDocument(), null, 2));
try {
  execFileSync('npx', ['--no-install', 'redocly', 'lint', '--extends=recommended', '--max-problems=200', file], {
    stdio: 'inherit',
  });
} catch {
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
