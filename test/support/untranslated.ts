/**
 * Identifiers that reached a page's visible text untranslated: `snake_case`, `dotted.keys` (event types such as
 * `intake.assessed`) and `camelCase` (fact names such as `vehicleUse`), and the English words the engine's codes use
 * (`found`, `not_found`). Reads the text a person sees: tags, attributes, styles and the hidden CSRF field are not
 * text. File names (`rechnung.pdf`) are what the applicant called her upload, not keys.
 */
export function untranslatedKeys(page: string): string[] {
  const text = page
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/g, ' ');
  const found = new Set<string>();
  for (const m of text.matchAll(/\b[a-z][a-z0-9]*(?:[._][a-z0-9]+)+\b/g))
    if (!/\.(pdf|png|jpe?g|json|txt)$/i.test(m[0]) && !/^\d/.test(m[0])) found.add(m[0]);
  for (const m of text.matchAll(/\b[a-z]+[A-Z][A-Za-z0-9]*\b/g)) found.add(m[0]);
  for (const m of text.matchAll(/\b(found|not found|pending|approve|reject|escalate|company|residence)\b/g))
    found.add(m[0]);
  return [...found];
}
