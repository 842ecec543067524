import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';

/**
 * The activities whose effect leaves the engine (money, seal, archive, letters, status messages, register retrievals,
 * forwarding, and after the decision: the withdrawal's confirmation, the hearing letter, the fiction's letter and certificate, the objection's
 * and the correction's sealed documents and money, a Bescheid provided again):
 * a worker killed after the effect and before Temporal hears of it must not repeat it.
 */
export const SIDE_EFFECTING_ACTIVITIES = [
  'openFeePayment',
  'cancelFeePayment',
  'refundFee',
  'payOut',
  'issueBescheid',
  'archiveCase',
  'deliverToApplicant',
  'fetchEvidence',
  'sendEvidenceRequest',
  'askApplicant',
  'deliverConfirmedAnswer',
  'forwardCase',
  'sendStatusMessage',
  'confirmWithdrawal',
  'issueObjectionDocument',
  'deliverObjectionDocument',
  'payOutAfterRemedy',
  'collectFeeAfterRemedy',
  'sendHearingLetter',
  'notifyFictionExtension',
  'issueFictionCertificate',
  'deliverFictionCertificate',
  'issueCorrectionDocument',
  'deliverCorrectionDocument',
  'reclaimPayout',
  'refundFeeOnCorrection',
  'provideAgain',
] as const;

/** What the killed process left behind: which activity of which workflow it had finished when it died. */
export interface KillMark {
  activity: string;
  workflowId: string;
  attempt: number;
  /** A local activity runs inside a workflow task: its retry is the workflow task's, on the other worker. */
  isLocal: boolean;
}

/**
 * Only for the chaos and test workers (test/chaos/worker.ts with CHAOS_KILL_AFTER), never in production: after a named
 * activity's function returned, i.e. after its effect and before its completion reaches Temporal, the worker process
 * SIGKILLs itself. Once per activity type across all processes sharing `marks`: the first to create the mark file
 * (exclusive create) dies, every later attempt, here or in another worker, completes normally.
 */
export function killAfterEffect(activities: ReadonlySet<string>, marks: string) {
  return () => ({
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        const result = await next(input);
        const { activityType, workflowExecution, attempt, isLocal } = Context.current().info;
        if (activityType && activities.has(activityType)) {
          const mark: KillMark = {
            activity: activityType,
            workflowId: workflowExecution?.workflowId ?? '',
            attempt,
            isLocal,
          };
          let first = true;
          try {
            writeFileSync(join(marks, activityType), JSON.stringify(mark), { flag: 'wx' });
          } catch {
            first = false;
          }
          if (first) process.kill(process.pid, 'SIGKILL');
        }
        return result;
      },
    } satisfies ActivityInboundCallsInterceptor,
  });
}
