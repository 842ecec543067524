import type { TaskView } from '../../workflows/contracts/task.js';
import type { FictionState } from '../../workflows/contracts/case.js';
import { DELIVERY_CHANNELS, MANUAL_DELIVERY_ROLES } from './manual-tasks.js';
import {
  caseStatusLabel,
  deadlineLabel,
  deadlineOf,
  euros,
  evidenceName,
  eventLabel,
  factName,
  factValue,
  day,
  registerFieldLabel,
  registerValueLabel,
  registerLabel,
  outcomeLabel,
  paymentKindLabel,
  paymentStatusLabel,
  roleLabel,
  taskKindLabel,
  taskStateLabel,
  when,
} from './format.js';
import { html, type Html } from './html.js';
import { berlinDate } from '../../services/legal-time.js';
import type { StaffSession } from './login.js';
import { decideForms, lettersSection, type NotesAndLetters, vermerkeSection } from './notes-letters-views.js';
import { fristenSection } from './fristen.js';

/** The objection procedure's tasks: their inbox rows and links open the objection screen. */
const OBJECTION_TASKS = ['abhilfe', 'widerspruchsbescheid'];
import { type CorrectionPanel, correctionSection } from './correction-views.js';

export interface PageContext {
  session?: StaffSession;
  csrf?: string;
}

const csrfField = (c: PageContext) => html`<input type="hidden" name="_csrf" value="${c.csrf ?? ''}">`;

/** A candidate group's name as the page shows it (`gewerbeamt` → „Gewerbeamt“). */
const groupLabel = (g: string) => g.charAt(0).toUpperCase() + g.slice(1).replace(/[_-]+/g, ' ');

export function layout(c: PageContext, title: string, body: Html): string {
  const s = c.session;
  return html`<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} – Arbeitsplatz</title><link rel="stylesheet" href="/workbench/assets/workbench.css"></head>
<body>
<a class="skip" href="#main">Zum Inhalt springen</a>
<header>
<p class="brand">Arbeitsplatz${s ? html` · ${s.authorityId}` : ''}</p>
${
  s
    ? html`<nav aria-label="Hauptnavigation"><ul><li><a href="/workbench/inbox">Aufgaben</a></li><li><a href="/workbench/inbox?assignee=me">Meine Aufgaben</a></li>${
        s.role === 'supervisor' ? html`<li><a href="/workbench/inbox?due=overdue">Überfällig</a></li>` : ''
      }</ul></nav>
<p class="who">Angemeldet: ${s.name} (${roleLabel[s.role] ?? s.role}${s.groups?.length ? ` · ${s.groups.length === 1 ? 'Gruppe' : 'Gruppen'}: ${s.groups.map(groupLabel).join(', ')}` : ''})</p>
<form method="post" action="/workbench/logout">${csrfField(c)}<button type="submit">Abmelden</button></form>`
    : ''
}
</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`.value;
}

export function messagePage(
  c: PageContext,
  title: string,
  text: string,
  link?: { href: string; label: string },
): string {
  return layout(
    c,
    title,
    html`<h1>${title}</h1><div role="alert" class="alert"><p>${text}</p></div>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}`,
  );
}

export function loggedOutPage(): string {
  return layout(
    {},
    'Abgemeldet',
    html`<h1>Sie sind abgemeldet</h1><p><a href="/workbench/login">Wieder anmelden</a></p>`,
  );
}

// ── Inbox ────────────────────────────────────────────────────────────────

export interface InboxFilters {
  state: string;
  service: string;
  assignee: string;
  due: string;
  /** `due`: only tasks whose Wiedervorlage is today or earlier. */
  followup: string;
  /** `open`: only tasks with a question to the applicant open. */
  question: string;
  /** `due`, `received` or `followup`. */
  sort: string;
  q: string;
  page: number;
}

export interface InboxRow {
  taskId: string;
  caseId: string;
  kind: string;
  serviceKey: string;
  reason: string;
  assignee: string | null;
  state: string;
  stage: string;
  fourEyes: boolean;
  priority: string;
  dueAt: string;
  escalatedAt: string | null;
  /** When the task came in (the projection's row). */
  createdAt?: string | null;
  openQuestionId?: string | null;
  /** The Wiedervorlage a case worker set on the task. */
  followUp?: { followUpOn: string; note: string | null; setBy: string } | null;
  /** The applicant answered a question of the case (shown while the task waits for a decision). */
  answered?: boolean;
  /** From the case's Akte; absent for cases from before it. */
  aktenzeichen?: string | null;
  applicantName?: { givenName: string; familyName: string } | null;
  application?: Record<string, unknown> | null;
}

/** The applicant as a case worker recognises her: name, then company, address, birth date, licence plate. */
export function applicantLines(
  name: { givenName: string; familyName: string } | null | undefined,
  a: Record<string, unknown> | null | undefined,
): { name?: string; details: string[] } {
  const address = a?.['address'] as { street?: string; postalCode?: string; city?: string } | null | undefined;
  const details = [
    typeof a?.['business'] === 'string' ? a['business'] : undefined,
    address?.street ? `${address.street}, ${address.postalCode ?? ''} ${address.city ?? ''}`.trim() : undefined,
    typeof a?.['birthDate'] === 'string' ? `geb. ${germanDate(a['birthDate'])}` : undefined,
    typeof a?.['licensePlate'] === 'string' ? `Kennzeichen ${a['licensePlate']}` : undefined,
  ].filter((x): x is string => Boolean(x));
  return { name: name ? `${name.givenName} ${name.familyName}` : undefined, details };
}

