import { randomUUID } from 'node:crypto';
import type { TaskView } from '../../workflows/contracts/task.js';
import { outcomeLabel, when } from './format.js';
import { html, type Html } from './html.js';

export interface NotesAndLetters {
  vermerke: Array<{ title: string; text: string; authorId: string; createdAt: string }>;
  letters: Array<{ title: string; sha256: string; by: string; at: string }>;
  templates: Array<{ id: string; label: string }>;
}

/** The page's CSRF token (views.ts's PageContext, named here without importing it: views.ts imports this file). */
type PageContext = { csrf?: string };

const csrfField = (c: PageContext) => html`<input type="hidden" name="_csrf" value="${c.csrf ?? ''}">`;

/** The internal notes of the Akte, with the form for a new one: staff only, never sent to the applicant. */
export function vermerkeSection(
  c: PageContext,
  caseId: string,
  n: NotesAndLetters,
  form: Record<string, string>,
): Html {
  return html`<section class="panel" aria-labelledby="notes-h"><h2 id="notes-h">Vermerke (intern)</h2>
<p class="muted">Vermerke stehen nur in der Akte; sie erscheinen in keinem Schreiben und keinem Bescheid.</p>
${
  n.vermerke.length
    ? html`<ol>${n.vermerke.map((v) => html`<li><p><strong>${v.title}</strong> – ${v.authorId || 'System'}, ${when(v.createdAt)}</p><p class="pre">${v.text}</p></li>`)}</ol>`
    : html`<p>Noch keine Vermerke.</p>`
}
<form method="post" action="/workbench/cases/${caseId}/notes">${csrfField(c)}<input type="hidden" name="noteId" value="${form['noteId'] || randomUUID()}">
<label for="note-text">Neuer Vermerk</label>
<textarea id="note-text" name="noteText" required maxlength="5000">${form['noteText'] ?? ''}</textarea>
<p><button type="submit">Vermerk speichern</button></p>
</form></section>`;
}

/** Letters to the applicant: the sent ones, and a form that fills a template, previews the draft and sends it. */
export function lettersSection(c: PageContext, caseId: string, n: NotesAndLetters, form: Record<string, string>): Html {
  const chosen = form['letterTemplate'] ?? '';
  const filled = form['letterBody'] !== undefined;
  const post = `/workbench/cases/${caseId}/letters`;
  return html`<section class="panel" aria-labelledby="letters-h"><h2 id="letters-h">Schreiben an die antragstellende Person</h2>
${
  n.letters.length
    ? html`<ul>${n.letters.map((l) => html`<li>${when(l.at)}: <a href="/workbench/cases/${caseId}/letters/${l.sha256}">${l.title} (PDF)</a> – von ${l.by}</li>`)}</ul>`
    : html`<p>Noch keine Schreiben.</p>`
}
<form method="post" action="${post}">${csrfField(c)}<input type="hidden" name="step" value="fill">
<label for="letter-template">Vorlage</label>
<select id="letter-template" name="letterTemplate">${n.templates.map((t) => html`<option value="${t.id}"${t.id === chosen ? html` selected` : ''}>${t.label}</option>`)}</select>
<p><button type="submit" class="secondary">Vorlage einsetzen</button></p>
</form>
${
  filled
    ? html`<form method="post" action="${post}">${csrfField(c)}<input type="hidden" name="letterTemplate" value="${chosen}"><input type="hidden" name="letterId" value="${form['letterId'] ?? ''}">
<label for="letter-subject">Betreff</label><input id="letter-subject" name="letterSubject" required maxlength="200" value="${form['letterSubject'] ?? ''}">
<label for="letter-body">Text (Absätze durch Leerzeilen getrennt)</label>
<textarea id="letter-body" name="letterBody" required maxlength="10000" rows="12">${form['letterBody'] ?? ''}</textarea>
<p><button type="submit" name="step" value="preview" class="secondary">Entwurf ansehen (PDF)</button>
<button type="submit" name="step" value="send">Schreiben senden</button></p>
</form>`
    : ''
}
</section>`;
}

