import type { RegisterSeed } from '../dev/seeded-registers.js';
import type { SubmitApplication } from '../client/case-client.js';
import { gewerbeanmeldung } from '../services/samples/gewerbeanmeldung/service.js';
import { lastenradFoerderung } from '../services/samples/lastenrad-foerderung/service.js';

/** Sample applicants for the cargo-bike grant, by what the rules will make of them. */
export type LastenradKind = 'eligible' | 'not_resident' | 'not_cargo_bike' | 'expensive';
/** Sample business registrations, by what the rules will make of them. */
export type GewerbeKind = 'retail' | 'craft' | 'prohibited' | 'permit_trade';

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
