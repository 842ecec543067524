// The objection screen in the workbench: the objection, its stage, documents and tasks, the deadlines and the
// decision form of its current stage.
import type { ObjectionRow } from '../../db/queries/objections.js';
import type { TimelineEntry } from '../../services/case-deadlines.js';
import { fristenSection } from './fristen.js';
import { day, taskKindLabel, taskStateLabel, when } from './format.js';
import { html, type Html } from './html.js';
import { layout, type PageContext, type StaffMember, staffName } from './views.js';

export const objectionStageLabel: Record<string, string> = {
  abhilfe: 'Abhilfeprüfung bei der Ausgangsbehörde (§ 72 VwGO)',
  objection_authority: 'bei der Widerspruchsbehörde (§ 73 VwGO)',
  remedied: 'abgeholfen (Abhilfebescheid)',
  decided: 'entschieden (Widerspruchsbescheid)',
};
export const objectionOutcomeLabel: Record<string, string> = {
  remedy: 'Abhilfe',
  partial_remedy: 'teilweise Abhilfe, im Übrigen der Widerspruchsbehörde vorgelegt',
  no_remedy: 'keine Abhilfe, der Widerspruchsbehörde vorgelegt',
  rejected: 'zurückgewiesen',
  granted: 'stattgegeben',
  partly_granted: 'teilweise stattgegeben',
};

export interface ObjectionPageData {
  caseId: string;
  aktenzeichen: string | null;
  serviceName: string;
  objection: ObjectionRow;
  reasons: string;
  attachments: Array<{ fileName: string; sha256: string; size: number }>;
  /** The documents the procedure issued, from the Akte. */
  issued: Array<{ title: string; sha256: string; createdAt: string }>;
  tasks: Array<{ kind: string; state: string; dueAt: string; assignee: string | null; reason: string }>;
  timeline: TimelineEntry[];
  staff: StaffMember[];
  /** The stage the user may decide now, if any. */
  decides?: 'abhilfe' | 'objection_authority';
  /** A pay-out service: an Abhilfe may name the amount it grants. */
  payout: boolean;
  /** Whether the user may open the whole Akte (her own authority's case). */
  ownCase: boolean;
  notice?: string;
  error?: string;
  form?: Record<string, string>;
}

const radio = (name: string, value: string, label: string, checked: string, first = false) =>
  html`<label class="inline" for="${name}-${value}"><input type="radio" id="${name}-${value}" name="${name}" value="${value}"${first ? html` required` : ''}${checked === value ? html` checked` : ''}> ${label}</label>`;

function decisionForm(c: PageContext, d: ObjectionPageData, stage: 'abhilfe' | 'objection_authority'): Html {
  const f = d.form ?? {};
  const outcomes =
    stage === 'abhilfe'
      ? [
          ['remedy', 'Abhelfen (Abhilfebescheid)'],
          ['partial_remedy', 'Teilweise abhelfen, im Übrigen der Widerspruchsbehörde vorlegen'],
          ['no_remedy', 'Nicht abhelfen: der Widerspruchsbehörde vorlegen'],
        ]
      : [
          ['rejected', 'Widerspruch zurückweisen'],
          ['granted', 'Dem Widerspruch stattgeben'],
          ['partly_granted', 'Dem Widerspruch teilweise stattgeben'],
        ];
  return html`<section aria-labelledby="obj-decide-h"><h2 id="obj-decide-h">${stage === 'abhilfe' ? 'Abhilfeprüfung entscheiden' : 'Widerspruchsbescheid erlassen'}</h2>
<form method="post" action="/workbench/cases/${d.caseId}/objection/decision"><input type="hidden" name="_csrf" value="${c.csrf ?? ''}"><input type="hidden" name="stage" value="${stage}">
<fieldset><legend>Entscheidung</legend>${outcomes.map(([v, l], i) => radio('outcome', v!, l!, f['outcome'] ?? '', i === 0))}</fieldset>
${
  stage === 'abhilfe' && d.objection.late
    ? html`<fieldset><legend>Wiedereinsetzung in den vorigen Stand (§ 70 Abs. 2, § 60 VwGO)</legend>${radio('reinstatement', 'none', 'nicht entscheiden', f['reinstatement'] ?? 'none')}${radio('reinstatement', 'yes', 'gewähren', f['reinstatement'] ?? '')}${radio('reinstatement', 'no', 'nicht gewähren', f['reinstatement'] ?? '')}</fieldset>`
    : ''
}
${
  stage === 'abhilfe' && d.payout
    ? html`<label for="obj-payout">Auszahlung bei Abhilfe in Euro (leer: keine)</label><input id="obj-payout" name="payoutEuros" inputmode="decimal" value="${f['payoutEuros'] ?? ''}">`
    : ''
}
<label for="obj-reasons">Gründe (erscheinen im ${stage === 'abhilfe' ? 'Abhilfebescheid' : 'Widerspruchsbescheid'}; Absätze durch Leerzeilen trennen)</label>
<textarea id="obj-reasons" name="reasons" required maxlength="20000">${f['reasons'] ?? ''}</textarea>
<p><button type="submit">Entscheidung speichern</button></p>
</form></section>`;
}

