import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  IdentificationReportError,
  verifyIdentificationReport,
} from '../adapters/fit-connect/identification-report.js';
import { checkMetadata, DECLARED_METADATA_VERSIONS } from '../adapters/fit-connect/metadata.js';
import { UntrustedChainError, verifyX5c } from '../adapters/fit-connect/x5c.js';
import { createTestCa, issueCertificate, TestEidService } from '../dev/stand-ins/fit-connect/test-pki.js';

const ca = createTestCa();
const anchors = [new X509Certificate(ca.certificatePem)];
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DAY = 86_400_000;

describe('x5c chains against trust anchors', () => {
  it('takes a chain to the anchor, with or without the anchor itself in it', () => {
    const leaf = issueCertificate(ca, { commonName: 'Ziel', publicKey });
    expect(verifyX5c([leaf, ca.certificateDer], anchors).subject).toBe('CN=Ziel');
    expect(verifyX5c([leaf], anchors).subject).toBe('CN=Ziel');
  });

  it.each([
    [
      'an expired certificate',
      () => [issueCertificate(ca, { commonName: 'alt', publicKey, validTo: new Date(Date.now() - DAY) })],
      /not valid at/,
    ],
    [
      'a chain to another CA',
      () => {
        const other = createTestCa('Fremde CA');
        return [issueCertificate(other, { commonName: 'x', publicKey }), other.certificateDer];
      },
      /ends at no configured trust anchor/,
    ],
    ['no chain at all', () => undefined, /x5c is missing/],
    ['a certificate that cannot be read', () => ['bm90IGEgY2VydA=='], /cannot be read/],
  ])('refuses %s', (_name, chain, message) => {
    expect(() => verifyX5c(chain(), anchors)).toThrow(UntrustedChainError);
    expect(() => verifyX5c(chain(), anchors)).toThrow(message);
  });

  it('refuses everything when no anchor is configured', () => {
    expect(() => verifyX5c([issueCertificate(ca, { commonName: 'x', publicKey })], [])).toThrow(/no trust anchors/);
  });
});

describe('identification reports', () => {
  const eid = new TestEidService(ca);

  it('reads subject, name and trust level from a report signed by a trusted eID service', async () => {
    const report = await eid.report(
      { restrictedId: 'pseudonym-1', givenName: 'Erika', familyName: 'Mustermann' },
      { levelOfAssurance: 'http://bsi.bund.de/eID/LoA/hoch' },
    );
    expect(await verifyIdentificationReport(report, anchors)).toMatchObject({
      subject: 'pseudonym-1',
      trustLevel: 'high',
      name: { givenName: 'Erika', familyName: 'Mustermann' },
    });
  });

  it.each([
    ['a failed identification', { idStatus: 'failure' }, /nicht erfolgreich/],
    ['an unknown level of assurance', { levelOfAssurance: 'unknown' }, /Vertrauensniveau/],
    ['an identification in the future', { identificationTime: new Date(Date.now() + DAY) }, /Zukunft/],
  ])('refuses %s', async (_name, o, message) => {
    const report = await eid.report({ restrictedId: 'pseudonym-2' }, o);
    await expect(verifyIdentificationReport(report, anchors)).rejects.toThrow(IdentificationReportError);
    await expect(verifyIdentificationReport(report, anchors)).rejects.toThrow(message);
  });

  it('refuses a report whose signing certificate has expired, and a report with a changed payload', async () => {
    const expired = new TestEidService(ca, undefined, { validTo: new Date(Date.now() - DAY) });
    await expect(verifyIdentificationReport(await expired.report({ restrictedId: 'p' }), anchors)).rejects.toThrow(
      /keinem vertrauenswürdigen eID-Dienst/,
    );
    const [h, , sig] = (await eid.report({ restrictedId: 'p' })).split('.');
    const forged = Buffer.from(JSON.stringify({ subjectRef: { restrictedId: 'someone-else' } })).toString('base64url');
    await expect(verifyIdentificationReport(`${h}.${forged}.${sig}`, anchors)).rejects.toThrow(/Signatur/);
  });
});

describe('metadata against the published schema', () => {
  const minimal = (version?: string) => ({
    ...(version && { $schema: `https://schema.fitko.de/fit-connect/metadata/${version}/metadata.schema.json` }),
    contentStructure: { attachments: [] },
  });

  it('takes every declared version, checking later 1.x against the published 1.0.0', () => {
    for (const v of DECLARED_METADATA_VERSIONS)
      expect(checkMetadata(minimal(v), DECLARED_METADATA_VERSIONS)).toMatchObject({
        ok: true,
        checkedAgainst: '1.0.0',
      });
    expect(checkMetadata(minimal(), DECLARED_METADATA_VERSIONS)).toMatchObject({ ok: true, version: '1.0.0' });
  });

  it('names every violation at once, with pointers', () => {
    const check = checkMetadata(
      {
        ...minimal('1.3.0'),
        replyChannel: { eMail: { address: 'x@example.de' }, fink: { finkPostfachRef: 'a' } },
        paymentInformation: { status: 'PAID' },
      },
      DECLARED_METADATA_VERSIONS,
    );
    expect(check.ok).toBe(false);
    const pointers = check.ok ? [] : check.violations.map((v) => v.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining(['/$schema', '/replyChannel', '/paymentInformation', '/paymentInformation/status']),
    );
  });
});
