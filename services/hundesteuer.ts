import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importXDatenfelder2, parseGenericode } from './fim/xdatenfelder.js';
import type { ServiceDefinition } from './types.js';

const fimDir = fileURLToPath(new URL('./fim/', import.meta.url));
let imported: object | undefined;

/** The application schema imported from the FIM Stammdatenschema S99000001 (XDatenfelder 2) and its code list; read on first use. */
export function hundesteuerSchema(): object {
  if (!imported) {
    const codes = parseGenericode(readFileSync(`${fimDir}hunderassegruppe.gc.xml`, 'utf8'));
    imported = importXDatenfelder2(readFileSync(`${fimDir}S99000001V1.0_xdf2.xml`, 'utf8'), {
      [codes.uri]: codes.codes,
    });
  }
  return imported;
}

/** EXAMPLE service whose application schema comes from a FIM Stammdatenschema: fields are keyed by their FIM ids. */
export const hundesteuer: ServiceDefinition = {
  key: '99108001001000',
  name: 'Hundesteuer-Anmeldung (Beispiel)',
  synonyms: ['Hundesteuer', 'Hund anmelden'],
  description: 'Wer einen Hund hält, meldet ihn bei der Gemeinde zur Hundesteuer an.',
  legalBasis: 'Hundesteuersatzung Musterstadt (Beispiel)',
  minimumTrustLevel: 'low',
  representationAllowed: false,
  currentSchemaVersion: 'S99000001-1.0',
  get schemas() {
    return { 'S99000001-1.0': hundesteuerSchema() };
  },
  evidence: [],
  fee: { timing: 'none' },
  ruleSet: { id: 'hundesteuer', versions: [{ version: '1', validFrom: '2026-01-01' }] },
  escalation: { fourEyes: false, candidateGroup: 'steuern' },
  outputs: { documents: ['bescheid'], forwardingRecipients: [] },
  authorities: {
    'stadt-musterstadt': {
      name: 'Stadt Musterstadt, Steueramt',
      feeAccount: 'DE02120300000000202051',
      contact: 'steueramt@musterstadt.example',
      sealIdentity: 'stadt-musterstadt',
      postalCodes: ['48143', '48145', '48147'],
      postalAddress: 'Rathausplatz 1, 48143 Musterstadt',
      fileReferencePrefix: '22.3-HST',
      arsAreas: ['055150000000'],
    },
  },
  retentionYears: 10,
  retention: { runsFrom: 'bestandskraft', disposal: 'erase' },
  legalRemedy:
    'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. ' +
    'Der Widerspruch ist schriftlich oder zur Niederschrift bei der Stadt Musterstadt, Steueramt, einzulegen.',
  intakeFacts: () => ({}),
  decisionFacts(application) {
    const dogs = (application['G99000020'] as Array<Record<string, unknown>> | undefined) ?? [];
    return { dangerousDog: dogs.some((d) => d['F99000021'] === '03') };
  },
};
