import { readFileSync } from 'node:fs';
import { LEAN_OUTBOUND_PATCH } from '../../workflows/case-shape.js';

/**
 * What a recorded history contains, read from its events rather than from a file name or a label: the patches it
 * carries (their markers), and what it ran, in order — activities and local activities by type, updates and signals by
 * name, child workflows by type, timers that fired. Replay determinism is about exactly these commands, so the paths a
 * fixture covers are named by them.
 */
export interface HistoryFacts {
  type: string;
  patches: string[];
  /** The case workflow's shape: frozen v1 code, the journal, or the lean shape of the newest patch (case-shape.ts). */
  shape: 'v1' | 'journal' | 'lean' | 'other';
  /** `activity:<type>`, `local:<type>`, `update:<name>`, `signal:<name>`, `child:<type>`, `timer-fired`, in history order. */
  steps: string[];
}

interface RawEvent {
  eventType?: string;
  markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest?: { input?: { name?: string } } };
  workflowExecutionSignaledEventAttributes?: { signalName?: string };
  startChildWorkflowExecutionInitiatedEventAttributes?: { workflowType?: { name?: string } };
  workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } };
}

// Marker details are plain JSON payloads (json/plain), never encrypted: the SDK writes them, not the codec.
const plainPayload = (m: RawEvent['markerRecordedEventAttributes'], key: string): Record<string, unknown> => {
  const data = m?.details?.[key]?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as Record<string, unknown>) : {};
};

export function factsOf(history: { events?: RawEvent[] }): HistoryFacts {
  const events = history.events ?? [];
  const type = events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '?';
  const patches: string[] = [];
  const steps: string[] = [];
  for (const e of events) {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_patch') patches.push(String(plainPayload(marker, 'patch-data').id));
    else if (marker?.markerName === 'core_local_activity')
      steps.push(`local:${String(plainPayload(marker, 'data').activity_type)}`);
    const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) steps.push(`activity:${scheduled}`);
    const update = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    if (update) steps.push(`update:${update}`);
    const signal = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (signal) steps.push(`signal:${signal}`);
    const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name;
    if (child) steps.push(`child:${child}`);
    if (e.eventType === 'EVENT_TYPE_TIMER_FIRED') steps.push('timer-fired');
  }
  const shape =
    type !== 'caseWorkflow'
      ? 'other'
      : patches.includes(LEAN_OUTBOUND_PATCH)
        ? 'lean'
        : patches.includes('lean-case-journal')
          ? 'journal'
          : 'v1';
  return { type, patches, shape, steps };
}

/** The shape new cases start in: fixtures of it guard the workflow that runs today. */
export const CURRENT_SHAPE = 'lean';

export const factsOfFile = (path: string): HistoryFacts => factsOf(JSON.parse(readFileSync(path, 'utf8')));

/** Whether the history ran this activity, as an activity or a local activity. */
export const ran = (f: HistoryFacts, activity: string): boolean =>
  f.steps.includes(`activity:${activity}`) || f.steps.includes(`local:${activity}`);
const count = (f: HistoryFacts, step: string): number => f.steps.filter((s) => s === step).length;
const first = (f: HistoryFacts, ...activities: string[]): number => {
  const at = f.steps.findIndex((s) => activities.some((a) => s === `activity:${a}` || s === `local:${a}`));
  return at < 0 ? Number.POSITIVE_INFINITY : at;
};
const FEE_OPENED = ['openFeePayment', 'requestFeePayment'];
const BESCHEID = ['issueBescheid', 'renderBescheid'];

/**
 * Deadlines that passed while a case worker's task was open: a fired timer followed by the task's projection, with no
 * action (update) waiting since the last projection — the 1 ms timer that makes an action durable does not count.
 */
const taskDeadlines = (f: HistoryFacts): number => {
  let actionWaiting = false;
  let deadlines = 0;
  f.steps.forEach((s, i) => {
    if (s.startsWith('update:')) actionWaiting = true;
    else if (s === 'local:syncTask') actionWaiting = false;
    else if (s === 'timer-fired' && !actionWaiting && f.steps[i + 1] === 'local:syncTask') deadlines++;
  });
  return deadlines;
};

/**
 * Every path a running case can be on when the workflow changes, by what its history ran. Each needs a committed
 * history in the current shape (the replay test checks it); RECORD_HISTORIES=1 records the missing ones.
 */
