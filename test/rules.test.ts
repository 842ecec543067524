import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EvidenceResult, EvidenceStatus } from '../workflows/contracts/case.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet } from '../rules/rule-set.js';
import { runOnEngine, runRules, runRulesCompiled } from '../rules/run-rules.js';
import { findService, listServices, ruleSetVersionOn, sampleServices } from '../services/catalogue.js';
import { checkApplication } from '../services/validate-application.js';
import { hundesteuer } from '../services/hundesteuer.js';

const { anwohnerparken, gewerbeanmeldung, lastenradFoerderung } = sampleServices;

const status = fc.constantFrom<EvidenceStatus>('found', 'not_found', 'unavailable');
const evidenceOf = (type: string, facts: fc.Arbitrary<Record<string, unknown>>) =>
  fc.record({ status, facts }).map(
    ({ status: s, facts: f }): EvidenceResult => ({
      evidenceType: type,
      register: 'r',
      status: s,
      facts: s === 'found' ? f : {},
    }),
  );

/** Generated applications and register answers per sample service, including nonsense the rules must still decide. */
const generated = {
  [hundesteuer.key]: fc.record({
    application: fc.record({
      G99000020: fc.array(fc.record({ F99000021: fc.constantFrom('01', '02', '03', 'xx') }), { maxLength: 3 }),
    }),
    evidence: fc.constant([] as EvidenceResult[]),
  }),
  [anwohnerparken.key]: fc.record({
    application: fc.record({
      zone: fc.constantFrom('A1', 'B2', 'C3'),
      licensePlate: fc.string(),
      address: fc.constant({}),
    }),
    evidence: fc.tuple(
      evidenceOf('residence', fc.record({ zone: fc.constantFrom('A1', 'B2', 'C3', 'Z9') })),
      evidenceOf(
        'vehicle_registration',
        fc.record({ holderMatches: fc.boolean(), use: fc.constantFrom('private', 'company', 'other') }),
      ),
    ),
  }),
  [lastenradFoerderung.key]: fc.record({
    application: fc.record({ invoice: fc.record({ amountCents: fc.integer({ min: 0, max: 2_000_000 }) }) }),
    evidence: fc.tuple(
      evidenceOf('residence', fc.constant({})),
      evidenceOf(
        'invoice',
        fc.record({
          amountCents: fc.integer({ min: 0, max: 2_000_000 }),
          buyerMatches: fc.boolean(),
          cargoBike: fc.boolean(),
        }),
      ),
    ),
  }),
  [gewerbeanmeldung.key]: fc.record({
    application: fc.record({
      business: fc.record({
        tradeCategory: fc.constantFrom(
          'einzelhandel',
          'handwerk',
          'it-dienstleistung',
          'gastronomie',
          'bewachung',
          'immobilienmakler',
        ),
        employees: fc.integer({ min: 0, max: 500 }),
      }),
    }),
    evidence: fc.tuple(evidenceOf('trade_prohibition', fc.record({ prohibited: fc.boolean() }))),
  }),
};

// Same facts, different key order and a fresh object: only the content may matter.
const shuffled = (facts: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(structuredClone(facts)).reverse());

describe('deterministic decisions', () => {
  for (const service of listServices()) {
    for (const { version } of service.ruleSet.versions) {
      it(`${service.name} v${version}: the same facts always give the same decision`, async () => {
        const ruleSet = await loadRuleSet(service.ruleSet.id, version);
        await fc.assert(
          fc.asyncProperty(generated[service.key]!, async ({ application, evidence }) => {
            const facts = service.decisionFacts(application as Record<string, unknown>, [...evidence]);
            const first = await decide(ruleSet, facts);
            const again = await decide(await loadRuleSet(service.ruleSet.id, version), shuffled(facts));
            expect(again).toEqual(first);
            expect(['approve', 'reject', 'escalate']).toContain(first.outcome);
            expect(first.firedRules.some((r) => r.outcome === first.outcome)).toBe(true);
            for (const r of first.firedRules) expect(r.legalBasis.length).toBeGreaterThan(0);
            expect(first).toMatchObject({ ruleSetVersion: version, ruleSetHash: ruleSet.hash });
          }),
          { numRuns: 200 },
        );
      });
    }
  }
});

