import { when } from './format.js';
import { html, type Html } from './html.js';

/** The case's correction as the case page shows it: names from the staff directory, never login ids. */
export interface CorrectionPanel {
  kind: 'ruecknahme' | 'widerruf';
  effect: 'ex_nunc' | 'ex_tunc';
  stage: 'awaiting_confirmation' | 'refused' | 'issued';
  proposedBy: string;
  /** Whether the person looking at the page proposed it (and so may not confirm it). */
  proposedByMe: boolean;
  proposedAt: string;
  confirmedBy: string | null;
  reclaimCents: number | null;
  refundFeeCents: number | null;
}

/** The page's CSRF token (views.ts's PageContext, named here without importing it: views.ts imports this file). */
type PageContext = { csrf?: string };

const csrfField = (c: PageContext) => html`<input type="hidden" name="_csrf" value="${c.csrf ?? ''}">`;
const KIND = { ruecknahme: 'Rücknahme (§ 48 VwVfG)', widerruf: 'Widerruf (§ 49 VwVfG)' };
const EFFECT = { ex_nunc: 'für die Zukunft', ex_tunc: 'auch für die Vergangenheit' };
const STAGE = {
  awaiting_confirmation: 'wartet auf Bestätigung (Vier-Augen-Prinzip)',
  refused: 'abgelehnt, nichts erlassen',
  issued: 'Rücknahme-/Widerrufsbescheid erlassen',
};
const euro = (cents: number | null) => (cents ? `${(cents / 100).toFixed(2).replace('.', ',')} €` : '–');
const selected = (form: Record<string, string>, k: string, v: string) => (form[k] === v ? html` selected` : '');

/**
 * Rücknahme and Widerruf of the decision: where a correction stands, the form to confirm or refuse it for a second
 * person, and the form to propose one where the case has a Bescheid and none runs.
 */
export function correctionSection(
  c: PageContext,
  caseId: string,
  k: CorrectionPanel | undefined,
  canPropose: boolean,
  form: Record<string, string>,
): Html {
  const post = `/workbench/cases/${caseId}/correction`;
  const state = k
    ? html`<dl class="fields"><dt>Art</dt><dd>${KIND[k.kind]}, ${EFFECT[k.effect]}</dd><dt>Stand</dt><dd>${STAGE[k.stage]}</dd>
<dt>Vorgeschlagen</dt><dd>von ${k.proposedBy}, ${when(k.proposedAt)}</dd>
<dt>${k.stage === 'refused' ? 'Abgelehnt' : 'Bestätigt'}</dt><dd>${k.confirmedBy ? `von ${k.confirmedBy}` : '–'}</dd>
<dt>Rückforderung (§ 49a VwVfG)</dt><dd>${euro(k.reclaimCents)}</dd><dt>Erstattung der Gebühr</dt><dd>${euro(k.refundFeeCents)}</dd></dl>`
    : html`<p>Der Bescheid ist weder zurückgenommen noch widerrufen.</p>`;
  const confirm =
    k?.stage !== 'awaiting_confirmation'
      ? ''
      : k.proposedByMe
        ? html`<p>Eine andere Person der Sachbearbeitung oder Leitung muss die Korrektur bestätigen.</p>`
        : html`<form method="post" action="${post}/confirmation">${csrfField(c)}
<fieldset><legend>Korrektur bestätigen (Vier-Augen-Prinzip)</legend>
<label><input type="radio" name="approve" value="yes" required> Bestätigen: Bescheid erlassen</label>
<label><input type="radio" name="approve" value="no"> Ablehnen</label>
<label for="correction-note">Begründung (bei Ablehnung erforderlich)</label>
<textarea id="correction-note" name="note" maxlength="5000">${form['note'] ?? ''}</textarea></fieldset>
<p><button type="submit">Entscheidung speichern</button></p></form>`;
  const propose =
    !canPropose || (k && k.stage !== 'refused')
      ? ''
      : html`<form method="post" action="${post}">${csrfField(c)}
<fieldset><legend>Rücknahme oder Widerruf vorschlagen</legend>
<label for="correction-kind">Art</label><select id="correction-kind" name="kind">
<option value="ruecknahme"${selected(form, 'kind', 'ruecknahme')}>Rücknahme eines rechtswidrigen Bescheids (§ 48 VwVfG)</option>
<option value="widerruf"${selected(form, 'kind', 'widerruf')}>Widerruf eines rechtmäßigen Bescheids (§ 49 VwVfG)</option></select>
<label for="correction-effect">Wirkung</label><select id="correction-effect" name="effect">
<option value="ex_nunc"${selected(form, 'effect', 'ex_nunc')}>für die Zukunft</option>
<option value="ex_tunc"${selected(form, 'effect', 'ex_tunc')}>auch für die Vergangenheit</option></select>
<label for="correction-reasons">Gründe (erscheinen im Bescheid)</label>
<textarea id="correction-reasons" name="reasons" required maxlength="5000">${form['reasons'] ?? ''}</textarea>
<label for="correction-known">Kenntnis der Tatsachen seit (§ 48 Abs. 4 VwVfG)</label>
<input id="correction-known" name="knownSince" type="date" value="${form['knownSince'] ?? ''}">
<label for="correction-reclaim">Zurückzufordern (Euro, nur bei Auszahlungen)</label>
<input id="correction-reclaim" name="reclaim" inputmode="decimal" value="${form['reclaim'] ?? ''}">
<label for="correction-refund">Zu erstattende Gebühr (Euro)</label>
<input id="correction-refund" name="refundFee" inputmode="decimal" value="${form['refundFee'] ?? ''}"></fieldset>
<p><button type="submit">Zur Bestätigung vorlegen</button></p></form>`;
  return html`<section class="panel" aria-labelledby="correction-h"><h2 id="correction-h">Rücknahme und Widerruf</h2>
${state}${confirm}${propose}</section>`;
}
