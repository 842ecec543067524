import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The Akte's personal data at rest (the verified identity, the consent, the JSON records such as the Antrag) is
 * sealed with the case's authority's data key (AES-256-GCM, `dek:<authority>:<version>`, wrapped by the payload key
 * ring: platform/codec/authority-keys.ts), bound to its row and column as associated data. The query functions of
 * db/queries/akte.ts seal on write and open on read, so callers see plain JSON. A value written before (plain JSON)
 * is returned as it is.
 */
export interface AkteDataKeys {
  /** The key new values of this authority are sealed with. */
  currentFor(authorityId: string): Promise<{ id: string; key: Buffer }>;
  /** A key by id, for values sealed under it. */
  find(keyId: string): Promise<{ id: string; key: Buffer } | undefined>;
}

/** How a sealed value is stored in a jsonb column. */
export interface SealedValue {
  $sealed: 'aes-256-gcm';
  /** The data key's id (`dek:<authority>:<version>`). */
  key: string;
  /** base64 of IV (12 bytes), ciphertext and tag (16 bytes). */
  data: string;
}

let dataKeys: AkteDataKeys | undefined;

/**
 * Set once by the composition root (API, worker, scripts): the data keys the Akte is sealed with. Without them values
 * are written as plain JSON (development without a key ring), and a sealed value cannot be read.
 */
export function useAkteDataKeys(keys: AkteDataKeys | undefined): void {
  dataKeys = keys;
}

export class AkteKeyMissingError extends Error {}

export function isSealed(value: unknown): value is SealedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as SealedValue).$sealed === 'aes-256-gcm' &&
    typeof (value as SealedValue).key === 'string' &&
    typeof (value as SealedValue).data === 'string'
  );
}

/** What a sealed value is bound to: its table, column and row, so a value copied into another row does not open. */
export const sealedAt = (
  column: 'akten.identity' | 'akten.consent' | 'akte_documents.content' | 'task_follow_ups.note',
  rowId: string,
) => `${column}:${rowId}`;

/** Seals a value with the authority's current data key; null, undefined and already sealed values stay as they are. */
export async function sealValue(authorityId: string, value: unknown, at: string): Promise<unknown> {
  if (value === null || value === undefined || !dataKeys || isSealed(value)) return value;
  const k = await dataKeys.currentFor(authorityId);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k.key, iv);
  cipher.setAAD(Buffer.from(`${k.id}|${at}`));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    $sealed: 'aes-256-gcm',
    key: k.id,
    data: Buffer.concat([iv, body]).toString('base64'),
  } satisfies SealedValue;
}

/** Opens a sealed value; plain JSON (written before sealing, or without keys) is returned as it is. */
export async function openValue(value: unknown, at: string): Promise<unknown> {
  if (!isSealed(value)) return value;
  const k = await dataKeys?.find(value.key);
  if (!k)
    throw new AkteKeyMissingError(
      `the Akte's value at ${at} is sealed with data key "${value.key}", which is not known here`,
    );
  const data = Buffer.from(value.data, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', k.key, data.subarray(0, 12));
  decipher.setAAD(Buffer.from(`${k.id}|${at}`));
  decipher.setAuthTag(data.subarray(data.length - 16));
  const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
