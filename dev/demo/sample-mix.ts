import type { SubmitApplication } from '../../client/case-client.js';
import type { CaseOutcome } from '../../workflows/contracts/case.js';
import { expectedOutcome, sampleApplications, type SampleKind } from './sample-applications.js';
import {
  gewerbeApplication,
  lastenradApplication,
  hundesteuerApplication,
  type GewerbeKind,
  type HundesteuerKind,
  type LastenradKind,
} from './sample-other-services.js';

export type DemoKind = SampleKind | LastenradKind | GewerbeKind | HundesteuerKind;

export interface DemoApplication {
  kind: DemoKind;
  submission: SubmitApplication;
}

const LASTENRAD: LastenradKind[] = ['eligible', 'eligible', 'not_resident', 'not_cargo_bike', 'expensive'];
const GEWERBE: GewerbeKind[] = ['retail', 'craft', 'retail', 'prohibited', 'permit_trade'];
const HUNDESTEUER: HundesteuerKind[] = ['small_dog', 'two_dogs', 'dangerous_dog', 'bad_postcode'];

/**
 * The demo's batch: mostly parking permits, every fifth a cargo-bike grant, every fifth a business registration and
 * every tenth a dog-tax registration (the service whose schema is imported from FIM).
 */
export function demoApplications(count: number, seed: number): DemoApplication[] {
  const parking = sampleApplications(count, seed);
  return parking.map((p, i) => {
    const n = Math.floor(i / 5) % 50;
    if (i % 5 === 1) {
      const kind = LASTENRAD[(n + seed) % LASTENRAD.length]!;
      return { kind, submission: lastenradApplication(kind, n) };
    }
    if (i % 5 === 3) {
      const kind = GEWERBE[(n + seed) % GEWERBE.length]!;
      return { kind, submission: gewerbeApplication(kind, n) };
    }
    if (i % 10 === 9) {
      const kind = HUNDESTEUER[(n + seed) % HUNDESTEUER.length]!;
      return { kind, submission: hundesteuerApplication(kind, n) };
    }
    return p;
  });
}

/** The outcome each kind must reach; escalated cases are approved by the demo's case-worker bot, low trust is refused at intake. */
export const expectedDemoOutcome: Record<DemoKind, CaseOutcome> = {
  ...expectedOutcome,
  eligible: 'approved',
  not_resident: 'rejected',
  not_cargo_bike: 'rejected',
  expensive: 'approved',
  retail: 'approved',
  craft: 'approved',
  prohibited: 'rejected',
  permit_trade: 'approved',
  small_dog: 'approved',
  two_dogs: 'approved',
  dangerous_dog: 'approved',
  bad_postcode: 'refused',
};