describe('rules compute fees, evidence and plausibility', () => {
  const check = (
    service = anwohnerparken,
    application: unknown,
    o: { authorityId?: string; ruleSetVersion?: string; on?: string } = {},
  ) =>
    checkApplication({
      service,
      authorityId: o.authorityId ?? 'stadt-musterstadt',
      schemaVersion: '1',
      ruleSetVersion: o.ruleSetVersion ?? '1',
      application,
      submittedOn: o.on ?? '2026-11-28',
    });
  const parking = {
    zone: 'A1',
    licensePlate: 'MS-AB 123',
    address: { street: 'Am Markt 1', postalCode: '48143', city: 'Musterstadt' },
  };

  it('pins the rule set version in force on the day of submission', () => {
    expect(ruleSetVersionOn(anwohnerparken, '2026-11-28')).toBe('1');
    expect(ruleSetVersionOn(anwohnerparken, '2027-01-01')).toBe('2');
  });

  it('computes the parking fee by the pinned version: 30.60 EUR under v1, 120 EUR under v2', async () => {
    expect((await check(anwohnerparken, parking)).assessment).toMatchObject({
      feeCents: 3060,
      requiredEvidence: ['residence', 'vehicle_registration'],
    });
    expect((await check(anwohnerparken, parking, { ruleSetVersion: '2' })).assessment.feeCents).toBe(12000);
  });

  it('reports schema and plausibility errors together, each with a pointer, a code and German and English text', async () => {
    const result = await check(anwohnerparken, {
      ...parking,
      zone: 7,
      colour: 'rot',
      address: { ...parking.address, postalCode: '99999' },
    });
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => [e.pointer, e.code])).toEqual(
      expect.arrayContaining([
        ['/zone', 'wrong_type'],
        ['/colour', 'unknown_field'],
        ['/address/postalCode', 'postal_code_outside_municipality'],
      ]),
    );
    for (const e of result.errors) expect(e.message && e.messageEn).toBeTruthy();
  });

  it('lays each authority over the shared definition: postal codes of the other authority are implausible for this one', async () => {
    const beispielheim = { ...parking, address: { ...parking.address, postalCode: '12345', city: 'Beispielheim' } };
    expect((await check(anwohnerparken, beispielheim, { authorityId: 'stadt-beispielheim' })).valid).toBe(true);
    expect((await check(anwohnerparken, beispielheim)).valid).toBe(false);
  });

  it('checks dates and amounts of a cargo-bike grant', async () => {
    const app = {
      bike: { model: 'X', type: 'zweirad' },
      invoice: { number: 'RE-1', date: '2026-12-24', amountCents: 20_000 },
      address: parking.address,
      iban: 'DE02120300000000202051',
    };
    const result = await check(lastenradFoerderung, app);
    expect(result.errors.map((e) => e.code).sort()).toEqual(['amount_out_of_range', 'date_in_future']);
    const early = await check(lastenradFoerderung, {
      ...app,
      invoice: { ...app.invoice, date: '2025-12-31', amountCents: 300_000 },
    });
    expect(early.errors.map((e) => e.code)).toEqual(['date_before_programme']);
  });

  it('asks for a trade permit and a surcharge only for trades that need a permit', async () => {
    const business = {
      name: 'B',
      activity: 'Bewachung',
      tradeCategory: 'bewachung',
      startDate: '2026-12-01',
      employees: 1,
    };
    const permit = await check(gewerbeanmeldung, { business, address: parking.address });
    expect(permit.assessment).toMatchObject({
      feeCents: 4100,
      requiredEvidence: ['trade_permit', 'trade_prohibition'],
    });
    const retail = await check(gewerbeanmeldung, {
      business: { ...business, tradeCategory: 'einzelhandel' },
      address: parking.address,
    });
    expect(retail.assessment).toMatchObject({ feeCents: 2600, requiredEvidence: ['trade_prohibition'] });
  });

  it('computes the grant as half the price, capped at 1,000 EUR', async () => {
    const ruleSet = await loadRuleSet('lastenrad-foerderung', '1');
    const service = findService(lastenradFoerderung.key);
    const decideFor = (amountCents: number) =>
      decide(
        ruleSet,
        service.decisionFacts({ invoice: { amountCents } }, [
          { evidenceType: 'residence', register: 'population', status: 'found', facts: {} },
          {
            evidenceType: 'invoice',
            register: 'uploads',
            status: 'found',
            facts: { amountCents, buyerMatches: true, cargoBike: true },
          },
        ]),
      );
    expect(await decideFor(150_000)).toMatchObject({ outcome: 'approve', payoutCents: 75_000 });
    expect(await decideFor(380_000)).toMatchObject({ outcome: 'approve', payoutCents: 100_000 });
    expect(await decideFor(450_000)).toMatchObject({ outcome: 'escalate', payoutCents: 100_000 });
  });
});

