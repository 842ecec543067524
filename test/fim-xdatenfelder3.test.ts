import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  importXDatenfelder,
  importXDatenfelder2,
  importXDatenfelder3,
  parseGenericode,
  xdatenfelderVersion,
} from '../services/fim/xdatenfelder.js';
import { hundesteuer } from '../services/hundesteuer.js';
import { compileApplicationSchema, validateApplication } from '../services/validate-application.js';

// A hand-written sample shaped after XDatenfelder 3.0.0's public structure (services/fim/S99000002V1.0.0_xdf3.xml);
// no FIM editor produced it and no XSD checked it.
const fim = (file: string) => readFileSync(new URL(`../services/fim/${file}`, import.meta.url), 'utf8');
const xdf3 = fim('S99000002V1.0.0_xdf3.xml');
const xdf2 = fim('S99000001V1.0_xdf2.xml');
const breeds = parseGenericode(fim('hunderassegruppe.gc.xml'));
const codeLists = { [breeds.uri]: breeds.codes };

type Props = Record<string, Record<string, unknown>>;
type Obj = { title: string; required: string[]; properties: Props };

describe('FIM import (XDatenfelder 3)', () => {
  const schema = importXDatenfelder3(xdf3, codeLists) as Obj & Record<string, unknown>;

  it('keeps ids, version, labels and cardinalities; a label field takes no input', () => {
    expect(schema).toMatchObject({
      $id: 'urn:xoev-de:fim:stammdatenschema:S99000002:1.0.0',
      'x-fim-id': 'S99000002',
      'x-fim-version': '1.0.0',
      'x-fim-xdatenfelder': '3.0.0',
      title: 'Abmeldung eines Hundes von der Hundesteuer',
      additionalProperties: false,
    });
    expect(schema.required).toEqual(['G99000110', 'G99000130', 'F99000140', 'F99000142']);
    expect(Object.keys(schema.properties)).toEqual([
      'G99000110',
      'G99000130',
      'F99000140',
      'F99000141',
      'F99000142',
      'F99000143',
    ]);
    const holder = schema.properties['G99000110'] as unknown as Obj;
    expect(holder.title).toBe('Angaben zur Halterin oder zum Halter');
    expect(holder.required).toEqual(['F99000111', 'F99000112', 'F99000113']);
    // praezisierung as attributes (XDF3), text_latin a string.
    expect(holder.properties['F99000111']).toMatchObject({
      'x-fim-id': 'F99000111',
      title: 'Familienname',
      type: 'string',
      'x-fim-datentyp': 'text_latin',
      minLength: 1,
      maxLength: 120,
    });
    expect(holder.properties['F99000113']).toMatchObject({ pattern: '^(?:[0-9]{5})$' });
    // anzahl 1:* makes an unbounded array.
    const dogs = schema.properties['G99000130'] as Record<string, unknown>;
    expect(dogs).toMatchObject({ type: 'array', minItems: 1, title: 'Abgemeldeter Hund' });
    expect(dogs).not.toHaveProperty('maxItems');
  });

  it('maps data types and both kinds of code lists: a referenced genericode list and an inline werte list', () => {
    const dog = (schema.properties['G99000130'] as { items: Obj }).items;
    expect(dog.required).toEqual(['F99000131', 'F99000132', 'F99000133']);
    expect(dog.properties['F99000131']).toMatchObject({
      enum: ['01', '02', '03'],
      'x-fim-codes': { '03': 'Gefährlicher Hund nach Landesrecht' },
    });
    expect(dog.properties['F99000132']).toMatchObject({
      title: 'Grund der Abmeldung',
      enum: ['tod', 'abgabe', 'wegzug'],
      'x-fim-codes': { wegzug: 'Wegzug aus der Gemeinde' },
    });
    expect(dog.properties['F99000133']).toMatchObject({ type: 'string', format: 'date' });
    expect(dog.properties['F99000134']).toMatchObject({ type: 'string', 'x-fim-datentyp': 'time' });
    expect(schema.properties['F99000140']).toMatchObject({ type: 'boolean' });
    expect(schema.properties['F99000141']).toMatchObject({
      type: 'number',
      multipleOf: 0.01,
      minimum: 0,
      maximum: 500,
    });
    expect(schema.properties['F99000142']).toMatchObject({
      type: 'string',
      format: 'date-time',
      readOnly: true,
      'x-fim-feldart': 'locked',
    });
    expect(schema.properties['F99000143']).toMatchObject({ 'x-fim-feldart': 'hidden', maxLength: 20 });
  });

  it('compiles as an application schema and validates data the way the form means it', () => {
    const validate = compileApplicationSchema(schema);
    const good = {
      G99000110: { F99000111: 'Ğündoğan', F99000112: 'Łukasz', F99000113: '48143' },
      G99000130: [
        { F99000131: '01', F99000132: 'tod', F99000133: '2026-03-01', F99000134: '14:30' },
        { F99000131: '02', F99000132: 'wegzug', F99000133: '2026-03-02' },
      ],
      F99000140: true,
      F99000141: 12.5,
      F99000142: '2026-03-03T10:00:00Z',
    };
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    const bad = {
      ...good,
      G99000130: [{ F99000131: '01', F99000132: 'verkauft', F99000133: '2026-03-01', F99000134: '25:00' }],
      F99000141: 12.345,
      F99000120: 'a label is no input',
    };
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual(
      expect.arrayContaining([
        '/G99000130/0/F99000132 enum',
        '/G99000130/0/F99000134 pattern',
        '/F99000141 multipleOf',
        ' additionalProperties',
      ]),
    );
  });

  it('validation messages name the field by its XDF3 label and id', () => {
    const service = { ...hundesteuer, key: '99108001002000', schemas: { 'S99000002-1.0.0': schema } };
    const check = validateApplication(service, 'S99000002-1.0.0', {
      G99000110: { F99000111: 'Ğündoğan', F99000112: 'Łukasz', F99000113: '481' },
      G99000130: [{ F99000131: '01', F99000132: 'verkauft', F99000133: '2026-03-01' }],
      F99000140: true,
      F99000142: '2026-03-03T10:00:00Z',
    });
    expect(check.valid).toBe(false);
    expect(check.errors.map((e) => [e.pointer, e.message])).toEqual(
      expect.arrayContaining([
        ['/G99000110/F99000113', 'Postleitzahl (F99000113): Die Eingabe hat nicht das erwartete Format.'],
        ['/G99000130/0/F99000132', 'Grund der Abmeldung (F99000132): Bitte wählen Sie einen der vorgesehenen Werte.'],
      ]),
    );
  });

  it('reads a Datenfeldgruppe message (0103) as a schema of its own', () => {
    const group = importXDatenfelder3(
      `<?xml version="1.0"?>
      <xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_3.0.0">
        <xdf:header><xdf:nachrichtID>x</xdf:nachrichtID><xdf:erstellungszeitpunkt>2026-02-01T09:00:00Z</xdf:erstellungszeitpunkt></xdf:header>
        <xdf:datenfeldgruppe>
          <xdf:identifikation><xdf:id>G99000900</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
          <xdf:name>Ort</xdf:name><xdf:bezeichnungEingabe>Ort der Haltung</xdf:bezeichnungEingabe>
          <xdf:struktur><xdf:anzahl>0:2</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
            <xdf:identifikation><xdf:id>F99000901</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
            <xdf:name>Ort</xdf:name><xdf:bezeichnungEingabe>Gemeinde</xdf:bezeichnungEingabe>
            <xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp>
          </xdf:datenfeld></xdf:enthaelt></xdf:struktur>
        </xdf:datenfeldgruppe>
      </xdf:xdatenfelder.datenfeldgruppe.0103>`,
    ) as Obj & Record<string, unknown>;
    expect(group).toMatchObject({ $id: 'urn:xoev-de:fim:datenfeldgruppe:G99000900:1.0.0', title: 'Ort der Haltung' });
    expect(group.required).toEqual([]);
    expect(group.properties['F99000901']).toMatchObject({ type: 'array', minItems: 0, maxItems: 2 });
  });

  it('tells XDatenfelder 2 and 3 apart by namespace, and refuses what it cannot read with a clear message', () => {
    expect(xdatenfelderVersion(xdf2)).toBe(2);
    expect(xdatenfelderVersion(xdf3)).toBe(3);
    expect(importXDatenfelder(xdf3, codeLists)).toEqual(schema);
    expect((importXDatenfelder(xdf2, codeLists) as Record<string, unknown>)['x-fim-id']).toBe('S99000001');
    expect(() => importXDatenfelder2(xdf3, codeLists)).toThrow(/this is XDatenfelder 3/);
    expect(() => importXDatenfelder3(xdf2, codeLists)).toThrow(/not an XDatenfelder 3 message/);
    expect(() => importXDatenfelder('<a xmlns="urn:x"/>')).toThrow(/namespace is urn:x/);
    expect(() => importXDatenfelder3(xdf3, {})).toThrow(/code list urn:de:example:codeliste:hunderassegruppe_1/);
    const withFile = xdf3.replace('<code>bool</code>', '<code>file</code>');
    expect(() => importXDatenfelder3(withFile, codeLists)).toThrow(/F99000140: datentyp "file" is not supported/);
    const selectWithoutList = xdf3.replace(/<xdf:werte>[\s\S]*?<\/xdf:werte>/, '');
    expect(() => importXDatenfelder3(selectWithoutList, codeLists)).toThrow(
      /F99000132: a select field without codelisteReferenz or werte/,
    );
  });
});
