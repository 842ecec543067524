import { describe, expect, it } from 'vitest';
import { addresseeOf } from '../activities/documents.js';
import { salutation } from '../adapters/documents/bescheid-pdf.js';
import { germanDate, germanDateTime } from '../adapters/documents/german-time.js';
import { DEFAULT_LETTER_TEMPLATES, fillTemplate, letterTemplatesOf } from '../services/letter-templates.js';

const name = { givenName: 'Erika', familyName: 'Mustermann' };
const address = { street: 'Hauptstraße 5', postalCode: '48143', city: 'Musterstadt' };

describe('addressing the applicant, in German local time', () => {
  it('greets by form of address only where the application states it, else by name', () => {
    expect(salutation(addresseeOf(name, { address, salutation: 'frau' }))).toBe('Sehr geehrte Frau Mustermann');
    expect(salutation(addresseeOf(name, { address, salutation: 'Herr' }))).toBe('Sehr geehrter Herr Mustermann');
    expect(salutation(addresseeOf(name, { address }))).toBe('Guten Tag Erika Mustermann');
    expect(salutation(addresseeOf(undefined, { address, salutation: 'frau' }))).toBe('Sehr geehrte Damen und Herren');
  });

  it('dates and times in Europe/Berlin, summer time included', () => {
    expect(germanDateTime('2026-12-07T09:15:00Z')).toBe('7. Dezember 2026, 10:15 Uhr');
    expect(germanDateTime('2026-07-01T22:05:00Z')).toBe('2. Juli 2026, 00:05 Uhr');
    // Half past midnight in Berlin is still the day before in UTC: the letter carries the Berlin day.
    expect(germanDate('2026-12-06T23:30:00Z')).toBe('07.12.2026');
  });

  it('letter templates: the service overrides text blocks, placeholders are filled in', () => {
    const templates = letterTemplatesOf({ letterTemplates: { document_request: { blocks: ['Bitte bis {frist}.'] } } });
    expect(templates.document_request.subject).toBe(DEFAULT_LETTER_TEMPLATES.document_request.subject);
    expect(templates.hearing).toEqual(DEFAULT_LETTER_TEMPLATES.hearing);
    expect(
      fillTemplate(templates.document_request, {
        aktenzeichen: 'OA-1/2026/00001',
        leistung: 'Bewohnerparkausweis',
        eingang: '01.12.2026',
        frist: '21.12.2026',
      }),
    ).toEqual({ subject: 'Bitte reichen Sie Unterlagen nach', body: 'Bitte bis 21.12.2026.' });
  });
});
