// German formatting for the workbench pages: dates in Berlin time, states and roles in words.

const dateTime = new Intl.DateTimeFormat('de-DE', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'Europe/Berlin',
});
export const when = (iso: string | Date | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : '–');

export const roleLabel: Record<string, string> = {
  case_worker: 'Sachbearbeitung',
  supervisor: 'Aufsicht',
  operator: 'Betrieb',
};
export const taskStateLabel: Record<string, string> = {
  open: 'offen',
  claimed: 'in Bearbeitung',
  completed: 'erledigt',
  cancelled: 'abgebrochen',
};
export const taskKindLabel: Record<string, string> = {
  review_decision: 'Entscheidung prüfen',
  deliver_manually: 'Bescheid auf anderem Weg zustellen',
  abhilfe: 'Widerspruch: Abhilfe prüfen',
  widerspruchsbescheid: 'Widerspruch: Widerspruchsbescheid erlassen',
  check_fee_difference: 'Gebührendifferenz prüfen',
};

/** A day (YYYY-MM-DD) as Germans write it. */
export const day = (iso: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso;
};
export const outcomeLabel: Record<string, string> = {
  approve: 'Bewilligen',
  reject: 'Ablehnen',
  escalate: 'an Sachbearbeitung',
  approved: 'bewilligt',
  rejected: 'abgelehnt',
  withdrawn: 'zurückgenommen',
  approved_by_fiction: 'genehmigt durch Fiktionsablauf (§ 42a VwVfG)',
};
export const caseStatusLabel: Record<string, string> = {
  received: 'eingegangen',
  validating: 'wird geprüft',
  checking_identity: 'Identität wird geprüft',
  fetching_evidence: 'Nachweise werden abgerufen',
  awaiting_applicant: 'wartet auf Antragsteller/in',
  collecting_fee: 'Gebühr wird erhoben',
  deciding: 'wird entschieden',
  awaiting_case_worker: 'wartet auf Sachbearbeitung',
  issuing_bescheid: 'Bescheid wird erstellt',
  sealing: 'Bescheid wird gesiegelt',
  delivering: 'wird zugestellt',
  archiving: 'wird archiviert',
  closed: 'abgeschlossen',
  hearing: 'Anhörung: wartet auf Stellungnahme',
};
export const eventLabel: Record<string, string> = {
  'task.opened': 'Aufgabe eröffnet',
  'task.claimed': 'Aufgabe übernommen',
  'task.unclaimed': 'Aufgabe zurückgegeben',
  'task.reassigned': 'Aufgabe neu zugewiesen',
  'task.proposed': 'Entscheidung vorgeschlagen (Vier-Augen)',
  'task.sent_back': 'Vorschlag mit Hinweis an die Sachbearbeitung zurückgegeben (Vier-Augen)',
  'task.completed': 'Entscheidung getroffen',
  'task.reminder': 'Erinnerung an die Frist',
  'task.escalated': 'Frist überschritten: an die Aufsicht',
  'applicant.asked': 'Rückfrage an Antragsteller/in',
  'applicant.replied': 'Antwort erhalten',
  'applicant.reply_overdue': 'Antwortfrist verstrichen',
  'delivery.handed_over': 'Zustellung an die Poststelle übergeben',
  'case.received': 'Antrag eingegangen',
  'application.validation_started': 'Antrag wird geprüft',
  'identity.check_started': 'Identität wird geprüft',
  'evidence.requested': 'Nachweise bei Registern angefragt',
  'evidence.requested_from_applicant': 'Nachweise bei Antragsteller/in angefordert',
  'evidence.reminder_sent': 'an Nachweise erinnert',
  'evidence.request_closed': 'Nachweisanforderung abgeschlossen',
  'fee.requested': 'Gebühr festgesetzt',
  'fee.payment_opened': 'Zahlung eröffnet',
  'fee.paid': 'Gebühr bezahlt',
  'fee.reminder_sent': 'an Zahlung erinnert',
  'fee.refunded': 'Gebühr erstattet',
  'payout.executed': 'Förderung ausgezahlt',
  'decision.started': 'Regeln entscheiden',
  'case.escalated': 'an die Sachbearbeitung gegeben',
  'case.resumed': 'Fall fortgesetzt',
  'bescheid.rendering': 'Bescheid wird erstellt',
  'bescheid.sealing': 'Bescheid wird gesiegelt',
  'bescheid.delivering': 'Bescheid wird zugestellt',
  'case.archiving': 'Fall wird archiviert',
  'case.closed': 'Fall abgeschlossen',
  'bekanntgabe.established': 'Bescheid bekannt gegeben',
  'bekanntgabe.not_retrieved': 'Bescheid nicht abgerufen: Bekanntgabe auf anderem Weg',
  'intake.assessed': 'Antrag auf Vollständigkeit und Zuständigkeit geprüft',
  'fee.cancelled': 'Gebühr storniert',
  'fee.overdue': 'Gebühr nicht fristgerecht bezahlt',
  'payout.requested': 'Auszahlung der Förderung angewiesen',
  'step.completed': 'Verfahrensschritt der Leistung abgeschlossen',
  'step.failed': 'Verfahrensschritt der Leistung fehlgeschlagen',
  'case.withdrawn': 'Antrag zurückgenommen',
  'task.cancelled': 'Aufgabe abgebrochen',
  'objection.received': 'Widerspruch eingegangen',
  'objection.objection_authority': 'Widerspruch der Widerspruchsbehörde vorgelegt',
  'objection.remedied': 'Dem Widerspruch abgeholfen (Abhilfebescheid)',
  'objection.decided': 'Widerspruchsbescheid erlassen',
  'objection.hold_released': 'Widerspruchsverfahren beendet: Löschsperre aufgehoben',
  'correction.proposed': 'Rücknahme/Widerruf des Bescheids vorgeschlagen',
  'correction.refused': 'Rücknahme/Widerruf im Vier-Augen-Prinzip abgelehnt',
  'correction.issued': 'Rücknahme-/Widerrufsbescheid erlassen',
  'hearing.letter_sent': 'Anhörung: Schreiben mit Frist zur Stellungnahme versandt',
  'hearing.statement_received': 'Anhörung: Stellungnahme eingegangen',
  'hearing.closed': 'Anhörung abgeschlossen: an die Sachbearbeitung gegeben',
  'hearing.skipped': 'Von der Anhörung abgesehen (§ 28 Abs. 2 VwVfG)',
  'fiction.started': 'Unterlagen vollständig: Frist der Genehmigungsfiktion läuft (§ 42a VwVfG)',
  'fiction.extended': 'Frist der Genehmigungsfiktion verlängert (§ 42a Abs. 2 Satz 3 VwVfG)',
  'fiction.occurred': 'Frist abgelaufen: Genehmigung gilt als erteilt (§ 42a VwVfG)',
  'fiction.certificate': 'Bescheinigung über die Genehmigungsfiktion wird erstellt',
};
export const paymentKindLabel: Record<string, string> = {
  fee: 'Gebühr',
  refund: 'Erstattung',
  payout: 'Auszahlung',
  reclaim: 'Rückforderung',
};
export const paymentStatusLabel: Record<string, string> = {
  open: 'offen',
  paid: 'bezahlt',
  failed: 'fehlgeschlagen',
  abandoned: 'abgebrochen',
  cancelled: 'storniert',
  refunded: 'erstattet',
  paid_out: 'ausgezahlt',
};

