import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accessLog } from '../db/schema.js';
import { recordAccess } from '../db/queries/access-log.js';
import { codecCallerVerifier } from '../platform/auth/tokens.js';
import { AesGcmCodec, KEY_ID_METADATA } from '../platform/codec/aes-gcm-codec.js';
import { AuthorityKeys, authorityOfKeyId, MemoryDataKeyStore } from '../platform/codec/authority-keys.js';
import { StaticKeyRing } from '../platform/codec/key-ring.js';
import { startCodecServer } from '../platform/codec/server.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { client, db, withWorker } from './harness.js';
import { staffToken, tokenAudience, tokens } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { testAuthorities, testKeyRing } from './support/codec.js';
import { waitFor } from './support/wait.js';

const text = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString();
const ctx = (workflowId: string) => ({ type: 'workflow', namespace: 'default', workflowId }) as const;
const secret = { street: 'Lindenstraße 17' };

describe('per-authority data keys', () => {
  const ring = new StaticKeyRing([{ id: 'kek-1', key: Buffer.alloc(32, 1) }]);
  const keys = new AuthorityKeys(ring, new MemoryDataKeyStore());
  const owners: Record<string, string> = { 'case:a': 'stadt-a', 'case:b': 'stadt-b' };
  const codec = new AesGcmCodec(ring, { authorities: { keys, of: async (id) => owners[id] } });
  const plain = () => defaultPayloadConverter.toPayload(secret);

  it("encrypts a case's payloads with its authority's key, which the clear metadata names", async () => {
    const [a] = await codec.encode([plain()], ctx('case:a'));
    const [b] = await codec.encode([plain()], ctx('case:b'));
    const [none] = await codec.encode([plain()], ctx('retention-run'));
    expect(authorityOfKeyId(text(a!.metadata![KEY_ID_METADATA]))).toBe('stadt-a');
    expect(authorityOfKeyId(text(b!.metadata![KEY_ID_METADATA]))).toBe('stadt-b');
    // A workflow of no case keeps the ring's key.
    expect(text(none!.metadata![KEY_ID_METADATA])).toBe('kek-1');
    for (const p of [a, b, none])
      expect(defaultPayloadConverter.fromPayload((await codec.decode([p!]))[0]!)).toEqual(secret);
    // The authority in the metadata is authenticated: naming another one does not decrypt.
    const relabelled = { ...a!, metadata: { ...a!.metadata, [KEY_ID_METADATA]: b!.metadata![KEY_ID_METADATA]! } };
    await expect(codec.decode([relabelled])).rejects.toThrow();
  });

  it('old payloads (one key for all) still decode; rotation keeps old versions readable', async () => {
    const [old] = await new AesGcmCodec(ring).encode([plain()]);
    expect(defaultPayloadConverter.fromPayload((await codec.decode([old!]))[0]!)).toEqual(secret);
    const [v1] = await codec.encode([plain()], ctx('case:a'));
    const v2Id = await keys.rotate('stadt-a');
    const [v2] = await codec.encode([plain()], ctx('case:a'));
    expect(text(v2!.metadata![KEY_ID_METADATA])).toBe(v2Id);
    expect(v2Id).not.toBe(text(v1!.metadata![KEY_ID_METADATA]));
    // The KEK rotates too: the data keys are wrapped again, and a process with the new ring reads everything.
    const ring2 = new StaticKeyRing([
      ...['kek-1'].map((id) => ({ id, key: Buffer.alloc(32, 1) })),
      { id: 'kek-2', key: Buffer.alloc(32, 2) },
    ]);
    const store = (keys as unknown as { store: MemoryDataKeyStore }).store;
    expect(await new AuthorityKeys(ring2, store).rewrapAll()).toBeGreaterThan(0);
    const onlyNew = new StaticKeyRing([{ id: 'kek-2', key: Buffer.alloc(32, 2) }]);
    const later = new AesGcmCodec(onlyNew, {
      authorities: { keys: new AuthorityKeys(onlyNew, store), of: async () => undefined },
    });
    for (const p of [v1, v2])
      expect(defaultPayloadConverter.fromPayload((await later.decode([p!]))[0]!)).toEqual(secret);
  });
});

/** Every payload in a history with an encoding, wherever the event holds it. */
function payloadsIn(v: unknown, out: Payload[] = []): Payload[] {
  if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return out;
  const o = v as { metadata?: Record<string, Uint8Array> };
  if (o.metadata && typeof o.metadata === 'object' && o.metadata['encoding']) out.push(o as Payload);
  else for (const x of Object.values(o)) payloadsIn(x, out);
  return out;
}
const b64 = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('base64');
const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});

