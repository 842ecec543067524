import { fileTypeFromBuffer } from 'file-type';
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
  constructor(status: 413 | 415 | 400, detail: string) {
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
