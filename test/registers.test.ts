import { describe, expect, it } from 'vitest';
import { allRegistersAt, HttpRegisters } from '../adapters/registers.js';
import { timelineOf } from '../http/timeline.js';
import { checkUpload } from '../http/upload-check.js';
import { sampleRegisterData } from '../dev/demo/sample-applications.js';
import { startRegisterSandbox } from '../dev/stand-ins/registers/server.js';

const data = sampleRegisterData();
const query = (register: string, subject: string, application: Record<string, unknown> = {}) => ({
  register,
  evidenceType: register,
  subject,
  application,
});

describe('register adapters over HTTP against the register sandbox', () => {
  it('answers population (with household), vehicle and trade lookups from the seeded records', async () => {
    const sandbox = await startRegisterSandbox({ data, port: 0 });
    try {
      const registers = new HttpRegisters({ endpoints: allRegistersAt(sandbox.url), timeoutMs: 2_000 });
      const withHousehold = data.population.find((p) =>
        data.population.some((q) => q.householdId === p.householdId && q.subject !== p.subject),
      )!;
      const residence = await registers.lookup(query('population', withHousehold.subject));
      expect(residence).toMatchObject({ status: 'found', facts: { zone: withHousehold.zone, mainResidence: true } });
      expect((residence.facts!['householdSize'] as number) > 1).toBe(true);

      const vehicle = data.vehicles[0]!;
      expect(
        await registers.lookup(query('vehicles', vehicle.holderSubject, { licensePlate: vehicle.licensePlate })),
      ).toMatchObject({
        status: 'found',
        facts: { holderMatches: true, use: vehicle.use },
      });
      const trader = data.trade[0]!;
      expect(await registers.lookup(query('trade', trader.holderSubject))).toMatchObject({
        status: 'found',
        facts: { tradeRegistered: true },
      });
      expect(await registers.lookup(query('population', 'pseudonym-unknown'))).toEqual({ status: 'not_found' });
    } finally {
      await sandbox.stop();
    }
  });

  it('treats 503s and answers past the timeout as failures to retry, and never calls a register it has no address for', async () => {
    const sandbox = await startRegisterSandbox({
      data,
      port: 0,
      faultsByRegister: { population: { down: true }, vehicles: { timeoutRate: 1, hangMs: 2_000 } },
    });
    try {
      const registers = new HttpRegisters({
        endpoints: { population: sandbox.url, vehicles: sandbox.url },
        timeoutMs: 300,
      });
      await expect(registers.lookup(query('population', 'pseudonym-0001'))).rejects.toMatchObject({
        name: 'RegisterUnavailableError',
        message: expect.stringContaining('503'),
      });
      await expect(
        registers.lookup(query('vehicles', 'x', { licensePlate: data.vehicles[0]!.licensePlate })),
      ).rejects.toMatchObject({ name: 'RegisterUnavailableError' });
      await expect(registers.lookup(query('trade', 'pseudonym-0001'))).rejects.toMatchObject({
        name: 'RegisterNotConfiguredError',
      });
      expect(sandbox.requests).toMatchObject({ population: 1, vehicles: 1, trade: 0 });
      expect(Object.values(sandbox.requests).reduce((a, b) => a + b, 0)).toBe(2);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('upload check by content', () => {
  const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
  it('accepts a PDF named .pdf and refuses content the name lies about', async () => {
    expect(
      await checkUpload({ bytes: pdf, fileName: 'a.pdf', declaredType: 'application/pdf', maxBytes: 1000 }),
    ).toEqual({ mediaType: 'application/pdf' });
    await expect(checkUpload({ bytes: pdf, fileName: 'a.png', maxBytes: 1000 })).rejects.toMatchObject({
      status: 415,
    });
    await expect(
      checkUpload({ bytes: pdf, fileName: 'a.pdf', declaredType: 'image/png', maxBytes: 1000 }),
    ).rejects.toMatchObject({ status: 415 });
    await expect(
      checkUpload({ bytes: Buffer.from('MZ\x90\x00 not a pdf'), fileName: 'a.pdf', maxBytes: 1000 }),
    ).rejects.toMatchObject({ status: 415 });
    await expect(checkUpload({ bytes: pdf, fileName: 'a.pdf', maxBytes: 10 })).rejects.toMatchObject({
      status: 413,
    });
  });
});

describe('applicant timeline', () => {
  const at = (s: string) => `2026-11-28T10:00:0${s}Z`;
  it('shows plain-language milestones: done, current with a note, skipped and still open', () => {
    const waiting = timelineOf({
      status: 'awaiting_applicant',
      history: [
        { status: 'received', at: at('1') },
        { status: 'validating', at: at('2') },
        { status: 'fetching_evidence', at: at('3') },
        { status: 'awaiting_applicant', at: at('4') },
      ],
    });
    expect(waiting.map((m) => [m.key, m.state])).toEqual([
      ['received', 'done'],
      ['evidence_requested', 'current'],
      ['payment_pending', 'open'],
      ['in_review', 'open'],
      ['decided', 'open'],
      ['delivered', 'open'],
    ]);
    expect(waiting[1]).toMatchObject({
      label: 'Nachweise angefordert',
      at: at('3'),
      note: expect.stringContaining('Unterlagen'),
    });

    const refused = timelineOf({
      status: 'closed',
      history: (
        ['received', 'validating', 'issuing_bescheid', 'sealing', 'delivering', 'archiving', 'closed'] as const
      ).map((status) => ({ status, at: at('5') })),
    });
    expect(refused.map((m) => m.state)).toEqual(['done', 'skipped', 'skipped', 'skipped', 'done', 'done']);
  });
});
