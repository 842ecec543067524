import type { RegisterSeed } from '../seeded-registers.js';
import type { SubmitApplication } from '../../client/case-client.js';
import { hundesteuer } from '../../services/hundesteuer.js';
import { gewerbeanmeldung } from '../../services/samples/gewerbeanmeldung/service.js';
import { lastenradFoerderung } from '../../services/samples/lastenrad-foerderung/service.js';

/** Sample applicants for the cargo-bike grant, by what the rules will make of them. */
export type LastenradKind = 'eligible' | 'not_resident' | 'not_cargo_bike' | 'expensive';
/** Sample business registrations, by what the rules will make of them. */
export type GewerbeKind = 'retail' | 'craft' | 'prohibited' | 'permit_trade';
/** Sample dog-tax registrations (the FIM-imported schema, fields keyed by FIM ids), by what intake and rules make of them. */
export type HundesteuerKind = 'small_dog' | 'two_dogs' | 'dangerous_dog' | 'bad_postcode';

const invoice = (kind: LastenradKind, n: number) => ({
  number: `RE-${kind.toUpperCase().replaceAll('_', '-')}-${n}`,
  amountCents: kind === 'expensive' ? 520_000 : 289_900,
});

const address = { street: 'Am Markt 3', postalCode: '48143', city: 'Musterstadt' };
// Subjects 0000..0999 are in the population register of the parking samples; these ones live elsewhere.
const subjectFor = (kind: string, n: number) =>
  kind === 'not_resident' ? `pseudonym-zugezogen-${n}` : `pseudonym-${String(500 + n).padStart(4, '0')}`;

export function lastenradApplication(kind: LastenradKind, n = 0, today = new Date()): SubmitApplication {
  const i = invoice(kind, n);
  const invoiceDate = new Date(Math.max(Date.parse('2026-01-01'), today.getTime() - 20 * 86_400_000))
    .toISOString()
    .slice(0, 10);
  return {
    serviceKey: lastenradFoerderung.key,
    authorityId: 'stadt-musterstadt',
    identity: { subject: subjectFor(kind, n), trustLevel: 'substantial' },
    application: {
      bike: { model: 'Musterrad Cargo', type: kind === 'not_cargo_bike' ? 'anhaenger' : 'zweirad', electric: true },
      invoice: { number: i.number, date: invoiceDate, amountCents: i.amountCents },
      address,
      iban: 'DE02120300000000202051',
    },
    consent: { evidenceRetrieval: true },
  };
}

export function gewerbeApplication(kind: GewerbeKind, n = 0, today = new Date()): SubmitApplication {
  const tradeCategory = {
    retail: 'einzelhandel',
    craft: 'handwerk',
    prohibited: 'einzelhandel',
    permit_trade: 'bewachung',
  }[kind];
  return {
    serviceKey: gewerbeanmeldung.key,
    authorityId: 'stadt-musterstadt',
    identity: {
      subject: kind === 'prohibited' ? `pseudonym-untersagt-${n}` : subjectFor(kind, n),
      trustLevel: 'substantial',
    },
    application: {
      business: {
        name: `Beispiel ${kind} ${n}`,
        activity: `Beispieltätigkeit (${tradeCategory})`,
        tradeCategory,
        startDate: new Date(today.getTime() + 14 * 86_400_000).toISOString().slice(0, 10),
        employees: kind === 'craft' ? 0 : 3,
      },
      address,
    },
  };
}

const dogHolders = [
  { F99000011: 'Ğündoğan', F99000012: 'Łukasz' },
  { F99000011: 'Nguyễn', F99000012: 'Thị Minh' },
  { F99000011: 'Musterfrau', F99000012: 'Erika' },
];

/**
 * A Hundesteuer-Anmeldung in the FIM Stammdatenschema's own field ids (S99000001): holder G99000010, dogs G99000020 with
 * breed group F99000021 (code list: 01 small, 02 large, 03 dangerous), since-date F99000022, other dogs F99000030.
 * A dangerous dog goes to a case worker; a postal code of four digits is refused at intake with the field's FIM label.
 */
export function hundesteuerApplication(kind: HundesteuerKind, n = 0, today = new Date()): SubmitApplication {
  const since = new Date(Math.max(Date.parse('2026-01-02'), today.getTime() - 30 * 86_400_000))
    .toISOString()
    .slice(0, 10);
  const dog = (breed: string) => ({ F99000021: breed, F99000022: since });
  return {
    serviceKey: hundesteuer.key,
    authorityId: 'stadt-musterstadt',
    identity: { subject: `pseudonym-hund-${kind}-${n}`, trustLevel: 'low' },
    application: {
      G99000010: { ...dogHolders[n % dogHolders.length]!, F99000013: kind === 'bad_postcode' ? '4814' : '48143' },
      G99000020: kind === 'two_dogs' ? [dog('01'), dog('02')] : [dog(kind === 'dangerous_dog' ? '03' : '01')],
      F99000030: kind === 'two_dogs' ? 1 : 0,
    },
  };
}

/** Register records behind these samples, for `n` applicants of each kind. */
export function otherServicesSeed(n = 50): Pick<RegisterSeed, 'invoices' | 'tradeProhibitions'> {
  const kinds: LastenradKind[] = ['eligible', 'not_resident', 'not_cargo_bike', 'expensive'];
  return {
    invoices: kinds.flatMap((kind) =>
      Array.from({ length: n }, (_, i) => ({
        invoiceNumber: invoice(kind, i).number,
        buyerSubject: subjectFor(kind, i),
        amountCents: invoice(kind, i).amountCents,
        cargoBike: kind !== 'not_cargo_bike',
      })),
    ),
    tradeProhibitions: Array.from({ length: n }, (_, i) => `pseudonym-untersagt-${i}`),
  };
}
