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
import type { CorrectionEffect, CorrectionKind } from '../workflows/contracts/correction.js';
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
import { addAkteDocument, antragDocumentId, findAkte, findAkteDocument } from '../db/queries/akte.js';
import { findStaff } from '../db/queries/staff-directory.js';
import { germanDate } from '../adapters/documents/german-time.js';
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

/** Where a sealed document goes in the Akte, under which seal id. */
interface AkteEntry {
  sealId: string;
  documentId: string;
  kind: 'bescheid' | 'objection_decision' | 'correction_decision';
  title: string;
  replaces?: string;
}

const bescheidEntry = (caseId: string): AkteEntry => ({
  sealId: sealIdOf(caseId),
  documentId: `${caseId}:bescheid`,
  kind: 'bescheid',
  title: 'Bescheid (gesiegelt)',
});

/** The Abhilfebescheid replaces the case's Bescheid in the Akte; the Widerspruchsbescheid stands beside it. */
const objectionEntry = (caseId: string, document: ObjectionDocumentInput['document']): AkteEntry =>
  document === 'abhilfebescheid'
    ? {
        sealId: sha256Hex(effectKey(caseId, 'seal-abhilfebescheid')).slice(0, 32),
        documentId: `${caseId}:abhilfebescheid`,
        kind: 'bescheid',
        title: 'Abhilfebescheid (gesiegelt), ersetzt den Bescheid',
        replaces: `${caseId}:bescheid`,
      }
    : {
        sealId: sha256Hex(effectKey(caseId, 'seal-widerspruchsbescheid')).slice(0, 32),
        documentId: `${caseId}:widerspruchsbescheid`,
        kind: 'objection_decision',
        title: 'Widerspruchsbescheid (gesiegelt)',
      };

export interface ObjectionDocumentInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  document: 'abhilfebescheid' | 'widerspruchsbescheid';
  /** Abhilfe: `remedy` or `partial_remedy`; Widerspruchsbescheid: the objection authority's outcome. */
  outcome: 'remedy' | 'partial_remedy' | 'rejected' | 'granted' | 'partly_granted';
  reasons: string[];
  /** Late and not reinstated: a dismissal says the objection was inadmissible (§ 70 VwGO). */
  inadmissibleAsLate?: boolean;
  /** A remedy's fee: due again where it was paid back on the rejection. */
  fee?: FeeResult;
  issuedAt: string;
}

const TENOR: Record<ObjectionDocumentInput['outcome'], (bescheidOf: string) => string> = {
  remedy: (b) =>
    `Dem Widerspruch wird abgeholfen. Der Bescheid vom ${b} wird aufgehoben; Ihrem Antrag wird stattgegeben.`,
  partial_remedy: (b) =>
    `Dem Widerspruch wird teilweise abgeholfen; der Bescheid vom ${b} wird insoweit geändert. Im Übrigen wird der ` +
    'Widerspruch der Widerspruchsbehörde zur Entscheidung vorgelegt.',
  rejected: () => 'Der Widerspruch wird zurückgewiesen.',
  granted: (b) => `Dem Widerspruch wird stattgegeben. Der Bescheid vom ${b} wird aufgehoben.`,
  partly_granted: (b) =>
    `Dem Widerspruch wird teilweise stattgegeben; der Bescheid vom ${b} wird insoweit aufgehoben. Im Übrigen wird der ` +
    'Widerspruch zurückgewiesen.',
};

/** § 73 Abs. 3 Satz 3 VwGO: the Widerspruchsbescheid also decides who bears the costs. */
const COSTS: Record<'rejected' | 'granted' | 'partly_granted', string> = {
  rejected: 'Kosten: Die Kosten des Widerspruchsverfahrens trägt die widersprechende Person (§ 80 VwVfG).',
  granted: 'Kosten: Die Kosten des Widerspruchsverfahrens trägt die Behörde (§ 80 Abs. 1 Satz 1 VwVfG).',
  partly_granted:
    'Kosten: Die Kosten des Widerspruchsverfahrens werden im Verhältnis des Obsiegens geteilt (§ 80 VwVfG).',
};