export type DeadlineState = 'overdue' | 'soon' | 'ok' | 'done' | 'paused';
export const deadlineLabel: Record<DeadlineState, string> = {
  // The row's own badge says why ("Rückfrage offen"); the deadline only says that it rests.
  paused: 'Frist ruht',
  overdue: 'überfällig',
  soon: 'bald fällig',
  ok: 'im Plan',
  done: 'erledigt',
};

/**
 * The deadline at a glance: overdue, due within two days, in time, or no longer relevant; while a question to the
 * applicant is open the due date rests (the case waits for her, not for the case worker).
 */
export function deadlineOf(
  t: { state: string; dueAt: string | Date; openQuestionId?: string | null; openQuestion?: unknown },
  now = Date.now(),
): DeadlineState {
  if (t.state === 'completed' || t.state === 'cancelled') return 'done';
  if (t.openQuestionId || t.openQuestion) return 'paused';
  const due = new Date(t.dueAt).getTime();
  return due < now ? 'overdue' : due - now < 2 * 24 * 3600_000 ? 'soon' : 'ok';
}

/** The workflow's refusals are technical English; the page says them in German. */
export function refusalInGerman(message: string): string {
  const rules: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
    [/already claimed by (.+)$/, (m) => `Die Aufgabe hat inzwischen ${m[1]} übernommen.`],
    [/the task is (completed|cancelled)/, (m) => `Die Aufgabe ist inzwischen ${taskStateLabel[m[1]!]}.`],
    [/the case is closed/, () => 'Der Fall ist inzwischen abgeschlossen.'],
    [/claimed by (.+)$/, (m) => `Die Aufgabe bearbeitet ${m[1]}.`],
    [/claim the task first/, () => 'Bitte übernehmen Sie die Aufgabe zuerst.'],
    [/not claimed/, () => 'Die Aufgabe ist nicht (mehr) übernommen.'],
    [
      /four-eyes: the proposed outcome is (\w+)/,
      (m) =>
        `Vier-Augen-Prinzip: Vorgeschlagen ist „${outcomeLabel[m[1]!] ?? m[1]}“; eine zweite Person kann nur bestätigen.`,
    ],
    [/four-eyes/, () => 'Vier-Augen-Prinzip: Die zweite Freigabe muss von einer anderen Person kommen.'],
    [/escalated to the supervisors/, () => 'Die Aufgabe ist überfällig und liegt bei der Aufsicht.'],
    [
      /waiting for the applicant/,
      () => 'Der Fall wartet noch auf die Antwort der Antragstellerin oder des Antragstellers.',
    ],
    [/question to the applicant is already open/, () => 'Es ist bereits eine Rückfrage offen.'],
    [/only the assignee can ask/, () => 'Nur wer die Aufgabe bearbeitet, kann Rückfragen stellen.'],
    [
      /only the assignee or a supervisor can reassign/,
      () => 'Nur wer die Aufgabe bearbeitet oder die Aufsicht kann neu zuweisen.',
    ],
    [/is not the open task/, () => 'Diese Aufgabe ist nicht mehr die offene Aufgabe des Falls.'],
  ];
  for (const [re, say] of rules) {
    const m = message.match(re);
    if (m) return say(m);
  }
  return 'Die Aktion wurde abgelehnt.';
}

