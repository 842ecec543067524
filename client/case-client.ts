import { createHash, randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  type WorkflowStartOptions,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { BekanntgabeRecord } from '../workflows/contracts/bekanntgabe.js';
import type {
  AntragRef,
  CaseDeadlines,
  CaseEnd,
  CaseResult,
  HearingStatement,
  WithdrawalRequest,
  FictionExtensionRequest,
  CaseState,
  Consent,
  EvidenceUpload,
  IdentityAssertion,
} from '../workflows/contracts/case.js';
import { caseWorkflowId, TASK_QUEUE } from '../workflows/contracts/ids.js';
import {
  caseStateQuery,
  paymentNotifiedSignal,
  uploadEvidenceUpdate,
  submitHearingStatementUpdate,
  withdrawApplicationUpdate,
  extendFictionUpdate,
} from '../workflows/contracts/messages.js';
import { AuthorityIdKey, CaseIdKey, CaseStatusKey, ServiceKeyKey } from '../workflows/contracts/search-attributes.js';
import { releasedRuleSetHash } from '../rules/rule-set.js';
import {
  findAuthority,
  findService,
  ruleSetVersionOn,
  UnknownAuthorityError,
  UnknownServiceError,
} from '../services/catalogue.js';
import { unsafeText } from '../services/safe-text.js';
import type { ServiceDefinition } from '../services/types.js';
import { assessSubmission } from '../services/assess-submission.js';
import { IntakeRefusedError } from './intake-refused.js';
import { ObjectionClient } from './objection-client.js';
import { CorrectionClient } from './correction-client.js';
import type { Database } from '../db/client.js';
import { bekanntgabeDocumentId, findAkte, findAkteDocument, openAkte } from '../db/queries/akte.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { type CaseDeadline, deadlinesOf } from '../services/case-deadlines.js';
import canonicalize from 'canonicalize';
import { antragSha256 } from '../activities/antrag.js';
import { aktenzeichenYear, fieldLabels, formatAktenzeichen, schemaIdOf } from '../services/aktenzeichen.js';
import type { caseWorkflow } from '../workflows/case-workflow.js';
import { BlindIndex, DEV_SEARCH_INDEX_SECRET, searchValues } from '../platform/blind-index.js';

export interface SubmitApplication {
  serviceKey: string;
  authorityId: string;
  /** Verified identity: the HTTP API verifies the token, a Fachverfahren vouches for its own. */
  identity: IdentityAssertion;
  application: Record<string, unknown>;
  consent?: Consent;
  /** The same key submitted twice by the same identity yields the same case, never a second one; keys of different identities never meet. */
  idempotencyKey?: string;
  /**
   * Scopes the idempotency key instead of the identity's subject: for server-side channels whose key is not the
   * applicant's (FIT-Connect: the delivery service's submission id, scoped by destination). Never set from a request.
   */
  idempotencyScope?: string;
  deadlines?: Partial<CaseDeadlines>;
}

export interface SubmittedCase {
  caseId: string;
  workflowId: string;
  ruleSetVersion: string;
  /** True when the idempotency key had already started this case. */
  duplicate: boolean;
}

/** The typed way in for Fachverfahren teams; the HTTP API is built on it. */
export class CaseClient {
  constructor(
    private readonly client: Client,
    /** Where intake writes the Akte before the case starts. */
    private readonly akte: Database,
    private readonly taskQueue = TASK_QUEUE,
    /** The clock that pins the rule set version in force; tests move it to a legal change's date. */
    private readonly now: () => Date = () => new Date(),
    /** Deadlines every case started here gets unless its caller names its own (LEGAL_DAY_MS in development). */
    private readonly deadlines: Partial<CaseDeadlines> = {},
    /** Hashes what the workbench searches a case by into the Akte's blind index (`SEARCH_INDEX_SECRET`). */
    private readonly searchIndex: BlindIndex = new BlindIndex(DEV_SEARCH_INDEX_SECRET),
  ) {}

  /** The objection procedure against the cases' decisions (Widerspruch). */
  get objections(): ObjectionClient {
    return new ObjectionClient(this.client, this.akte, this.taskQueue, this.deadlines);
  }

  /** Rücknahme and Widerruf of the cases' decisions, under four eyes. */
  get corrections(): CorrectionClient {
    return new CorrectionClient(this.client, this.akte, this.taskQueue);
  }

  /** The case's Bekanntgabe with the deadlines computed from it, from its Akte; undefined until announced. */
  async bekanntgabe(caseId: string): Promise<BekanntgabeRecord | undefined> {
    const row = await findAkteDocument(this.akte, { documentId: bekanntgabeDocumentId(caseId) });
    return row?.kind === 'bekanntgabe' ? (row.content as BekanntgabeRecord) : undefined;
  }

  /** The deadlines the case's timeline records (services/case-deadlines.ts), from PostgreSQL. */
  async caseDeadlines(caseId: string): Promise<CaseDeadline[]> {
    return deadlinesOf(await listCaseEvents(this.akte, { caseId }));
  }

  /**
   * Checks the application completely before anything is stored: service, authority, trust level, mandate,
   * schema and plausibility rules. Refuses with every field error at once, or starts the case's workflow. A caller
   * that has already looked the service up (the HTTP intake, FIT-Connect) hands it on instead of a second lookup.
   */
  async submit(a: SubmitApplication, service = serviceForIntake(a.serviceKey)): Promise<SubmittedCase> {
    if (service.key !== a.serviceKey) throw new Error(`submit: service ${service.key} given for ${a.serviceKey}`);
    const submittedAt = this.now().toISOString();
    authorityForIntake(service, a.authorityId);
    // The subject and mandate become row keys and letters: a token that carries unstorable text is no identity.
    if (!/^[\x21-\x7e]{1,255}$/.test(a.identity.subject) || unsafeText(a.identity).length) {
      throw new IntakeRefusedError('invalid_identity', 401, 'Der Identitätsnachweis enthält ungültige Angaben.');
    }
    const ruleSetVersion = ruleSetVersionOn(service, submittedAt.slice(0, 10));
    const schemaVersion = service.currentSchemaVersion;
    const { refusal } = await assessSubmission({ ...a, schemaVersion, ruleSetVersion, submittedAt }, service);
    if (refusal) throw new IntakeRefusedError(refusal.code, refusal.httpStatus, refusal.message, refusal.errors);

    const caseId = a.idempotencyKey
      ? caseIdFromKey(a.idempotencyScope ?? a.identity.subject, a.idempotencyKey)
      : randomUUID();
    const workflowId = caseWorkflowId(caseId);
    const submissionSha256 = createHash('sha256')
      .update(`${caseId}:${stableJson([a.serviceKey, a.authorityId, a.identity, a.application])}`)
      .digest('hex');
    const ruleSetSha256 = releasedRuleSetHash(service.ruleSet.id, ruleSetVersion);
    // The Akte first: the case's workflow only ever starts for an application the Akte holds.
    const { akte, created } = await openAkteFor(this.akte, {
      a,
      service,
      caseId,
      schemaVersion,
      ruleSetVersion,
      ruleSetSha256,
      submittedAt,
      submissionSha256,
      searchIndex: this.searchIndex,
    });
    if (akte.submissionSha256 !== submissionSha256) throw idempotencyKeyReused();
    // A closed case is answered from its Akte: its history may be gone, and must not start the case again.
    if (!created && akte.finalState)
      return { caseId, workflowId, ruleSetVersion: akte.ruleSetVersion, duplicate: true };
    const antrag = { sha256: antragSha256(a.application) };
    try {
      await this.client.workflow.start<typeof caseWorkflow>(
        'caseWorkflow',
        caseWorkflowStart(this.taskQueue, {
          a: Object.keys(this.deadlines).length ? { ...a, deadlines: { ...this.deadlines, ...a.deadlines } } : a,
          service,
          caseId,
          schemaVersion,
          ruleSetVersion,
          submittedAt,
          submissionSha256,
          antrag,
        }),
      );
      return { caseId, workflowId, ruleSetVersion, duplicate: false };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const existing = await this.client.workflow.getHandle(workflowId).describe();
      const memo = existing.memo as { submissionSha256?: string; ruleSetVersion?: string } | undefined;
      if (memo?.submissionSha256 !== submissionSha256) throw idempotencyKeyReused();
      return { caseId, workflowId, ruleSetVersion: memo.ruleSetVersion ?? ruleSetVersion, duplicate: true };
    }
  }

  /** Whether a case with this id was ever started (running or closed). */
  async exists(caseId: string): Promise<boolean> {
    if ((await findAkte(this.akte, { caseId }))?.finalState) return true;
    try {
      await this.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
      return true;
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') return false;
      throw err;
    }
  }

  /**
   * What a case is to the people who may see it: the state it closed with, from its Akte, or, while it runs, the
   * workflow's live state. Undefined when there is no such case.
   */
  view(caseId: string): Promise<CaseState | undefined> {
    return caseStateOf(this.client, this.akte, caseId);
  }

  status(caseId: string): Promise<CaseState> {
    return this.client.workflow.getHandle(caseWorkflowId(caseId)).query(caseStateQuery);
  }

  /** How the case ended: with its Bescheid, or withdrawn by its applicant. */
  ending(caseId: string): Promise<CaseEnd> {
    return this.client.workflow.getHandle<typeof caseWorkflow>(caseWorkflowId(caseId)).result();
  }

  /** The result of a case that ended with a Bescheid; a withdrawn case has none, and this refuses it. */
  async result(caseId: string): Promise<CaseResult> {
    const end = await this.ending(caseId);
    if (end.outcome === 'withdrawn') throw new CaseWithdrawnError(caseId);
    return end;
  }

  /** The applicant withdraws the application; refused with the reason once the decision is being issued. */
  withdraw(caseId: string, request: WithdrawalRequest): Promise<CaseState> {
    return this.client.workflow
      .getHandle(caseWorkflowId(caseId))
      .executeUpdate(withdrawApplicationUpdate, { args: [request] });
  }

  /** The applicant's statement in the hearing before a rejection; refused unless the case waits for it. */
  submitHearingStatement(caseId: string, statement: HearingStatement): Promise<CaseState> {
    return this.client.workflow
      .getHandle(caseWorkflowId(caseId))
      .executeUpdate(submitHearingStatementUpdate, { args: [statement] });
  }

  /**
   * A case worker extends the period of an approval by fiction once (§ 42a Abs. 2 Satz 3 VwVfG); refused with the
   * reason a second time, after the period ended, or beyond the service's maximum. The applicant gets a letter.
   */
  extendFiction(caseId: string, request: FictionExtensionRequest): Promise<CaseState> {
    return this.client.workflow
      .getHandle(caseWorkflowId(caseId))
      .executeUpdate(extendFictionUpdate, { args: [request] });
  }

  /** Hands a checked, stored upload to the case; refused with the reason when the case is not waiting for it. */
  uploadEvidence(caseId: string, upload: EvidenceUpload): Promise<CaseState> {
    return this.client.workflow
      .getHandle(caseWorkflowId(caseId))
      .executeUpdate(uploadEvidenceUpdate, { args: [upload] });
  }

  /** Wakes a case waiting for a payment; the case then asks the provider for the status itself. */
  notifyPayment(caseId: string, notice: { transactionId: string }): Promise<void> {
    return this.client.workflow.getHandle(caseWorkflowId(caseId)).signal(paymentNotifiedSignal, notice);
  }
}

/** A closed case's state from its Akte (Temporal's history may be gone); a running case's from its workflow. */
export async function caseStateOf(client: Client, db: Database, caseId: string): Promise<CaseState | undefined> {
  const closed = (await findAkte(db, { caseId }))?.finalState;
  if (closed) return closed as CaseState;
  return client.workflow
    .getHandle(caseWorkflowId(caseId))
    .query(caseStateQuery)
    .catch((err: Error) => {
      if (err.name === 'WorkflowNotFoundError') return undefined;
      throw err;
    });
}

const idempotencyKeyReused = () =>
  new IntakeRefusedError(
    'idempotency_key_reused',
    409,
    'Dieser Idempotenzschlüssel wurde bereits für einen anderen Antrag verwendet.',
  );

/**
 * Writes the application as submitted into the case's Akte (JSON, schema id and version, the field labels) and draws
 * its Aktenzeichen; a repeated submission of the same case writes nothing and gets the Akte that is there.
 */
export function openAkteFor(
  db: Database,
  o: {
    a: SubmitApplication;
    service: ServiceDefinition;
    caseId: string;
    schemaVersion: string;
    ruleSetVersion: string;
    ruleSetSha256?: string;
    submittedAt: string;
    submissionSha256: string;
    /** Without it the Akte is written without search terms (a case found by its Aktenzeichen or id only). */
    searchIndex?: BlindIndex;
  },
) {
  const { a, service, caseId, schemaVersion } = o;
  const authority = findAuthority(service, a.authorityId);
  const year = aktenzeichenYear(o.submittedAt);
  return openAkte(db, {
    caseId,
    authorityId: a.authorityId,
    serviceKey: service.key,
    year,
    aktenzeichen: (n) => formatAktenzeichen(service, authority, year, n),
    applicantSubject: a.identity.subject,
    identity: a.identity,
    consent: a.consent,
    submissionSha256: o.submissionSha256,
    schemaId: schemaIdOf(service, schemaVersion),
    schemaVersion,
    ruleSetVersion: o.ruleSetVersion,
    ruleSetSha256: o.ruleSetSha256,
    submittedAt: new Date(o.submittedAt),
    antrag: {
      content: a.application,
      sha256: antragSha256(a.application),
      size: Buffer.byteLength(canonicalize(a.application) ?? 'null'),
      title: `Antrag: ${service.name}`,
      labels: fieldLabels(service.schemas[schemaVersion]),
    },
    searchTerms: o.searchIndex && searchTermsOf(o.searchIndex, a),
  });
}

/** The keyed hashes of the applicant's name, birth date, licence plate, company and address, each once. */
function searchTermsOf(index: BlindIndex, a: SubmitApplication): Array<{ term: string; kind: string }> {
  const seen = new Map<string, string>();
  for (const { kind, value } of searchValues({ name: a.identity.name, application: a.application })) {
    const term = index.term(a.authorityId, value);
    if (term && !seen.has(term)) seen.set(term, kind);
  }
  return [...seen].map(([term, kind]) => ({ term, kind }));
}

/** The service an application is for, looked up once where it enters; refused as intake refuses when unknown. */
export function serviceForIntake(serviceKey: string): ServiceDefinition {
  try {
    return findService(serviceKey);
  } catch (err) {
    if (err instanceof UnknownServiceError)
      throw new IntakeRefusedError('unknown_service', 404, `Die Leistung ${err.serviceKey} ist nicht im Katalog.`);
    throw err;
  }
}

function authorityForIntake(service: ServiceDefinition, authorityId: string): void {
  try {
    findAuthority(service, authorityId);
  } catch (err) {
    if (err instanceof UnknownAuthorityError)
      throw new IntakeRefusedError(
        'unknown_authority',
        404,
        `Die Behörde ${err.authorityId} bietet diese Leistung nicht an.`,
      );
    throw err;
  }
}

// Keys sorted, so the same submission always hashes the same.
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

// A UUID-shaped id derived from the submitter and their idempotency key: a repeat maps to the same workflow, and
// nobody can occupy (or probe) another applicant's key.
export function caseIdFromKey(subject: string, key: string): string {
  const h = createHash('sha256')
    .update(`ozg-case:${JSON.stringify([subject, key])}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** How a case workflow starts: its id policies, input and search attributes (ids and states only, no personal data). */
export function caseWorkflowStart(
  taskQueue: string,
  o: {
    a: SubmitApplication;
    /** The application's service, when the caller has already looked it up. */
    service?: ServiceDefinition;
    caseId: string;
    schemaVersion: string;
    ruleSetVersion: string;
    submittedAt: string;
    submissionSha256: string;
    /** Where the Akte holds the application (claim-check): the input then carries this reference, not the data. */
    antrag?: AntragRef;
  },
): WorkflowStartOptions<typeof caseWorkflow> {
  const { a, caseId, schemaVersion, ruleSetVersion, submittedAt } = o;
  const service = o.service ?? findService(a.serviceKey);
  return {
    taskQueue,
    workflowId: caseWorkflowId(caseId),
    // A key that was used once, for a running or a closed case, never starts a second one.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    // A hash, not the data: the memo needs no more (it is encrypted by the payload codec anyway).
    memo: { submissionSha256: o.submissionSha256, ruleSetVersion },
    ...caseSummary({ caseId, service, authorityId: a.authorityId, ruleSetVersion, submittedAt }),
    args: [
      {
        caseId,
        serviceKey: a.serviceKey,
        authorityId: a.authorityId,
        schemaVersion,
        ruleSetVersion,
        ruleSetSha256: releasedRuleSetHash(service.ruleSet.id, ruleSetVersion),
        submittedAt,
        // From the Akte on the workflow carries references and the facts a step needs; the name stays in the Akte.
        ...(o.antrag
          ? { antrag: o.antrag, identity: factsOfIdentity(a.identity) }
          : { application: a.application, identity: a.identity }),
        consent: a.consent,
        deadlines: a.deadlines,
      },
    ],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: CaseIdKey, value: caseId },
      { key: ServiceKeyKey, value: a.serviceKey },
      { key: AuthorityIdKey, value: a.authorityId },
      { key: CaseStatusKey, value: 'received' },
    ]),
  };
}

/** What the steps of a case need of the identity: the pseudonymous subject, trust level and mandate, no name. */
const factsOfIdentity = ({ name: _name, ...facts }: IdentityAssertion): IdentityAssertion => facts;

/**
 * What the Temporal Web UI shows for a case without opening its payloads: service, authority and case id, never
 * anything about the applicant.
 */
export function caseSummary(c: {
  caseId: string;
  service: ServiceDefinition;
  authorityId: string;
  ruleSetVersion: string;
  submittedAt: string;
}) {
  const service = c.service.name.replace(/ \(Beispiel\)$/, '');
  return {
    staticSummary: `${service} · ${c.authorityId} · Fall ${c.caseId}`,
    staticDetails: [
      `**Leistung** ${service} (${c.service.key})`,
      `**Behörde** ${c.authorityId}`,
      `**Regelwerk** ${c.ruleSetVersion}`,
      `**Eingang** ${c.submittedAt}`,
    ].join('  \n'),
  };
}

/** The case was withdrawn by its applicant: it ended without a Bescheid. */
export class CaseWithdrawnError extends Error {
  constructor(readonly caseId: string) {
    super(`case ${caseId} was withdrawn by its applicant and has no Bescheid`);
    this.name = 'CaseWithdrawnError';
  }
}