/** What an objection decision says: the case's Bescheid content from the Akte, with the procedure's heading and tenor. */
async function objectionDocumentContent(db: DbExecutor, i: ObjectionDocumentInput): Promise<BescheidContent> {
  const service = findService(i.serviceKey);
  const authority = service.authorities[i.authorityId];
  if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
  const [akte, antrag, original] = await Promise.all([
    findAkte(db, { caseId: i.caseId }),
    findAkteDocument(db, { documentId: antragDocumentId(i.caseId) }),
    findSeal(db, { sealId: sealIdOf(i.caseId) }),
  ]);
  if (!akte || !original)
    throw new Error(`case ${i.caseId} has no Akte or no sealed Bescheid to decide an objection on`);
  const identity = akte.identity as IdentityAssertion | undefined;
  const bescheidOf = germanDate(original.sealedAt.toISOString());
  const base = await bescheidContent(
    db,
    {
      caseId: i.caseId,
      serviceKey: i.serviceKey,
      authorityId: i.authorityId,
      outcome: i.document === 'abhilfebescheid' ? 'approved' : 'rejected',
      refusalReasons: i.reasons,
      ...(i.fee && { fee: i.fee }),
      issuedAt: i.issuedAt,
      appliedAt: akte.submittedAt.toISOString(),
    },
    antrag?.content as Record<string, unknown> | undefined,
    identity?.name,
    akte.aktenzeichen,
  );
  if (i.document === 'abhilfebescheid')
    return {
      ...base,
      procedure: {
        heading: 'Abhilfebescheid',
        tenor: TENOR[i.outcome](bescheidOf),
        reference: `Ihr Widerspruch gegen den Bescheid vom ${bescheidOf} (§ 72 VwGO). Dieser Bescheid ersetzt ihn.`,
      },
    };
  const objection = service.lifecycle?.objection;
  const outcome = i.outcome as 'rejected' | 'granted' | 'partly_granted';
  const court =
    objection?.court ?? 'Verwaltungsgericht, in dessen Bezirk der Bescheid erlassen wurde (§ 52 Nr. 3 VwGO)';
  return {
    ...base,
    authorityName: objection?.authority?.name ?? `${authority.name}, Widerspruchsstelle`,
    refusalReasons: [...i.reasons, COSTS[outcome]],
    legalRemedy:
      `Gegen den Bescheid vom ${bescheidOf} in der Gestalt dieses Widerspruchsbescheids kann innerhalb eines Monats ` +
      `nach Zustellung dieses Widerspruchsbescheids Klage beim ${court} erhoben werden (§ 74 Abs. 1 Satz 1 VwGO). ` +
      'Die Klage ist schriftlich oder zur Niederschrift des Urkundsbeamten der Geschäftsstelle des Gerichts zu erheben ' +
      '(§ 81 VwGO).',
    procedure: {
      heading: 'Widerspruchsbescheid',
      tenor: i.inadmissibleAsLate
        ? 'Der Widerspruch wird als unzulässig zurückgewiesen, weil er nach Ablauf der Widerspruchsfrist erhoben wurde ' +
          '(§ 70 VwGO).'
        : TENOR[outcome](bescheidOf),
      reference: `Ihr Widerspruch gegen den Bescheid vom ${bescheidOf} (§ 73 VwGO).`,
      remedyAtCourt: true,
    },
  };
}

/** The Rücknahme- or Widerrufsbescheid replaces the case's Bescheid (or the Abhilfebescheid that replaced it). */
export const correctionEntry = (caseId: string, kind: CorrectionKind, replaces: string): AkteEntry => ({
  sealId: sha256Hex(effectKey(caseId, 'seal-correction')).slice(0, 32),
  documentId: `${caseId}:correction-bescheid`,
  kind: 'correction_decision',
  title: `${CORRECTION_HEADING[kind]} (gesiegelt), ersetzt den Bescheid`,
  replaces,
});

