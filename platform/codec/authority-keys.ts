import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client.js';
import { akten, authorityDataKeys, cases } from '../../db/schema.js';
import type { KeyRing, PayloadKey } from './key-ring.js';

/**
 * Per-authority data keys (envelope encryption). Each authority has its own AES-256 data key, wrapped by the payload
 * key ring's newest key (the KEK; a KMS-backed ring implements the same `current`/`find`). The data key's id names the
 * authority, `dek:<authority>:<version>`, so the codec server tells whose payload it is without decrypting anything.
 */
export const DATA_KEY_PREFIX = 'dek:';
const AUTHORITY = /^[A-Za-z0-9._-]{1,100}$/;

export const dataKeyId = (authorityId: string, version: number): string =>
  `${DATA_KEY_PREFIX}${authorityId}:${version}`;

/** The authority a data key id names; undefined for a key of the ring itself (payloads from before, or of no case). */
export function authorityOfKeyId(keyId: string): string | undefined {
  if (!keyId.startsWith(DATA_KEY_PREFIX)) return undefined;
  const rest = keyId.slice(DATA_KEY_PREFIX.length);
  const at = rest.lastIndexOf(':');
  const authority = at > 0 ? rest.slice(0, at) : '';
  return AUTHORITY.test(authority) && /^[1-9][0-9]*$/.test(rest.slice(at + 1)) ? authority : undefined;
}

export interface WrappedDataKey {
  keyId: string;
  createdAt?: Date;
  authorityId: string;
  version: number;
  wrappedKey: string;
  wrappingKeyId: string;
}

/** Where wrapped data keys are kept: PostgreSQL in the engine, memory in unit tests. */
export interface DataKeyStore {
  newest(authorityId: string): Promise<WrappedDataKey | undefined>;
  byId(keyId: string): Promise<WrappedDataKey | undefined>;
  /** Adds a key unless that authority's version exists already (another process was first). */
  add(k: WrappedDataKey): Promise<void>;
  all(): Promise<WrappedDataKey[]>;
  /** Replaces the wrapping of an existing key (after the KEK was rotated); the data key itself stays. */
  rewrap(keyId: string, wrappedKey: string, wrappingKeyId: string): Promise<void>;
}

export class PgDataKeyStore implements DataKeyStore {
  constructor(private readonly db: () => DbExecutor) {}
  async newest(authorityId: string) {
    const [row] = await this.db()
      .select()
      .from(authorityDataKeys)
      .where(eq(authorityDataKeys.authorityId, authorityId))
      .orderBy(desc(authorityDataKeys.version))
      .limit(1);
    return row;
  }
  async byId(keyId: string) {
    const [row] = await this.db().select().from(authorityDataKeys).where(eq(authorityDataKeys.keyId, keyId));
    return row;
  }
  async add(k: WrappedDataKey) {
    await this.db().insert(authorityDataKeys).values(k).onConflictDoNothing();
  }
  async all() {
    return this.db().select().from(authorityDataKeys).orderBy(authorityDataKeys.authorityId, authorityDataKeys.version);
  }
  async rewrap(keyId: string, wrappedKey: string, wrappingKeyId: string) {
    await this.db()
      .update(authorityDataKeys)
      .set({ wrappedKey, wrappingKeyId })
      .where(eq(authorityDataKeys.keyId, keyId));
  }
}

export class MemoryDataKeyStore implements DataKeyStore {
  readonly keys = new Map<string, WrappedDataKey>();
  async newest(authorityId: string) {
    return [...this.keys.values()]
      .filter((k) => k.authorityId === authorityId)
      .sort((a, b) => b.version - a.version)[0];
  }
  async byId(keyId: string) {
    return this.keys.get(keyId);
  }
  async add(k: WrappedDataKey) {
    if (![...this.keys.values()].some((o) => o.authorityId === k.authorityId && o.version === k.version))
      this.keys.set(k.keyId, k);
  }
  async all() {
    return [...this.keys.values()];
  }
  async rewrap(keyId: string, wrappedKey: string, wrappingKeyId: string) {
    const k = this.keys.get(keyId);
    if (k) this.keys.set(keyId, { ...k, wrappedKey, wrappingKeyId });
  }
}

export class MissingWrappingKeyError extends Error {}

/** How long a process keeps using an authority's newest data key before it looks for a rotated one. */
const CURRENT_TTL_MS = 5 * 60 * 1000;

export class AuthorityKeys {
  private readonly unwrapped = new Map<string, Promise<PayloadKey | undefined>>();
  private readonly current = new Map<string, { at: number; key: Promise<PayloadKey> }>();

  constructor(
    private readonly ring: KeyRing,
    private readonly store: DataKeyStore,
  ) {}

  /** The key new payloads of this authority are encrypted with; the first use creates version 1. */
  async currentFor(authorityId: string): Promise<PayloadKey> {
    if (!AUTHORITY.test(authorityId)) throw new Error(`authority id "${authorityId}" cannot name a data key`);
    const cached = this.current.get(authorityId);
    if (cached && Date.now() - cached.at < CURRENT_TTL_MS) return cached.key;
    const key = (async () => {
      const newest = (await this.store.newest(authorityId)) ?? (await this.create(authorityId, 1));
      return this.unwrap(newest);
    })();
    this.current.set(authorityId, { at: Date.now(), key });
    key.catch(() => this.current.delete(authorityId));
    return key;
  }