const germanDate = (iso: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso;
};

const option = (value: string, label: string, selected: string) =>
  html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;

/** A member of staff as the directory knows her (the identity provider's claims at her last login). */
export interface StaffMember {
  staffId: string;
  displayName: string;
  role: string;
  substitute?: string | null;
}

/** Her display name where the directory knows her, else her login id. */
export const staffName = (staff: StaffMember[] | undefined, id: string) =>
  staff?.find((s) => s.staffId === id)?.displayName ?? id;

/** A choice of the authority's case workers and supervisors, by name (no typing of login ids). */
export const colleagueOptions = (staff: StaffMember[], selected = '', except?: string) =>
  staff
    .filter((s) => (s.role === 'case_worker' || s.role === 'supervisor') && s.staffId !== except)
    .map((s) => option(s.staffId, `${s.displayName}${s.role === 'supervisor' ? ' (Aufsicht)' : ''}`, selected));

export function inboxPage(
  c: PageContext,
  d: {
    filters: InboxFilters;
    rows: InboxRow[];
    total: number;
    pageSize: number;
    services: Array<{ key: string; name: string }>;
    notice?: Html;
    error?: string;
    now: number;
    /** The authority's staff from the directory; names of the colleagues she stands in for. */
    staff?: StaffMember[];
    standsInFor?: string[];
    /** Links to the saved filters ("Meine", "Wiedervorlage fällig", …). */
    savedFilters?: Array<{ label: string; query: Record<string, string> }>;
  },
): string {
  const f = d.filters;
  const today = berlinDate(new Date(d.now));
  const staff = d.staff ?? [];
  const mine = staff.find((s) => s.staffId === c.session?.id);
  const pages = Math.max(1, Math.ceil(d.total / d.pageSize));
  const query = (page: number) =>
    `/workbench/inbox?${new URLSearchParams({ ...f, page: String(page) } as unknown as Record<string, string>).toString()}`;
  const serviceName = new Map(d.services.map((s) => [s.key, s.name]));
  const supervisor = c.session?.role === 'supervisor';
  const table = html`<div class="table-wrap"><table>
<caption>${d.total} Aufgabe${d.total === 1 ? '' : 'n'}, ${sortLabel[f.sort] ?? sortLabel['due']}${pages > 1 ? html` – Seite ${f.page} von ${pages}` : ''}</caption>
<thead><tr>${supervisor ? html`<th scope="col"><span class="muted">Auswahl</span></th>` : ''}<th scope="col">Frist</th><th scope="col">Aktenzeichen</th><th scope="col">Antragsteller/in</th><th scope="col">Leistung</th><th scope="col">Aufgabe und Grund</th><th scope="col">Status</th><th scope="col">Bearbeitung</th></tr></thead>
<tbody>
${d.rows.map((t) => {
  const dl = deadlineOf(t, d.now);
  const who = applicantLines(t.applicantName, t.application);
  const az = t.aktenzeichen ?? t.caseId;
  return html`<tr>
${supervisor ? html`<td><input type="checkbox" name="taskIds" value="${t.taskId}" id="sel-${t.taskId}" aria-label="Aufgabe zu Akte ${az} auswählen"></td>` : ''}
<td>${when(t.dueAt)}<br><span class="badge ${dl}">${deadlineLabel[dl]}</span>${
    t.followUp
      ? html`<br><span class="badge ${t.followUp.followUpOn <= today ? 'soon' : 'done'}">Wiedervorlage ${day(t.followUp.followUpOn)}</span>${t.followUp.note ? html`<br><span class="muted">${t.followUp.note}</span>` : ''}`
      : ''
  }</td>
<td><a class="id" href="/workbench/cases/${t.caseId}${OBJECTION_TASKS.includes(t.kind) ? '/objection' : ''}">${az}</a>${
    t.openQuestionId
      ? html`<br><span class="badge soon">Rückfrage offen</span>`
      : t.answered && (t.state === 'open' || t.state === 'claimed')
        ? html`<br><span class="badge ok">Antwort eingegangen</span>`
        : ''
  }</td>
<td>${who.name ?? html`<span class="muted">ohne Namen</span>`}${who.details.map((l) => html`<br><span class="muted">${l}</span>`)}</td>
<td>${serviceName.get(t.serviceKey) ?? t.serviceKey}</td>
<td>${taskKindLabel[t.kind] ?? t.kind}${t.stage === 'second_approval' ? html` <span class="badge soon">zweite Freigabe</span>` : ''}${t.fourEyes && t.stage !== 'second_approval' ? html` <span class="badge ok">Vier-Augen</span>` : ''}<br><span class="muted">${t.reason}</span></td>
<td>${taskStateLabel[t.state] ?? t.state}${t.escalatedAt ? html`<br><span class="badge overdue">bei der Aufsicht</span>` : ''}</td>
<td>${t.assignee ? staffName(staff, t.assignee) : html`<span class="muted">niemand</span>`}</td>
</tr>`;
})}
</tbody></table></div>`;

  return layout(
    c,
    'Aufgaben',
    html`<h1>Aufgaben</h1>
${d.notice ?? ''}${d.error ? html`<div role="alert" class="alert"><p>${d.error}</p></div>` : ''}
${d.standsInFor?.length ? html`<p class="notice">Sie vertreten: ${d.standsInFor.join(', ')}. Deren Aufgaben stehen unter „Bearbeitung: ich“.</p>` : ''}
${absenceForm(c, staff, mine)}
${
  d.savedFilters?.length
    ? html`<nav aria-label="Gespeicherte Filter" class="saved-filters"><ul>${d.savedFilters.map((s) => {
        const href = `/workbench/inbox?${new URLSearchParams(s.query).toString()}`;
        const current = Object.entries(s.query).every(([k, v]) => (f as unknown as Record<string, unknown>)[k] === v);
        return html`<li><a href="${href}"${current ? html` aria-current="page"` : ''}>${s.label}</a></li>`;
      })}</ul></nav>`
    : ''
}
<form method="get" action="/workbench/inbox" class="filters" role="search" aria-label="Aufgaben filtern">
<div><label for="f-q">Suchen: Aktenzeichen, Name, Geburtsdatum, Kennzeichen oder Straße</label><input id="f-q" name="q" value="${f.q}" size="32" maxlength="100" autocomplete="off"></div>
<div><label for="f-state">Status</label><select id="f-state" name="state">${[
      ['active', 'offen oder in Bearbeitung'],
      ['open', 'offen'],
      ['claimed', 'in Bearbeitung'],
      ['completed', 'erledigt'],
      ['all', 'alle'],
    ].map(([v, l]) => option(v!, l!, f.state))}</select></div>
<div><label for="f-service">Leistung</label><select id="f-service" name="service">${option('', 'alle Leistungen', f.service)}${d.services.map((s) => option(s.key, s.name, f.service))}</select></div>
<div><label for="f-assignee">Bearbeitung</label><select id="f-assignee" name="assignee">${[
      ['anyone', 'alle'],
      ['me', 'ich'],
      ['unassigned', 'niemand'],
    ].map(([v, l]) => option(v!, l!, f.assignee))}</select></div>
<div><label for="f-due">Frist</label><select id="f-due" name="due">${[
      ['', 'alle'],
      ['overdue', 'überfällig'],
      ['week', 'in den nächsten 7 Tagen'],
    ].map(([v, l]) => option(v!, l!, f.due))}</select></div>
<div><label for="f-followup">Wiedervorlage</label><select id="f-followup" name="followup">${[
      ['', 'alle'],
      ['due', 'fällig (heute oder früher)'],
    ].map(([v, l]) => option(v!, l!, f.followup))}</select></div>
<div><label for="f-question">Rückfrage</label><select id="f-question" name="question">${[
      ['', 'alle'],
      ['open', 'offen'],
    ].map(([v, l]) => option(v!, l!, f.question))}</select></div>
<div><label for="f-sort">Sortierung</label><select id="f-sort" name="sort">${[
      ['due', 'nach Frist'],
      ['received', 'nach Eingang'],
      ['followup', 'nach Wiedervorlage'],
    ].map(([v, l]) => option(v!, l!, f.sort))}</select></div>
<div><button type="submit">Filtern</button></div>
</form>
${
  d.rows.length === 0
    ? html`<p role="status">Keine Aufgaben gefunden.</p>`
    : supervisor
      ? html`<form method="post" action="/workbench/tasks/reassign">${csrfField(c)}${table}
<fieldset><legend>Ausgewählte Aufgaben neu zuweisen (Aufsicht)</legend>
<label for="bulk-assignee">Neue Bearbeitung</label><select id="bulk-assignee" name="assignee" required>${option('', 'bitte wählen', '')}${colleagueOptions(staff)}</select>
<label for="bulk-reason">Grund</label><textarea id="bulk-reason" name="reason" required maxlength="2000"></textarea>
<p><button type="submit">Neu zuweisen</button></p></fieldset></form>`
      : table
}
${
  pages > 1
    ? html`<nav class="pager" aria-label="Seiten">${f.page > 1 ? html`<a href="${query(f.page - 1)}">Vorherige Seite</a>` : ''}<span>Seite ${f.page} von ${pages}</span>${f.page < pages ? html`<a href="${query(f.page + 1)}">Nächste Seite</a>` : ''}</nav>`
    : ''
}`,
  );
}

