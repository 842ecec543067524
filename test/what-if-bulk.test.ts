import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { effectKey } from '../workflows/contracts/ids.js';
import { upsertCase } from '../db/queries/cases.js';
import { recordDecision } from '../db/queries/decisions.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet, readRuleSetFile } from '../rules/rule-set.js';
import { whatIfBulk } from '../services/what-if-bulk.js';
import { BUILT_IN_REGISTERS } from '../app/extensions.js';
import { loadServiceFolder } from '../services/service-folder.js';
import { applicationReader, caseInputReader } from '../client/case-inputs.js';
import { findService } from '../services/catalogue.js';
import { client, dataDir, db, startBypassingIntake, withWorker } from './harness.js';
import { applicationOf } from './samples.js';

const folder = fileURLToPath(new URL('../services/samples/anwohnerparken', import.meta.url));

describe('what-if in bulk before a legal change', () => {
  it('re-decides open and recently closed cases under a candidate rule set: what changes, which cases, which rules; writes nothing', async () => {
    const { service, examples } = await loadServiceFolder(folder, {
      knownRegisters: BUILT_IN_REGISTERS,
      knownStepActivities: [],
    });
    // Stored like the engine stores them, under a service key of this test's own so other tests' cases don't count.
    const serviceKey = `whatif-${randomUUID()}`;
    const v1 = await loadRuleSet('anwohnerparken', '1');
    const ids: Record<string, string> = {};
    const applications = new Map<string, Record<string, unknown>>();
    for (const name of ['resident-approved', 'other-zone-rejected', 'company-car-escalated']) {
      const ex = examples.find((e) => e.name === name)!;
      const evidence = Object.entries(ex.evidence!).map(([evidenceType, e]) => ({
        evidenceType,
        register: '',
        status: e.status,
        facts: e.facts ?? {},
      }));
      const decision = await decide(v1, service.decisionFacts(ex.application, evidence));
      const caseId = (ids[name] = randomUUID());
      applications.set(caseId, ex.application);
      const closed = decision.outcome !== 'escalate';
      await upsertCase(db, {
        caseId,
        workflowId: `case:${caseId}`,
        serviceKey,
        authorityId: ex.authorityId,
        applicantSubject: 'pseudonym-x',
        ruleSetVersion: '1',
        submittedAt: new Date(),
        seq: 1,
        status: closed ? 'closed' : 'awaiting_case_worker',
        ...(closed && { outcome: decision.outcome === 'approve' ? 'approved' : 'rejected' }),
      });
      await recordDecision(db, {
        idempotencyKey: effectKey(caseId, 'decision'),
        caseId,
        serviceKey,
        ruleSetId: 'anwohnerparken',
        decision,
      });
    }

    // The candidate: living outside the zone goes to a case worker instead of a refusal, and the permit costs more.
    const candidate = JSON.parse(await readFile(join(folder, 'rules', 'v1.json'), 'utf8')) as {
      version: string;
      rules: Array<{ name: string; event: { type: string; params?: { amountCents?: number } } }>;
    };
    candidate.version = '3';
    candidate.rules.find((r) => r.name === 'not-resident-in-zone')!.event.type = 'escalate';
    candidate.rules.find((r) => r.name === 'fee-permit')!.event.params!.amountCents = 3570;
    const file = join(dataDir, `candidate-${randomUUID()}.json`);
    await writeFile(file, JSON.stringify(candidate));
    const ruleSet = await readRuleSetFile(file);

    // The applications as the workflows' histories hold them (the CLI reads them with caseInputReader).
    const window = { serviceKey, service, ruleSet, closedSince: new Date(Date.now() - 86_400_000) };
    const report = await whatIfBulk(db, { ...window, applications: async (id) => applications.get(id) });
    expect(report).toMatchObject({
      cases: 3,
      outcomeChanged: 1,
      feeChanged: 3,
      payoutChanged: 0,
      feeUnknown: 0,
      transitions: { 'reject→escalate': 1 },
      rules: {
        'not-resident-in-zone': { added: 0, removed: 0, changed: 1 },
        'fee-permit': { added: 0, removed: 0, changed: 3 },
      },
    });
    expect(report.candidate).toEqual({ ruleSetId: 'anwohnerparken', version: '3', hash: ruleSet.hash });
    const byCase = new Map(report.changedCases.map((c) => [c.caseId, c]));
    expect(byCase.get(ids['other-zone-rejected']!)).toEqual({
      caseId: ids['other-zone-rejected'],
      status: 'closed',
      stored: { outcome: 'reject', payoutCents: null, feeCents: 3060, ruleSetVersion: '1' },
      alternative: { outcome: 'escalate', payoutCents: null, feeCents: 3570 },
      rulesAdded: [],
      rulesRemoved: [],
      rulesChanged: ['fee-permit', 'not-resident-in-zone'],
      changes: ['outcome', 'fee'],
    });
    for (const [name, outcome] of [
      ['resident-approved', 'approve'],
      ['company-car-escalated', 'escalate'],
    ] as const)
      expect(byCase.get(ids[name]!), name).toMatchObject({
        stored: { outcome, feeCents: 3060 },
        alternative: { outcome, feeCents: 3570 },
        rulesChanged: ['fee-permit'],
        changes: ['fee'],
      });

    // A case whose application cannot be read: its decision is still compared, its fee is named as unknown.
    const unread = await whatIfBulk(db, {
      ...window,
      applications: async (id) => (id === ids['resident-approved'] ? undefined : applications.get(id)),
    });
    expect(unread).toMatchObject({ feeChanged: 2, feeUnknown: 1, feeUnknownCases: [ids['resident-approved']] });
    expect(unread.changedCases.map((c) => c.caseId)).not.toContain(ids['resident-approved']);

    // Closed before the window: only the open case is left to re-decide.
    expect(
      (await whatIfBulk(db, { serviceKey, service, ruleSet, closedSince: new Date(Date.now() + 3_600_000) })).cases,
    ).toBe(1);
    // Nothing written: the stored decisions and fees stand.
    const same = await whatIfBulk(db, {
      serviceKey,
      service,
      ruleSet: v1,
      closedSince: new Date(0),
      applications: async (id) => applications.get(id),
    });
    expect(same).toMatchObject({ cases: 3, outcomeChanged: 0, feeChanged: 0, feeUnknown: 0, changedCases: [] });
  });
});

