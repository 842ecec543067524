// Plain German for what the engine's data calls by code: the sample schemas' field keys, the facts the rules read and
// their values, money. Shared by the workbench (http/workbench) and the machine summary's template (adapters/assistant),
// so no identifier reaches a page or a summary a person reads.

// German labels for the sample schemas' keys, used where a schema property has no `title` of its own.
export const fieldLabel: Record<string, string> = {
  business: 'Betrieb',
  name: 'Name',
  activity: 'Tätigkeit',
  tradeCategory: 'Gewerbeart',
  startDate: 'Beginn',
  employees: 'Beschäftigte',
  address: 'Anschrift',
  street: 'Straße und Hausnummer',
  postalCode: 'Postleitzahl',
  city: 'Ort',
  vehicle: 'Fahrzeug',
  licensePlate: 'Kennzeichen',
  ownership: 'Haltereigenschaft',
  iban: 'IBAN',
  accountHolder: 'Kontoinhaber',
  bike: 'Lastenrad',
  price: 'Kaufpreis',
  priceCents: 'Kaufpreis',
  invoice: 'Rechnung',
  amountCents: 'Betrag',
  date: 'Datum',
  number: 'Nummer',
  kind: 'Art',
  purchaseDate: 'Kaufdatum',
  model: 'Modell',
  electric: 'Mit Elektromotor',
  firstName: 'Vorname',
  lastName: 'Nachname',
  birthDate: 'Geburtsdatum',
  email: 'E-Mail',
  phone: 'Telefon',
  zone: 'Parkzone',
  bankAccount: 'Bankverbindung',
  applicant: 'Antragsteller/in',
  person: 'Person',
  holder: 'Halter/in',
  usage: 'Nutzung',
};

/** A field key in words: its German label, else split from its camelCase. */
export const fieldName = (key: string) =>
  fieldLabel[key] ??
  key
    .replace(/Cents$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());

/** The facts the sample services' rules read, in words a case worker uses; a service's own facts fall back below. */
export const factLabel: Record<string, string> = {
  residenceStatus: 'Meldeauskunft',
  residenceInZone: 'Hauptwohnsitz in der Parkzone',
  vehicleStatus: 'Fahrzeugauskunft',
  vehicleHolderMatches: 'Antragsteller/in ist Halter/in',
  vehicleUse: 'Nutzung des Fahrzeugs',
  postalCodeInMunicipality: 'Postleitzahl im Gemeindegebiet',
  startDateWithinAYear: 'Beginn innerhalb eines Jahres',
  tradeCategory: 'Gewerbeart',
  employees: 'Zahl der Beschäftigten',
  prohibitionStatus: 'Auskunft Gewerbeuntersagung',
  prohibited: 'Gewerbe untersagt',
  permitStatus: 'Erlaubnisauskunft',
  invoiceDateNotAfterSubmission: 'Rechnung vor dem Antrag datiert',
  invoiceDateInProgramme: 'Rechnungsdatum im Förderzeitraum',
  invoiceAmountCents: 'Rechnungsbetrag',
  invoiceStatus: 'Rechnungsprüfung',
  invoiceMatches: 'Rechnung passt zum Antrag',
  cargoBike: 'Lastenrad',
  dangerousDog: 'gefährlicher Hund',
  feeCents: 'Gebühr',
  amountCents: 'Betrag',
};

/** Values the rules compare, in words: register answers, uses, categories. */
const factValueLabel: Record<string, string> = {
  found: 'gefunden',
  not_found: 'nicht gefunden',
  error: 'Fehler beim Abruf',
  unavailable: 'nicht verfügbar',
  uploaded: 'hochgeladen',
  missing: 'fehlt',
  company: 'Firmenfahrzeug',
  private: 'privat',
  craft: 'Handwerk',
  trade: 'Handel',
  service: 'Dienstleistung',
  gastronomy: 'Gastronomie',
  industry: 'Industrie',
};

const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });
/** Money as people read it: integer cents as euros (520000 → 5.200,00 €). */
export const euros = (cents: number) => euro.format(cents / 100);

/** A fact's name in words; an unknown one split from its camelCase, so no identifier reaches the page. */
export function factName(key: string): string {
  if (factLabel[key]) return factLabel[key];
  const words = key
    .replace(/Cents$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A fact's value in words: money in euros, yes and no, known codes translated. */
export function factValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return 'nicht bekannt';
  if (typeof v === 'boolean') return v ? 'ja' : 'nein';
  if (typeof v === 'number' && /Cents$/.test(key)) return euros(v);
  if (typeof v === 'number') return v.toLocaleString('de-DE');
  if (typeof v === 'string') return factValueLabel[v] ?? v;
  return JSON.stringify(v);
}
