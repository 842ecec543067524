import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { hundesteuer, hundesteuerSchema } from '../services/hundesteuer.js';
import { cardinality, importXDatenfelder2, parseGenericode } from '../services/fim/xdatenfelder.js';
import { CatalogueRoutingTable, leikaUrn } from '../services/routing.js';
import { checkApplication } from '../services/validate-application.js';
import { client, withWorker } from './harness.js';
import { apiFor, idp } from './http-helpers.js';
import { eventually } from './support/wait.js';
import { applicationOf } from './samples.js';

const xdf = readFileSync(new URL('../services/fim/S99000001V1.0_xdf2.xml', import.meta.url), 'utf8');

type Props = Record<string, Record<string, unknown>>;

describe('FIM Stammdatenschema import (XDatenfelder 2)', () => {
  it('keeps FIM ids, labels, cardinalities, data types, limits and code lists', () => {
    const schema = hundesteuerSchema() as { 'x-fim-id': string; required: string[]; properties: Props };
    expect(schema['x-fim-id']).toBe('S99000001');
    expect(schema.required).toEqual(['G99000010', 'G99000020', 'F99000030']);
    const holder = schema.properties['G99000010'] as { title: string; properties: Props };
    expect(holder.title).toBe('Angaben zur Halterin oder zum Halter');
    expect(holder.properties['F99000011']).toMatchObject({
      'x-fim-id': 'F99000011',
      title: 'Familienname',
      type: 'string',
      minLength: 1,
      maxLength: 120,
    });
    expect(holder.properties['F99000013']).toMatchObject({ pattern: '^(?:[0-9]{5})$' });
    // anzahl 1:3 makes an array; 0:1 an optional field.
    const dogs = schema.properties['G99000020'] as {
      type: string;
      minItems: number;
      maxItems: number;
      items: { required: string[]; properties: Props };
    };
    expect([dogs.type, dogs.minItems, dogs.maxItems]).toEqual(['array', 1, 3]);
    expect(dogs.items.required).toEqual(['F99000021', 'F99000022']);
    expect(dogs.items.properties['F99000022']).toMatchObject({
      type: 'string',
      format: 'date',
      title: 'Hund gehalten seit',
    });
    expect(dogs.items.properties['F99000021']).toMatchObject({
      enum: ['01', '02', '03'],
      'x-fim-codes': { '02': 'Großer Hund' },
    });
    expect(schema.properties['F99000030']).toMatchObject({ type: 'integer', minimum: 0, maximum: 20 });
    expect(cardinality('0:*')).toEqual([0, undefined]);
  });

  it('refuses what it cannot read: another root, a missing code list', () => {
    expect(() => importXDatenfelder2('<x:other xmlns:x="urn:x"/>')).toThrow(/not an XDatenfelder 2 Stammdatenschema/);
    expect(() => importXDatenfelder2(xdf, {})).toThrow(/code list urn:de:example:codeliste:hunderassegruppe_1/);
    expect(() => parseGenericode('<a/>')).toThrow(/genericode/);
  });

  it('validation messages name the field by its FIM label and id', async () => {
    const check = await checkApplication({
      service: hundesteuer,
      authorityId: 'stadt-musterstadt',
      schemaVersion: hundesteuer.currentSchemaVersion,
      ruleSetVersion: '1',
      submittedOn: '2026-03-01',
      application: {
        G99000010: { F99000011: 'Muster', F99000012: 'Erika', F99000013: '4814' },
        G99000020: [{ F99000021: '07', F99000022: '2026-02-01' }],
        F99000030: 0,
      },
    });
    expect(check.valid).toBe(false);
    expect(check.errors.map((e) => [e.pointer, e.message])).toEqual(
      expect.arrayContaining([
        ['/G99000010/F99000013', 'Postleitzahl (F99000013): Die Eingabe hat nicht das erwartete Format.'],
        [
          '/G99000020/0/F99000021',
          'Rassegruppe des Hundes (F99000021): Bitte wählen Sie einen der vorgesehenen Werte.',
        ],
      ]),
    );
  });
});

