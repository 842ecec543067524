import { testDataConverter } from './support/codec.js';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listRetrievalsOfCase } from '../db/queries/evidence-retrievals.js';
import { listPayments } from '../db/queries/payments.js';
import { loadPlugins } from '../app/extensions.js';
import { findService } from '../services/catalogue.js';
import { client, db, sealKeys, withWorker } from './harness.js';
import { verifySealedPdf } from '../adapters/seal-verifier.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const gitStatus = async () =>
  (await run('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repoRoot })).stdout;

// The team's own repository: outside the engine's, with the engine as its dependency.
const teamRepo = mkdtempSync(join(tmpdir(), 'fachverfahren-'));
mkdirSync(join(teamRepo, 'node_modules'));
symlinkSync(repoRoot, join(teamRepo, 'node_modules', 'ozg-case-engine'), 'dir');
afterAll(() => rmSync(teamRepo, { recursive: true, force: true }));

// As the npm scripts run it: `ozg-source` resolves `ozg-case-engine/*` to the sources, no build needed.
const tsx = (args: string[]) =>
  run(join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=ozg-source', ...args], { cwd: repoRoot });

// What the team writes after scaffolding: its own evidence (a library register the engine has never heard of), a step, its rules.
const serviceTs = `import { defineService } from 'ozg-case-engine/service';

export default defineService({
  key: '99777000000001',
  name: 'Bibliotheksausweis (Team)',
  legalBasis: '§ 3 Benutzungssatzung Stadtbibliothek',
  minimumTrustLevel: 'substantial',
  representationAllowed: false,
  evidence: [
    {
      evidenceType: 'library_account',
      register: 'stadtbibliothek',
      purpose: 'Bestehendes Benutzerkonto prüfen',
      document: 'Benutzerausweis',
      consentRequired: true,
      uploadAllowed: false,
      ifMissing: { ask: 'case_worker' },
    },
  ],
  steps: [{ name: 'fines', at: 'after_evidence', activity: 'bibliothek.checkFines' }],
  fee: { timing: 'in_advance', refundOn: ['rejected'] },
  escalation: { fourEyes: false, candidateGroup: 'bibliothek' },
  outputs: { documents: ['bescheid'], forwardingRecipients: [] },
  retentionYears: 3,
});
`;

const cite = (reason: string) => ({ reason, legalBasis: '§ 3 Benutzungssatzung Stadtbibliothek' });
const rules = {
  ruleSetId: 'bibliotheksausweis',
  version: '1',
  validFrom: '2026-01-01',
  rules: [
    {
      name: 'fee',
      conditions: { all: [] },
      event: { type: 'fee', params: { ...cite('Ausweisgebühr'), amountCents: 500 } },
    },
    {
      name: 'needs-account',
      conditions: { all: [] },
      event: { type: 'require-evidence', params: { ...cite('Konto'), evidenceType: 'library_account' } },
    },
    {
      name: 'member-without-fines',
      conditions: {
        all: [
          { fact: 'evidence', path: '$.library_account.status', operator: 'equal', value: 'found' },
          { fact: 'evidence', path: '$.fines.openCents', operator: 'equal', value: 0 },
        ],
      },
      event: { type: 'approve', params: cite('Konto ohne offene Gebühren.') },
    },
    {
      name: 'open-fines',
      conditions: { all: [{ fact: 'evidence', path: '$.fines.openCents', operator: 'greaterThan', value: 0 }] },
      event: { type: 'reject', params: cite('Offene Gebühren.') },
    },
    {
      name: 'no-account',
      conditions: {
        all: [{ fact: 'evidence', path: '$.library_account.status', operator: 'equal', value: 'not_found' }],
      },
      event: { type: 'reject', params: cite('Kein Konto.') },
    },
  ],
};

const extensionsTs = `import { defineExtensions } from 'ozg-case-engine/extensions';

export const asked: string[] = [];

export default defineExtensions({
  registers: {
    stadtbibliothek: {
      async lookup(q) {
        asked.push(q.evidenceType);
        return q.subject.startsWith('member-')
          ? { status: 'found', facts: { since: '2020' }, record: { account: q.subject.slice(-4) } }
          : { status: 'not_found' };
      },
    },
  },
  steps: {
    'bibliothek.checkFines': async (i) => ({ facts: { openCents: i.application.reason === 'Mahnung offen' ? 250 : 0 }, note: { checked: true } }),
  },
});
`;

const application = (reason: string) => ({
  reason,
  address: { street: 'Am Markt 3', postalCode: '48143', city: 'Musterstadt' },
});
const example = (name: string, subject: string, reason: string, outcome: string) =>
  writeFileSync(
    join(teamRepo, 'bibliotheksausweis', 'examples', `${name}.json`),
    JSON.stringify({
      authorityId: 'stadt-musterstadt',
      submittedOn: '2026-06-01',
      application: application(reason),
      evidence: {
        library_account: subject.startsWith('member-') ? { status: 'found', facts: {} } : { status: 'not_found' },
        fines: { status: 'found', facts: { openCents: reason === 'Mahnung offen' ? 250 : 0 } },
      },
      expected: { feeCents: 500, outcome },
    }),
  );

describe("a team's service and adapter from its own folder", () => {
  it('scaffolded outside the repository, with its own rules, evidence adapter and step, runs cases end to end on a real engine; no engine file changes', {
    // A scaffolded service bundled with the workflows and run end to end (14 s on loaded 2 cores).
    timeout: 90_000,
  }, async () => {
    const before = await gitStatus();

    await tsx(['scripts/service-new.ts', 'bibliotheksausweis', '--dir', teamRepo]);
    const folder = join(teamRepo, 'bibliotheksausweis');
    writeFileSync(join(folder, 'service.ts'), serviceTs);
    writeFileSync(join(folder, 'rules', 'v1.json'), JSON.stringify(rules, null, 2));
    rmSync(join(folder, 'examples'), { recursive: true });
    mkdirSync(join(folder, 'examples'));
    example('member', 'member-1', 'Neuer Ausweis', 'approve');
    example('fines', 'member-2', 'Mahnung offen', 'reject');
    writeFileSync(join(teamRepo, 'extensions.ts'), extensionsTs);

    // The check the team runs before shipping: folder sound, examples as expected.
    const check = await tsx(['scripts/service-check.ts', folder, '--extensions', join(teamRepo, 'extensions.ts')]);
    expect(check.stdout).toContain('✓ 2 examples as expected');

    // Composition as the engine does it from SERVICE_DIRS and EXTENSIONS.
    const plugins = await loadPlugins({
      serviceDirs: [teamRepo],
      extensions: [join(teamRepo, 'extensions.ts')],
      dataDir: teamRepo,
    });
    expect(plugins.services.map((s) => s.service.key)).toEqual(['99777000000001']);
    expect(findService('99777000000001').authorities['stadt-musterstadt']?.sealIdentity).toBe('stadt-musterstadt');
    const { asked } = (await import(pathToFileURL(join(teamRepo, 'extensions.ts')).href)) as { asked: string[] };

    await withWorker(
      async ({ cases, deps }) => {
        const submit = (subject: string, reason: string) =>
          cases.submit({
            serviceKey: '99777000000001',
            authorityId: 'stadt-musterstadt',
            identity: { subject, trustLevel: 'substantial' },
            application: application(reason),
            consent: { evidenceRetrieval: true },
          });
        const [member, fined, stranger] = await Promise.all([
          submit('member-4711', 'Neuer Ausweis'),
          submit('member-4712', 'Mahnung offen'),
          submit('guest-1', 'Neuer Ausweis'),
        ]);

        const approved = await cases.result(member.caseId);
        expect(approved.outcome).toBe('approved');
        expect(approved.decision?.firedRules.map((r) => r.ruleId)).toEqual(['member-without-fines']);
        expect(approved.decision?.facts).toMatchObject({
          evidence: { library_account: { status: 'found', since: '2020' }, fines: { status: 'found', openCents: 0 } },
        });
        expect((await cases.result(fined.caseId)).decision?.firedRules.map((r) => r.ruleId)).toEqual(['open-fines']);
        expect((await cases.result(stranger.caseId)).decision?.firedRules.map((r) => r.ruleId)).toEqual(['no-account']);

        // The team's register was asked through the engine's transparency log; its step is in the case journal.
        expect(await listRetrievalsOfCase(db, { caseId: member.caseId })).toEqual([
          expect.objectContaining({ register: 'stadtbibliothek', evidenceType: 'library_account', result: 'found' }),
        ]);
        expect(asked.length).toBeGreaterThanOrEqual(3);
        const events = await listCaseEvents(db, { caseId: member.caseId });
        expect(events.find((e) => e.type === 'step.completed')?.data).toMatchObject({
          step: 'fines',
          at: 'after_evidence',
          checked: true,
        });
        expect(await listPayments(db, { caseId: member.caseId })).toEqual([
          expect.objectContaining({ amountCents: 500 }),
        ]);
        const pdf = await deps.documents.get(approved.bescheid.document.sha256);
        expect(await verifySealedPdf(pdf, await sealKeys.trustAnchors())).toMatchObject({ valid: true });

        // The step path is deterministic: its history replays against the workflow bundle.
        const history = await client.workflow.getHandle(caseWorkflowId(member.caseId)).fetchHistory();
        await Worker.runReplayHistory(
          { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
          history,
          caseWorkflowId(member.caseId),
        );
      },
      {},
      undefined,
      plugins.extensions,
    );

    expect(await gitStatus()).toBe(before);
  });

  it('refuses a broken team folder at start-up with every problem named', async () => {
    const broken = join(teamRepo, 'broken');
    await tsx(['scripts/service-new.ts', 'kaputt', '--dir', broken]);
    const folder = join(broken, 'kaputt');
    writeFileSync(
      join(folder, 'service.ts'),
      serviceTs
        .replace('99777000000001', '99777000000002')
        .replace("activity: 'bibliothek.checkFines'", "activity: 'nirgends'"),
    );
    writeFileSync(
      join(folder, 'schema.json'),
      JSON.stringify({ type: 'object', properties: { x: { type: 'strang' } } }),
    );
    writeFileSync(
      join(folder, 'authorities', 'stadt-musterstadt.json'),
      JSON.stringify({ name: 'X', feeAccount: 'DE00123', contact: 'x', sealIdentity: 'x', postalCodes: [] }),
    );
    const r = {
      ...rules,
      ruleSetId: 'kaputt',
      rules: [
        ...rules.rules,
        {
          name: 'typo',
          conditions: { all: [{ fact: 'evidenz', operator: 'equal', value: 1 }] },
          event: { type: 'approve', params: cite('x') },
        },
      ],
    };
    writeFileSync(join(folder, 'rules', 'v1.json'), JSON.stringify(r));

    const err = await loadPlugins({ serviceDirs: [broken], extensions: [], dataDir: teamRepo }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe('ServiceFolderError');
    for (const problem of [
      'authority stadt-musterstadt: feeAccount: is not a valid IBAN',
      'schema version 1 does not compile',
      'evidence library_account: unknown register "stadtbibliothek"',
      'step fines: no extension provides the activity "nirgends"',
      'rules/v1.json: rule typo: reads unknown fact "evidenz"',
    ]) {
      expect(err?.message).toContain(problem);
    }
    expect(() => findService('99777000000002')).toThrow('Unknown service');
  });
});
