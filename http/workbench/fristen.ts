// The „Fristen“ panel of the case page and the objection screen: the Bekanntgabe and every deadline the case's
// timeline records (services/case-deadlines.ts), with how each was established.
import { type CaseDeadline, deadlinesOf, type TimelineEntry } from '../../services/case-deadlines.js';
import { day } from './format.js';
import { html, type Html } from './html.js';

const basisLabel: Record<string, string> = {
  postbox_retrieval: 'Abruf aus dem Postfach',
  postal_fiction: 'Bekanntgabefiktion nach Versand mit der Post',
  electronic_fiction: 'Bekanntgabefiktion nach elektronischer Übermittlung',
  manual_delivery: 'Zustellung oder Übergabe auf anderem Weg',
};

type Data = Record<string, unknown>;
const dataOf = (entries: readonly TimelineEntry[], type: string): Data | undefined =>
  entries.find((e) => e.type === type)?.data as Data | undefined;

function deadlineNote(d: CaseDeadline): string {
  const moved =
    d.movedOver?.length && d.computedOn
      ? `verschoben vom ${day(d.computedOn)} (${d.movedOver.join(', ')}; § 31 Abs. 3 VwVfG, § 193 BGB)`
      : '';
  return [d.settled, moved, d.legalBasis].filter(Boolean).join(' · ') || '–';
}

/** Bekanntgabe and the deadlines the case's timeline records, as a table with row headings. */
export function fristenSection(entries: readonly TimelineEntry[]): Html {
  const established = dataOf(entries, 'bekanntgabe.established');
  const notRetrieved = dataOf(entries, 'bekanntgabe.not_retrieved');
  const bekanntgabe: [string, string] = established
    ? [
        day(String(established['bekanntgabeOn'])),
        `${basisLabel[String(established['basis'])] ?? 'festgestellt'} (${String(established['legalBasis'] ?? '')})`,
      ]
    : notRetrieved
      ? [
          'Bereitstellung nicht abgerufen',
          `benachrichtigt am ${day(String(notRetrieved['notifiedOn']))}, Abruffrist bis ${day(String(notRetrieved['windowLastDay']))}; Bekanntgabe auf anderem Weg nötig`,
        ]
      : ['noch nicht bekanntgegeben', '–'];
  const rows = deadlinesOf(entries).map(
    (d) =>
      html`<tr><th scope="row">${d.label}</th><td>${d.settled && !d.forApplicant ? d.settled : day(d.on)}</td><td>${deadlineNote(d)}</td></tr>`,
  );
  return html`<section class="panel" aria-labelledby="fristen-h"><h2 id="fristen-h">Fristen</h2>
<div class="table-wrap"><table><caption>Bekanntgabe und Fristen des Bescheids</caption><thead><tr><th scope="col">Frist oder Ereignis</th><th scope="col">Datum</th><th scope="col">Grundlage und Hinweis</th></tr></thead><tbody>
<tr><th scope="row">Bekanntgabe</th><td>${bekanntgabe[0]}</td><td>${bekanntgabe[1]}</td></tr>
${rows}
</tbody></table></div></section>`;
}
