import type { RegisterSeed } from '../adapters/registers.js';
import type { SubmitApplication } from '../client/case-client.js';
import type { TrustLevel } from '../contracts/case.js';
import { anwohnerparken } from '../services/anwohnerparken.js';
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
    return { subject: `pseudonym-${String(i).padStart(4, '0')}`, kind, zone, registeredZone, licensePlate, street: pick(STREETS) };
  });
})();

/** The register records behind the sample applicants. */
export function sampleRegisterSeed(): RegisterSeed {
  return {
    population: people.map((p) => ({ subject: p.subject, zone: p.registeredZone, mainResidence: true })),
    vehicles: people.map((p) => ({
      licensePlate: p.licensePlate,
      holderSubject: p.kind === 'not_holder' ? `pseudonym-other-${p.subject}` : p.subject,
      use: p.kind === 'company_car' ? ('company' as const) : ('private' as const),
    })),
    ...otherServicesSeed(),
  };
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
        application: {
          zone: p.zone,
          licensePlate: p.licensePlate,
          address: { street: `${p.street} ${1 + (p.subject.length % 40)}`, postalCode: '48143', city: 'Musterstadt' },
        },
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
