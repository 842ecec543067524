import { execFile } from 'node:child_process';
import { VERIFY_BODY_LIMIT } from '../http/verification-routes.js';
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { HttpPostbox } from '../adapters/http-postbox.js';
import type { Postbox } from '../adapters/postbox.js';
import { verifySealedPdf } from '../adapters/seal-verifier.js';
import { CaseClient } from '../client/case-client.js';
import type { CaseResult } from '../workflows/contracts/case.js';
import { verifyEventChain } from '../db/event-chain.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { listOpenTasks } from '../db/queries/tasks.js';
import { caseEvents } from '../db/schema.js';
import { client, dataDir, db, testApi, postboxUrl, publicBaseUrl, sealKeys, testDeps, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { inspectPdf } from './support/pdf-tools.js';

const run = promisify(execFile);
const AUTHORITY = 'stadt-musterstadt';

const flipByte = (bytes: Buffer, at: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy.writeUInt8(copy.readUInt8(at) ^ 0x01, at);
  return copy;
};

const postboxOf = async (recipient: string) =>
  (await fetch(`${postboxUrl}/postbox/${encodeURIComponent(recipient)}`)).json() as Promise<
    Array<{ caseId: string; document: { sha256: string; href: string } }>
  >;

describe('a finished case: sealed Bescheid, verification, delivery and archive', () => {
  const submission = applicationOf('resident', 3);
  let caseId: string;
  let result: CaseResult;
  let sealed: Buffer;

  beforeAll(async () => {
    await withWorker(async ({ cases }) => {
      ({ caseId } = await cases.submit(submission));
      result = await cases.result(caseId);
    });
    sealed = await testDeps().documents.get(result.bescheid.document.sha256);
  });

  it('seals the PDF so the engine verifier accepts it, and a one-byte change fails it', async () => {
    expect(result.outcome).toBe('approved');
    expect(sealed.subarray(0, 5).toString()).toBe('%PDF-');
    expect(result.bescheid.sourceSha256).not.toBe(result.bescheid.document.sha256);
    const anchors = await sealKeys.trustAnchors();
    expect(await verifySealedPdf(sealed, anchors)).toMatchObject({
      valid: true,
      signer: `Siegel ${AUTHORITY} (Demo)`,
      sha256: result.bescheid.document.sha256,
    });

    const changed = flipByte(sealed, 300);
    expect(await verifySealedPdf(changed, anchors)).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/digest/i),
    });
    // A seal from a CA nobody trusts is not authentic, however intact.
    const otherCa = await new (await import('../dev/demo-seal-keys.js')).DemoSealKeyStore(
      join(dataDir, `other-ca-${randomUUID()}`),
    ).trustAnchors();
    expect((await verifySealedPdf(sealed, otherCa)).valid).toBe(false);

    // The approval's certificate (the parking permit) is the second page, under the same seal.
    expect((await PDFDocument.load(sealed)).getPageCount()).toBe(2);
  });

  it('independent tools accept the sealed PDF (pyHanko: intact, trusted, whole file, PAdES B-B; pdfminer.six: its text) and reject a one-byte change', async () => {
    const trustAnchors = await sealKeys.trustAnchors();
    const report = await inspectPdf(sealed, { trustAnchors });
    expect(report.text).toContain('Ihrem Antrag wird stattgegeben.');
    expect(report.text).toContain('Rechtsbehelfsbelehrung');
    expect(report.text).toContain(`Kennzeichen: ${String(submission.application['licensePlate'])}`);
    expect(report.text).toContain(result.bescheid.verificationUrl);
    expect(report.signatures).toEqual([
      expect.objectContaining({
        intact: true,
        valid: true,
        trusted: true,
        coverage: 'ENTIRE_FILE',
        padesLevel: 'B-B',
        signer: `Siegel ${AUTHORITY} (Demo)`,
      }),
    ]);
    const changed = await inspectPdf(flipByte(sealed, 300), { trustAnchors });
    expect(changed.signatures).toEqual([expect.objectContaining({ intact: false })]);
  });

  it('the QR code address verifies the document over HTTP, and POST /verify rejects a changed copy', async () => {
    expect(result.bescheid.verificationUrl).toBe(`${publicBaseUrl}/verify/${result.bescheid.sealId}`);
    const api = await testApi(new CaseClient(client, db), {
      verification: { db, documents: testDeps().documents, sealKeys },
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      const path = new URL(result.bescheid.verificationUrl).pathname;
      const byQr = await fetch(`${base}${path}`);
      expect(byQr.status).toBe(200);
      expect(await byQr.json()).toMatchObject({
        authentic: true,
        sha256: result.bescheid.document.sha256,
        sealedBy: `Siegel ${AUTHORITY} (Demo)`,
      });

      const page = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('Echt: das Siegel ist gültig, das Dokument unverändert.');

      const post = (pdf: Buffer) =>
        fetch(`${base}/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/pdf' },
          body: new Uint8Array(pdf),
        }).then((r) => r.json());
      expect(await post(sealed)).toMatchObject({
        authentic: true,
        signatureValid: true,
        issuedHere: true,
        sealId: result.bescheid.sealId,
      });
      expect(await post(flipByte(sealed, 300))).toMatchObject({ authentic: false, signatureValid: false });
      // The public route takes a Bescheid with room to spare, and nothing near the old 20 MB.
      expect(sealed.length).toBeLessThan(VERIFY_BODY_LIMIT / 2);
      const tooLarge = await fetch(`${base}/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/pdf' },
        body: new Uint8Array(VERIFY_BODY_LIMIT + 1),
      });
      expect(tooLarge.status).toBe(413);

      const unknown = await fetch(`${base}/verify/${'0'.repeat(32)}`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    } finally {
      await api.close();
    }
  });

  it('the command-line verifier accepts the sealed PDF and rejects a one-byte change', async () => {
    const good = join(dataDir, `bescheid-${randomUUID()}.pdf`);
    const bad = join(dataDir, `bescheid-${randomUUID()}.pdf`);
    await writeFile(good, sealed);
    await writeFile(bad, flipByte(sealed, 300));
    const env = { ...process.env, DATA_DIR: dataDir };
    const ok = await run(process.execPath, ['--import', 'tsx', 'scripts/verify-seal.ts', good], { env });
    expect(ok.stdout).toContain('AUTHENTIC');
    const rejected = await run(process.execPath, ['--import', 'tsx', 'scripts/verify-seal.ts', bad], { env }).then(
      () => 0,
      (err: { code: number; stdout: string }) => {
        expect(err.stdout).toContain('NOT AUTHENTIC');
        return err.code;
      },
    );
    expect(rejected).toBe(1);
  });

  it('seals the same decision to the same bytes, so a retried seal never makes a second document', async () => {
    const deps = testDeps();
    const request = {
      authorityId: AUTHORITY,
      authorityName: 'Stadt Musterstadt',
      pdf: await deps.documents.get(result.bescheid.sourceSha256),
      signingTime: new Date('2026-03-01T10:00:00Z'),
      verificationUrl: result.bescheid.verificationUrl,
    };
    const [a, b] = [await deps.sealer.seal(request), await deps.sealer.seal(request)];
    expect(a.pdf.equals(b.pdf)).toBe(true);
  });

  it('the applicant finds the Bescheid in the postbox sandbox once, byte for byte', async () => {
    const inbox = await postboxOf(submission.identity.subject);
    expect(inbox.filter((m) => m.caseId === caseId)).toHaveLength(1);
    const mine = inbox.find((m) => m.caseId === caseId)!;
    expect(mine.document.sha256).toBe(result.bescheid.document.sha256);
    const downloaded = Buffer.from(await (await fetch(`${postboxUrl}${mine.document.href}`)).arrayBuffer());
    expect(downloaded.equals(sealed)).toBe(true);
    expect(result.delivery).toMatchObject({ status: 'delivered', channel: 'postbox-http' });
  });

  it('writes an archive package that verifies against its xdomea-like manifest, and detects a changed file', async () => {
    const { archive } = testDeps();
    const check = await archive.verify(result.archive.packageSha256);
    expect(check).toMatchObject({ valid: true, problems: [] });
    const akte = check.manifest!.Akte;
    expect(akte).toMatchObject({
      Aktenzeichen: expect.stringMatching(/^32\.1-BPA\/\d{4}\/\d{5}$/),
      Kennung: caseId,
      Leistung: submission.serviceKey,
      Aufbewahrung: { Jahre: 6 },
    });
    expect(akte.Vorgang.Dokumente.map((d) => d.Typ)).toEqual([
      'Bescheid',
      'Nachweis',
      'Nachweis',
      'Entscheidung',
      'Zahlungen',
      'Ereignisprotokoll',
      'Antrag',
      'Antrag',
      'Aktenverzeichnis',
    ]);
    // The Antrag as submitted, byte for byte the JSON whose SHA-256 the Akte's index holds.
    const antrag = akte.Vorgang.Dokumente[6]!;
    expect(JSON.parse((await archive.readFile(antrag.Datei.SHA256)).toString('utf8'))).toEqual(submission.application);
    // And as the applicant would read it: a PDF with the form's labels, filed in the Akte beside the JSON.
    const antragPdf = akte.Vorgang.Dokumente[7]!;
    expect(antragPdf.Datei.Name).toBe('antrag.pdf');
    expect((await archive.readFile(antragPdf.Datei.SHA256)).subarray(0, 5).toString()).toBe('%PDF-');
    const index = JSON.parse((await archive.readFile(akte.Vorgang.Dokumente[8]!.Datei.SHA256)).toString('utf8'));
    expect(index.map((e: { kind: string }) => e.kind)).toEqual([
      'antrag',
      'antrag',
      'evidence',
      'evidence',
      'bescheid',
    ]);
    expect(index[0]).toMatchObject({ sha256: antrag.Datei.SHA256, authorRole: 'applicant' });
    expect(index[1]).toMatchObject({
      sha256: antragPdf.Datei.SHA256,
      mediaType: 'application/pdf',
      authorRole: 'engine',
      replaces: null,
    });
    expect(index[4]).toMatchObject({ sha256: result.bescheid.document.sha256, authorRole: 'authority' });
    const packaged = new Set(akte.Vorgang.Dokumente.map((d) => d.Datei.SHA256));
    for (const e of index as Array<{ sha256: string }>) expect(packaged.has(e.sha256)).toBe(true);
    expect(akte.Vorgang.Dokumente[0]!.Datei.SHA256).toBe(result.bescheid.document.sha256);
    const decision = JSON.parse((await archive.readFile(akte.Vorgang.Dokumente[3]!.Datei.SHA256)).toString('utf8'));
    expect(decision.firedRules[0]).toMatchObject({ ruleId: 'resident-holder-in-zone', legalBasis: expect.any(String) });

    const events = akte.Vorgang.Dokumente[5]!;
    const file = join(dataDir, 'archive', 'objects', events.Datei.SHA256);
    const original = await readFile(file);
    await writeFile(file, flipByte(original, 10));
    try {
      expect(await archive.verify(result.archive.packageSha256)).toMatchObject({
        valid: false,
        problems: ['events.json: does not match its SHA-256'],
      });
    } finally {
      await writeFile(file, original);
    }
    // An entry of the Akte missing from the archive fails it too.
    const antragFile = join(dataDir, 'archive', 'objects', antrag.Datei.SHA256);
    const antragBytes = await readFile(antragFile);
    await rm(antragFile);
    try {
      expect(await archive.verify(result.archive.packageSha256)).toMatchObject({
        valid: false,
        problems: ['antrag.json: missing'],
      });
    } finally {
      await writeFile(antragFile, antragBytes);
    }
    expect(await archive.verify(result.archive.packageSha256)).toMatchObject({ valid: true });
  });

  it('chains the event log: a changed entry or a removed one is detected', async () => {
    const events = await listCaseEvents(db, { caseId });
    const archivedHead = (await testDeps().archive.read(result.archive.packageSha256)).Ereignisprotokoll.Kopfhash;
    expect(verifyEventChain(events, archivedHead)).toMatchObject({ valid: true, entries: events.length });
    const verifyEvents = () =>
      run(process.execPath, ['--import', 'tsx', 'scripts/verify-events.ts', caseId, result.archive.packageSha256], {
        env: { ...process.env, DATABASE_URL: inject('databaseUrl'), DATA_DIR: dataDir },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
      );
    expect(await verifyEvents()).toMatchObject({ code: 0, stdout: expect.stringContaining('VALID') });

    const changed = await db
      .update(caseEvents)
      .set({ data: sql`jsonb_set(${caseEvents.data}, '{outcome}', '"rejected"')` })
      .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.seq, 9)))
      .returning({ seq: caseEvents.seq });
    expect(changed).toHaveLength(1);
    expect(verifyEventChain(await listCaseEvents(db, { caseId })).problems).toEqual([
      'entry 9: content does not match its hash',
    ]);

    await db.delete(caseEvents).where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.seq, 5)));
    const afterRemoval = verifyEventChain(await listCaseEvents(db, { caseId }));
    expect(afterRemoval.valid).toBe(false);
    expect(afterRemoval.problems).toContain('entry 6: does not link to the previous entry');
    expect(await verifyEvents()).toMatchObject({ code: 1, stdout: expect.stringContaining('TAMPERED') });

    const tail = events.at(-1)!;
    const withoutTail = events.slice(0, -1);
    expect(verifyEventChain(withoutTail, tail.hash!).problems).toContain(
      `the entry the archive recorded as head (${tail.hash}) is gone`,
    );
  });
});

