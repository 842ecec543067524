// Letters to the applicant from templates: text blocks per service, with placeholders the workbench fills in.

import type { ServiceDefinition } from './types.js';

export const LETTER_TEMPLATE_IDS = ['document_request', 'free', 'hearing'] as const;
export type LetterTemplateId = (typeof LETTER_TEMPLATE_IDS)[number];

/** A template: its name for case workers, the letter's subject, and the body's text blocks (paragraphs). */
export interface LetterTemplate {
  label: string;
  subject: string;
  blocks: string[];
}

/**
 * What every service starts from. Placeholders: {aktenzeichen}, {leistung}, {eingang} (date of the application),
 * {frist} (two weeks from today). The hearing letter (Anhörung, § 28 VwVfG) is the slot the legal lifecycle fills.
 */
export const DEFAULT_LETTER_TEMPLATES: Record<LetterTemplateId, LetterTemplate> = {
  document_request: {
    label: 'Unterlagen nachfordern',
    subject: 'Bitte reichen Sie Unterlagen nach',
    blocks: [
      'zu Ihrem Antrag „{leistung}“ vom {eingang} (Aktenzeichen {aktenzeichen}) fehlen uns noch Unterlagen.',
      'Bitte reichen Sie bis zum {frist} folgende Unterlagen nach: [bitte ergänzen]',
      'Sie können die Unterlagen in Ihrem Postfach hochladen. Ohne die Unterlagen können wir über Ihren Antrag nur nach Aktenlage entscheiden.',
    ],
  },
  free: {
    label: 'Freies Schreiben',
    subject: 'Ihr Antrag „{leistung}“',
    blocks: ['zu Ihrem Antrag vom {eingang} (Aktenzeichen {aktenzeichen}) teilen wir Ihnen Folgendes mit:', ''],
  },
  hearing: {
    label: 'Anhörung vor der Entscheidung',
    subject: 'Anhörung zu Ihrem Antrag „{leistung}“',
    blocks: [
      'bevor wir über Ihren Antrag vom {eingang} (Aktenzeichen {aktenzeichen}) entscheiden, geben wir Ihnen Gelegenheit, sich zu äußern (§ 28 Verwaltungsverfahrensgesetz).',
      'Wir beabsichtigen, [bitte ergänzen].',
      'Sie können sich bis zum {frist} schriftlich oder über Ihr Postfach äußern.',
    ],
  },
};

/** The service's templates: its own text blocks where it declares them, the defaults otherwise. */
export function letterTemplatesOf(
  service: Pick<ServiceDefinition, 'letterTemplates'>,
): Record<LetterTemplateId, LetterTemplate> {
  return Object.fromEntries(
    LETTER_TEMPLATE_IDS.map((id) => [id, { ...DEFAULT_LETTER_TEMPLATES[id], ...service.letterTemplates?.[id] }]),
  ) as Record<LetterTemplateId, LetterTemplate>;
}

/** The template's subject and body with its placeholders filled in. */
export function fillTemplate(
  t: LetterTemplate,
  values: { aktenzeichen: string; leistung: string; eingang: string; frist: string },
): { subject: string; body: string } {
  const fill = (s: string) =>
    s.replace(/\{(aktenzeichen|leistung|eingang|frist)\}/g, (_m, k: keyof typeof values) => values[k]);
  return { subject: fill(t.subject), body: t.blocks.map(fill).join('\n\n') };
}