export const CASE_PATHS: Record<string, (f: HistoryFacts) => boolean> = {
  'refused-at-intake': (f) => !ran(f, 'decideCase') && !ran(f, 'fetchEvidence') && first(f, ...BESCHEID) < Infinity,
  'automated-decision': (f) => ran(f, 'decideCase') && !ran(f, 'syncTask'),
  'case-worker-decision': (f) => ran(f, 'syncTask') && count(f, 'update:taskAction') >= 2,
  'four-eyes': (f) => count(f, 'update:taskAction') >= 4 && !ran(f, 'askApplicant'),
  // Claim, propose, claim, send back, propose again, claim, confirm: the second person sent the proposal back once.
  'four-eyes-sent-back': (f) => count(f, 'update:taskAction') >= 7 && !ran(f, 'askApplicant'),
  // A reminder, or a question to the applicant left unanswered: the task's deadline handling ran.
  'case-worker-deadline': (f) => taskDeadlines(f) >= 1,
  // The reminder, then the escalation to the supervisors.
  'case-worker-escalation': (f) => taskDeadlines(f) >= 2,
  'evidence-uploaded': (f) => count(f, 'update:uploadEvidence') >= 1 && ran(f, 'decideCase'),
  'evidence-reminder': (f) => count(f, 'activity:sendEvidenceRequest') >= 2,
  'evidence-expiry': (f) => ran(f, 'sendEvidenceRequest') && !ran(f, 'decideCase'),
  'fee-in-advance-paid': (f) => first(f, ...FEE_OPENED) < first(f, 'decideCase') && ran(f, 'decideCase'),
  'fee-reminder': (f) => ran(f, 'remindFeePayment'),
  'fee-in-advance-cancelled': (f) => ran(f, 'cancelFeePayment'),
  'fee-after-decision': (f) =>
    ran(f, 'decideCase') && first(f, ...FEE_OPENED) > first(f, 'decideCase') && first(f, ...FEE_OPENED) < Infinity,
  payout: (f) => ran(f, 'payOut'),
  refund: (f) => ran(f, 'refundFee'),
  'delivery-handed-over': (f) => ran(f, 'handOverDelivery'),
  'applicant-question': (f) => ran(f, 'askApplicant') && ran(f, 'storeApplicantReply'),
  // Patch `task-due-rests-while-asking`: the question rested the task's due date until the reply.
  'question-rests-due-date': (f) => f.patches.includes('task-due-rests-while-asking') && ran(f, 'storeApplicantReply'),
  'case-summary': (f) => f.steps.includes('child:caseSummaryWorkflow'),
  forwarding: (f) => ran(f, 'forwardCase'),
  // Patch `bekanntgabe-after-delivery`: the closing case starts its Bekanntgabe workflow.
  'bekanntgabe-started': (f) => f.steps.includes('child:bekanntgabeWorkflow'),
  // Patch `case-withdrawal`: the applicant withdrew while a case worker had the case; it closed without a Bescheid.
  withdrawn: (f) => count(f, 'update:withdrawApplication') >= 1 && ran(f, 'confirmWithdrawal'),
  // Withdrawn while the fee was open: the transaction is cancelled at the provider.
  'withdrawn-fee-open': (f) => count(f, 'update:withdrawApplication') >= 1 && ran(f, 'cancelFeePayment'),
  // Patch `hearing-before-rejection`: a rejection on a service without a hearing, or one a rule's exception skips.
  'hearing-not-held': (f) => ran(f, 'planHearing') && !ran(f, 'sendHearingLetter'),
  // The hearing letter, the applicant's statement, then the case worker's task.
  'hearing-statement': (f) => ran(f, 'sendHearingLetter') && count(f, 'update:submitHearingStatement') >= 1,
  // The hearing letter, no statement: the deadline's timer fired, then the case worker's task.
  'hearing-deadline': (f) => ran(f, 'sendHearingLetter') && count(f, 'update:submitHearingStatement') === 0,
  // Patch `approval-by-fiction`: no decision before the period ended; the case closed with the certificate of the fiction.
  'approved-by-fiction': (f) => ran(f, 'planFiction') && ran(f, 'issueFictionCertificate'),
  // The period extended once (the letter to the applicant), then decided in time by the case worker.
  'fiction-extended': (f) => count(f, 'update:extendFiction') >= 1 && ran(f, 'notifyFictionExtension'),
};
/** Workflows other than the case: one history of each type. */
export const OTHER_TYPES = [
  'caseSummaryWorkflow',
  'applicantQuestionWorkflow',
  'bekanntgabeWorkflow',
  'objectionWorkflow',
  'correctionWorkflow',
];