describe('routing by LeiKa key and place', () => {
  const table = new CatalogueRoutingTable();
  const parking = '99050012104000';

  it('finds the one authority by ARS (prefix areas) or postal code, and refuses none, several or a bad key', () => {
    expect(leikaUrn(parking)).toBe('urn:de:fim:leika:leistung:99050012104000');
    expect(table.route(parking, { ars: '055150000000' })).toEqual({ found: true, authorityId: 'stadt-musterstadt' });
    // Beispielheim serves a whole Kreis: any Gemeinde in it routes there.
    expect(table.route(parking, { ars: '120650123456' })).toEqual({ found: true, authorityId: 'stadt-beispielheim' });
    expect(table.route(parking, { postalCode: '12345' })).toEqual({ found: true, authorityId: 'stadt-beispielheim' });
    expect(table.route(parking, { postalCode: '48143' })).toEqual({
      found: false,
      reason: 'ambiguous',
      candidates: ['stadt-musterstadt', 'gemeinde-beispieldorf'],
    });
    expect(table.route(parking, { ars: '091620000000' })).toMatchObject({ found: false, reason: 'no_authority' });
    expect(table.route(parking, { postalCode: '99999' })).toEqual({
      found: false,
      reason: 'no_authority',
      candidates: [],
    });
    expect(table.route(parking, { postalCode: '4814' })).toMatchObject({ found: false, reason: 'invalid_place' });
    expect(table.route(parking, {})).toMatchObject({ found: false, reason: 'invalid_place' });
    // A LeiKa key of the right form for a service the catalogue does not offer is refused by name.
    expect(() => table.route('99999999999999', { postalCode: '48143' })).toThrow(/99999999999999/);
    expect(table.route(parking, { ars: '1234' })).toMatchObject({ found: false, reason: 'invalid_place' });
    expect(table.route('12345678901234', { ars: '055150000000' })).toMatchObject({
      found: false,
      reason: 'invalid_place',
    });
  });

  it('intake without an authority routes by place, and refuses clearly (and starts nothing) when none or several are found', async () => {
    await withWorker(async (e) => {
      const api = await apiFor(e);
      const a = applicationOf('resident', 8);
      const post = async (place: object) =>
        api.inject({
          method: 'POST',
          url: '/cases',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({
            serviceKey: a.serviceKey,
            place,
            identityToken: await idp.issue({ subject: a.identity.subject, trustLevel: a.identity.trustLevel }),
            application: a.application,
            consent: a.consent,
          }),
        });
      const routed = await post({ ars: '055150000000' });
      expect(routed.statusCode).toBe(202);
      const { caseId } = routed.json() as { caseId: string };
      expect((await e.cases.status(caseId)).authorityId).toBe('stadt-musterstadt');

      const ambiguous = await post({ postalCode: '48143' });
      expect([ambiguous.statusCode, ambiguous.json().code]).toEqual([409, 'ambiguous_authority']);
      const none = await post({ ars: '091620000000' });
      expect([none.statusCode, none.json().code]).toEqual([422, 'no_responsible_authority']);
      const nonePostal = await post({ postalCode: '99999' });
      expect([nonePostal.statusCode, nonePostal.json().code]).toEqual([422, 'no_responsible_authority']);
      expect(nonePostal.json().detail).toContain('keine Behörde');
      expect(ambiguous.json().detail).toContain('stadt-musterstadt, gemeinde-beispieldorf');
      const badPlace = await post({ postalCode: '4814' });
      expect([badPlace.statusCode, badPlace.json().code]).toEqual([422, 'invalid_place']);
      const missing = await post(undefined as unknown as object);
      expect([missing.statusCode, missing.json().code]).toEqual([422, 'authority_or_place_required']);
      // Visibility lags a little: wait for the routed case to be listed, then no other case may be there.
      const ids = await eventually(async () => {
        const listed: string[] = [];
        for await (const w of client.workflow.list({ query: `TaskQueue = "${e.taskQueue}"` }))
          listed.push(w.workflowId);
        return listed.length > 0 ? listed : undefined;
      }, 'the routed case in the visibility store');
      expect(ids).toEqual([caseWorkflowId(caseId)]);
      await e.cases.result(caseId);

      // The sample service whose schema is the imported FIM one runs end to end.
      const dog = await e.cases.submit({
        serviceKey: hundesteuer.key,
        authorityId: 'stadt-musterstadt',
        identity: { subject: 'pseudonym-hund-1', trustLevel: 'low' },
        application: {
          G99000010: { F99000011: 'Muster', F99000012: 'Erika', F99000013: '48143' },
          G99000020: [{ F99000021: '01', F99000022: '2026-02-01' }],
          F99000030: 0,
        },
      });
      expect((await e.cases.result(dog.caseId)).outcome).toBe('approved');
    });
  }, 90_000); // cases of two services end to end, each with its Bescheid
});
