import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
} from '@temporalio/workflow';
import type { CaseResult, EvidenceResult, FictionExtensionRequest, FictionState } from './contracts/case.js';
import { extendFictionUpdate } from './contracts/messages.js';
import { acts, local } from './activity-proxies.js';
import type { CaseContext } from './case-journal.js';

/** Patch id: cases from here on run the period of an approval by fiction where the service declares one (§ 42a VwVfG). */
export const FICTION_PATCH = 'approval-by-fiction';

/**
 * The period of an approval by fiction (§ 42a Abs. 2 VwVfG): it runs from the complete application; its timer is the
 * legal days to the end of its last day times `legalDayMs`, so tests move it by configuration. One extension.
 */
export class FictionPeriod {
  private deadline: number;
  private extending = false;

  constructor(
    readonly state: FictionState,
    private readonly startedAt: number,
    legalDays: number,
    private readonly legalDayMs: number,
  ) {
    this.deadline = startedAt + legalDays * legalDayMs;
  }

  /** Why an extension is refused, or undefined; pure over the state, so the validator can ask it. */
  refusalOf(r: FictionExtensionRequest): string | undefined {
    if (this.state.state !== 'running' || Date.now() >= this.deadline)
      return 'Die Frist läuft nicht mehr: Über den Antrag ist entschieden, oder die Genehmigung gilt bereits als erteilt.';
    if (this.state.extension || this.extending)
      return 'Die Frist ist bereits einmal verlängert (§ 42a Abs. 2 Satz 3 VwVfG).';
    if (!r.reason.trim()) return 'Die Verlängerung ist zu begründen (§ 42a Abs. 2 Satz 4 VwVfG).';
    return undefined;
  }

  extend(endsOn: string, legalDays: number, r: FictionExtensionRequest): void {
    this.state.extension = {
      previousEndsOn: this.state.endsOn,
      at: new Date().toISOString(),
      by: r.by,
      reason: r.reason,
    };
    this.state.endsOn = endsOn;
    this.deadline = this.startedAt + legalDays * this.legalDayMs;
  }

  /** Waits until the period has passed (an extension moves it; one in flight is waited for); true when it did. */
  async passed(): Promise<boolean> {
    for (;;) {
      if (this.state.state !== 'running') return false;
      const end = this.deadline;
      await condition(() => this.deadline !== end || this.state.state !== 'running', Math.max(1, end - Date.now()));
      if (this.extending) await condition(() => !this.extending);
      if (this.state.state === 'running' && this.deadline === end && Date.now() >= end) return true;
    }
  }

  set busy(b: boolean) {
    this.extending = b;
  }

  /** The rules decided without a case worker: the period has done its work. */
  settle(): void {
    if (this.state.state === 'running') this.state.state = 'decided';
  }
}

/**
 * From the complete application on (§ 42a Abs. 2 Satz 2: "mit Eingang der vollständigen Unterlagen"), for services
 * that declare a fiction: plans the period with the authority's calendar and accepts one extension by a case worker.
 */
export async function startFiction(c: CaseContext): Promise<FictionPeriod | undefined> {
  if (!c.plan.fiction || !patched(FICTION_PATCH)) return undefined;
  const { caseId, serviceKey, authorityId } = c.input;
  const startedAt = Date.now();
  const plan = await local.planFiction({ serviceKey, authorityId, at: new Date(startedAt).toISOString() });
  if (!plan) return undefined;
  const f = new FictionPeriod(
    { startedOn: plan.startedOn, endsOn: plan.endsOn, legalBasis: plan.legalBasis, state: 'running' },
    startedAt,
    plan.legalDays,
    c.deadlines.legalDayMs,
  );
  c.progress.state.fiction = f.state;
  await c.journal.note('fiction.started', { startedOn: plan.startedOn, endsOn: plan.endsOn });
  setHandler(
    extendFictionUpdate,
    async (r) => {
      f.busy = true;
      try {
        const p = await local.planFictionExtension({ serviceKey, authorityId, ...f.state, period: r.period });
        if ('refusal' in p)
          throw ApplicationFailure.create({
            type: 'FICTION_EXTENSION_REFUSED',
            message: p.refusal,
            nonRetryable: true,
          });
        // Communicated before the period ends (§ 42a Abs. 2 Satz 4): the letter first, then the new end counts.
        await acts.notifyFictionExtension({
          caseId,
          serviceKey,
          authorityId,
          recipient: c.input.identity.subject,
          previousEndsOn: f.state.endsOn,
          endsOn: p.endsOn,
          reason: r.reason,
        });
        await c.journal.note('fiction.extended', { previousEndsOn: f.state.endsOn, endsOn: p.endsOn, by: r.by });
        f.extend(p.endsOn, p.legalDays, r);
        return c.progress.state;
      } finally {
        f.busy = false;
      }
    },
    {
      validator: (r: FictionExtensionRequest) => {
        const why = f.refusalOf(r);
        if (why)
          throw ApplicationFailure.create({ type: 'FICTION_EXTENSION_REFUSED', message: why, nonRetryable: true });
      },
    },
  );
  return f;
}

