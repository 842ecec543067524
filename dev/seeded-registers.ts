import {
  RegisterNotConfiguredError,
  type RegisterAnswer,
  type RegisterQuery,
  type Registers,
} from '../adapters/registers.js';

export interface RegisterSeed {
  population?: Array<{ subject: string; zone: string; mainResidence: boolean }>;
  vehicles?: Array<{ licensePlate: string; holderSubject: string; use: 'private' | 'company' }>;
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
        const record = this.seed.population?.find((p) => p.subject === q.subject && p.mainResidence);
        return record ? found({ zone: record.zone, mainResidence: true }) : { status: 'not_found' };
      }
      case 'vehicles': {
        const record = this.seed.vehicles?.find((v) => v.licensePlate === q.application['licensePlate']);
        return record
          ? found({ holderMatches: record.holderSubject === q.subject, use: record.use })
          : { status: 'not_found' };
      }
      case 'uploads': {
        const number = (q.application['invoice'] as { number?: unknown } | undefined)?.number;
        const record = this.seed.invoices?.find((i) => i.invoiceNumber === number);
        return record
          ? found({
              amountCents: record.amountCents,
              buyerMatches: record.buyerSubject === q.subject,
              cargoBike: record.cargoBike,
            })
          : { status: 'not_found' };
      }
      case 'gzr':
        // The register always answers; no entry means no prohibition.
        return found({ prohibited: this.seed.tradeProhibitions?.includes(q.subject) ?? false });
      case 'permits':
        // Permits are checked by a case worker; no permit register is connected.
        return { status: 'not_found' };
      default:
        throw new RegisterNotConfiguredError(`no seeded register "${q.register}"`);
    }
  }
}

const found = (facts: Record<string, unknown>): RegisterAnswer => ({ status: 'found', facts, record: facts });