describe('rule engines are built once per rule set version and never shared by two runs at once', () => {
  // The rule sets have priority levels; an engine shared by concurrent runs would skip a later level once another run finished.
  it('decides 200 generated cases concurrently exactly as one by one', async () => {
    const service = anwohnerparken;
    const ruleSet = await loadRuleSet(service.ruleSet.id, '1');
    const samples = fc.sample(
      generated[service.key]! as fc.Arbitrary<{ application: unknown; evidence: EvidenceResult[] }>,
      { numRuns: 200, seed: 7 },
    );
    const facts = samples.map(({ application, evidence }) =>
      service.decisionFacts(application as Record<string, unknown>, [...evidence]),
    );
    const oneByOne = [];
    for (const f of facts) oneByOne.push(await decide(ruleSet, f));
    expect(await Promise.all(facts.map((f) => decide(ruleSet, f)))).toEqual(oneByOne);
  });
});

describe('compiled rules decide exactly as json-rules-engine', () => {
  const released = Object.keys(JSON.parse(readFileSync(new URL('../rules/released.json', import.meta.url), 'utf8')));
  for (const file of released) {
    const [id, v] = file.replace(/\.json$/, '').split('/v') as [string, string];
    it(`${id} v${v}: every rule compiled, and the same rules fire as on the engine for any facts`, async () => {
      const ruleSet = await loadRuleSet(id, v);
      const read = new Set<string>();
      const literals: unknown[] = [];
      const walk = (c: Record<string, unknown>): void => {
        for (const k of ['all', 'any']) if (Array.isArray(c[k])) for (const n of c[k]) walk(n);
        if (c.not) walk(c.not as Record<string, unknown>);
        if (typeof c.fact === 'string') read.add(c.fact);
        if ('value' in c) literals.push(...(Array.isArray(c.value) ? [...c.value, c.value] : [c.value]));
      };
      for (const r of ruleSet.rules) walk(r.conditions as unknown as Record<string, unknown>);
      // Each fact: absent, one of the values the rules compare with, or something else (numbers as strings, null, lists).
      const value = fc.oneof(
        fc.constantFrom(...literals),
        fc.constantFrom(undefined, null, '', 'x', '12', 'NaN', true, false, 0, -1, 1e9, [], ['x']),
        fc.integer({ min: -10, max: 2_000_000 }),
      );
      const facts = fc.record(Object.fromEntries([...read].map((f) => [f, value])), { requiredKeys: [] });
      expect(runRulesCompiled(ruleSet, {})).toBeDefined();
      await fc.assert(
        fc.asyncProperty(facts, async (f) => {
          const names = (fired: Awaited<ReturnType<typeof runOnEngine>>) => fired.map((x) => x.rule.name);
          expect(names(await runRules(ruleSet, f))).toEqual(names(await runOnEngine(ruleSet, f)));
        }),
        { numRuns: 500 },
      );
    });
  }
});
