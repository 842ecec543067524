/** Records a register sandbox serves. Fictitious people: subjects are pseudonyms, names are invented. */
export interface RegisterData {
  population: PopulationRecord[];
  vehicles: VehicleRecord[];
  trade: TradeRecord[];
  /** Invoices as the upload service checked them (the cargo-bike grant). */
  invoices?: Array<{ invoiceNumber: string; buyerSubject: string; amountCents: number; cargoBike: boolean }>;
  /** Subjects with an enforceable trade prohibition in the Gewerbezentralregister. */
  tradeProhibitions?: string[];
}

/** Melderegister: one person's registration, with the household living at the same address. */
export interface PopulationRecord {
  subject: string;
  familyName: string;
  givenName: string;
  birthDate: string;
  address: { street: string; postalCode: string; city: string };
  /** Parking zone the address lies in. */
  zone: string;
  residenceType: 'main' | 'secondary';
  registeredSince: string;
  householdId: string;
}

/** Fahrzeugregister: a registration with its holder. */
export interface VehicleRecord {
  licensePlate: string;
  holderSubject: string;
  make: string;
  model: string;
  firstRegistration: string;
  use: 'private' | 'company';
}

/** Gewerberegister: a trade registration. */
export interface TradeRecord {
  registrationNumber: string;
  holderSubject: string;
  businessName: string;
  activity: string;
  registeredSince: string;
}
