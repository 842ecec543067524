import type {
  ApplicationSource,
  CaseOutcome,
  Decision,
  DocumentRef,
  FeeResult,
  IdentityAssertion,
  PersonName,
  SealResult,
} from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { sha256Hex } from '../adapters/document-store.js';
import { findSeal, recordSeal } from '../db/queries/seals.js';
import {
  renderBescheidPdf,
  type Addressee,
  type BescheidContent,
  type CertificateContent,
} from '../adapters/documents/bescheid-pdf.js';
import { findService } from '../services/catalogue.js';
import type { AuthoritySettings, ServiceDefinition } from '../services/types.js';
import type { DbExecutor } from '../db/client.js';
import { addAkteDocument, findAkte } from '../db/queries/akte.js';
import { applicationFrom } from './antrag.js';
import type { ActivityDeps } from './deps.js';

/** The application (for the certificate and the address) comes by its Akte reference, inline only in older cases. */
export interface RenderBescheidInput extends ApplicationSource {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Pseudonymous subject; the postbox resolves the real addressee. */
  addressee: string;
  /** The applicant's attested name; absent in cases started before names were carried. */
  applicantName?: PersonName;
  /** When the application came in; printed as the application's date. */
  appliedAt?: string;
  outcome: CaseOutcome;
  decision?: Decision;
  refusalReasons?: string[];
  fee?: FeeResult;
  issuedAt: string;
}

export interface SealBescheidInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  document: DocumentRef;
  /** From the workflow, so a retried seal signs with the same time and yields the same bytes. */
  sealedAt: string;
}

/** The seal id is public (it is in the QR code), so it is derived from the case but does not reveal its id. */
export const sealIdOf = (caseId: string): string => sha256Hex(effectKey(caseId, 'seal-bescheid')).slice(0, 32);

export function createDocumentActivities({ db, documents, sealer, publicBaseUrl }: ActivityDeps) {
  /** The Bescheid as a PDF; the same input renders the same bytes. */
  async function render(i: RenderBescheidInput): Promise<Uint8Array> {
    const application = i.application || i.antrag ? await applicationFrom(db, i) : undefined;
    // One read of the Akte for the Aktenzeichen and (claim-check) the attested name, which is not in the history.
    const akte = await findAkte(db, { caseId: i.caseId });
    const identity = akte?.identity as IdentityAssertion | undefined;
    const applicantName = i.applicantName ?? (i.antrag ? identity?.name : undefined);
    return renderBescheidPdf(await bescheidContent(db, i, application, applicantName, akte?.aktenzeichen));
  }

  /** One sealed document per decision: a retry returns the seal recorded first, never a second one. */
  async function seal(
    i: Omit<SealBescheidInput, 'document'>,
    source: () => Promise<{ ref: DocumentRef; pdf: Uint8Array }>,
  ): Promise<SealResult> {
    const sealId = sealIdOf(i.caseId);
    const verificationUrl = `${publicBaseUrl}/verify/${sealId}`;
    let seal = await findSeal(db, { sealId });
    let fresh: DocumentRef | undefined;
    if (!seal) {
      const authority = findService(i.serviceKey).authorities[i.authorityId];
      if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
      const sealedAt = new Date(i.sealedAt);
      const { ref: unsealed, pdf } = await source();
      const sealed = await sealer.seal({
        // The authority's own seal identity: one definition, many authorities, each sealing with its own key.
        authorityId: authority.sealIdentity,
        authorityName: authority.name,
        pdf,
        signingTime: sealedAt,
        verificationUrl,
      });
      fresh = await documents.put(sealed.pdf, 'application/pdf');
      seal = await recordSeal(db, {
        sealId,
        caseId: i.caseId,
        authorityId: i.authorityId,
        sourceSha256: unsealed.sha256,
        sealedSha256: fresh.sha256,
        keyId: sealed.keyId,
        sealedAt,
      });
    }
    // A seal recorded by an earlier attempt (or by another worker first): its stored bytes tell the size.
    const size = fresh?.sha256 === seal.sealedSha256 ? fresh.size : (await documents.get(seal.sealedSha256)).byteLength;
    await addAkteDocument(db, {
      documentId: `${i.caseId}:bescheid`,
      caseId: i.caseId,
      kind: 'bescheid',
      title: 'Bescheid (gesiegelt)',
      mediaType: 'application/pdf',
      sha256: seal.sealedSha256,
      size,
      blobKey: seal.sealedSha256,
      authorRole: 'authority',
      authorId: i.authorityId,
      createdAt: seal.sealedAt,
    });
    return {
      document: { sha256: seal.sealedSha256, mediaType: 'application/pdf', size },
      sourceSha256: seal.sourceSha256,
      sealId,
      verificationUrl,
      keyId: seal.keyId,
      algorithm: PDF_SEAL_ALGORITHM,
    };
  }

  return {
    async renderBescheid(i: RenderBescheidInput): Promise<DocumentRef> {
      return documents.put(await render(i), 'application/pdf');
    },

    async sealBescheid(i: SealBescheidInput): Promise<SealResult> {
      return seal(i, async () => ({ ref: i.document, pdf: await documents.get(i.document.sha256) }));
    },

    /**
     * Renders and seals in one step, sealed at the time it was issued. The unsealed document is stored too (its hash
     * is the seal's source); a retry after the seal was recorded renders nothing and returns that seal.
     */
    async issueBescheid(i: RenderBescheidInput): Promise<SealResult> {
      return seal({ ...i, sealedAt: i.issuedAt }, async () => {
        const pdf = await render(i);
        return { ref: await documents.put(pdf, 'application/pdf'), pdf };
      });
    },
  };
}

