import type { FastifyPluginAsync } from 'fastify';
import type { DocumentStore } from '../adapters/document-store.js';
import type { SealKeyStore } from '../adapters/seal-keys.js';
import { verifySealedPdf } from '../adapters/seal-verifier.js';
import type { Database } from '../db/client.js';
import { findSeal, findSealBySha256 } from '../db/queries/seals.js';
import { HttpProblem } from './problem.js';
import { binary, bytesBodyValidator, problemResponses } from './api-schemas.js';

const sealCheck = {
  type: 'object',
  required: ['authentic', 'sha256'],
  properties: {
    sealId: { type: 'string' },
    authentic: { type: 'boolean' },
    sha256: { type: 'string' },
    signatureValid: { type: 'boolean' },
    issuedHere: { type: 'boolean' },
    sealedBy: { type: 'string' },
    sealedAt: { type: 'string', format: 'date-time' },
    authorityId: { type: 'string' },
    reason: { type: 'string' },
    howToCompare: { type: 'string' },
  },
} as const;

/** A sealed Bescheid is about 70 KB; the public route takes at most 1 MiB, so uploads cannot tie up the API. */
export const VERIFY_BODY_LIMIT = 1024 * 1024;

export interface VerificationDeps {
  db: Database;
  documents: DocumentStore;
  sealKeys: SealKeyStore;
}

/**
 * The public verification endpoint a seal's QR code points to. Anyone may ask; answers name the seal and the
 * document's hash, never the applicant.
 */
export const verificationRoutes: FastifyPluginAsync<VerificationDeps> = async (app, { db, documents, sealKeys }) => {
  app.addContentTypeParser('application/pdf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  /** The QR code's address: is the document this engine sealed under this id intact and its seal valid? */
  app.get<{ Params: { sealId: string } }>(
    '/verify/:sealId',
    {
      config: { access: 'public' },
      schema: {
        summary: "The seal's QR code: is the document sealed under this id intact and its seal valid",
        params: {
          type: 'object',
          required: ['sealId'],
          properties: { sealId: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
        },
        response: {
          200: {
            description: 'JSON for programs; a short German page for browsers (Accept: text/html)',
            content: { 'application/json': { schema: sealCheck }, 'text/html': { schema: { type: 'string' } } },
          },
          ...problemResponses(404),
        },
      },
    },
    async (req, reply) => {
      const seal = await findSeal(db, { sealId: req.params.sealId });
      if (!seal) throw new HttpProblem(404, 'no seal with this id');
      const check = await verifySealedPdf(await documents.get(seal.sealedSha256), await sealKeys.trustAnchors(), {
        sealCertificateSha256: sealCertificateOf(seal.keyId),
      });
      const answer = {
        sealId: seal.sealId,
        authentic: check.valid,
        sha256: seal.sealedSha256,
        sealedBy: check.signer,
        sealedAt: seal.sealedAt.toISOString(),
        authorityId: seal.authorityId,
        reason: check.reason,
        howToCompare:
          'The document you hold is this one if its SHA-256 equals sha256, or if POST /verify with it answers authentic.',
      };
      // A phone that scanned the QR code asks for HTML; programs get JSON.
      if ((req.headers.accept ?? '').includes('text/html'))
        return reply.type('text/html; charset=utf-8').send(verificationPage(answer));
      return reply.type('application/json; charset=utf-8').send(answer);
    },
  );

  /** Upload a PDF (Content-Type: application/pdf): authentic only if its seal verifies and this engine issued it. */
  app.post(
    '/verify',
    {
      bodyLimit: VERIFY_BODY_LIMIT,
      config: { access: 'public' },
      validatorCompiler: bytesBodyValidator,
      schema: {
        summary: 'Is this PDF authentic: its seal verifies and this engine issued it',
        body: { content: { 'application/pdf': { schema: binary } } },
        response: { 200: sealCheck, ...problemResponses(413, 415) },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body)) throw new HttpProblem(415, 'send the PDF as application/pdf');
      const unchecked = await verifySealedPdf(req.body, await sealKeys.trustAnchors());
      const seal = await findSealBySha256(db, { sealedSha256: unchecked.sha256 });
      // A seal this engine issued must carry the certificate recorded for its authority, not just any under the anchors.
      const check =
        seal && unchecked.valid
          ? await verifySealedPdf(req.body, await sealKeys.trustAnchors(), {
              sealCertificateSha256: sealCertificateOf(seal.keyId),
            })
          : unchecked;
      return {
        authentic: check.valid && seal !== undefined,
        sha256: check.sha256,
        signatureValid: check.valid,
        issuedHere: seal !== undefined,
        sealId: seal?.sealId,
        sealedBy: check.signer,
        sealedAt: check.signedAt,
        reason: check.reason ?? (seal ? undefined : 'no document with this SHA-256 was sealed by this engine'),
      };
    },
  );
};

/** The certificate fingerprint prefix in a seal's key id, `<authority>#<sha256 prefix>`. */
const sealCertificateOf = (keyId: string): string => keyId.split('#')[1] ?? '';

const escapeHtml = (v: unknown): string =>
  String(v ?? '-').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function verificationPage(a: {
  authentic: boolean;
  sha256: string;
  sealedBy?: string;
  sealedAt: string;
  reason?: string;
}): string {
  const verdict = a.authentic
    ? 'Echt: das Siegel ist gültig, das Dokument unverändert.'
    : `Nicht bestätigt: ${escapeHtml(a.reason)}`;
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Siegelprüfung</title></head><body><h1>Siegelprüfung</h1><p><strong>${verdict}</strong></p>
<dl><dt>Gesiegelt von</dt><dd>${escapeHtml(a.sealedBy)}</dd><dt>Zeitpunkt</dt><dd>${escapeHtml(a.sealedAt)}</dd>
<dt>SHA-256 des Dokuments</dt><dd><code>${escapeHtml(a.sha256)}</code></dd></dl>
<p>Ihr Exemplar ist dieses Dokument, wenn sein SHA-256 übereinstimmt.</p></body></html>`;
}
