// The workbench inbox under load: 10,000 open tasks of one authority (and as many of others), timed as the page
// a case worker opens (HTTP, session cookie, query and HTML) with each filter. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sign } from '@fastify/cookie';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { localIssuer } from '../dev/identity/local-issuer.js';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { CaseClient } from '../client/case-client.js';
import { buildHttpApi } from '../http/http-api.js';
import { TaskClient } from '../client/task-client.js';
import { DocumentStore } from '../adapters/document-store.js';
import { FolderBlobStore } from '../adapters/blob-store/blob-store.js';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { tasks } from '../db/schema.js';
import { percentile } from '../dev/demo/stats.js';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.js';
import { CaseFiles } from '../http/workbench/index.js';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '10000' }, runs: { type: 'string', default: '200' } },
});
const N = Number(values.tasks);
const RUNS = Number(values.runs);
const AUTHORITY = 'stadt-musterstadt';
const SECRET = 'bench-session-secret-with-32-characters';
const SERVICES = ['76100102000000', '99050012104001', '99123456789001'];

const dir = mkdtempSync(join(tmpdir(), 'ozg-bench-inbox-'));
const embedded = process.env['DATABASE_URL']
  ? undefined
  : await startEmbeddedPostgres({ dataDir: dir, port: Number(process.env['EMBEDDED_PG_PORT'] ?? 0) || 54_329 });
const serverUrl = process.env['DATABASE_URL'] ?? embedded!.url;
const name = `ozg_bench_inbox_${process.pid}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
await migrateDatabase(url.toString());
const database = connectDatabase(url.toString(), { max: 4 });

try {
  // Seed: N active tasks of the authority under test and N of another, due dates spread over ±30 days.
  const now = Date.now();
  for (const authorityId of [AUTHORITY, 'gemeinde-beispieldorf']) {
    for (let start = 0; start < N; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, N - start) }, (_, j) => {
        const i = start + j;
        const claimed = i % 3 === 0;
        const caseId = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${authorityId === AUTHORITY ? '0' : '1'}${i.toString(16).padStart(11, '0')}`;
        const dueAt = new Date(now + ((i * 7919) % (60 * 24)) * 3600_000 - 30 * 24 * 3600_000);
        return {
          taskId: `${caseId}:review`,
          caseId,
          kind: 'review_decision',
          serviceKey: SERVICES[i % SERVICES.length]!,
          authorityId,
          candidateGroup: `${authorityId}:sachbearbeitung`,
          reason: 'Firmenfahrzeug: dauerhafte private Nutzung ist zu prüfen.',
          assignee: claimed ? `sb.person${i % 10}` : null,
          priority: 'normal' as const,
          state: claimed ? ('claimed' as const) : ('open' as const),
          stage: 'decision' as const,
          fourEyes: i % 5 === 0,
          dueAt,
          followUpAt: dueAt,
          version: 1,
        };
      });
      await database.db.insert(tasks).values(rows);
    }
  }
  await database.db.execute('analyze tasks');

  const client = new Client({ connection: Connection.lazy() });
  const tokens = await localIssuer({ issuer: 'bench', audience: 'bench' });
  const api = await buildHttpApi({
    cases: new CaseClient(client, database.db),
    tasks: new TaskClient(client, database.db),
    auth: jwtVerifier(tokens.keys, { issuer: 'bench', audience: 'bench' }),
    identity: { verify: () => Promise.reject(new Error('not in this benchmark')) },
    workbench: {
      files: new CaseFiles({
        client,
        db: database.db,
        documents: new DocumentStore(new FolderBlobStore(join(dir, 'blobs'))),
        publicBaseUrl: 'http://bench.invalid',
      }),
      db: database.db,
      pages: { login: { issuer: 'http://idp.invalid', clientId: 'bench' }, sessionSecret: SECRET },
    },
  });
  const session = Buffer.from(
    JSON.stringify({
      id: 'sb.person1',
      role: 'case_worker',
      authorityId: AUTHORITY,
      name: 'Bench',
      exp: Math.floor(now / 1000) + 3600,
    }),
  ).toString('base64url');
  const cookie = `wb_session=${sign(session, SECRET)}`;

  const scenarios: Record<string, string> = {
    'first page (open or claimed, by due date)': '/workbench/inbox',
    'assigned to me': '/workbench/inbox?assignee=me',
    unassigned: '/workbench/inbox?assignee=unassigned',
    overdue: '/workbench/inbox?due=overdue',
    'due within 7 days': '/workbench/inbox?due=week',
    'one service': `/workbench/inbox?service=${SERVICES[1]}`,
    'search by case id prefix': '/workbench/inbox?q=00001',
    'last page': `/workbench/inbox?page=${Math.ceil(N / 25)}`,
  };
  console.log(
    `inbox with ${N} active tasks of ${AUTHORITY} (and ${N} of another authority); ${RUNS} requests per scenario\n`,
  );
  const p95s: number[] = [];
  for (const [label, path] of Object.entries(scenarios)) {
    const ms: number[] = [];
    for (let i = 0; i < RUNS + 10; i++) {
      const t = performance.now();
      const res = await api.inject({ method: 'GET', url: path, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}`);
      if (i >= 10) ms.push(performance.now() - t);
    }
    const p95 = percentile(ms, 95);
    p95s.push(p95);
    console.log(
      `${label.padEnd(44)} p50 ${percentile(ms, 50).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms`,
    );
  }
  console.log(`\nworst p95 ${Math.max(...p95s).toFixed(1)} ms (target < 200 ms)`);
  await api.close();
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end({ timeout: 5 });
  await embedded?.stop();
  rmSync(dir, { recursive: true, force: true });
}