/**
 * Runs the wait for a decision against the period: a decision in time ends the period (`decided`); the period passing
 * first cancels the wait and answers `fiction`, and the case ends approved by fiction.
 */
export async function beforeFiction<T>(
  f: FictionPeriod | undefined,
  run: () => Promise<T>,
): Promise<{ decided: T } | { fiction: FictionPeriod }> {
  if (!f) return { decided: await run() };
  const scope = new CancellationScope();
  let occurred = false;
  const timer = f.passed().then(
    (passed) => {
      if (!passed) return;
      occurred = true;
      f.state.state = 'occurred';
      scope.cancel();
    },
    // A withdrawal cancels the whole story, this wait with it.
    () => undefined,
  );
  try {
    const decided = await scope.run(run);
    f.state.state = 'decided';
    await timer;
    return { decided };
  } catch (err) {
    if (occurred && isCancellation(err)) return { fiction: f };
    throw err;
  }
}

/**
 * The approval counts as granted (§ 42a Abs. 1 VwVfG): the open task is cancelled, the certificate of the fiction
 * (§ 42a Abs. 3) is sealed, filed and delivered, the case archived and closed `approved_by_fiction`. No Bekanntgabe
 * follows: the fiction took effect when the period ended, not by an announcement.
 */
export async function closeByFiction(
  c: CaseContext,
  f: FictionPeriod,
  evidence: EvidenceResult[],
): Promise<CaseResult> {
  const { input, progress, journal } = c;
  const ref = { caseId: input.caseId, serviceKey: input.serviceKey, authorityId: input.authorityId };
  await journal.note('fiction.occurred', { endsOn: f.state.endsOn, status: progress.state.status });
  const task = progress.state.task;
  if (progress.state.openTaskId && task && task.state !== 'completed' && task.state !== 'cancelled') {
    task.state = 'cancelled';
    task.version++;
    progress.taskClosed();
    await local.syncTask({ view: { ...task } });
    await journal.note('task.cancelled', { taskId: task.taskId, by: 'system', reason: 'approved_by_fiction' });
  }
  await journal.enter('issuing_bescheid', 'fiction.certificate', { outcome: 'approved_by_fiction' });
  const issuedAt = new Date().toISOString();
  const certificate = await acts.issueFictionCertificate({
    ...ref,
    addressee: input.identity.subject,
    appliedAt: input.submittedAt,
    startedOn: f.state.startedOn,
    endsOn: f.state.endsOn,
    legalBasis: f.state.legalBasis,
    issuedAt,
    ...(input.antrag ? { antrag: input.antrag } : { application: input.application }),
  });
  await journal.enter(
    'delivering',
    'bescheid.delivering',
    { keyId: certificate.keyId, sealId: certificate.sealId },
    { bescheidSha256: certificate.document.sha256 },
  );
  const delivery = await acts.deliverFictionCertificate({
    ...ref,
    recipient: input.identity.subject,
    document: certificate.document,
  });
  await journal.enter('archiving', 'case.archiving', { deliveryId: delivery.deliveryId, delivery: delivery.status });
  await journal.flush();
  const archive = await acts.archiveCase({
    ...ref,
    closedAt: new Date().toISOString(),
    bescheid: certificate.document,
    bescheidKind: 'Bescheinigung über den Eintritt der Genehmigungsfiktion',
    evidence,
  });
  progress.closed('approved_by_fiction');
  await journal.enter(
    'closed',
    'case.closed',
    { outcome: 'approved_by_fiction', archive: archive.packageSha256 },
    { outcome: 'approved_by_fiction' },
  );
  return { caseId: input.caseId, outcome: 'approved_by_fiction', bescheid: certificate, delivery, archive };
}