/**
 * The decision forms. The first decision asks for the reasons the Bescheid prints and, apart from them, the internal
 * justification (a Vermerk). The second look under four-eyes confirms the proposal (no other outcome is offered) with
 * an internal approval note, or sends it back to the first case worker with a note.
 */
export function decideForms(
  caseId: string,
  task: TaskView,
  form: Record<string, string>,
  hidden: Html,
  /** A colleague's name from the staff directory, for a login id. */
  nameOf: (staffId: string) => string,
): Html {
  const post = `/workbench/cases/${caseId}/actions`;
  const preview = `/workbench/cases/${caseId}/bescheid-preview`;
  const p = task.stage === 'second_approval' ? task.proposal : undefined;
  if (p)
    return html`<section aria-labelledby="decide-h"><h3 id="decide-h">Zweite Freigabe</h3>
<p>Vorgeschlagen: <strong>${outcomeLabel[p.outcome]}</strong> von ${nameOf(p.by)}.</p>
<p>Gründe für den Bescheid: ${p.reasonsForApplicant ? html`„${p.reasonsForApplicant}“` : html`<span class="muted">keine angegeben</span>`}</p>
<p>Interne Begründung: „${p.justification}“</p>
<form method="post" action="${post}">${hidden}<input type="hidden" name="action" value="decide"><input type="hidden" name="outcome" value="${p.outcome}">
<label for="justification">Vermerk zur Freigabe (intern, nicht im Bescheid)</label>
<textarea id="justification" name="justification" required maxlength="5000">${form['action'] === 'decide' ? (form['justification'] ?? '') : ''}</textarea>
<p><button type="submit">Freigeben</button> <button type="submit" formaction="${preview}" formnovalidate class="secondary">Bescheid-Entwurf ansehen (PDF)</button></p>
</form>
<form method="post" action="${post}">${hidden}<input type="hidden" name="action" value="send_back">
<label for="send-back-note">Hinweis an ${nameOf(p.by)} (intern)</label>
<textarea id="send-back-note" name="sendBackNote" required maxlength="5000">${form['sendBackNote'] ?? ''}</textarea>
<p><button type="submit" class="secondary">Mit Hinweis zurückgeben</button></p>
</form></section>`;
  const outcome = form['outcome'] ?? '';
  return html`<section aria-labelledby="decide-h"><h3 id="decide-h">Entscheiden</h3>
<form method="post" action="${post}">${hidden}<input type="hidden" name="action" value="decide">
<fieldset><legend>Entscheidung</legend>
<label class="inline" for="o-approve"><input type="radio" id="o-approve" name="outcome" value="approve" required${outcome === 'approve' ? html` checked` : ''}> Bewilligen</label>
<label class="inline" for="o-reject"><input type="radio" id="o-reject" name="outcome" value="reject"${outcome === 'reject' ? html` checked` : ''}> Ablehnen</label>
</fieldset>
${task.fourEyes ? html`<p>Vier-Augen-Prinzip: Ihre Entscheidung ist ein Vorschlag, den eine zweite Person freigibt.</p>` : ''}
<label for="reasons">Gründe für den Bescheid (die antragstellende Person liest sie)</label>
<textarea id="reasons" name="reasonsForApplicant" required maxlength="5000">${form['reasonsForApplicant'] ?? ''}</textarea>
<label for="justification">Interne Begründung (Vermerk, nicht im Bescheid)</label>
<textarea id="justification" name="justification" required maxlength="5000">${form['justification'] ?? ''}</textarea>
<p><button type="submit">${task.fourEyes ? 'Vorschlag abgeben' : 'Entscheidung speichern'}</button> <button type="submit" formaction="${preview}" class="secondary">Bescheid-Entwurf ansehen (PDF)</button></p>
</form></section>`;
}