const sortLabel: Record<string, string> = {
  due: 'nach Frist sortiert',
  received: 'nach Eingang sortiert (älteste zuerst)',
  followup: 'nach Wiedervorlage sortiert',
};

/** Vertretung: absent with a substitute chosen from her colleagues, or back. */
function absenceForm(c: PageContext, staff: StaffMember[], mine: StaffMember | undefined): Html | string {
  if (c.session?.role !== 'case_worker' && c.session?.role !== 'supervisor') return '';
  if (mine?.substitute)
    return html`<form method="post" action="/workbench/absence" class="absence">${csrfField(c)}<p>Sie sind abwesend gemeldet; es vertritt Sie ${staffName(staff, mine.substitute)}.</p><input type="hidden" name="present" value="1"><button type="submit">Wieder anwesend</button></form>`;
  const options = colleagueOptions(staff, '', c.session.id);
  if (!options.length) return '';
  return html`<details class="absence"><summary>Abwesenheit und Vertretung</summary><form method="post" action="/workbench/absence">${csrfField(c)}<label for="absence-substitute">Vertretung während meiner Abwesenheit</label><select id="absence-substitute" name="substitute" required>${option('', 'bitte wählen', '')}${options}</select><button type="submit">Abwesend melden</button></form></details>`;
}