describe('the bulk what-if reads applications from the Akte, and from the history for cases from before it', () => {
  it('recomputes the fee of a real case from the application in its Akte', async () => {
    await withWorker(async (e) => {
      const a = applicationOf('resident');
      const { caseId } = await e.cases.submit(a);
      await e.cases.result(caseId);
      const input = await caseInputReader(client)(caseId);
      expect(input).toMatchObject({ caseId, serviceKey: a.serviceKey });
      // Without Temporal at all: the Akte holds the application as submitted.
      expect(await applicationReader(db)(caseId)).toEqual(a.application);
      expect(await applicationReader(db, client)(randomUUID())).toBeUndefined();
      // A case from before the Akte: its application is in the workflow input only.
      const before = await startBypassingIntake(e.taskQueue, applicationOf('resident', 1));
      await e.cases.result(before);
      expect(await applicationReader(db, client)(before)).toEqual(applicationOf('resident', 1).application);

      const service = findService(a.serviceKey);
      const current = await loadRuleSet(service.ruleSet.id, input!.ruleSetVersion);
      const candidate = {
        ...current,
        version: '99',
        hash: 'candidate',
        rules: current.rules.map((r) =>
          r.event.type === 'fee' ? { ...r, event: { ...r.event, params: { ...r.event.params, amountCents: 1 } } } : r,
        ),
      };
      const report = await whatIfBulk(db, {
        serviceKey: a.serviceKey,
        ruleSet: candidate,
        closedSince: new Date(Date.now() - 3_600_000),
        applications: applicationReader(db),
      });
      expect(report.changedCases.find((c) => c.caseId === caseId)).toMatchObject({
        changes: ['fee'],
        alternative: { feeCents: 1 },
      });
    });
  });
});
