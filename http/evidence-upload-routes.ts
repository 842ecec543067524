import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { sha256Hex, type DocumentStore } from '../adapters/document-store.js';
import type { DocumentRef } from '../workflows/contracts/case.js';
import type { DbExecutor } from '../db/client.js';
import { recordEvidenceUpload } from '../db/queries/retention.js';
import { addAkteDocument } from '../db/queries/akte.js';
import type { CaseClient } from '../client/case-client.js';
import { HttpProblem, workflowProblem } from './problem.js';
import { checkUpload } from './upload-check.js';
import { binary, bytesBodyValidator, problemResponses } from './api-schemas.js';
import { bearerSecurity } from './http-auth.js';

export interface EvidenceUploadRoutesOptions {
  cases: CaseClient;
  documents: DocumentStore;
  maxBytes: number;
  /** Where the upload is recorded for retention, which erases it with the case. */
  db: DbExecutor;
}

const params = {
  type: 'object',
  required: ['caseId', 'evidenceType'],
  properties: {
    caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
    evidenceType: { type: 'string', pattern: '^[a-z_]{1,64}$' },
  },
} as const;

/** The applicant's upload of requested evidence: multipart field `file`, checked by content, stored by SHA-256, handed to the case. */
export const evidenceUploadRoutes: FastifyPluginAsync<EvidenceUploadRoutesOptions> = async (app, o) => {
  await app.register(multipart, { limits: { fileSize: o.maxBytes, files: 1, fields: 0 } });

  app.post<{ Params: { caseId: string; evidenceType: string } }>(
    '/cases/:caseId/evidence/:evidenceType',
    {
      config: { access: 'case:applicant' },
      validatorCompiler: bytesBodyValidator,
      schema: {
        summary: 'Upload of requested evidence (PDF, PNG or JPEG, checked by content)',
        security: bearerSecurity,
        params,
        body: {
          content: {
            'multipart/form-data': {
              schema: { type: 'object', required: ['file'], properties: { file: binary } },
            },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['document', 'requestedEvidence'],
            properties: {
              document: { $ref: 'DocumentRef#' },
              requestedEvidence: { type: 'array', items: { $ref: 'RequestedEvidence#' } },
            },
          },
          ...problemResponses(400, 409, 413, 415),
        },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw new HttpProblem(415, 'Bitte als multipart/form-data mit dem Feld "file" senden.');
      const file = await req.file();
      if (!file || file.fieldname !== 'file') throw new HttpProblem(400, 'Die Datei fehlt (Feld "file").');
      let bytes: Buffer;
      try {
        bytes = await file.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new HttpProblem(413, `Die Datei ist größer als ${Math.floor(o.maxBytes / 1024 / 1024)} MB.`);
        throw err;
      }
      const checked = await checkUpload({
        bytes,
        fileName: file.filename,
        declaredType: file.mimetype,
        maxBytes: o.maxBytes,
      });
      // The case accepts the reference first (its validator refuses what it does not wait for); only then are the bytes
      // stored, under the hash the case now holds, so a refused upload leaves nothing behind.
      const document: DocumentRef = { sha256: sha256Hex(bytes), mediaType: checked.mediaType, size: bytes.byteLength };
      const state = await o.cases
        .uploadEvidence(req.params.caseId, { evidenceType: req.params.evidenceType, document, fileName: file.filename })
        .catch((err: unknown) => Promise.reject(workflowProblem(err, 'Diesen Vorgang gibt es nicht.')));
      const stored = await o.documents.put(bytes, checked.mediaType);
      if (stored.sha256 !== document.sha256) throw new Error('stored upload does not match the accepted hash');
      await recordEvidenceUpload(o.db, { caseId: req.params.caseId, evidenceType: req.params.evidenceType, document });
      await addAkteDocument(o.db, {
        documentId: `${req.params.caseId}:upload:${req.params.evidenceType}:${document.sha256}`,
        caseId: req.params.caseId,
        kind: 'upload',
        title: file.filename,
        mediaType: document.mediaType,
        sha256: document.sha256,
        size: document.size,
        blobKey: document.sha256,
        content: { evidenceType: req.params.evidenceType, fileName: file.filename },
        authorRole: 'applicant',
        authorId: state.applicantSubject,
      });
      return reply.status(201).send({ document, requestedEvidence: state.requestedEvidence ?? [] });
    },
  );
};
