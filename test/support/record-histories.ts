import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { testDataConverter } from './codec.js';

// Stack traces in a history name the files of the machine that recorded it; fixtures keep paths relative to the repository.
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const withoutMachinePaths = (json: string): string => json.split(repositoryRoot).join('');

/** The paths a case can take, named by the case events that prove it (RECORD_HISTORIES adds a fixture per path). */
export const PATHS: Record<string, (types: string[], c: { akte: boolean }) => boolean> = {
  'fee-in-advance-paid': (t) => t.includes('fee.paid') && t.indexOf('fee.paid') < t.indexOf('decision.started'),
  'fee-in-advance-cancelled': (t) => t.includes('fee.cancelled'),
  'fee-reminder': (t) => t.includes('fee.reminder_sent'),
  'fee-after-decision': (t) =>
    t.includes('fee.requested') &&
    t.indexOf('decision.started') >= 0 &&
    t.lastIndexOf('fee.requested') > t.indexOf('decision.started'),
  payout: (t) => t.includes('payout.executed'),
  refund: (t) => t.includes('fee.refunded'),
  'delivery-handed-over': (t) => t.includes('delivery.handed_over'),
  'four-eyes': (t) => t.includes('task.proposed'),
  'case-worker-reminder': (t) => t.includes('task.reminder'),
  'case-worker-escalation': (t) => t.includes('task.escalated'),
  'evidence-reminder': (t) => t.includes('evidence.reminder_sent'),
  'evidence-expiry': (t) =>
    t.includes('evidence.requested_from_applicant') && t.includes('case.closed') && !t.includes('decision.started'),
  'applicant-question': (t) => t.includes('applicant.asked') && t.includes('applicant.replied'),
  'applicant-reply-overdue': (t) => t.includes('applicant.reply_overdue'),
  // Cases from the patch 'task-handlers-before-status' on: the task's updates are registered before the case shows it.
  'case-worker-task-handlers-first': (t) => t.includes('task.opened') && t.includes('task.completed'),
  // Cases from the patch 'task-actions-durable-first' on: an action's effects follow its durable acceptance.
  'case-worker-actions-durable-first': (t) => t.includes('task.claimed') && t.includes('task.completed'),
  // Cases from the patch 'local-status-messages-one-issue-step' on (workflows/case-shape.ts): status messages as local
  // activities, the Bescheid rendered and sealed in one step, no markers for the patches before it.
  'lean-outbound-automated': (t) =>
    t.includes('decision.started') && t.includes('case.closed') && !t.includes('case.escalated'),
  'lean-outbound-case-worker': (t) => t.includes('task.completed') && t.includes('case.closed'),
  'lean-outbound-documents-needed': (t) =>
    t.includes('evidence.requested_from_applicant') && t.includes('decision.started'),
  // Cases with an Akte (claim-check): the workflow input carries the Antrag's reference, each step reads the Akte.
  'akte-automated-approval': (t, c) =>
    c.akte && t.includes('decision.started') && t.includes('case.closed') && !t.includes('case.escalated'),
  'akte-documents-requested': (t, c) =>
    c.akte && t.includes('evidence.requested_from_applicant') && t.includes('decision.started'),
  'akte-fee-paid': (t, c) => c.akte && t.includes('fee.paid') && t.includes('case.closed'),
  'akte-payout': (t, c) => c.akte && t.includes('payout.executed'),
};
/** Workflows other than the case, recorded once per type. */
export const OTHER_TYPES = ['caseSummaryWorkflow', 'applicantQuestionWorkflow'];

/**
 * Writes one new history per path not covered yet, from the finished workflows of a test run, as `<day>-<path>.json`.
 * Existing files are never touched: fixtures are append-only (see test/fixtures/histories.manifest.json).
 */
export async function recordHistories(o: {
  temporalAddress: string;
  temporalCli: string;
  databaseUrl: string;
  into: string;
  covered: Set<string>;
}): Promise<string[]> {
  const connection = await Connection.connect({ address: o.temporalAddress });
  const sql = postgres(o.databaseUrl, { max: 1, onnotice: () => {} });
  const written: string[] = [];
  const day = new Date().toISOString().slice(0, 10);
  const save = (workflowId: string, name: string) => {
    const file = `${o.into}${day}-${name}.json`;
    if (existsSync(file)) return;
    writeFileSync(
      file,
      withoutMachinePaths(
        execFileSync(
          o.temporalCli,
          ['workflow', 'show', '-w', workflowId, '--address', o.temporalAddress, '-o', 'json'],
          { maxBuffer: 64 << 20, encoding: 'utf8' },
        ),
      ),
    );
    o.covered.add(name);
    written.push(file);
  };
  try {
    // The memo is encrypted like every payload; listing decodes it.
    const client = new Client({ connection, dataConverter: testDataConverter });
    for await (const w of client.workflow.list({ query: 'ExecutionStatus = "Completed"' })) {
      if (OTHER_TYPES.includes(w.type) && !o.covered.has(w.type)) save(w.workflowId, w.type);
      if (w.type !== 'caseWorkflow') continue;
      const caseId = w.workflowId.replace(/^case:/, '');
      const types = (
        await sql<{ type: string }[]>`select type from case_events where case_id = ${caseId} order by seq`
      ).map((r) => r.type);
      const [akte] = await sql<{ n: number }[]>`select count(*)::int as n from akten where case_id = ${caseId}`;
      for (const [name, proves] of Object.entries(PATHS))
        if (!o.covered.has(name) && proves(types, { akte: (akte?.n ?? 0) > 0 })) save(w.workflowId, name);
    }
  } finally {
    await sql.end({ timeout: 5 });
    await connection.close();
  }
  return written;
}

export interface FixtureManifest {
  [file: string]: { sha256: string; paths: string[] };
}

/** Adds fixtures to the manifest; an entry once written is never changed (the replay test compares against it). */
export function addToManifest(
  manifest: FixtureManifest,
  files: Array<{ file: string; sha256: string; paths: string[] }>,
): FixtureManifest {
  const next = { ...manifest };
  for (const f of files) if (!next[f.file]) next[f.file] = { sha256: f.sha256, paths: f.paths };
  return next;
}
