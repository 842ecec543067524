import type { DocumentRef } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import type { ApplicantQuestion } from '../workflows/contracts/task.js';
import { syncTask, type SyncTaskParams } from '../db/queries/tasks.js';
import { addAkteDocument } from '../db/queries/akte.js';
import { fileVermerk } from '../db/queries/notes.js';
import type { ActivityDeps } from './deps.js';

/** The task's projection and the applicant dialogue: every write safe to repeat. */
export function createTaskActivities({ db, documents, postbox }: ActivityDeps) {
  return {
    /** The task's row, and the Vermerk the action leaves (justification, approval, send-back) in the Akte. */
    async syncTask(p: SyncTaskParams & { vermerk?: TaskVermerk }): Promise<void> {
      await syncTask(db, p);
      if (p.vermerk) await fileVermerk(db, { ...p.vermerk, caseId: p.view.caseId, createdAt: new Date(p.vermerk.at) });
    },

    /** Sends the question through the postbox once per question, however often this runs. */
    async askApplicant(i: {
      caseId: string;
      recipient: string;
      question: ApplicantQuestion;
      /** The case worker who asked. */
      by?: string;
    }): Promise<DocumentRef> {
      const q = i.question;
      const document = await documents.put(Buffer.from(JSON.stringify({ caseId: i.caseId, ...q })), 'application/json');
      await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, `question:${q.questionId}`),
        caseId: i.caseId,
        recipient: i.recipient,
        subject:
          q.kind === 'document'
            ? `Bitte reichen Sie Unterlagen nach (Antrag ${i.caseId})`
            : `Rückfrage zu Ihrem Antrag ${i.caseId}`,
        document,
      });
      await addAkteDocument(db, {
        documentId: `${i.caseId}:question:${q.questionId}`,
        caseId: i.caseId,
        kind: 'question',
        title: q.kind === 'document' ? 'Nachforderung von Unterlagen' : 'Rückfrage an die antragstellende Person',
        mediaType: document.mediaType,
        sha256: document.sha256,
        size: document.size,
        blobKey: document.sha256,
        content: { questionId: q.questionId, kind: q.kind, text: q.text, by: i.by ?? null },
        authorRole: 'case_worker',
        authorId: i.by,
        createdAt: new Date(q.askedAt),
      });
      return document;
    },

    /** The applicant's answer goes into the case file by reference; events carry only its hash. */
    async storeApplicantReply(i: { caseId: string; questionId: string; answer: string }): Promise<DocumentRef> {
      const ref = await documents.put(Buffer.from(JSON.stringify(i)), 'application/json');
      await addAkteDocument(db, {
        documentId: `${i.caseId}:answer:${i.questionId}`,
        caseId: i.caseId,
        kind: 'answer',
        title: 'Antwort der antragstellenden Person',
        mediaType: ref.mediaType,
        sha256: ref.sha256,
        size: ref.size,
        blobKey: ref.sha256,
        authorRole: 'applicant',
      });
      return ref;
    },
  };
}

/** A Vermerk a task action files: its id follows from the task's version, so a retried write files it once. */
export interface TaskVermerk {
  documentId: string;
  title: string;
  text: string;
  authorId: string;
  at: string;
}