// ── Case file ────────────────────────────────────────────────────────────

type Panel = Record<string, any>;

export interface CasePageData {
  caseId: string;
  /** The authority's staff from the directory: names instead of login ids, colleagues to reassign to. */
  staff?: StaffMember[];
  /** The Aktenzeichen and the applicant from the Akte; absent for cases from before it. */
  person?: {
    aktenzeichen: string | null;
    name: { givenName: string; familyName: string } | null;
    application: Record<string, unknown> | null;
  };
  overview: Panel;
  application: Panel;
  evidence: Panel;
  dialogue: Panel;
  decision: Panel;
  summary: Panel;
  timeline: Panel;
  payments: Panel;
  bescheid: Panel;
  /** Tasks of the case from the projection (the workflow's own task, and tasks outside it like manual delivery). */
  tasks: InboxRow[];
  /** The Akte's Vermerke and letters, and the service's letter templates. */
  notesAndLetters?: NotesAndLetters;
  /** The case's latest Rücknahme or Widerruf. */
  correction?: CorrectionPanel;
  notice?: string;
  /** A refused or invalid action: what happened, and the form values to show again. */
  error?: { message: string; detail?: string; stale?: string };
  form?: Record<string, string>;
}

const dl = (pairs: Array<[string, unknown]>) =>
  html`<dl class="fields">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${fmt(v)}</dd>`)}</dl>`;
function fmt(v: unknown): Html | string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'boolean') return v ? 'ja' : 'nein';
  if (typeof v === 'object') return html`<code>${JSON.stringify(v)}</code>`;
  return String(v);
}

export function casePage(c: PageContext, d: CasePageData): string {
  const o = d.overview;
  const task = o['task'] as TaskView | null;
  const me = c.session!;
  const form = d.form ?? {};
  const canAct = me.role === 'case_worker' || me.role === 'supervisor';
  const short = d.person?.aktenzeichen ?? d.caseId.slice(0, 8);
  const who = applicantLines(d.person?.name, d.person?.application);
  const decisionRules = (d.decision['ruleDecisions'] as Panel[]) ?? [];
  const escalation = decisionRules.find((r) => r['outcome'] === 'escalate') ?? decisionRules.at(-1);
  const summary = d.summary;
  const followUpOfTask = task ? d.tasks.find((t) => t.taskId === task.taskId)?.followUp : undefined;

  const taskBox = task
    ? html`<section aria-labelledby="task-h"><h2 id="task-h">Aufgabe</h2>${dl([
        ['Art', taskKindLabel[task.kind] ?? task.kind],
        [
          'Status',
          `${taskStateLabel[task.state] ?? task.state}${task.stage === 'second_approval' ? ' – zweite Freigabe (Vier-Augen)' : ''}`,
        ],
        ['Bearbeitung', task.assignee ? staffName(d.staff, task.assignee) : 'niemand'],
        ['Frist', `${when(task.dueAt)} (${deadlineLabel[deadlineOf(task)]})`],
        ...(followUpOfTask
          ? [
              [
                'Wiedervorlage',
                `${day(followUpOfTask.followUpOn)}${followUpOfTask.note ? ` – „${followUpOfTask.note}“` : ''} (gesetzt von ${staffName(d.staff, followUpOfTask.setBy)})`,
              ] as [string, unknown],
            ]
          : []),
        ['Vier-Augen-Prinzip', task.fourEyes],
        ['Grund', task.reason],
        ...(task.proposal
          ? [
              [
                'Vorschlag',
                `${outcomeLabel[task.proposal.outcome]} von ${staffName(d.staff, task.proposal.by)}: „${task.proposal.justification}“`,
              ] as [string, unknown],
            ]
          : []),
        ...(task.sentBack
          ? [
              [
                'Zurückgegeben (Vier-Augen)',
                `von ${staffName(d.staff, task.sentBack.by)} am ${when(task.sentBack.at)}: „${task.sentBack.note}“`,
              ] as [string, unknown],
            ]
          : []),
        ...(task.openQuestion
          ? [
              ['Offene Rückfrage', `${task.openQuestion.text} (Antwort bis ${when(task.openQuestion.dueAt)})`] as [
                string,
                unknown,
              ],
            ]
          : []),
      ])}${canAct && task.state !== 'completed' && task.state !== 'cancelled' ? html`${actions(c, d, task, form)}${followUpForm(c, d.caseId, task.taskId, followUpOfTask, form)}` : ''}</section>`
    : html`<section aria-labelledby="task-h"><h2 id="task-h">Aufgabe</h2><p>Zu diesem Fall ist keine Aufgabe offen.</p></section>`;

  const otherTasks = d.tasks.filter((t) => t.taskId !== task?.taskId);

  return layout(
    c,
    `Akte ${short}`,
    html`<h1>Akte <span class="id">${d.person?.aktenzeichen ?? d.caseId}</span></h1>
