import { asMachineSuggestion, type MachineSuggestion } from '../../workflows/contracts/assistant.js';
import type { Decision } from '../../workflows/contracts/case.js';
import { sha256Of, type Assistant } from './assistant.js';
import { knownValues, minimise, restore } from './minimise.js';
import { euros, factName, factValue, fieldName } from '../../services/plain-german.js';

export interface CaseSummaryInput {
  caseId: string;
  taskId: string;
  serviceName: string;
  subject: string;
  application: Record<string, unknown>;
  /** The rules' escalation: facts used, rules fired. Built from application, evidence and rules only. */
  escalation: Decision;
}

const MAX_SUMMARY_CHARS = 4_000;

/** Facts, evidence and open points as plain lines: the summary when the model is off, and the model's only source. */
export function factSheet(i: CaseSummaryInput): string {
  const facts = Object.entries(i.escalation.facts).map(([k, v]) => `- ${k}: ${JSON.stringify(v)}`);
  const open = i.escalation.firedRules.filter((r) => r.outcome === 'escalate').map((r) => `- ${r.reason}`);
  const application = flatten(i.application).map(([k, v]) => `- ${k}: ${v}`);
  return [
    `Leistung: ${i.serviceName}`,
    `Antragsteller (Pseudonym): ${i.subject}`,
    'Antrag:',
    ...application,
    'Fakten und Nachweise:',
    ...facts,
    'Offene Punkte:',
    ...(open.length ? open : ['- keine']),
  ].join('\n');
}

/**
 * The summary without a model: a short structured German text from a fixed template (what was applied for, what the
 * registers and rules found, what is open), every field and fact by its German name, money in euros. Who applied is
 * in the case file's header (from the Akte), not here.
 */
export function summaryTemplate(i: CaseSummaryInput): string {
  const applied = flatten(i.application)
    .filter(([k]) => !/iban/i.test(k))
    .map(([path, v]) => {
      const keys = path.split('.');
      const value = /Cents$/.test(keys.at(-1) ?? '') && Number.isFinite(Number(v)) ? euros(Number(v)) : v;
      return `${keys.map(fieldName).join(' › ')}: ${value}`;
    });
  const found = Object.entries(i.escalation.facts).map(([k, v]) => `${factName(k)}: ${factValue(k, v)}`);
  const open = i.escalation.firedRules.filter((r) => r.outcome === 'escalate').map((r) => r.reason);
  return [
    `Antrag auf ${i.serviceName}.`,
    `Beantragt: ${applied.join('; ') || 'keine Angaben'}.`,
    `Geprüft: ${found.join('; ') || 'nichts'}.`,
    `Offene Punkte: ${open.join(' ') || 'keine'}`,
  ].join('\n');
}

/** A summary for the case worker; the model only rephrases the fact sheet, and any failure yields the template. */
export async function summariseCase(assistant: Assistant, i: CaseSummaryInput): Promise<MachineSuggestion> {
  const sheet = factSheet(i);
  const template = summaryTemplate(i);
  const fallback = () =>
    asMachineSuggestion({ kind: 'case_summary', text: template, source: 'fallback', sha256: sha256Of(template) });
  const prompt = minimise(sheet, knownValues(i.application, i.subject));
  const answer = await assistant.ask('case_summary', i.caseId, [
    {
      role: 'system',
      content:
        'Fasse den Fall für die Sachbearbeitung in höchstens fünf Sätzen zusammen: Fakten, Nachweise, offene Punkte. ' +
        'Gib keine Empfehlung und keine Entscheidung ab.',
    },
    { role: 'user', content: prompt.text },
  ]);
  const text = answer?.text.trim();
  if (!answer || !text) return fallback();
  const restored = restore(text.slice(0, MAX_SUMMARY_CHARS), prompt.placeholders);
  return asMachineSuggestion({
    kind: 'case_summary',
    text: restored,
    source: 'model',
    sha256: sha256Of(restored),
    promptSha256: answer.promptSha256,
  });
}

function flatten(v: unknown, path = ''): Array<[string, string]> {
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, c]) => flatten(c, path ? `${path}.${k}` : k));
  return [[path, String(v)]];
}
