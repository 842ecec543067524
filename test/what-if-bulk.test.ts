import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { effectKey } from '../contracts/ids.js';
import { upsertCase } from '../db/queries/cases.js';
import { recordDecision } from '../db/queries/decisions.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet, readRuleSetFile } from '../rules/rule-set.js';
import { whatIfBulk } from '../rules/what-if-bulk.js';
import { BUILT_IN_REGISTERS } from '../extensions/compose.js';
import { loadServiceFolder } from '../services/service-folder.js';
import { dataDir, db } from './harness.js';

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

    // The candidate: living outside the zone goes to a case worker instead of a refusal.
    const candidate = JSON.parse(await readFile(join(folder, 'rules', 'v1.json'), 'utf8')) as {
      version: string;
      rules: Array<{ name: string; event: { type: string } }>;
    };
    candidate.version = '3';
    candidate.rules.find((r) => r.name === 'not-resident-in-zone')!.event.type = 'escalate';
    const file = join(dataDir, `candidate-${randomUUID()}.json`);
    await writeFile(file, JSON.stringify(candidate));
    const ruleSet = await readRuleSetFile(file);

    const report = await whatIfBulk(db, { serviceKey, ruleSet, closedSince: new Date(Date.now() - 86_400_000) });
    expect(report).toMatchObject({
      cases: 3,
      outcomeChanged: 1,
      payoutChanged: 0,
      transitions: { 'reject→escalate': 1 },
      rules: { 'not-resident-in-zone': { added: 0, removed: 0, changed: 1 } },
    });
    expect(report.candidate).toEqual({ ruleSetId: 'anwohnerparken', version: '3', hash: ruleSet.hash });
    expect(report.changedCases).toEqual([
      expect.objectContaining({
        caseId: ids['other-zone-rejected'],
        status: 'closed',
        stored: { outcome: 'reject', payoutCents: null, ruleSetVersion: '1' },
        alternative: { outcome: 'escalate', payoutCents: null },
      }),
    ]);

    // Closed before the window: only the open case is left to re-decide.
    expect((await whatIfBulk(db, { serviceKey, ruleSet, closedSince: new Date(Date.now() + 3_600_000) })).cases).toBe(
      1,
    );
    // Nothing written: the stored decisions stand.
    expect((await whatIfBulk(db, { serviceKey, ruleSet: v1, closedSince: new Date(0) })).outcomeChanged).toBe(0);
  });
});