<p class="applicant">Antragsteller/in: <strong>${who.name ?? 'ohne Namen'}</strong>${who.details.map((l) => html` · ${l}`)}</p>
<p>${o['serviceName']} · Status: <strong>${caseStatusLabel[o['status']] ?? o['status']}</strong>${o['outcome'] ? html` · Ergebnis: <strong>${outcomeLabel[o['outcome']] ?? o['outcome']}</strong>` : ''} · eingegangen ${when(o['submittedAt'])}</p>
${o['retention'] ? html`<p>Aufbewahrung: ${(o['retention'] as Panel)['explanation']}</p>` : ''}
${o['fiction'] ? fictionLine(o['fiction'] as FictionState) : ''}
<p><a href="/workbench/inbox">Zurück zu den Aufgaben</a></p>
${d.notice ? html`<div role="status" class="notice" id="notice" tabindex="-1" autofocus><p>${d.notice}</p></div>` : ''}
${d.error ? html`<div role="alert" class="alert" id="action-error"><p><strong>${d.error.message}</strong></p>${d.error.stale ? html`<p>${d.error.stale}</p>` : ''}<p>Ihre Eingaben sind erhalten geblieben.</p>${d.error.detail ? html`<p class="muted">Technisch: ${d.error.detail}</p>` : ''}</div>` : ''}
${taskBox}
${drafts(d, task, me.id, me.role === 'supervisor')}
${d.notesAndLetters && canAct ? vermerkeSection(c, d.caseId, d.notesAndLetters, form) : ''}
${d.notesAndLetters && canAct ? lettersSection(c, d.caseId, d.notesAndLetters, form) : ''}
${canAct || d.correction ? correctionSection(c, d.caseId, d.correction, canAct && o['status'] === 'closed' && o['outcome'] !== 'withdrawn', form) : ''}
${
  otherTasks.length
    ? html`<section aria-labelledby="more-tasks-h"><h2 id="more-tasks-h">Weitere Aufgaben zu diesem Fall</h2><ul>${otherTasks.map(
        (t) =>
          html`<li>${OBJECTION_TASKS.includes(t.kind) ? html`<a href="/workbench/cases/${d.caseId}/objection">${taskKindLabel[t.kind]}</a>` : (taskKindLabel[t.kind] ?? t.kind)}: ${taskStateLabel[t.state] ?? t.state}, Frist ${when(t.dueAt)}${t.followUp ? html`, Wiedervorlage ${day(t.followUp.followUpOn)}` : ''} – ${t.reason}${MANUAL_DELIVERY_ROLES.includes(me.role) && t.kind === 'deliver_manually' && (t.state === 'open' || t.state === 'claimed') ? manualDeliveryForm(c, d, t, form) : ''}</li>`,
      )}</ul></section>`
    : ''
}

${
  (d.timeline['events'] as Panel[]).some((e) => e['type'] === 'objection.received')
    ? html`<p><a href="/workbench/cases/${d.caseId}/objection">Widerspruch ansehen und entscheiden</a></p>`
    : ''
}
${fristenSection((d.timeline['events'] as Panel[]).map((e) => ({ type: e['type'], data: e['data'] })))}

<section class="panel" aria-labelledby="why-h"><h2 id="why-h">Warum der Fall hier ist</h2>
${
  escalation
    ? html`<p>Regelwerk <strong>${escalation['ruleSetId']}</strong>, Version <strong>${escalation['ruleSetVersion']}</strong>; Ergebnis der Regeln: <strong>${outcomeLabel[escalation['outcome']] ?? escalation['outcome']}</strong> (${when(escalation['decidedAt'])}).</p>
<div class="table-wrap"><table><caption>Ausgelöste Regeln</caption><thead><tr><th scope="col">Regel</th><th scope="col">Wirkung</th><th scope="col">Rechtsgrundlage</th><th scope="col">Gelesene Angaben</th></tr></thead><tbody>
${(escalation['firedRules'] as Panel[]).map((r) => html`<tr><td>${r['reason']}</td><td>${outcomeLabel[r['outcome']] ?? r['outcome']}</td><td>${r['legalBasis']}</td><td>${((r['reads'] as string[] | undefined) ?? []).map((k) => html`${factName(k)}: ${factValue(k, (escalation['facts'] as Panel)[k])}<br>`)}</td></tr>`)}
</tbody></table></div>
<details><summary>Alle Angaben, die die Regeln gelesen haben</summary>${dl(Object.entries(escalation['facts'] as Panel).map(([k, v]) => [factName(k), factValue(k, v)]))}</details>`
    : html`<p>Noch keine Entscheidung der Regeln.</p>`
}
${
  d.decision['final'] &&
  (d.decision['final'] as Panel)['decidedBy'] !== 'rules' &&
  typeof (d.decision['final'] as Panel)['decidedBy'] === 'object'
    ? html`<p>Entschieden von ${staffName(d.staff, (d.decision['final'] as Panel)['decidedBy']['caseWorker'])}${(d.decision['final'] as Panel)['decidedBy']['confirmedBy'] ? html`, bestätigt von ${staffName(d.staff, (d.decision['final'] as Panel)['decidedBy']['confirmedBy'])}` : ''}.</p>`
    : ''
}
</section>

<section class="panel" aria-labelledby="summary-h"><h2 id="summary-h">Maschinelle Zusammenfassung</h2>
${
  summary['text']
    ? html`<div class="machine"><p class="tag">Maschineller Vorschlag – entscheidet nichts. Bitte anhand der Akte prüfen.</p><p>${summary['label']}</p>${String(
        summary['text'],
      )
        .split('\n')
        .map((line) => html`<p>${line}</p>`)}</div>`
    : html`<p>Keine maschinelle Zusammenfassung vorhanden.</p>`
}
</section>