/** The paths of the Bekanntgabe workflow (workflows/bekanntgabe.ts), each needing a history of its own. */
export const BEKANNTGABE_PATHS: Record<string, (f: HistoryFacts) => boolean> = {
  'bekanntgabe-retrieved': (f) => ran(f, 'checkRetrieval') && ran(f, 'recordBekanntgabe'),
  'bekanntgabe-not-retrieved': (f) => ran(f, 'announceAnotherWay'),
  // Patch `bekanntgabe-repeat-provision`: provided in the postbox again after the first window (§ 41 Abs. 2a Satz 5).
  'bekanntgabe-provided-again': (f) => ran(f, 'provideAgain'),
};

/** The paths of the objection workflow (workflows/objection.ts): remedied by the deciding authority, or decided above. */
export const OBJECTION_PATHS: Record<string, (f: HistoryFacts) => boolean> = {
  'objection-remedied': (f) =>
    count(f, 'activity:issueObjectionDocument') === 1 && count(f, 'activity:openObjectionTask') === 1,
  'objection-payout': (f) => ran(f, 'payOutAfterRemedy'),
  // Patch `fee-after-remedy`: the remedy asks whether a fee paid back on the rejection is due again.
  'objection-fee-after-remedy': (f) => ran(f, 'collectFeeAfterRemedy'),
  'objection-decided': (f) => count(f, 'activity:openObjectionTask') === 2 && ran(f, 'issueObjectionDocument'),
};

/** The paths of the correction workflow (workflows/correction.ts): refused under four eyes, or issued with its money. */
export const CORRECTION_PATHS: Record<string, (f: HistoryFacts) => boolean> = {
  'correction-refused': (f) => ran(f, 'recordCorrectionStage') && !ran(f, 'issueCorrectionDocument'),
  'correction-issued': (f) => ran(f, 'issueCorrectionDocument') && ran(f, 'deliverCorrectionDocument'),
  'correction-reclaim': (f) => ran(f, 'reclaimPayout'),
  'correction-refund': (f) => ran(f, 'refundFeeOnCorrection'),
};

/** The paths a history covers: the case paths it proves, or its workflow type (and the Bekanntgabe's paths). */
export function pathsOf(f: HistoryFacts): string[] {
  if (f.type === 'bekanntgabeWorkflow')
    return [
      f.type,
      ...Object.entries(BEKANNTGABE_PATHS)
        .filter(([, proves]) => proves(f))
        .map(([name]) => name),
    ];
  if (f.type === 'objectionWorkflow')
    return [
      f.type,
      ...Object.entries(OBJECTION_PATHS)
        .filter(([, proves]) => proves(f))
        .map(([name]) => name),
    ];
  if (f.type === 'correctionWorkflow')
    return [
      f.type,
      ...Object.entries(CORRECTION_PATHS)
        .filter(([, proves]) => proves(f))
        .map(([name]) => name),
    ];
  if (f.type !== 'caseWorkflow') return OTHER_TYPES.includes(f.type) ? [f.type] : [];
  return Object.entries(CASE_PATHS)
    .filter(([, proves]) => proves(f))
    .map(([name]) => name);
}

/**
 * The stages late in a case, by the activities that only they run: each has a mutant in the replay test, which must
 * fail every fixture that reaches the stage.
 */
export type LateStage = 'fee-collection' | 'payout' | 'delivery' | 'bescheid' | 'archive' | 'task-handling';
export const LATE_STAGES: Record<LateStage, (f: HistoryFacts) => boolean> = {
  'fee-collection': (f) => first(f, ...FEE_OPENED) < Infinity,
  payout: (f) => ran(f, 'payOut'),
  delivery: (f) => ran(f, 'deliverToApplicant'),
  bescheid: (f) => first(f, ...BESCHEID) < Infinity,
  archive: (f) => ran(f, 'archiveCase'),
  'task-handling': (f) => ran(f, 'syncTask'),
};