  /** A data key by id, for payloads written under it; undefined when no such key exists. */
  async find(keyId: string): Promise<PayloadKey | undefined> {
    let found = this.unwrapped.get(keyId);
    if (!found) {
      found = this.store.byId(keyId).then((k) => (k ? this.unwrap(k) : undefined));
      this.unwrapped.set(keyId, found);
      found.then(
        (k) => k ?? this.unwrapped.delete(keyId),
        () => this.unwrapped.delete(keyId),
      );
    }
    return found;
  }

  /** Whether an authority has a data key at all (an authority without one has no payloads to decode). */
  async exists(authorityId: string): Promise<boolean> {
    return AUTHORITY.test(authorityId) && (await this.store.newest(authorityId)) !== undefined;
  }

  /** Adds a new version for an authority: new payloads use it (in every process within 5 minutes), old ones decode. */
  async rotate(authorityId: string): Promise<string> {
    const newest = await this.store.newest(authorityId);
    const k = await this.create(authorityId, (newest?.version ?? 0) + 1);
    this.current.delete(authorityId);
    return k.keyId;
  }

  /** Wraps every data key again with the ring's newest key, after the KEK was rotated; returns how many changed. */
  async rewrapAll(): Promise<number> {
    const kek = await this.ring.current();
    let n = 0;
    for (const k of await this.store.all()) {
      if (k.wrappingKeyId === kek.id) continue;
      const plain = await this.unwrap(k);
      await this.store.rewrap(k.keyId, wrap(kek, k.keyId, plain.key), kek.id);
      n++;
    }
    return n;
  }

  private async create(authorityId: string, version: number): Promise<WrappedDataKey> {
    const kek = await this.ring.current();
    const keyId = dataKeyId(authorityId, version);
    await this.store.add({
      keyId,
      authorityId,
      version,
      wrappedKey: wrap(kek, keyId, randomBytes(32)),
      wrappingKeyId: kek.id,
    });
    // Another process may have added this version first: theirs is the one.
    return (await this.store.byId(keyId))!;
  }

  private async unwrap(k: WrappedDataKey): Promise<PayloadKey> {
    const kek = await this.ring.find(k.wrappingKeyId);
    if (!kek)
      throw new MissingWrappingKeyError(
        `data key "${k.keyId}" is wrapped by ring key "${k.wrappingKeyId}", which is not in the payload key ring`,
      );
    const data = Buffer.from(k.wrappedKey, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', kek.key, data.subarray(0, 12));
    decipher.setAAD(Buffer.from(k.keyId));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const key = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    return { id: k.keyId, key };
  }
}

function wrap(kek: PayloadKey, keyId: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(Buffer.from(keyId));
  return Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** Which authority a workflow's payloads belong to: the case's, for the case workflow and the workflows of a case. */
export type AuthorityOf = (workflowId: string) => Promise<string | undefined>;

const CASE_WORKFLOW = /^case:([0-9a-f-]{36})(?::|$)/;

/**
 * Reads the case's authority from its Akte (written before the case's workflow starts) or its read model, once per
 * case and process. Workflows of no case (the retention run) and cases without either row get the ring's key.
 */
export function authorityFromDatabase(db: () => DbExecutor, maxCached = 50_000): AuthorityOf {
  const known = new Map<string, string>();
  // A case with neither row yet (started around intake) is asked again after a while, not on every payload.
  const unknown = new Map<string, number>();
  return async (workflowId) => {
    const caseId = CASE_WORKFLOW.exec(workflowId)?.[1];
    if (!caseId) return undefined;
    const hit = known.get(caseId);
    if (hit) return hit;
    if ((unknown.get(caseId) ?? 0) > Date.now()) return undefined;
    const rows = await db().execute<{ authority_id: string }>(
      sql`select ${akten.authorityId} as authority_id from ${akten} where ${akten.caseId} = ${caseId}
          union all select ${cases.authorityId} from ${cases} where ${cases.caseId} = ${caseId} limit 1`,
    );
    const authority = [...rows][0]?.authority_id;
    if (authority) {
      if (known.size >= maxCached) known.delete(known.keys().next().value!);
      known.set(caseId, authority);
      unknown.delete(caseId);
    } else {
      if (unknown.size >= maxCached) unknown.delete(unknown.keys().next().value!);
      unknown.set(caseId, Date.now() + 30_000);
    }
    return authority;
  };
}

/** The engine's per-authority keys: data keys and case authorities in PostgreSQL, wrapped by the ring. */
export const databaseAuthorities = (ring: KeyRing, db: () => DbExecutor): { keys: AuthorityKeys; of: AuthorityOf } => ({
  keys: new AuthorityKeys(ring, new PgDataKeyStore(db)),
  of: authorityFromDatabase(db),
});