<section class="panel" aria-labelledby="app-h"><h2 id="app-h">Antrag</h2>
${(d.application['fields'] as Panel[]).length ? dl((d.application['fields'] as Panel[]).map((f) => [f['label'], f['value']])) : html`<p>Die Antragsdaten sind nicht verfügbar.</p>`}
</section>

<section class="panel" aria-labelledby="ev-h"><h2 id="ev-h">Nachweise</h2>
<h3>Registerabrufe</h3>
${
  (d.evidence['retrievals'] as Panel[]).length
    ? html`<div class="table-wrap"><table><caption>Abrufe bei Registern</caption><thead><tr><th scope="col">Nachweis</th><th scope="col">Register und Zweck</th><th scope="col">Gefragt</th><th scope="col">Antwort</th><th scope="col">Dokument</th></tr></thead><tbody>
${(d.evidence['retrievals'] as Panel[]).map((r) => html`<tr><td>${evidenceName(r['evidenceType'])}${r['attempt'] > 1 ? html` (${r['attempt']}. Abruf)` : ''}</td><td>${registerLabel[r['register']] ?? r['register']}: ${r['purpose']}</td><td>${when(r['requestedAt'])}</td><td>${({ found: 'gefunden', not_found: 'nicht gefunden', error: 'Fehler' } as Record<string, string>)[r['result']] ?? r['result']} (${when(r['answeredAt'])})${r['detail'] ? html`<br><span class="muted">${r['detail']}</span>` : ''}</td><td>${r['record'] !== undefined ? html`<details class="register-record"><summary>Auskunft lesen<span class="skip"> (${evidenceName(r['evidenceType'])})</span></summary>${recordFields(r['record'])}</details>` : ''}${r['download'] ? html`<a href="/workbench${r['download'].replace(/^\/cases\/[^/]+\/file/, `/cases/${d.caseId}`)}">Auskunft herunterladen<span class="skip"> (${evidenceName(r['evidenceType'])})</span></a>` : '–'}</td></tr>`)}
</tbody></table></div>`
    : html`<p>Keine Registerabrufe.</p>`
}
<h3>Hochgeladene Unterlagen</h3>
${
  (d.evidence['uploads'] as Panel[]).length
    ? html`<ul class="uploads">${(d.evidence['uploads'] as Panel[]).map((u) => {
        const href = `/workbench${u['download'].replace(/^\/cases\/[^/]+\/file/, `/cases/${d.caseId}`)}`;
        return html`<li>${evidenceName(u['evidenceType'])}: <a href="${href}">${u['fileName']}</a> (${Math.ceil(u['size'] / 1024)} KB)${uploadPreview(href, u['mediaType'], `${evidenceName(u['evidenceType'])}: ${u['fileName']}`)}</li>`;
      })}</ul>`
    : html`<p>Keine hochgeladenen Unterlagen.</p>`
}
${(d.evidence['requested'] as Panel[]).length ? html`<h3>Angeforderte Nachweise</h3><ul>${(d.evidence['requested'] as Panel[]).map((r) => html`<li>${r['document']} – ${({ requested: 'angefordert', received: 'eingegangen', expired: 'Frist verstrichen' } as Record<string, string>)[r['status']] ?? r['status']} (Frist ${when(r['dueAt'])})</li>`)}</ul>` : ''}
</section>

<section class="panel" aria-labelledby="dlg-h"><h2 id="dlg-h">Rückfragen und Antworten</h2>
${
  (d.dialogue['questions'] as Panel[]).length
    ? html`<ol>${(d.dialogue['questions'] as Panel[]).map(
        (
          q,
        ) => html`<li><p><strong>${q['kind'] === 'document' ? 'Unterlagen angefordert' : 'Rückfrage'}</strong> von ${staffName(d.staff, q['askedBy'])} am ${when(q['askedAt'])}${q['dueAt'] ? html`, Antwort bis ${when(q['dueAt'])}` : ''}: ${q['text'] ?? '–'}</p>
<p>${q['reply'] ? html`Antwort vom ${when(q['reply']['at'])}: ${q['reply']['answer'] ?? '(nicht lesbar)'}` : html`<span class="muted">Noch keine Antwort.</span>`}</p></li>`,
      )}</ol>`
    : html`<p>Keine Rückfragen.</p>`
}
</section>

<section class="panel" aria-labelledby="pay-h"><h2 id="pay-h">Zahlungen</h2>
${
  (d.payments['payments'] as Panel[]).length
    ? html`<ul>${(d.payments['payments'] as Panel[]).map((p) => html`<li>${paymentKindLabel[p['kind']] ?? p['kind']}: ${euros(Number(p['amountCents']))} – ${paymentStatusLabel[p['status']] ?? p['status']}${p['reference'] ? html` (Kassenzeichen ${p['reference']})` : ''}</li>`)}</ul>`
    : html`<p>Keine Zahlungen.</p>`
}
</section>

<section class="panel" aria-labelledby="bescheid-h"><h2 id="bescheid-h">Bescheid</h2>
${
  (d.bescheid['documents'] as Panel[]).length
    ? html`<ul>${(d.bescheid['documents'] as Panel[]).map((b) => html`<li>Gesiegelt ${when(b['sealedAt'])}: <a href="/workbench/cases/${d.caseId}/documents/${b['sha256']}">Bescheid herunterladen (PDF)</a> · <a href="${b['verificationUrl']}">Siegel prüfen</a></li>`)}</ul>`
    : html`<p>Noch kein Bescheid.</p>`
}
</section>

