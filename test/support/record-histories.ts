import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../platform/codec/aes-gcm-codec.js';
import { authorityOfKeyId } from '../../platform/codec/authority-keys.js';
import { testAuthorities, testDataConverter, testKeyRing } from './codec.js';
import { CURRENT_SHAPE, factsOf, OTHER_TYPES, pathsOf } from './history-facts.js';

// Stack traces in a history name the files of the machine that recorded it; fixtures keep paths relative to the repository.
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const withoutMachinePaths = (json: string): string => json.split(repositoryRoot).join('');

const text = (b: Uint8Array | null | undefined): string | undefined =>
  b ? Buffer.from(b).toString('utf8') : undefined;
const isPayload = (v: unknown): v is Payload =>
  typeof v === 'object' && v !== null && 'metadata' in v && typeof (v as Payload).metadata === 'object';

/**
 * A run's authorities' data keys live in that run's database, which is gone when the fixture replays: payloads under
 * an authority's key are encrypted again under the fixed test ring's key, which every replay holds.
 */
async function underTheRingKey(json: string): Promise<string> {
  const history = historyFromJSON(JSON.parse(json));
  const authorityCodec = new AesGcmCodec(testKeyRing, { authorities: testAuthorities });
  const ringCodec = new AesGcmCodec(testKeyRing);
  const ringKey = await testKeyRing.current();
  const visit = async (v: unknown): Promise<void> => {
    if (Array.isArray(v)) return void (await Promise.all(v.map(visit)));
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return;
    if (isPayload(v)) {
      const id = text(v.metadata?.[KEY_ID_METADATA]);
      if (text(v.metadata?.['encoding']) === ENCRYPTED_ENCODING && id && authorityOfKeyId(id)) {
        const [plain] = await authorityCodec.decode([v]);
        const [again] = await ringCodec.encodeWith([plain!], ringKey);
        Object.assign(v, again);
      }
      return;
    }
    await Promise.all(Object.values(v).map(visit));
  };
  await visit(history);
  return JSON.stringify(JSON.parse(historyToJSON(history)), null, 2);
}

/**
 * Writes one new history for each path that no committed history of the current shape covers yet, from the finished
 * workflows of a test run, as `<day>-<shape>-<path>.json`. What a history covers is read from its events (patch markers
 * and what it ran, history-facts.ts), never from a label; case histories of an older shape are not recorded, since
 * new cases no longer take them. Existing files are never touched: fixtures are append-only.
 */
export async function recordHistories(o: {
  temporalAddress: string;
  temporalCli: string;
  into: string;
  covered: Set<string>;
}): Promise<Array<{ file: string; paths: string[] }>> {
  const connection = await Connection.connect({ address: o.temporalAddress });
  const written: Array<{ file: string; paths: string[] }> = [];
  const day = new Date().toISOString().slice(0, 10);
  try {
    // The memo is encrypted like every payload; listing decodes it.
    const client = new Client({ connection, dataConverter: testDataConverter });
    for await (const w of client.workflow.list({ query: 'ExecutionStatus = "Completed"' })) {
      if (w.type !== 'caseWorkflow' && !OTHER_TYPES.includes(w.type)) continue;
      const facts = factsOf(
        JSON.parse(historyToJSON(await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory())),
      );
      if (facts.type === 'caseWorkflow' && facts.shape !== CURRENT_SHAPE) continue;
      const paths = pathsOf(facts);
      const missing = paths.filter((p) => !o.covered.has(p));
      if (missing.length === 0) continue;
      const file = `${day}-${facts.shape === 'other' ? '' : `${facts.shape}-`}${missing[0]}.json`;
      if (existsSync(o.into + file)) continue;
      const shown = execFileSync(
        o.temporalCli,
        ['workflow', 'show', '-w', w.workflowId, '--run-id', w.runId, '--address', o.temporalAddress, '-o', 'json'],
        { maxBuffer: 64 << 20, encoding: 'utf8' },
      );
      writeFileSync(o.into + file, withoutMachinePaths(await underTheRingKey(shown)));
      for (const p of paths) o.covered.add(p);
      written.push({ file, paths });
    }
  } finally {
    await connection.close();
  }
  return written;
}

export interface FixtureManifest {
  [file: string]: { sha256: string; paths: string[] };
}

/** Adds fixtures to the manifest; an entry once written is never changed (the replay test compares against it). */
export function addToManifest(
  manifest: FixtureManifest,
  files: Array<{ file: string; sha256: string; paths: string[] }>,
): FixtureManifest {
  const next = { ...manifest };
  for (const f of files) if (!next[f.file]) next[f.file] = { sha256: f.sha256, paths: f.paths };
  return next;
}
