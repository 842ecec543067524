import { asMachineSuggestion, type MachineSuggestion } from '../../workflows/contracts/assistant.js';
import type { ServiceDefinition } from '../../services/types.js';
import { sha256Of, type Assistant } from './assistant.js';
import { minimise, restore } from './minimise.js';

export interface DraftAnswerInput {
  caseId: string;
  service: ServiceDefinition;
  recipient: string;
  question: string;
}

const MAX_DRAFT_CHARS = 4_000;

/** A draft for the case worker to approve or edit; undefined when the model is off or fails (the case worker writes). */
export async function draftAnswer(assistant: Assistant, i: DraftAnswerInput): Promise<MachineSuggestion | undefined> {
  const prompt = minimise(i.question, [['PSEUDONYM', i.recipient]]);
  const answer = await assistant.ask('draft_answer', i.caseId, [
    {
      role: 'system',
      content:
        `Entwirf eine kurze, freundliche Antwort einer Behörde auf eine Frage zur Leistung "${i.service.name}" ` +
        `(${i.service.description ?? ''} Rechtsgrundlage: ${i.service.legalBasis}). Sage nichts über den Ausgang des Antrags zu. ` +
        'Eine Sachbearbeiterin prüft den Entwurf, bevor er versandt wird.',
    },
    { role: 'user', content: prompt.text },
  ]);
  const text = answer?.text.trim();
  if (!answer || !text) return undefined;
  const restored = restore(text.slice(0, MAX_DRAFT_CHARS), prompt.placeholders);
  return asMachineSuggestion({
    kind: 'draft_answer',
    text: restored,
    source: 'model',
    sha256: sha256Of(restored),
    promptSha256: answer.promptSha256,
  });
}