import { factName } from '../../services/plain-german.js';
export { euros, factLabel, factName, factValue } from '../../services/plain-german.js';

/**
 * The fields registers answer with, in words, for the case page's reading of a register extract; a field not named
 * here is split from its camelCase (services/plain-german.ts factName).
 */
export const registerFieldLabel: Record<string, string> = {
  subject: 'Kennung (Pseudonym)',
  holderSubject: 'Halter/in (Pseudonym)',
  familyName: 'Familienname',
  givenName: 'Vorname',
  birthDate: 'Geburtsdatum',
  address: 'Anschrift',
  street: 'Straße und Hausnummer',
  postalCode: 'Postleitzahl',
  city: 'Ort',
  zone: 'Parkzone',
  residenceType: 'Art des Wohnsitzes',
  registeredSince: 'Gemeldet/eingetragen seit',
  householdId: 'Haushalt',
  licensePlate: 'Kennzeichen',
  make: 'Hersteller',
  model: 'Modell',
  firstRegistration: 'Erstzulassung',
  use: 'Nutzung',
  registrationNumber: 'Registernummer',
  businessName: 'Name des Betriebs',
  activity: 'Tätigkeit',
  prohibited: 'Gewerbeuntersagung',
  permitNumber: 'Erlaubnisnummer',
};

/** Values registers answer with, in words (the rest as plain-german's factValue says them). */
export const registerValueLabel: Record<string, string> = {
  main: 'Hauptwohnsitz',
  secondary: 'Nebenwohnsitz',
};

/** Evidence types in words (the service's document name is preferred where the page knows it). */
export const evidenceLabel: Record<string, string> = {
  residence: 'Meldebescheinigung',
  vehicle_registration: 'Zulassungsbescheinigung Teil I',
  invoice: 'Rechnung',
  objection: 'Anlage zum Widerspruch',
  trade_prohibition: 'Auskunft zur Gewerbeuntersagung',
  trade_permit: 'Gewerbeerlaubnis',
};
export const evidenceName = (type: string) => evidenceLabel[type] ?? factName(type);

/** Register names in words. */
export const registerLabel: Record<string, string> = {
  population: 'Melderegister',
  vehicles: 'Fahrzeugregister',
  gzr: 'Gewerbezentralregister',
  permits: 'Erlaubnisregister',
  uploads: 'Hochgeladene Unterlagen',
};
