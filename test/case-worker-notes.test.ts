import { describe, expect, it } from 'vitest';
import { listAkteDocumentContents } from '../db/queries/akte.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { fileVermerk, listVermerke } from '../db/queries/notes.js';
import { recordStaffLogin } from '../db/queries/staff-directory.js';
import type { Postbox } from '../adapters/postbox.js';
import { letterDraft, previewBescheidFor, previewLetter, sendLetter } from '../http/workbench/letters.js';
import { db, testDeps, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { inspectPdf } from './support/pdf-tools.js';
import { waitFor } from './support/wait.js';

const DORF = 'gemeinde-beispieldorf';
const dora = { id: 'sb.dora', role: 'case_worker' as const, authorityId: DORF };
const emil = { id: 'sb.emil', role: 'case_worker' as const, authorityId: DORF };

/** All text of a PDF as its structure tree holds it (pikepdf and pdfminer.six). */
const textOf = async (pdf: Uint8Array) => (await inspectPdf(pdf)).structure.map((e) => e.text).join('\n');

describe('notes, four-eyes with a send-back, and what reaches the applicant', { timeout: 240_000 }, () => {
  it('the sealed Bescheid prints the reasons for the applicant and none of the Vermerke or internal justifications', async () => {
    await withWorker(async (e) => {
      const submission = { ...applicationOf('company_car', 7), authorityId: DORF };
      submission.identity = { ...submission.identity, name: { givenName: 'Erika', familyName: 'Mustermann' } };
      const { caseId } = await e.cases.submit(submission);
      const taskId = `${caseId}:review`;
      await waitFor(async () => ((await e.tasks.find(taskId))?.state === 'open' ? true : undefined), {
        timeoutMs: 90_000,
        what: 'the open task',
      });
      const task = async () => (await e.tasks.find(taskId))!;

      // A Vermerk written on the case: in the Akte, by its author.
      await fileVermerk(db, {
        documentId: `${caseId}:note:test-1`,
        caseId,
        title: 'Vermerk',
        text: 'Telefonat: Arbeitgeber bestätigt Privatnutzung (nur intern).',
        authorId: 'sb.dora',
        createdAt: new Date(),
      });

      // Both colleagues as the identity provider named them at their last login.
      await recordStaffLogin(db, {
        authorityId: DORF,
        staffId: 'sb.dora',
        displayName: 'Dora Dietz',
        role: 'case_worker',
      });
      await recordStaffLogin(db, {
        authorityId: DORF,
        staffId: 'sb.emil',
        displayName: 'Emil Engel',
        role: 'case_worker',
      });
      await e.tasks.act(caseId, { action: 'claim', taskId, actor: dora });
      await e.tasks.act(caseId, {
        action: 'complete',
        taskId,
        actor: dora,
        outcome: 'approve',
        justification: 'Interne Begründung: Vertrag geprüft, Lohnabrechnung unauffällig.',
        reasonsForApplicant: 'Das Fahrzeug steht Ihnen nach dem Überlassungsvertrag auch privat zur Verfügung.',
      });
      // The second look sends it back once, with a note the first case worker sees on her task.
      await e.tasks.act(caseId, { action: 'claim', taskId, actor: emil });
      await e.tasks.act(caseId, {
        action: 'send_back',
        taskId,
        actor: emil,
        note: 'Bitte die Gültigkeit des Vertrags vermerken.',
      });
      expect(await task()).toMatchObject({ state: 'claimed', stage: 'decision', assignee: 'sb.dora' });
      const view = (await e.cases.status(caseId)).task!;
      expect(view.sentBack).toMatchObject({ by: 'sb.emil', note: 'Bitte die Gültigkeit des Vertrags vermerken.' });

      // The proposal again, previewed as the second person would see it, then confirmed.
      await e.tasks.act(caseId, {
        action: 'complete',
        taskId,
        actor: dora,
        outcome: 'approve',
        justification: 'Vertrag gültig bis 2028 (intern).',
        reasonsForApplicant: 'Das Fahrzeug steht Ihnen nach dem Überlassungsvertrag auch privat zur Verfügung.',
      });
      await e.tasks.act(caseId, { action: 'claim', taskId, actor: emil });
      const preview = await previewBescheidFor(db, caseId, {
        outcome: 'approve',
        reasonsForApplicant: (await e.cases.status(caseId)).task!.proposal!.reasonsForApplicant,
        caseWorker: 'sb.dora',
      });
      const previewText = await textOf(preview!);
      expect(previewText).toContain('ENTWURF');
      expect(previewText).toContain('auch privat zur Verfügung');
      expect(previewText).not.toContain('intern');
      await e.tasks.act(caseId, {
        action: 'complete',
        taskId,
        actor: emil,
        outcome: 'approve',
        justification: 'Vier-Augen-Prüfung: Bewilligung bestätigt.',
      });
      const result = await e.cases.result(caseId);
      expect(result.outcome).toBe('approved');
      expect(result.decision?.decidedBy).toEqual({ caseWorker: 'sb.dora', confirmedBy: 'sb.emil' });

      const sealed = await testDeps().documents.get(result.bescheid.document.sha256);
      const text = await textOf(sealed);
      expect(text).toContain('Das Fahrzeug steht Ihnen nach dem Überlassungsvertrag auch privat zur Verfügung.');
      expect(text).toContain('Guten Tag Erika Mustermann,');
      expect(text).toContain('Mit freundlichen Grüßen');
      // Beispieldorf signs its Bescheide by the deciding case worker's name (`signBescheidByName`), never her login.
      expect(text).toMatch(/Im Auftrag\s*Dora Dietz\s*Gemeinde Beispieldorf/);
      for (const internal of [
        'Interne Begründung',
        'Vertrag gültig bis 2028',
        'Vier-Augen-Prüfung',
        'Bitte die Gültigkeit',
        'Telefonat',
        'ENTWURF',
        'sb.dora',
        'sb.emil',
      ])
        expect(text, `the Bescheid must not show „${internal}“`).not.toContain(internal);

      // The Akte keeps every internal note: the free Vermerk, both justifications, the send-back, the approval.
      const notes = await listVermerke(db, { caseId });
      expect(notes.map((n) => [n.authorId, n.text])).toEqual(
        expect.arrayContaining([
          ['sb.dora', 'Telefonat: Arbeitgeber bestätigt Privatnutzung (nur intern).'],
          ['sb.dora', 'Interne Begründung: Vertrag geprüft, Lohnabrechnung unauffällig.'],
          ['sb.emil', 'Bitte die Gültigkeit des Vertrags vermerken.'],
          ['sb.dora', 'Vertrag gültig bis 2028 (intern).'],
          ['sb.emil', 'Vier-Augen-Prüfung: Bewilligung bestätigt.'],
        ]),
      );
      expect(notes).toHaveLength(5);
    });
  });

  it('a letter from a template: previewed as a draft, then sent once to the postbox and filed once, however often it is retried', async () => {
    await withWorker(async (e) => {
      const { caseId } = await e.cases.submit({ ...applicationOf('company_car', 8), authorityId: DORF });
      await waitFor(async () => ((await e.tasks.find(`${caseId}:review`)) ? true : undefined), {
        timeoutMs: 90_000,
        what: 'the open task',
      });
      const draft = (await letterDraft(db, caseId, 'document_request'))!;
      expect(draft.subject).toBe('Bitte reichen Sie Unterlagen nach');
      expect(draft.body).toMatch(/Aktenzeichen [^ ]+\/\d{4}\/\d+/);
      const letter = { ...draft, body: draft.body.replace('[bitte ergänzen]', 'den Überlassungsvertrag') };
      const previewText = await textOf((await previewLetter(db, caseId, letter))!);
      expect(previewText).toContain('ENTWURF');
      expect(previewText).toContain('den Überlassungsvertrag');
      expect(await listAkteDocumentContents(db, { caseId, kinds: ['letter'] })).toEqual([]);

      // The postbox fails once after the letter is filed: the repeated send delivers the filed bytes, once.
      let failures = 1;
      const flaky: Postbox = {
        deliver: async (m) => {
          if (failures-- > 0) throw new Error('postbox unavailable');
          return e.deps.postbox.deliver(m);
        },
      };
      const deps = { db, documents: e.deps.documents, postbox: flaky };
      await expect(sendLetter(deps, caseId, 'sb.dora', letter)).rejects.toThrow('postbox unavailable');
      const first = await sendLetter(deps, caseId, 'sb.dora', letter);
      const again = await sendLetter(deps, caseId, 'sb.dora', letter);
      expect(again).toEqual(first);
      const filed = await listAkteDocumentContents(db, { caseId, kinds: ['letter'] });
      expect(filed).toHaveLength(1);
      expect(filed[0]).toMatchObject({ title: 'Bitte reichen Sie Unterlagen nach', authorId: 'sb.dora' });
      const delivered = (await listDeliveries(db, { caseId })).filter((d) => d.documentSha256 === filed[0]!.sha256);
      expect(delivered).toHaveLength(1);
      const sent = await textOf(await e.deps.documents.get(filed[0]!.sha256));
      expect(sent).toContain('den Überlassungsvertrag');
      expect(sent).not.toContain('ENTWURF');
    });
  });
});