<section class="panel" aria-labelledby="tl-h"><h2 id="tl-h">Verlauf</h2>
<ol>${(d.timeline['events'] as Panel[]).map((e) => html`<li>${when(e['at'])}: ${eventLabel[e['type']] ?? 'Verfahrensschritt'}${e['data']?.['by'] ? html` (${staffName(d.staff, e['data']['by'])})` : ''}${e['data']?.['justification'] ? html` – „${e['data']['justification']}“` : ''}${e['data']?.['reason'] ? html` – ${e['data']['reason']}` : ''}</li>`)}</ol>
</section>`,
  );
}

function actions(c: PageContext, d: CasePageData, task: TaskView, form: Record<string, string>): Html {
  const me = c.session!;
  const mine = task.state === 'claimed' && task.assignee === me.id;
  const hidden = html`${csrfField(c)}<input type="hidden" name="taskId" value="${task.taskId}"><input type="hidden" name="version" value="${String(task.version)}">`;
  const post = `/workbench/cases/${d.caseId}/actions`;
  const ownProposal = task.proposal?.by === me.id;
  const parts: Html[] = [];
  if (task.state === 'open' && !ownProposal) {
    parts.push(
      html`<section aria-labelledby="claim-h"><h3 id="claim-h">Übernehmen</h3><form method="post" action="${post}">${hidden}<input type="hidden" name="action" value="claim"><button type="submit">Aufgabe übernehmen</button></form></section>`,
    );
  }
  if (ownProposal && task.stage === 'second_approval') {
    parts.push(
      html`<p>Sie haben diese Entscheidung vorgeschlagen; die zweite Freigabe muss eine andere Person geben.</p>`,
    );
  }
  if (mine) {
    parts.push(decideForms(d.caseId, task, form, hidden, (id) => staffName(d.staff, id)));
    parts.push(html`<details${form['action'] === 'ask' ? html` open` : ''}><summary>Antragsteller/in fragen</summary>
<form method="post" action="${post}">${hidden}<input type="hidden" name="action" value="ask">
<fieldset><legend>Art der Rückfrage</legend>
<label class="inline" for="k-question"><input type="radio" id="k-question" name="kind" value="question"${form['kind'] !== 'document' ? html` checked` : ''}> Frage</label>
<label class="inline" for="k-document"><input type="radio" id="k-document" name="kind" value="document"${form['kind'] === 'document' ? html` checked` : ''}> Unterlagen anfordern</label>
</fieldset>
<label for="ask-text">Text an Antragsteller/in</label>
<textarea id="ask-text" name="text" required maxlength="5000">${form['text'] ?? ''}</textarea>
<p class="muted">Die Antwortfrist setzt das Verfahren; sie erscheint danach bei der Aufgabe.</p>
<p><button type="submit">Rückfrage senden</button></p>
</form></details>`);
    parts.push(
      html`<section aria-labelledby="unclaim-h"><h3 id="unclaim-h">Zurückgeben</h3><form method="post" action="${post}">${hidden}<input type="hidden" name="action" value="unclaim"><button type="submit" class="secondary">Aufgabe zurückgeben</button></form></section>`,
    );
  }
  if (mine || me.role === 'supervisor') {
    parts.push(html`<details${form['action'] === 'reassign' ? html` open` : ''}><summary>Neu zuweisen</summary>
