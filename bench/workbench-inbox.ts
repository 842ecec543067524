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
import { akteDocuments, akteSearchTerms, akten, taskFollowUps, tasks } from '../db/schema.js';
import { BlindIndex, DEV_SEARCH_INDEX_SECRET, searchValues } from '../platform/blind-index.js';
import { WorkbenchSessionStore } from '../http/workbench/session-store.js';
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
  // Seed: N active tasks of the authority under test and N of another, due dates spread over ±30 days; each case
  // with its Akte (Aktenzeichen, a named applicant, the application) and its blind-index terms, as intake writes them.
  const now = Date.now();
  const index = new BlindIndex(DEV_SEARCH_INDEX_SECRET);
  const GIVEN = ['Hanna', 'Jörg', 'Ayşe', 'Lukas', 'Marie', 'Tobias', 'Zoë', 'Ömer'];
  const FAMILY = ['Müller', 'Weiß', 'Schäfer', 'Yılmaz', 'Nguyen', 'Kowalski', 'Becker', 'Groß'];
  const personOf = (i: number) => ({
    name: { givenName: GIVEN[i % GIVEN.length]!, familyName: `${FAMILY[(i >> 3) % FAMILY.length]!}-${i}` },
    application: {
      zone: 'A1',
      licensePlate: `MS-${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i >> 5) % 26))} ${1 + (i % 9000)}`,
      address: { street: `Hauptstraße ${i}`, postalCode: '48143', city: 'Münster' },
    },
  });
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
          // A quarter of the tasks belong to another group (a service declaring its own), as in a town hall.
          candidateGroup: `${authorityId}:${i % 4 === 3 ? 'gewerbeamt' : 'sachbearbeitung'}`,
          reason: 'Firmenfahrzeug: dauerhafte private Nutzung ist zu prüfen.',
          assignee: claimed ? `sb.person${i % 10}` : null,
          priority: 'normal' as const,
          state: claimed ? ('claimed' as const) : ('open' as const),
          stage: 'decision' as const,
          fourEyes: i % 5 === 0,
          dueAt,
          followUpAt: dueAt,
          // Every tenth task waits for the applicant's answer to a question.
          openQuestionId: i % 10 === 0 ? `${caseId}:review:q1` : null,
          version: 1,
        };
      });
      await database.db.insert(tasks).values(rows);
      // Every seventh task has a Wiedervorlage, spread over ±10 days.
      await database.db.insert(taskFollowUps).values(
        rows
          .filter((_, j) => (start + j) % 7 === 0)
          .map((r, j) => ({
            taskId: r.taskId,
            caseId: r.caseId,
            authorityId,
            followUpOn: new Date(now + ((j % 21) - 10) * 86_400_000).toISOString().slice(0, 10),
            note: { note: 'bench' },
            setBy: 'sb.person1',
          })),
      );
      const people = rows.map((r, j) => ({ caseId: r.caseId, i: start + j, ...personOf(start + j) }));
      await database.db.insert(akten).values(
        people.map((p) => ({
          caseId: p.caseId,
          aktenzeichen: `${authorityId === AUTHORITY ? 'MS' : 'BD'}-BPA/2026/${String(p.i + 1).padStart(5, '0')}`,
          authorityId,
          serviceKey: SERVICES[p.i % SERVICES.length]!,
          year: 2026,
          runningNumber: p.i + 1,
          applicantSubject: `pseudonym-${p.i}`,
          identity: { subject: `pseudonym-${p.i}`, trustLevel: 'substantial', name: p.name },
          submissionSha256: '0'.repeat(64),
          schemaId: 'bench',
          schemaVersion: '1',
          ruleSetVersion: '1',
          submittedAt: new Date(now),
        })),
      );
      await database.db.insert(akteDocuments).values(
        people.map((p) => ({
          documentId: `${p.caseId}:antrag`,
          caseId: p.caseId,
          kind: 'antrag' as const,
          title: 'Antrag',
          mediaType: 'application/json',
          sha256: '0'.repeat(64),
          size: 100,
          content: p.application,
          authorRole: 'applicant' as const,
        })),
      );
      const terms = people.flatMap((p) => {
        const seen = new Map<string, string>();
        for (const v of searchValues(p)) seen.set(index.term(authorityId, v.value)!, v.kind);
        return [...seen].map(([term, kind]) => ({ authorityId, caseId: p.caseId, term, kind }));
      });
      await database.db.insert(akteSearchTerms).values(terms).onConflictDoNothing();
    }
  }
  for (const table of ['tasks', 'akten', 'akte_documents', 'akte_search_terms', 'task_follow_ups'])
    await database.db.execute(`analyze ${table}`);

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
  const sid = await new WorkbenchSessionStore(database.db, 3600_000).open({
    id: 'sb.person1',
    role: 'case_worker',
    authorityId: AUTHORITY,
    name: 'Bench',
    exp: Math.floor(now / 1000) + 3600,
  });
  const session = Buffer.from(JSON.stringify({ sid })).toString('base64url');
  const cookie = `wb_session=${encodeURIComponent(sign(session, SECRET))}`;
  // A case worker whose login names her group: her inbox shows that group's tasks and her own.
  const groupSid = await new WorkbenchSessionStore(database.db, 3600_000).open({
    id: 'sb.person2',
    role: 'case_worker',
    authorityId: AUTHORITY,
    name: 'Bench Gruppe',
    exp: Math.floor(now / 1000) + 3600,
    groups: ['sachbearbeitung'],
  });
  const groupCookie = `wb_session=${encodeURIComponent(sign(Buffer.from(JSON.stringify({ sid: groupSid })).toString('base64url'), SECRET))}`;
  const person = personOf(4711);

  const scenarios: Record<string, string> = {
    'first page (open or claimed, by due date)': '/workbench/inbox',
    'assigned to me': '/workbench/inbox?assignee=me',
    unassigned: '/workbench/inbox?assignee=unassigned',
    overdue: '/workbench/inbox?due=overdue',
    'due within 7 days': '/workbench/inbox?due=week',
    'one service': `/workbench/inbox?service=${SERVICES[1]}`,
    'search by case id prefix': '/workbench/inbox?q=00001',
    'search by name (blind index)': `/workbench/inbox?q=${encodeURIComponent(`${person.name.givenName} ${person.name.familyName}`)}`,
    'search by family name, all states': `/workbench/inbox?state=all&q=${encodeURIComponent(person.name.familyName)}`,
    'search by licence plate': `/workbench/inbox?q=${encodeURIComponent(person.application.licensePlate.toLowerCase())}`,
    'search by street': `/workbench/inbox?q=${encodeURIComponent(person.application.address.street)}`,
    'search by Aktenzeichen': `/workbench/inbox?q=${encodeURIComponent('ms-bpa/2026/04712')}`,
    'search finding nothing': '/workbench/inbox?q=Niemand%20Nirgends',
    'last page': `/workbench/inbox?page=${Math.ceil(N / 25)}`,
    'Wiedervorlage fällig (saved filter)': '/workbench/inbox?followup=due&sort=followup',
    'Rückfrage offen (saved filter)': '/workbench/inbox?question=open',
    'sorted by receipt': '/workbench/inbox?sort=received',
    'sorted by Wiedervorlage': '/workbench/inbox?sort=followup',
    'her groups only (groups claim)': 'groups:/workbench/inbox',
    'her groups, searched by name': `groups:/workbench/inbox?q=${encodeURIComponent(personOf(4712).name.familyName)}`,
  };
  console.log(
    `inbox with ${N} active tasks of ${AUTHORITY} (and ${N} of another authority); ${RUNS} requests per scenario\n`,
  );
  const p95s: number[] = [];
  for (const [label, scenario] of Object.entries(scenarios)) {
    const grouped = scenario.startsWith('groups:');
    const path = grouped ? scenario.slice('groups:'.length) : scenario;
    const ms: number[] = [];
    for (let i = 0; i < RUNS + 10; i++) {
      const t = performance.now();
      const res = await api.inject({ method: 'GET', url: path, headers: { cookie: grouped ? groupCookie : cookie } });
      if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}`);
      if (
        i === 0 &&
        (label.startsWith('search by') || label.includes('saved') || label.includes('searched')) &&
        !res.body.includes('/workbench/cases/')
      )
        throw new Error(`${label}: found nothing`);
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
