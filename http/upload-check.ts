import { fileTypeFromBuffer } from 'file-type';
import type { DocumentStore } from '../adapters/document-store.js';
import type { DocumentRef } from '../workflows/contracts/case.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import { HttpProblem } from './problem.js';

/** What an applicant may upload as evidence, by the type the content shows, with the file names each type may carry. */
const ALLOWED: Record<string, string[]> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
};

export interface CheckedUpload {
  mediaType: string;
}

/** An upload refused for its content, its size or its name: answered as this problem. */
export class UploadRefused extends HttpProblem {
  constructor(
    override readonly status: 413 | 415 | 400,
    detail: string,
  ) {
    super(status, detail);
  }
}

/** Trusts neither the file name nor the declared type: the content decides, and name and declared type must agree with it. */
export async function checkUpload(u: {
  bytes: Uint8Array;
  fileName: string;
  declaredType?: string;
  maxBytes: number;
}): Promise<CheckedUpload> {
  if (u.bytes.byteLength === 0) throw new UploadRefused(400, 'Die Datei ist leer.');
  if (u.bytes.byteLength > u.maxBytes)
    throw new UploadRefused(413, `Die Datei ist größer als ${Math.floor(u.maxBytes / 1024 / 1024)} MB.`);
  const detected = await fileTypeFromBuffer(u.bytes);
  const extensions = detected ? ALLOWED[detected.mime] : undefined;
  if (!detected || !extensions)
    throw new UploadRefused(415, 'Erlaubt sind PDF, PNG und JPEG; der Inhalt der Datei ist keins davon.');
  const ext = /\.([A-Za-z0-9]+)$/.exec(u.fileName)?.[1]?.toLowerCase();
  if (!ext || !extensions.includes(ext)) {
    throw new UploadRefused(
      415,
      `Der Dateiname passt nicht zum Inhalt: die Datei ist ${detected.ext.toUpperCase()}, heißt aber "${u.fileName}".`,
    );
  }
  if (u.declaredType && u.declaredType !== 'application/octet-stream' && u.declaredType !== detected.mime) {
    throw new UploadRefused(415, `Der angegebene Typ ${u.declaredType} passt nicht zum Inhalt (${detected.mime}).`);
  }
  return { mediaType: detected.mime };
}

/** An attachment checked and stored: its name as sent, and where its content lies. */
export type StoredAttachment = { fileName: string } & DocumentRef;

/** The body schema of the attachments a statement to the authority carries: up to five files, base64. */
export const ATTACHMENTS_BODY_SCHEMA = {
  type: 'array',
  maxItems: 5,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['fileName', 'content'],
    properties: {
      fileName: { type: 'string', minLength: 1, maxLength: 200, pattern: PRINTABLE_TEXT_PATTERN },
      content: { type: 'string', contentEncoding: 'base64', minLength: 1 },
    },
  },
} as const;

/**
 * Checks each attachment by its content (`checkUpload`) and stores it, in order: the first one refused refuses the
 * statement before it is filed (`UploadRefused`, its detail naming the file).
 */
export async function storeCheckedAttachments(
  documents: Pick<DocumentStore, 'put'>,
  attachments: ReadonlyArray<{ fileName: string; bytes: Uint8Array }>,
  maxBytes: number,
): Promise<StoredAttachment[]> {
  const stored = [];
  for (const a of attachments) {
    const checked = await checkUpload({ bytes: a.bytes, fileName: a.fileName, maxBytes }).catch((err: unknown) =>
      Promise.reject(
        err instanceof UploadRefused ? new UploadRefused(err.status, `Anlage ${a.fileName}: ${err.detail}`) : err,
      ),
    );
    stored.push({ fileName: a.fileName, ...(await documents.put(a.bytes, checked.mediaType)) });
  }
  return stored;
}

/** Base64 attachments of a JSON body, as bytes. */
export const decodedAttachments = (attachments: ReadonlyArray<{ fileName: string; content: string }> = []) =>
  attachments.map((a) => ({ fileName: a.fileName, bytes: Buffer.from(a.content, 'base64') }));