const CORRECTION_HEADING: Record<CorrectionKind, string> = {
  ruecknahme: 'Rücknahmebescheid',
  widerruf: 'Widerrufsbescheid',
};

export interface CorrectionDocumentInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  kind: CorrectionKind;
  effect: CorrectionEffect;
  reasons: string[];
  reclaimCents?: number;
  reclaimDueOn?: string;
  refundFeeCents?: number;
  issuedAt: string;
}

const euro = (cents: number): string =>
  `${(cents / 100).toLocaleString('de-DE', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;

/** The legal basis a correction cites: § 48 for an unlawful decision, § 49 Abs. 2 or 3 for a lawful one, § 49a to pay back. */
export function correctionLegalBasis(i: Pick<CorrectionDocumentInput, 'kind' | 'effect' | 'reclaimCents'>): string {
  const basis =
    i.kind === 'ruecknahme'
      ? '§ 48 Abs. 1 VwVfG'
      : i.effect === 'ex_tunc'
        ? '§ 49 Abs. 3 Satz 1 VwVfG'
        : '§ 49 Abs. 2 Satz 1 VwVfG';
  return i.reclaimCents ? `${basis}, § 49a Abs. 1 und 3 VwVfG` : basis;
}

/** What a Rücknahme- or Widerrufsbescheid says, from the Akte: tenor, Erstattung and the service's remedy. */
async function correctionDocumentContent(db: DbExecutor, i: CorrectionDocumentInput): Promise<BescheidContent> {
  const service = findService(i.serviceKey);
  const [akte, antrag, original] = await Promise.all([
    findAkte(db, { caseId: i.caseId }),
    findAkteDocument(db, { documentId: antragDocumentId(i.caseId) }),
    findSeal(db, { sealId: sealIdOf(i.caseId) }),
  ]);
  if (!akte || !original) throw new Error(`case ${i.caseId} has no Akte or no sealed Bescheid to correct`);
  const identity = akte.identity as IdentityAssertion | undefined;
  const bescheidOf = germanDate(original.sealedAt.toISOString());
  const base = await bescheidContent(
    db,
    {
      caseId: i.caseId,
      serviceKey: i.serviceKey,
      authorityId: i.authorityId,
      outcome: 'rejected',
      refusalReasons: i.reasons,
      issuedAt: i.issuedAt,
      appliedAt: akte.submittedAt.toISOString(),
    },
    antrag?.content as Record<string, unknown> | undefined,
    identity?.name,
    akte.aktenzeichen,
  );
  const verb = i.kind === 'ruecknahme' ? 'zurückgenommen' : 'widerrufen';
  const when = i.effect === 'ex_tunc' ? 'mit Wirkung für die Vergangenheit' : 'mit Wirkung für die Zukunft';
  const tenor = [`Der Bescheid vom ${bescheidOf} wird ${when} ${verb}.`];
  const reasons = [...i.reasons];
  if (i.reclaimCents) {
    tenor.push(
      `Der bereits ausgezahlte Betrag von ${euro(i.reclaimCents)} ist zu erstatten` +
        `${i.reclaimDueOn ? ` und bis zum ${germanDate(i.reclaimDueOn)} zu zahlen` : ''} (§ 49a Abs. 1 VwVfG).`,
    );
    reasons.push(
      'Soweit ein Verwaltungsakt mit Wirkung für die Vergangenheit zurückgenommen oder widerrufen worden ist, sind ' +
        'bereits erbrachte Leistungen zu erstatten; die Erstattung wird mit diesem Bescheid festgesetzt (§ 49a Abs. 1 ' +
        'VwVfG). Der Betrag ist vom Eintritt der Unwirksamkeit an mit fünf Prozentpunkten über dem Basiszinssatz ' +
        'jährlich zu verzinsen (§ 49a Abs. 3 VwVfG); die Zinsen setzen wir gesondert fest.',
    );
  }
  if (i.refundFeeCents) tenor.push(`Die gezahlte Gebühr wird in Höhe von ${euro(i.refundFeeCents)} erstattet.`);
  const objection = service.lifecycle?.objection;
  const atCourt = objection?.procedure === 'abolished';
  const court =
    objection?.court ?? 'Verwaltungsgericht, in dessen Bezirk der Bescheid erlassen wurde (§ 52 Nr. 3 VwGO)';
  return {
    ...base,
    legalBasis: `${correctionLegalBasis(i)}; ${base.legalBasis}`,
    refusalReasons: reasons,
    legalRemedy: atCourt
      ? `Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Klage beim ${court} erhoben werden ` +
        '(§ 74 Abs. 1 Satz 2 VwGO); ein Widerspruchsverfahren findet nicht statt (§ 68 Abs. 1 Satz 2 VwGO).'
      : 'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden (§ 70 Abs. 1 ' +
        'VwGO). Der Widerspruch ist schriftlich oder zur Niederschrift bei der Behörde einzulegen, die den Bescheid ' +
        'erlassen hat.',
    procedure: {
      heading: CORRECTION_HEADING[i.kind],
      tenor: tenor.join(' '),
      reference: `Ihr Bescheid vom ${bescheidOf}. Dieser Bescheid ersetzt ihn.`,
      ...(atCourt && { remedyAtCourt: true }),
    },
  };
}

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
    entry: AkteEntry = bescheidEntry(i.caseId),
  ): Promise<SealResult> {
    const sealId = entry.sealId;
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
      documentId: entry.documentId,
      caseId: i.caseId,
      kind: entry.kind,
      title: entry.title,
      ...(entry.replaces && { replaces: entry.replaces }),
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

    /**
     * `issueObjectionDocument`: a decision of the objection procedure, rendered from the Akte and sealed once under its
     * own seal id: the Abhilfebescheid that replaces the case's Bescheid (§ 72 VwGO), or the objection authority's
     * Widerspruchsbescheid with its Rechtsbehelfsbelehrung for the action (§ 73 Abs. 3, § 74 VwGO).
     */
    async issueObjectionDocument(i: ObjectionDocumentInput): Promise<SealResult & { documentId: string }> {
      const entry = objectionEntry(i.caseId, i.document);
      const sealed = await seal(
        { caseId: i.caseId, serviceKey: i.serviceKey, authorityId: i.authorityId, sealedAt: i.issuedAt },
        async () => {
          const pdf = await renderBescheidPdf(await objectionDocumentContent(db, i));
          return { ref: await documents.put(pdf, 'application/pdf'), pdf };
        },
        entry,
      );
      return { ...sealed, documentId: entry.documentId };
    },

    /**
     * `issueCorrectionDocument`: the Rücknahme- or Widerrufsbescheid, rendered from the Akte and sealed once under its
     * own seal id; it replaces the Bescheid in force (the Abhilfebescheid where one replaced the original).
     */
    async issueCorrectionDocument(i: CorrectionDocumentInput): Promise<SealResult & { documentId: string }> {
      const remedied = await findAkteDocument(db, { documentId: `${i.caseId}:abhilfebescheid` });
      const entry = correctionEntry(i.caseId, i.kind, remedied?.documentId ?? `${i.caseId}:bescheid`);
      const sealed = await seal(
        { caseId: i.caseId, serviceKey: i.serviceKey, authorityId: i.authorityId, sealedAt: i.issuedAt },
        async () => {
          const pdf = await renderBescheidPdf(await correctionDocumentContent(db, i));
          return { ref: await documents.put(pdf, 'application/pdf'), pdf };
        },
        entry,
      );
      return { ...sealed, documentId: entry.documentId };
    },

    /**
     * `issueFictionCertificate`: the certificate that the approval counts as granted (§ 42a Abs. 3 VwVfG), rendered
     * like a Bescheid and sealed once under its own seal id; filed in the Akte as `<caseId>:fiction-certificate`.
     */
    async issueFictionCertificate(i: FictionCertificateInput): Promise<SealResult> {
      const entry: AkteEntry = {
        sealId: sha256Hex(effectKey(i.caseId, 'seal-fiction-certificate')).slice(0, 32),
        documentId: `${i.caseId}:fiction-certificate`,
        kind: 'bescheid',
        title: 'Bescheinigung über den Eintritt der Genehmigungsfiktion (gesiegelt)',
      };
      return seal(
        { ...i, sealedAt: i.issuedAt },
        async () => {
          const application = i.application || i.antrag ? await applicationFrom(db, i) : undefined;
          const akte = await findAkte(db, { caseId: i.caseId });
          const name = (akte?.identity as IdentityAssertion | undefined)?.name;
          const base = await bescheidContent(
            db,
            { ...i, outcome: 'approved_by_fiction' },
            application,
            name,
            akte?.aktenzeichen,
          );
          const pdf = await renderBescheidPdf({ ...base, ...fictionCertificateText(i, base.legalBasis) });
          return { ref: await documents.put(pdf, 'application/pdf'), pdf };
        },
        entry,
      );
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

export interface FictionCertificateInput extends ApplicationSource {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  addressee: string;
  appliedAt: string;
  /** The complete application's day and the period's last day (after any extension). */
  startedOn: string;
  endsOn: string;
  /** The Fachrecht that orders the fiction. */
  legalBasis: string;
  issuedAt: string;
}

/** The certificate's own heading, tenor, reasons and note (§ 42a Abs. 1 Satz 2, Abs. 3 VwVfG). */
function fictionCertificateText(i: FictionCertificateInput, serviceLegalBasis: string): Partial<BescheidContent> {
  const day = (d: string) => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;
  return {
    legalBasis: `${serviceLegalBasis}; ${i.legalBasis}; § 42a VwVfG`,
    refusalReasons: [
      `Ihr Antrag ist mit den vollständigen Unterlagen am ${day(i.startedOn)} bei uns eingegangen.`,
      `Über ihn ist bis zum Ablauf der Frist am ${day(i.endsOn)} nicht entschieden worden (§ 42a Abs. 2 VwVfG).`,
      `Nach ${i.legalBasis} gilt die beantragte Genehmigung damit als erteilt (§ 42a Abs. 1 Satz 1 VwVfG).`,
    ],
    legalRemedy:
      'Diese Bescheinigung bestätigt den Eintritt der Genehmigungsfiktion (§ 42a Abs. 3 VwVfG). Für die fiktive ' +
      'Genehmigung gelten die Vorschriften über die Bestandskraft von Verwaltungsakten und über das ' +
      'Rechtsbehelfsverfahren entsprechend (§ 42a Abs. 1 Satz 2 VwVfG).',
    procedure: {
      heading: 'Bescheinigung über den Eintritt der Genehmigungsfiktion',
      tenor: `Die beantragte Genehmigung gilt mit Ablauf des ${day(i.endsOn)} als erteilt.`,
      reference: 'Bescheinigung nach § 42a Abs. 3 VwVfG über Ihren Antrag.',
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
    ...(authority.signBescheidByName && (await signerOf(db, i.authorityId, i.decision))),
  };
}

/** The case worker who decided, by her name in the staff directory, for the sign-off; nothing for the rules' decisions. */
async function signerOf(
  db: DbExecutor,
  authorityId: string,
  decision: Decision | undefined,
): Promise<{ signedBy?: string }> {
  const by = decision && decision.decidedBy !== 'rules' ? decision.decidedBy.caseWorker : undefined;
  if (!by) return {};
  const entry = await findStaff(db, { authorityId, staffId: by });
  return entry?.displayName ? { signedBy: entry.displayName } : {};
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
