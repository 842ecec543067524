import { CatalogueRoutingTable, type Place, type RoutingTable } from '../services/routing.js';
import type { ServiceDefinition } from '../services/types.js';
import { IntakeRefusedError } from '../client/intake-refused.js';

const catalogueRouting = new CatalogueRoutingTable();

/** The authority an application names, or the one the routing table finds for its service and place; refuses clearly otherwise. */
export function responsibleAuthority(
  o: { service: ServiceDefinition; authorityId?: string; place?: Place },
  table: RoutingTable = catalogueRouting,
): string {
  if (o.authorityId) return o.authorityId;
  if (!o.place)
    throw new IntakeRefusedError(
      'authority_or_place_required',
      422,
      'Bitte nennen Sie die Behörde oder den Ort (ARS oder Postleitzahl), um den es geht.',
    );
  const route = table.route(o.service.key, o.place);
  if (route.found) return route.authorityId;
  if (route.reason === 'invalid_place') {
    throw new IntakeRefusedError(
      'invalid_place',
      422,
      'Der Ort ist kein gültiger Regionalschlüssel (2, 3, 5, 9 oder 12 Ziffern) bzw. keine Postleitzahl, oder der Leistungsschlüssel ist kein LeiKa-Schlüssel.',
    );
  }
  if (route.reason === 'no_authority')
    throw new IntakeRefusedError(
      'no_responsible_authority',
      422,
      'Für diesen Ort ist keine Behörde für diese Leistung zuständig.',
    );
  throw new IntakeRefusedError(
    'ambiguous_authority',
    409,
    `Für diesen Ort sind mehrere Behörden zuständig (${route.candidates.join(', ')}); bitte wählen Sie eine aus.`,
  );
}
