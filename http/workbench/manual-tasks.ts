import type { StaffActor, StaffRole } from '../../workflows/contracts/task.js';
import type { Database } from '../../db/client.js';
import { completeOutsideTask, findTask } from '../../db/queries/tasks.js';
import { recordBekanntgabeOf } from '../../activities/bekanntgabe.js';
import { findAuthority, findService } from '../../services/catalogue.js';
import { berlinDate } from '../../services/legal-time.js';

/** How a Bescheid the postbox could not take was delivered instead. */
export const DELIVERY_CHANNELS = {
  registered_mail: 'Einschreiben mit Rückschein',
  service_by_post: 'Postzustellungsurkunde',
  in_person: 'persönliche Übergabe gegen Empfangsbekenntnis',
  post: 'einfacher Brief (gilt nach der Frist des § 41 Abs. 2 VwVfG als bekannt gegeben)',
} as const;
export type DeliveryChannel = keyof typeof DELIVERY_CHANNELS;

export type ManualOutcome = { ok: true } | { ok: false; status: 403 | 404 | 409; message: string };

/** Recording a Bescheid delivered by hand needs a case worker: supervisors, the budget office and operators cannot. */
export const MANUAL_DELIVERY_ROLES: readonly StaffRole[] = ['case_worker'];

/**
 * Completes a manual-delivery task (kind `deliver_manually`): the case has already gone on, so no workflow waits on it;
 * the row records who delivered how. Completing twice is refused, so two people never both report it.
 */
export async function completeManualDelivery(
  db: Database,
  actor: StaffActor,
  p: {
    taskId: string;
    channel: DeliveryChannel;
    note: string;
    /**
     * The day of Zustellung (handed over, Rückschein, Zustellungsurkunde) or, for a plain letter, of posting: the Akte
     * records the Bekanntgabe from it where the service declares its lifecycle. Default: today (Europe/Berlin).
     */
    deliveredOn?: string;
  },
): Promise<ManualOutcome> {
  // The API route declares the same roles; the workbench's form reaches here without it.
  if (!MANUAL_DELIVERY_ROLES.includes(actor.role))
    return { ok: false, status: 403, message: 'recording a delivery by hand needs a case worker' };
  const task = await findTask(db, { taskId: p.taskId });
  if (!task || task.authorityId !== actor.authorityId || task.kind !== 'deliver_manually')
    return { ok: false, status: 404, message: 'no such manual-delivery task' };
  if (p.deliveredOn !== undefined && p.deliveredOn > berlinDate(new Date()))
    return { ok: false, status: 409, message: 'the day of delivery lies in the future' };
  const done = await completeOutsideTask(db, {
    taskId: p.taskId,
    authorityId: actor.authorityId,
    kind: 'deliver_manually',
    by: actor.id,
    outcome: `delivered:${p.channel}`,
    justification: `${DELIVERY_CHANNELS[p.channel]}${p.note ? `: ${p.note}` : ''}`,
  });
  if (!done) {
    const now = await findTask(db, { taskId: p.taskId });
    return {
      ok: false,
      status: 409,
      message: `the task is already ${now?.state ?? 'gone'}${now?.completedBy ? ` (by ${now.completedBy})` : ''}`,
    };
  }
  // The Bekanntgabe from the day the person reports (§ 41 Abs. 2 for a letter, the Zustellung's day otherwise).
  const service = task.caseId ? findServiceOrUndefined(task.serviceKey) : undefined;
  if (task.caseId && service?.lifecycle && findAuthority(service, task.authorityId).land)
    await recordBekanntgabeOf(db, {
      caseId: task.caseId,
      serviceKey: task.serviceKey,
      authorityId: task.authorityId,
      basis: p.channel === 'post' ? 'postal_fiction' : 'manual_delivery',
      eventOn: p.deliveredOn ?? berlinDate(new Date()),
    });
  return { ok: true };
}

const findServiceOrUndefined = (serviceKey: string) => {
  try {
    return findService(serviceKey);
  } catch {
    return undefined;
  }
};