/** The objection screen: the objection, its stage and documents, its tasks, the deadlines and the decision form. */
export function objectionPage(c: PageContext, d: ObjectionPageData): string {
  const o = d.objection;
  const az = d.aktenzeichen ?? d.caseId;
  return layout(
    c,
    `Widerspruch ${az}`,
    html`<h1>Widerspruch zur Akte <span class="id">${az}</span></h1>
<p>${d.serviceName}${d.ownCase ? html` · <a href="/workbench/cases/${d.caseId}">Zur Akte</a>` : ''} · <a href="/workbench/inbox">Zurück zu den Aufgaben</a></p>
${d.notice ? html`<div role="status" class="notice" id="notice" tabindex="-1" autofocus><p>${d.notice}</p></div>` : ''}
${d.error ? html`<div role="alert" class="alert" id="action-error"><p><strong>${d.error}</strong></p><p>Ihre Eingaben sind erhalten geblieben.</p></div>` : ''}
<section class="panel" aria-labelledby="obj-h"><h2 id="obj-h">Widerspruch</h2>
<dl class="fields">
<dt>Eingegangen</dt><dd>${when(o.receivedAt)}</dd>
<dt>Widerspruchsfrist</dt><dd>${o.periodEndsOn ? html`bis ${day(o.periodEndsOn)}: ${o.late ? html`<strong>verspätet eingegangen</strong>` : 'rechtzeitig eingegangen'}` : 'Bekanntgabe nicht festgestellt: rechtzeitig'}</dd>
${o.late ? html`<dt>Wiedereinsetzung</dt><dd>${o.reinstated === null ? 'noch nicht entschieden (§ 70 Abs. 2, § 60 VwGO)' : o.reinstated ? 'gewährt' : 'nicht gewährt'}</dd>` : ''}
<dt>Stand</dt><dd><strong>${objectionStageLabel[o.stage] ?? o.stage}</strong></dd>
${o.abhilfe ? html`<dt>Abhilfeprüfung</dt><dd>${objectionOutcomeLabel[o.abhilfe]}</dd>` : ''}
${o.widerspruch ? html`<dt>Widerspruchsbescheid</dt><dd>${objectionOutcomeLabel[o.widerspruch]}</dd>` : ''}
</dl>
<h3>Begründung</h3>
${d.reasons
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => html`<p>${l}</p>`)}
<h3>Anlagen</h3>
${
  d.attachments.length
    ? html`<ul>${d.attachments.map((a) => html`<li><a href="/workbench/cases/${d.caseId}/documents/${a.sha256}">${a.fileName}</a> (${Math.ceil(a.size / 1024)} KB)</li>`)}</ul>`
    : html`<p>Keine Anlagen.</p>`
}
<h3>Erlassene Bescheide</h3>
${
  d.issued.length
    ? html`<ul>${d.issued.map((i) => html`<li>${when(i.createdAt)}: <a href="/workbench/cases/${d.caseId}/documents/${i.sha256}">${i.title} (PDF)</a></li>`)}</ul>`
    : html`<p>Noch keiner.</p>`
}
</section>
${d.decides ? decisionForm(c, d, d.decides) : ''}
<section class="panel" aria-labelledby="obj-tasks-h"><h2 id="obj-tasks-h">Aufgaben im Widerspruchsverfahren</h2>
${
  d.tasks.length
    ? html`<ul>${d.tasks.map((t) => html`<li>${taskKindLabel[t.kind] ?? t.kind}: ${taskStateLabel[t.state] ?? t.state}, Frist ${when(t.dueAt)}${t.assignee ? html`, ${staffName(d.staff, t.assignee)}` : ''} – ${t.reason}</li>`)}</ul>`
    : html`<p>Keine Aufgaben.</p>`
}
</section>
${fristenSection(d.timeline)}`,
  );
}

/** A euro amount typed in the form („12,50“, „12.50“, „12“) as cents; undefined when empty, NaN when unreadable. */
export function centsOf(text: string): number | undefined {
  const t = text.trim().replace(/\s|€/g, '');
  if (!t) return undefined;
  const m = /^(\d{1,9})(?:[,.](\d{1,2}))?$/.exec(t);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : Number.NaN;
}
