import type { DocumentRef } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { findAkte } from '../db/queries/akte.js';
import { findAuthority, findService } from '../services/catalogue.js';
import { berlinDate, periodEnd, periodLastDay } from '../services/legal-time.js';
import type { Period } from '../services/types.js';
import type { ActivityDeps } from './deps.js';
import { sendLetter } from './letters.js';

export interface FictionPlan {
  startedOn: string;
  endsOn: string;
  /** Legal days from the start's day to the end of the period's last day: the workflow's timer in legal days. */
  legalDays: number;
  legalBasis: string;
}

export interface FictionExtensionPlanInput {
  serviceKey: string;
  authorityId: string;
  startedOn: string;
  endsOn: string;
  period: Period;
}

export interface FictionExtensionLetterInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  recipient: string;
  previousEndsOn: string;
  endsOn: string;
  reason: string;
}

const DAY_MS = 24 * 3600_000;
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
/** German date for people: 06.12.2026. */
const de = (d: string): string => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;

const declarationOf = (serviceKey: string, authorityId: string) => {
  const service = findService(serviceKey);
  return { service, fiction: service.lifecycle?.fiction, land: findAuthority(service, authorityId).land };
};

/** The letter that tells the applicant the period was extended, and why (§ 42a Abs. 2 Satz 4 VwVfG). */
export function renderFictionExtensionLetter(l: {
  serviceName: string;
  authorityName: string;
  aktenzeichen: string;
  previousEndsOn: string;
  endsOn: string;
  reason: string;
}): string {
  return [
    l.authorityName,
    '',
    `Verlängerung der Bearbeitungsfrist für Ihren Antrag „${l.serviceName}“ (Aktenzeichen ${l.aktenzeichen})`,
    '',
    'Guten Tag,',
    '',
    `über Ihren Antrag ist bis zum Ablauf der Frist zu entscheiden; danach gilt die Genehmigung als erteilt ` +
      `(§ 42a VwVfG). Wir verlängern diese Frist einmalig vom ${de(l.previousEndsOn)} bis zum ${de(l.endsOn)} ` +
      '(§ 42a Abs. 2 Satz 3 VwVfG).',
    '',
    `Begründung: ${l.reason}`,
    '',
    'Mit freundlichen Grüßen',
    l.authorityName,
    '',
  ].join('\n');
}

/** The period of an approval by fiction: planned from the authority's calendar, extended once, communicated once. */
export function createFictionActivities(deps: ActivityDeps) {
  const { db, postbox } = deps;
  return {
    /**
     * `planFiction` (local, pure): the period from the complete application's day (§ 187 Abs. 1 BGB: it starts the
     * next day), its end moved off weekends and the Land's holidays (§ 31 Abs. 3 VwVfG); null without a calendar.
     */
    async planFiction(i: { serviceKey: string; authorityId: string; at: string }): Promise<FictionPlan | null> {
      const { fiction, land } = declarationOf(i.serviceKey, i.authorityId);
      if (!fiction || !land) return null;
      const startedOn = berlinDate(new Date(i.at));
      const { endsOn } = periodEnd(startedOn, fiction.period, land);
      return { startedOn, endsOn, legalDays: daysBetween(startedOn, endsOn) + 1, legalBasis: fiction.legalBasis };
    },

    /** `planFictionExtension` (local, pure): the new end, or why not (beyond the service's maximum). */
    async planFictionExtension(
      i: FictionExtensionPlanInput,
    ): Promise<{ endsOn: string; legalDays: number } | { refusal: string }> {
      const { fiction, land } = declarationOf(i.serviceKey, i.authorityId);
      if (!fiction || !land) return { refusal: 'Der Dienst erklärt keine Genehmigungsfiktion.' };
      let asked: string;
      try {
        asked = periodLastDay(i.endsOn, i.period);
      } catch {
        return { refusal: 'Die Verlängerung braucht eine Dauer.' };
      }
      if (asked > periodLastDay(i.endsOn, fiction.extension.max))
        return { refusal: 'Die Verlängerung geht über das zulässige Höchstmaß des Dienstes hinaus.' };
      const { endsOn } = periodEnd(i.endsOn, i.period, land);
      return { endsOn, legalDays: daysBetween(i.startedOn, endsOn) + 1 };
    },

    /** `notifyFictionExtension`: the letter with the reason, filed in the Akte and sent to the postbox, once. */
    async notifyFictionExtension(i: FictionExtensionLetterInput): Promise<{ deliveryId: string }> {
      const service = findService(i.serviceKey);
      const authority = findAuthority(service, i.authorityId);
      const akte = await findAkte(db, { caseId: i.caseId });
      const text = renderFictionExtensionLetter({
        serviceName: service.name,
        authorityName: authority.name,
        aktenzeichen: akte?.aktenzeichen ?? i.caseId,
        previousEndsOn: i.previousEndsOn,
        endsOn: i.endsOn,
        reason: i.reason,
      });
      return sendLetter(deps, {
        caseId: i.caseId,
        recipient: i.recipient,
        purpose: 'fiction-extension',
        subject: `Fristverlängerung zu Ihrem Antrag „${service.name}“`,
        title: `Verlängerung der Frist bis ${de(i.endsOn)} (§ 42a Abs. 2 VwVfG)`,
        text,
      });
    },

    /** `deliverFictionCertificate`: the sealed certificate of the fiction to the applicant's postbox, once. */
    async deliverFictionCertificate(i: {
      caseId: string;
      serviceKey: string;
      recipient: string;
      document: DocumentRef;
    }): Promise<{ status: 'delivered'; deliveryId: string; channel: string; deliveredAt: string }> {
      const service = findService(i.serviceKey);
      const d = await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, 'fiction-certificate'),
        caseId: i.caseId,
        recipient: i.recipient,
        subject: `Bescheinigung: Ihr Antrag „${service.name}“ gilt als genehmigt`,
        document: i.document,
      });
      return {
        status: 'delivered',
        deliveryId: d.deliveryId,
        channel: d.channel,
        deliveredAt: d.deliveredAt.toISOString(),
      };
    },
  };
}
