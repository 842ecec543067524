import type { SubmitApplication } from '../../client/case-client.js';
import type { TrustLevel } from '../../workflows/contracts/case.js';
import { anwohnerparken } from '../../services/samples/anwohnerparken/service.js';
import type { PopulationRecord, RegisterData } from '../stand-ins/registers/data.js';
import { otherServicesSeed } from './sample-other-services.js';

/** What the registers make of a sample applicant, and so which outcome the rules will reach. */
export type SampleKind = 'resident' | 'other_zone' | 'not_holder' | 'company_car' | 'low_trust';

const POPULATION = 1000;
const ZONES = ['A1', 'A2', 'B1', 'B2', 'C3'];
const STREETS = ['Lindenstraße', 'Schillerplatz', 'Am Markt', 'Bahnhofstraße', 'Gartenweg'];
const LETTERS = 'ABCDEFGHKLMNPRSTUVWXYZ';

// Small deterministic generator: the same sample every run, without a dependency.
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Person {
  subject: string;
  kind: SampleKind;
  zone: string;
  registeredZone: string;
  licensePlate: string;
  street: string;
}

function kindFor(r: number): SampleKind {
  if (r < 0.66) return 'resident';
  if (r < 0.76) return 'other_zone';
  if (r < 0.84) return 'not_holder';
  if (r < 0.95) return 'company_car';
  return 'low_trust';
}

const people: Person[] = (() => {
  const rnd = mulberry32(20261128);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: POPULATION }, (_, i) => {
    const kind = kindFor(rnd());
    const zone = pick(ZONES);
    const registeredZone = kind === 'other_zone' ? ZONES[(ZONES.indexOf(zone) + 1) % ZONES.length]! : zone;
    const licensePlate = `MS-${pick([...LETTERS])}${pick([...LETTERS])} ${100 + i}`;
    return {
      subject: `pseudonym-${String(i).padStart(4, '0')}`,
      kind,
      zone,
      registeredZone,
      licensePlate,
      street: pick(STREETS),
    };
  });
})();

const FAMILY_NAMES = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Hoffmann',
  'Schulz',
];
const GIVEN_NAMES = [
  'Anna',
  'Jonas',
  'Leonie',
  'Lukas',
  'Marie',
  'Elias',
  'Sophie',
  'Paul',
  'Emilia',
  'Ben',
  'Hannah',
  'Noah',
];
const MAKES: Array<[string, string]> = [
  ['VW', 'Golf'],
  ['Opel', 'Corsa'],
  ['BMW', '3er'],
  ['Škoda', 'Octavia'],
  ['Renault', 'Zoe'],
];
const TRADES = [
  'Elektroinstallation',
  'Malerbetrieb',
  'IT-Dienstleistungen',
  'Einzelhandel Lebensmittel',
  'Gebäudereinigung',
];

const addressOf = (p: Person) => ({
  street: `${p.street} ${1 + (p.subject.length % 40)}`,
  postalCode: '48143',
  city: 'Musterstadt',
});

/** The register records behind the sample applicants: residence with household, vehicles, trades. */
export function sampleRegisterData(): RegisterData {
  // A second generator, so adding register detail never changes which kind each sample person is.
  const rnd = mulberry32(4711);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const date = (from: number, to: number) =>
    `${from + Math.floor(rnd() * (to - from))}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
  const population: PopulationRecord[] = [];
  const data: RegisterData = { population, vehicles: [], trade: [] };
  for (const p of people) {
    const familyName = pick(FAMILY_NAMES);
    const householdId = `HH-${p.subject.slice(-4)}`;
    const home = { address: addressOf(p), zone: p.registeredZone, residenceType: 'main' as const, householdId };
    population.push({
      subject: p.subject,
      familyName,
      givenName: pick(GIVEN_NAMES),
      birthDate: date(1950, 2004),
      registeredSince: date(2005, 2025),
      ...home,
    });
    for (let m = 1, members = Math.floor(rnd() * 3); m <= members; m++) {
      population.push({
        subject: `${p.subject}-m${m}`,
        familyName,
        givenName: pick(GIVEN_NAMES),
        birthDate: date(1950, 2020),
        registeredSince: date(2005, 2025),
        ...home,
      });
    }
    const [make, model] = pick(MAKES);
    data.vehicles.push({
      licensePlate: p.licensePlate,
      holderSubject: p.kind === 'not_holder' ? `pseudonym-other-${p.subject}` : p.subject,
      make,
      model,
      firstRegistration: date(2012, 2026),
      use: p.kind === 'company_car' ? 'company' : 'private',
    });
    if (p.kind === 'company_car') {
      const activity = pick(TRADES);
      data.trade.push({
        registrationNumber: `GewA-MS-${p.subject.slice(-4)}`,
        holderSubject: p.subject,
        businessName: `${familyName} ${activity}`,
        activity,
        registeredSince: date(2000, 2025),
      });
    }
  }
  // The invoice check and the trade-prohibition register answer the other sample services' applicants.
  return { ...data, ...otherServicesSeed() };
}

export interface SampleApplication {
  kind: SampleKind;
  submission: SubmitApplication;
}

/** `count` applications for the resident parking permit, drawn from the sample population. */
export function sampleApplications(count: number, seed = 1): SampleApplication[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const p = people[Math.floor(rnd() * people.length)]!;
    const trustLevel: TrustLevel = p.kind === 'low_trust' ? 'low' : 'substantial';
    return {
      kind: p.kind,
      submission: {
        serviceKey: anwohnerparken.key,
        authorityId: 'stadt-musterstadt',
        identity: { subject: p.subject, trustLevel },
        application: { zone: p.zone, licensePlate: p.licensePlate, address: addressOf(p) },
        consent: { evidenceRetrieval: true },
      },
    };
  });
}

/** The outcome the rules must reach for each kind (company cars go to a case worker, who approves in the demo). */
export const expectedOutcome: Record<SampleKind, 'approved' | 'rejected' | 'refused'> = {
  resident: 'approved',
  other_zone: 'rejected',
  not_holder: 'rejected',
  company_car: 'approved',
  low_trust: 'refused',
};