/** What the Bescheid says: the authority's and service's texts around the case's decision, addressed to the person. */
export async function bescheidContent(
  db: DbExecutor,
  i: Omit<RenderBescheidInput, 'addressee'>,
  application: Record<string, unknown> | undefined,
  applicantName: PersonName | undefined,
  /** The Akte's Aktenzeichen where the caller has read it already. */
  aktenzeichen?: string,
): Promise<BescheidContent> {
  const service = findService(i.serviceKey);
  const authority = service.authorities[i.authorityId];
  if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
  return {
    caseId: i.caseId,
    fileReference: aktenzeichen ?? (await fileReferenceFor(db, authority, i.caseId, i.appliedAt ?? i.issuedAt)),
    authorityName: authority.name,
    authorityContact: authority.contact,
    authorityAddress: authority.postalAddress ?? authority.name,
    appliedAt: i.appliedAt ?? i.issuedAt,
    serviceName: service.name,
    legalBasis: service.legalBasis,
    addressee: addresseeOf(applicantName, application),
    outcome: i.outcome,
    decision: i.decision,
    refusalReasons: i.refusalReasons,
    fee: i.fee,
    legalRemedy: service.legalRemedy,
    issuedAt: i.issuedAt,
    certificate:
      service.certificate && application ? certificateOf(service.certificate, application, i.issuedAt) : undefined,
  };
}

/**
 * The Bescheid as it would be issued with this decision, marked „Entwurf“: for the case worker to read before she
 * decides. Nothing is stored, sealed, sent or filed.
 */
export async function previewBescheid(
  db: DbExecutor,
  i: Omit<RenderBescheidInput, 'addressee'>,
  application: Record<string, unknown> | undefined,
  applicantName: PersonName | undefined,
): Promise<Uint8Array> {
  return renderBescheidPdf({ ...(await bescheidContent(db, i, application, applicantName)), draft: true });
}

function certificateOf(
  c: NonNullable<ServiceDefinition['certificate']>,
  application: Record<string, unknown>,
  issuedAt: string,
): CertificateContent {
  const until = new Date(issuedAt);
  until.setUTCFullYear(until.getUTCFullYear() + c.validYears);
  return { title: c.title, fields: c.fields(application), validUntil: until.toISOString().slice(0, 10) };
}

/** `<prefix>/<year of application>/<first 8 of the case id>`: unique per case and stable across retries. */
export function fileReferenceOf(a: AuthoritySettings, caseId: string, appliedAt: string): string {
  const prefix = a.fileReferencePrefix ?? a.sealIdentity.toUpperCase();
  return `${prefix}/${appliedAt.slice(0, 4)}/${caseId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}

/** The Aktenzeichen of the case's Akte; for cases from before the Akte, the one derived from the case id. */
export async function fileReferenceFor(
  db: DbExecutor,
  a: AuthoritySettings,
  caseId: string,
  appliedAt: string,
): Promise<string> {
  return (await findAkte(db, { caseId }))?.aktenzeichen ?? fileReferenceOf(a, caseId, appliedAt);
}

/**
 * Name from the identity, postal address from the application (every sample service asks for one), and the form of
 * address (Frau/Herr) only where the application states it (`salutation`): never guessed from a first name.
 */
export function addresseeOf(name: PersonName | undefined, application: Record<string, unknown> | undefined): Addressee {
  const address = application?.['address'] as { street?: unknown; postalCode?: unknown; city?: unknown } | undefined;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const form = text(application?.['salutation'])?.toLowerCase();
  return {
    ...(name && { name: `${name.givenName} ${name.familyName}`, familyName: name.familyName }),
    ...(name && (form === 'frau' || form === 'herr') && { form }),
    ...(text(address?.street) && { street: text(address?.street) }),
    ...(text(address?.postalCode) && { postalCode: text(address?.postalCode) }),
    ...(text(address?.city) && { city: text(address?.city) }),
  };
}

const PDF_SEAL_ALGORITHM = 'PAdES baseline (ETSI.CAdES.detached, RSA-SHA256, ESS signing-certificate-v2)';