<form method="post" action="${post}">${hidden}<input type="hidden" name="action" value="reassign">
<label for="re-assignee">Neue Bearbeitung</label><select id="re-assignee" name="assignee" required>${option('', 'bitte wählen', '')}${colleagueOptions(d.staff ?? [], form['assignee'] ?? '', task.assignee ?? undefined)}</select>
<label for="re-reason">Grund</label><textarea id="re-reason" name="reason" required maxlength="2000">${form['reason'] ?? ''}</textarea>
<p><button type="submit">Neu zuweisen</button></p>
</form></details>`);
  }
  if (task.state === 'claimed' && !mine && me.role !== 'supervisor')
    parts.push(html`<p>Diese Aufgabe bearbeitet ${staffName(d.staff, task.assignee ?? '')}.</p>`);
  return html`<h3 class="skip">Aktionen</h3><div class="actions">${parts}</div>`;
}

const draftLabels: Record<string, string> = {
  justification: 'Ihre Begründung',
  reasonsForApplicant: 'Ihre Gründe für den Bescheid',
  sendBackNote: 'Ihr Hinweis zur Rückgabe',
  text: 'Ihre Rückfrage',
  reason: 'Ihr Grund',
  note: 'Ihr Vermerk',
};

/** What the user typed for an action they can no longer take here: shown again, so nothing is lost. */
function drafts(d: CasePageData, task: TaskView | null, me: string, supervisor: boolean): Html | string {
  const form = d.form ?? {};
  const mine = task?.state === 'claimed' && task.assignee === me;
  const manualOpen = d.tasks.some(
    (t) => t.kind === 'deliver_manually' && (t.state === 'open' || t.state === 'claimed'),
  );
  const shownInForm = (field: string) =>
    field === 'note' ? manualOpen : field === 'reason' ? mine || supervisor : mine;
  const lost = Object.keys(draftLabels).filter((k) => form[k]?.trim() && !shownInForm(k));
  if (!lost.length) return '';
  return html`<section aria-labelledby="drafts-h"><h2 id="drafts-h">Ihre nicht gespeicherten Eingaben</h2><p>Zum Kopieren, etwa für eine Notiz an die neue Bearbeitung:</p>${lost.map(
    (k) =>
      html`<label for="draft-${k}">${draftLabels[k]}</label><textarea id="draft-${k}" name="${k}" readonly>${form[k]}</textarea>`,
  )}</section>`;
}

/** Media types the workbench shows inline (the document route serves them with `?inline=1`). */
export const INLINE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'application/pdf'];

/** An upload shown where it is listed: an image as an image, a PDF in a viewer with the download as its fallback. */
function uploadPreview(href: string, mediaType: string, name: string): Html | string {
  const src = `${href}?inline=1`;
  if (mediaType === 'image/png' || mediaType === 'image/jpeg')
    return html`<figure class="preview"><img src="${src}" alt="Vorschau: ${name}" loading="lazy"></figure>`;
  if (mediaType === 'application/pdf')
    return html`<figure class="preview"><object data="${src}" type="application/pdf" width="100%" height="480" aria-label="Vorschau: ${name}"><p>Die Vorschau kann hier nicht angezeigt werden; bitte laden Sie die Datei herunter.</p></object></figure>`;
  return '';
}

/** A register's answer as labelled fields: nested entries as „Anschrift – Straße“, values in German. */
function recordFields(record: unknown): Html {
  const rows: Array<[string, string]> = [];
  const walk = (v: unknown, path: string[], key: string) => {
    if (v !== null && typeof v === 'object' && rows.length < 200) {
      const entries = Array.isArray(v) ? v.map((x, i) => [`${i + 1}.`, x] as const) : Object.entries(v);
      if (!entries.length) rows.push([path.join(' – ') || 'Auskunft', 'leer']);
      for (const [k, x] of entries)
        walk(x, [...path, /^\d+\.$/.test(k) ? k : (registerFieldLabel[k] ?? factName(k))], k);
      return;
    }
    const value =
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)
        ? day(v)
        : typeof v === 'string' && registerValueLabel[v]
          ? registerValueLabel[v]
          : factValue(key, v);
    rows.push([path.join(' – ') || 'Auskunft', value]);
  };
  walk(record, [], '');
  return html`<dl class="fields">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

/** Wiedervorlage: a day the task comes up again, with an optional note; or clearing it. */
function followUpForm(
  c: PageContext,
  caseId: string,
  taskId: string,
  current: InboxRow['followUp'],
  form: Record<string, string>,
): Html {
  const post = `/workbench/cases/${caseId}/follow-up`;
  const hidden = html`${csrfField(c)}<input type="hidden" name="taskId" value="${taskId}">`;
  const open = form['followUpOn'] !== undefined;
  return html`<details class="follow-up"${open ? html` open` : ''}><summary>Wiedervorlage${current ? html` (${day(current.followUpOn)})` : ''}</summary>
<form method="post" action="${post}">${hidden}
<label for="fu-on">Wiedervorlage am</label><input type="date" id="fu-on" name="followUpOn" required value="${form['followUpOn'] ?? current?.followUpOn ?? ''}">
<label for="fu-note">Notiz zur Wiedervorlage (optional, nur intern)</label><textarea id="fu-note" name="followUpNote" maxlength="2000">${form['followUpNote'] ?? current?.note ?? ''}</textarea>
<p><button type="submit">Wiedervorlage speichern</button></p>
</form>${
    current
      ? html`<form method="post" action="${post}">${hidden}<input type="hidden" name="clear" value="1"><button type="submit" class="secondary">Wiedervorlage aufheben</button></form>`
      : ''
  }</details>`;
}

function manualDeliveryForm(c: PageContext, d: CasePageData, t: InboxRow, form: Record<string, string>): Html {
  return html`<form method="post" action="/workbench/cases/${d.caseId}/manual-delivery">${csrfField(c)}<input type="hidden" name="taskId" value="${t.taskId}">
<fieldset><legend>Zustellung melden</legend>
<label for="md-channel">Zugestellt per</label><select id="md-channel" name="channel">${Object.entries(DELIVERY_CHANNELS).map(([v, l]) => option(v, l, form['channel'] ?? ''))}</select>
<label for="md-on">Tag der Zustellung (beim einfachen Brief: Tag der Aufgabe zur Post)</label><input type="date" id="md-on" name="deliveredOn" value="${form['deliveredOn'] ?? ''}">
<label for="md-note">Vermerk (z. B. Sendungsnummer)</label><textarea id="md-note" name="note" maxlength="2000">${form['note'] ?? ''}</textarea>
<p><button type="submit">Zustellung als erledigt melden</button></p></fieldset></form>`;
}

/** The period of an approval by fiction (§ 42a VwVfG): one line with its end, its state and any extension. */
export function fictionLine(f: FictionState): Html {
  const state = {
    running: 'läuft',
    decided: 'durch Entscheidung erledigt',
    occurred: 'abgelaufen: Genehmigung gilt als erteilt',
  }[f.state];
  return html`<p>Genehmigungsfiktion (§ 42a VwVfG, ${f.legalBasis}): Frist endet am <strong>${day(f.endsOn)}</strong> (${state})${f.extension ? html`, einmal verlängert (bisher ${day(f.extension.previousEndsOn)}): „${f.extension.reason}“` : ''}.</p>`;
}