describe('the codec server decodes for an operator of the payload’s authority only, and records every decode', () => {
  it('a real case: its history is under its authority’s key; operators of another or no authority get 403', async () => {
    const server = await startCodecServer({
      codec: new AesGcmCodec(testKeyRing, { authorities: testAuthorities }),
      authorityKeys: testAuthorities.keys,
      auth: codecCallerVerifier(tokens.keys, tokenAudience),
      recordAccess: (entry) => recordAccess(db, entry),
      corsOrigins: [],
      port: 0,
    });
    try {
      await withWorker(async (e) => {
        const submission = applicationOf('company_car');
        const authority = submission.authorityId;
        const { caseId } = await e.cases.submit(submission);
        const handle = client.workflow.getHandle(caseWorkflowId(caseId));
        // Wait for work the worker encoded (activity results, workflow commands), not only the client's start.
        const history = await waitFor(
          async () => {
            const h = await handle.fetchHistory();
            return (h.events ?? []).some((ev) => ev.activityTaskCompletedEventAttributes) && h;
          },
          { what: 'a completed activity in the history', timeoutMs: 30_000 },
        );
        const encrypted = payloadsIn(history.events).filter(
          (p) => text(p.metadata!['encoding']) === 'binary/encrypted',
        );
        expect(encrypted.length).toBeGreaterThan(3);
        expect(new Set(encrypted.map((p) => authorityOfKeyId(text(p.metadata![KEY_ID_METADATA]))))).toEqual(
          new Set([authority]),
        );

        const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
        const decode = async (token: string, payloads: Payload[] = [input]) => {
          const res = await fetch(`${server.endpoint}decode`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ payloads: payloads.map(asJson) }),
          });
          return { status: res.status, body: await res.text() };
        };
        const caseIdInClear = caseId;
        const own = await staffToken('op.own', authority, 'operator');
        const ok = await decode(own);
        expect(ok.status).toBe(200);
        const decoded = JSON.parse(Buffer.from(JSON.parse(ok.body).payloads[0].data, 'base64').toString());
        expect(decoded.caseId).toBe(caseIdInClear);

        const refusals = {
          'another authority': await decode(await staffToken('op.other', 'gemeinde-beispieldorf', 'operator')),
          'an authority that does not exist': await decode(
            await staffToken('op.nowhere', 'nowhere-at-all', 'operator'),
          ),
          'a case worker of the authority': await decode(await staffToken('sb.own', authority, 'case_worker')),
        };
        for (const [who, r] of Object.entries(refusals)) {
          expect({ who, status: r.status }).toEqual({ who, status: 403 });
          expect(r.body).not.toContain(caseIdInClear);
        }
        // The Web UI signals under the operator's own authority's key; an authority without keys gets none made up.
        const encode = async (token: string) =>
          fetch(`${server.endpoint}encode`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ payloads: [asJson(defaultPayloadConverter.toPayload(secret))] }),
          });
        expect((await encode(await staffToken('op.nowhere', 'nowhere-at-all', 'operator'))).status).toBe(403);
        expect(await testAuthorities.keys.exists('nowhere-at-all')).toBe(false);
        const signal = await encode(own);
        expect(signal.status).toBe(200);
        const sealed = (await signal.json()).payloads[0];
        expect(authorityOfKeyId(Buffer.from(sealed.metadata[KEY_ID_METADATA], 'base64').toString())).toBe(authority);

        // A platform-wide operator is an explicit role: every authority's payloads and the ring's old ones.
        const platform = await tokens.sign({ role: 'platform_operator', subject: 'op.platform' });
        const [old] = await new AesGcmCodec(testKeyRing).encode([defaultPayloadConverter.toPayload(secret)]);
        expect((await decode(platform, [input, old!])).status).toBe(200);
        expect((await decode(own, [input, old!])).status).toBe(403);

        const log = await db
          .select()
          .from(accessLog)
          .where(
            and(
              eq(accessLog.kind, 'decode'),
              inArray(accessLog.actorId, ['op.own', 'op.other', 'op.nowhere', 'sb.own', 'op.platform']),
            ),
          )
          .orderBy(accessLog.id);
        const rows = log;
        const summary = rows.map((r) => [r.actorId, r.actorAuthorityId, r.what, r.outcome]);
        expect(summary).toEqual([
          ['op.own', authority, `payload:${authority}`, 'granted'],
          ['op.other', 'gemeinde-beispieldorf', `payload:${authority}`, 'refused'],
          ['op.nowhere', 'nowhere-at-all', `payload:${authority}`, 'refused'],
          ['sb.own', authority, `payload:${authority}`, 'refused'],
          ['op.platform', null, `payload:${authority}`, 'granted'],
          ['op.platform', null, 'payload:platform', 'granted'],
          ['op.own', authority, `payload:${authority}`, 'refused'],
          ['op.own', authority, 'payload:platform', 'refused'],
        ]);
        expect(rows.every((r) => r.route === 'POST /codec/decode')).toBe(true);
      });
    } finally {
      await server.stop();
    }
  });
});
