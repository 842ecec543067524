import type { X509Certificate } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { UntrustedChainError, verifyX5c } from './x5c.js';

/**
 * Identification reports (`authenticationInformation` of type `identificationReport` in FIT-Connect metadata): a
 * compact JWS whose payload follows Governikus' identification report schema
 * (https://github.com/Governikus/IdentificationReport, schema 2.0.0), signed by an eID service whose certificate
 * chain (`x5c`) ends at a configured trust anchor.
 */
export const IDENTIFICATION_REPORT_SCHEMA =
  'https://raw.githubusercontent.com/Governikus/IdentificationReport/2.0.0/schema/identification-report.json';

export const REPORT_ALGORITHMS = ['PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

/** The report's levels of assurance (eIDAS and BSI TR-03107-1) as the engine's trust levels. */
export const TRUST_LEVEL_BY_LOA: Record<string, 'low' | 'substantial' | 'high'> = {
  'http://eidas.europa.eu/LoA/low': 'low',
  'http://eidas.europa.eu/LoA/substantial': 'substantial',
  'http://eidas.europa.eu/LoA/high': 'high',
  'http://eidas.europa.eu/NotNotified/LoA/low': 'low',
  'http://eidas.europa.eu/NotNotified/LoA/substantial': 'substantial',
  'http://eidas.europa.eu/NotNotified/LoA/high': 'high',
  'http://bsi.bund.de/eID/LoA/normal': 'low',
  'http://bsi.bund.de/eID/LoA/substantiell': 'substantial',
  'http://bsi.bund.de/eID/LoA/hoch': 'high',
};

// The fields this engine reads, as the published schema types them (written from its text, not copied).
const validReport = (() => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile({
    type: 'object',
    required: ['reportId', 'serverIdentity', 'reportTime', 'identificationTime', 'levelOfAssurance'],
    properties: {
      reportId: { type: 'string', minLength: 1 },
      serverIdentity: { type: 'string', minLength: 1 },
      reportTime: { type: 'string', format: 'date-time' },
      identificationTime: { type: 'string', format: 'date-time' },
      idStatus: { enum: ['success', 'incomplete', 'failure', 'unknown'] },
      levelOfAssurance: { type: 'string' },
      subjectRef: { type: 'object' },
    },
  });
})();

export class IdentificationReportError extends Error {}

export interface VerifiedReport {
  /** A pseudonymous id of the person (`subjectRef.restrictedId`, or `subjectRef.id` of a legal person). */
  subject: string;
  trustLevel: 'low' | 'substantial' | 'high';
  /** The eID service that signed the report (its certificate's subject). */
  issuer: string;
  name?: { givenName: string; familyName: string };
  reportId: string;
}

/** Verifies one identification report: signature by a trusted chain, schema fields, success, a known level. */
export async function verifyIdentificationReport(
  content: string,
  anchors: readonly X509Certificate[],
  at = new Date(),
): Promise<VerifiedReport> {
  let header;
  try {
    header = decodeProtectedHeader(content);
  } catch {
    throw new IdentificationReportError('Der Identitätsnachweis ist keine signierte JWS-Nachricht.');
  }
  if (!header.alg || !REPORT_ALGORITHMS.includes(header.alg))
    throw new IdentificationReportError(
      `Der Identitätsnachweis ist mit einem nicht zugelassenen Verfahren (${header.alg}) signiert.`,
    );
  let leaf: X509Certificate;
  try {
    leaf = verifyX5c(header.x5c, anchors, at);
  } catch (err) {
    if (err instanceof UntrustedChainError)
      throw new IdentificationReportError(
        `Der Identitätsnachweis stammt von keinem vertrauenswürdigen eID-Dienst: ${err.message}.`,
      );
    throw err;
  }
  let payload: unknown;
  try {
    const verified = await compactVerify(content, leaf.publicKey, { algorithms: REPORT_ALGORITHMS });
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    throw new IdentificationReportError('Die Signatur des Identitätsnachweises ist ungültig.');
  }
  if (!validReport(payload))
    throw new IdentificationReportError(
      `Der Identitätsnachweis entspricht nicht dem Schema: ${(validReport.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}.`,
    );
  const r = payload as {
    reportId: string;
    identificationTime: string;
    idStatus?: string;
    levelOfAssurance: string;
    subjectRef?: { restrictedId?: unknown; id?: unknown; givenName?: unknown; familyName?: unknown };
  };
  if (r.idStatus !== 'success') throw new IdentificationReportError('Die Identifizierung war nicht erfolgreich.');
  if (new Date(r.identificationTime).getTime() > at.getTime() + 60_000)
    throw new IdentificationReportError('Der Zeitpunkt der Identifizierung liegt in der Zukunft.');
  const trustLevel = TRUST_LEVEL_BY_LOA[r.levelOfAssurance];
  if (!trustLevel) throw new IdentificationReportError('Das Vertrauensniveau des Identitätsnachweises ist unbekannt.');
  const subject = r.subjectRef?.restrictedId ?? r.subjectRef?.id;
  if (typeof subject !== 'string' || !subject)
    throw new IdentificationReportError('Der Identitätsnachweis nennt keine Kennung der Person (subjectRef).');
  const { givenName, familyName } = r.subjectRef ?? {};
  return {
    subject,
    trustLevel,
    issuer: leaf.subject,
    reportId: r.reportId,
    ...(typeof givenName === 'string' && typeof familyName === 'string' && { name: { givenName, familyName } }),
  };
}
