import { z } from 'zod';
import {
  asMachineSuggestion,
  type ServiceMatch,
  type ServiceSearchResult,
} from '../../workflows/contracts/assistant.js';
import type { ServiceDefinition } from '../../services/types.js';
import { sha256Of, type Assistant } from './assistant.js';
import { parseModelJson } from './model-json.js';
import { minimise } from './minimise.js';

const STOPWORDS = new Set(
  'der die das den dem des ein eine einen einem einer und oder ich mich mir mein meine meinen wir uns unser ist bin sind habe haben hat fuer mit von vor bei zur zum auf aus nach wie was wo wer kann will moechte brauche nicht kein keine auch noch nur sehr bitte'.split(
    ' ',
  ),
);

const normalise = (s: string): string =>
  s.toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss');
const words = (s: string): string[] =>
  normalise(s)
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !STOPWORDS.has(w));

/** The deterministic route: always runs, ranks by words found in name, synonyms and description. */
export function searchCatalogue(catalogue: readonly ServiceDefinition[], query: string): ServiceMatch[] {
  const asked = [...new Set(words(query))];
  const matches: ServiceMatch[] = [];
  for (const s of catalogue) {
    const strong = new Set([...words(s.name), ...(s.synonyms ?? []).flatMap(words)]);
    const weak = new Set(words(s.description ?? ''));
    let score = 0;
    const matched: string[] = [];
    for (const w of asked) {
      // German compounds: "parkausweis" should find "bewohnerparkausweis", and "anwohnerparkplatz" find "parken".
      const points = strong.has(w)
        ? 3
        : [...strong].some((t) => (w.length >= 4 && t.includes(w)) || (t.length >= 5 && w.includes(t)))
          ? 2
          : weak.has(w)
            ? 1
            : 0;
      if (points) {
        score += points;
        matched.push(w);
      }
    }
    if (score > 0) matches.push({ key: s.key, name: s.name, score, matched });
  }
  return matches.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}

const rankingSchema = z.object({
  ranking: z.array(z.object({ key: z.string(), reason: z.string().max(2_000).optional() })).max(50),
});

/**
 * Finds services for a free-text concern. The model, when on, may re-rank and explain; any key it names that is
 * not in the catalogue is dropped, and when it fails the deterministic ranking stands.
 */
export async function findServices(
  o: { catalogue: readonly ServiceDefinition[]; assistant?: Assistant },
  query: string,
): Promise<ServiceSearchResult> {
  const deterministic = searchCatalogue(o.catalogue, query);
  const base: ServiceSearchResult = { query, matches: deterministic, ranking: 'deterministic' };
  if (!o.assistant?.enabled) return base;

  const prompt = minimise(query);
  const candidates = o.catalogue.map((s) => ({ key: s.key, name: s.name, description: s.description ?? '' }));
  const answer = await o.assistant.ask('service_ranking', undefined, [
    {
      role: 'system',
      content:
        'Du hilfst Bürgerinnen und Bürgern, die passende Verwaltungsleistung zu finden. Antworte nur mit JSON ' +
        '{"ranking":[{"key":"<Schlüssel aus der Liste>","reason":"<ein Satz>"}]}, nur Schlüssel aus dieser Liste: ' +
        JSON.stringify(candidates),
    },
    { role: 'user', content: prompt.text },
  ]);
  const parsed = answer && parseModelJson(answer.text, rankingSchema);
  if (!parsed) return base;

  const byKey = new Map(o.catalogue.map((s) => [s.key, s]));
  const found = new Map(deterministic.map((m) => [m.key, m]));
  const ranked: ServiceMatch[] = [];
  const reasons: string[] = [];
  for (const r of parsed.ranking) {
    const service = byKey.get(r.key);
    if (!service || ranked.some((m) => m.key === r.key)) continue;
    ranked.push(found.get(r.key) ?? { key: service.key, name: service.name, score: 0, matched: [] });
    if (r.reason) reasons.push(`${service.name}: ${r.reason.slice(0, 300)}`);
  }
  if (ranked.length === 0) return base;
  for (const m of deterministic) if (!ranked.some((r) => r.key === m.key)) ranked.push(m);
  const text = reasons.join('\n');
  return {
    query,
    matches: ranked,
    ranking: 'model',
    explanation: text
      ? asMachineSuggestion({
          kind: 'service_ranking',
          text,
          source: 'model',
          sha256: sha256Of(text),
          promptSha256: answer.promptSha256,
        })
      : undefined,
  };
}