describe('delivery that fails', () => {
  it('delivers exactly once when the worker dies after the postbox accepted but before the activity completed', async () => {
    const submission = applicationOf('resident', 4);
    const taskQueue = `test-${randomUUID()}`;
    const postbox = new HttpPostbox({ url: postboxUrl, documents: testDeps().documents, db });
    let reached!: () => void;
    const delivered = new Promise<void>((r) => (reached = r));
    const dying: Postbox = {
      async deliver(m) {
        await postbox.deliver(m);
        reached();
        throw new Error('worker lost before reporting the delivery');
      },
    };
    const caseId = await withWorker(
      async ({ cases }) => {
        const { caseId } = await cases.submit(submission);
        await delivered;
        return caseId;
      },
      { postbox: dying },
      taskQueue,
    );

    const result = await withWorker(({ cases }) => cases.result(caseId), {}, taskQueue);
    expect(result.delivery.status).toBe('delivered');
    const inbox = await postboxOf(submission.identity.subject);
    expect(inbox.filter((m) => m.caseId === caseId)).toHaveLength(1);
    expect(await listDeliveries(db, { caseId })).toHaveLength(1);
  });

  it('retries a postbox that stays down until the deadline, then hands the delivery to a person as a task', async () => {
    const down = new HttpPostbox({ url: 'http://127.0.0.1:9', documents: testDeps().documents, db, timeoutMs: 500 });
    const result = await withWorker(
      async ({ cases }) => {
        const { caseId } = await cases.submit({
          ...applicationOf('resident', 5),
          deadlines: { deliveryGiveUpMs: 2_500 },
        });
        return cases.result(caseId);
      },
      { postbox: down },
    );

    expect(result.delivery).toMatchObject({
      status: 'handed_over',
      deliveryId: `${result.caseId}:delivery`,
      channel: 'task',
    });
    expect(await listOpenTasks(db, { authorityId: AUTHORITY })).toContainEqual(
      expect.objectContaining({ taskId: `${result.caseId}:delivery`, caseId: result.caseId, kind: 'deliver_manually' }),
    );
    const events = await listCaseEvents(db, { caseId: result.caseId });
    expect(events.map((e) => e.type)).toContain('delivery.handed_over');
    expect(events.at(-1)).toMatchObject({ status: 'closed' });
    expect(verifyEventChain(events).valid).toBe(true);
    expect(await listDeliveries(db, { caseId: result.caseId })).toHaveLength(0);
  });
});
