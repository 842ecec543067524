import type { EvidenceStatus } from '../contracts/case.js';

export interface RegisterQuery {
  register: string;
  evidenceType: string;
  subject: string;
  application: Record<string, unknown>;
}

export interface RegisterAnswer {
  status: EvidenceStatus;
  record?: Record<string, unknown>;
}

/** A register (population, vehicles, trade) as the evidence activity sees it. */
export interface Registers {
  lookup(query: RegisterQuery): Promise<RegisterAnswer>;
}

export interface RegisterSeed {
  population: Array<{ subject: string; zone: string; mainResidence: boolean }>;
  vehicles: Array<{ licensePlate: string; holderSubject: string; use: 'private' | 'company' }>;
  /** Invoices as the upload service would have checked them (number, buyer, amount, whether it is a cargo bike). */
  invoices?: Array<{ invoiceNumber: string; buyerSubject: string; amountCents: number; cargoBike: boolean }>;
  /** Subjects with an enforceable trade prohibition in the Gewerbezentralregister. */
  tradeProhibitions?: string[];
}

/**
 * Registers answered from seeded records in memory, for the demo and tests of the case flow.
 * The register sandbox over HTTP replaces this where retrieval itself is under test.
 */
export class SeededRegisters implements Registers {
  constructor(private readonly seed: RegisterSeed) {}

  async lookup(q: RegisterQuery): Promise<RegisterAnswer> {
    switch (q.register) {
      case 'population': {
        const record = this.seed.population.find((p) => p.subject === q.subject && p.mainResidence);
        return record ? { status: 'found', record: { zone: record.zone, mainResidence: true } } : { status: 'not_found' };
      }
      case 'vehicles': {
        const record = this.seed.vehicles.find((v) => v.licensePlate === q.application['licensePlate']);
        return record
          ? { status: 'found', record: { holderMatches: record.holderSubject === q.subject, use: record.use } }
          : { status: 'not_found' };
      }
      case 'uploads': {
        const number = (q.application['invoice'] as { number?: unknown } | undefined)?.number;
        const record = this.seed.invoices?.find((i) => i.invoiceNumber === number);
        return record
          ? { status: 'found', record: { amountCents: record.amountCents, buyerMatches: record.buyerSubject === q.subject, cargoBike: record.cargoBike } }
          : { status: 'not_found' };
      }
      case 'gzr':
        // The register always answers; no entry means no prohibition.
        return { status: 'found', record: { prohibited: this.seed.tradeProhibitions?.includes(q.subject) ?? false } };
      default:
        return { status: 'unavailable' };
    }
  }
}
