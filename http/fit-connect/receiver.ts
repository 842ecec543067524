import type { X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, type JWK } from 'jose';
import {
  authenticationTagOf,
  DecryptionError,
  decryptPart,
  EVENT,
  sha512Hex,
  signSet,
  type AuthenticationTags,
  type Problem,
} from '../../adapters/fit-connect/crypto.js';
import {
  IdentificationReportError,
  verifyIdentificationReport,
} from '../../adapters/fit-connect/identification-report.js';
import { checkMetadata, DECLARED_METADATA_VERSIONS } from '../../adapters/fit-connect/metadata.js';
import {
  FitConnectHttpError,
  type EncryptedSubmission,
  type SubmissionApi,
} from '../../adapters/fit-connect/submission-api.js';
import {
  type FitConnectSubmissionFacts,
  paymentOf,
  replyChannelOf,
  type SubmissionFactsStore,
} from '../../adapters/fit-connect/submission-facts.js';
import type { Consent, IdentityAssertion } from '../../workflows/contracts/case.js';
import { IdentityRejectedError, type TokenVerifier } from '../../platform/identity/token-verifier.js';
import type { Logger } from '../../platform/logger.js';
import { checkTrustLevel } from '../../services/assess-submission.js';
import { findAuthority, listServices } from '../../services/catalogue.js';
import type { ServiceDefinition } from '../../services/types.js';
import { validateApplication } from '../../services/validate-application.js';
import { caseIdFromKey, type CaseClient } from '../../client/case-client.js';
import { IntakeRefusedError } from '../../client/intake-refused.js';
import { ObjectionRefusedError } from '../../client/objection-client.js';
import type { DocumentStore } from '../../adapters/document-store.js';
import { type StoredAttachment, storeCheckedAttachments, UploadRefused } from '../upload-check.js';

const LEIKA_URN = /^urn:de:fim:leika:leistung:(\d{14})$/;
/** Submissions one poll decrypts and starts at once (RSA 4096 and a workflow start each). */
const POLL_CONCURRENCY = 8;
/** Submissions one callback may announce for pickup; more wait for the next poll. */
export const CALLBACK_MAX_SUBMISSIONS = 50;
/** How long a callback-announced id is remembered, so a repeated callback fetches nothing twice. */
const CALLBACK_DEDUP_MS = 10 * 60_000;

/**
 * The `schemaUri` of a service's application data, by schema version: what the destination publishes for the service
 * (`services[].submissionSchemas[]` of the Submission API's destination) and senders name in the metadata.
 */
export const fitConnectSchemaUri = (serviceKey: string, schemaVersion: string) =>
  `urn:ozg-case-engine:schema:${serviceKey}:v${schemaVersion}`;

/**
 * The one declaration the engine reads from the data: the applicant's consent to fetch evidence from registers
 * (once-only). FIM puts declarations (Erklärungen) into the form's data, so the published data schema of each service
 * is its application schema with this optional field (see `fitConnectDataSchema`).
 */
export const CONSENT_FIELD = 'einwilligungNachweisabruf';

/** The data schema a destination publishes for a service version: the application schema plus the consent declaration. */
export function fitConnectDataSchema(service: ServiceDefinition, version: string): object {
  const schema = service.schemas[version] as { properties?: Record<string, unknown> } & Record<string, unknown>;
  return {
    ...schema,
    $id: fitConnectSchemaUri(service.key, version),
    properties: {
      ...schema.properties,
      [CONSENT_FIELD]: {
        type: 'boolean',
        title: 'Einwilligung in den Abruf von Nachweisen bei Registern (Once-Only)',
      },
    },
  };
}

/**
 * The objection (Widerspruch) against a decision of a service, as a portal sends it: a submission for the same service
 * with this data schema instead of the application's, naming the decided case and the reasons (attachments as
 * FIT-Connect attachments). Published only for services with an objection procedure.
 */
export const fitConnectObjectionSchemaUri = (serviceKey: string) =>
  `urn:ozg-case-engine:schema:${serviceKey}:widerspruch:v1`;

export const OBJECTION_DATA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['vorgang', 'begruendung'],
  properties: {
    vorgang: {
      type: 'string',
      pattern: '^[0-9a-f-]{36}$',
      title: 'Vorgangsnummer des Bescheids, gegen den Widerspruch erhoben wird',
    },
    begruendung: { type: 'string', minLength: 1, maxLength: 20_000, title: 'Begründung des Widerspruchs' },
  },
} as const;

const hasObjectionProcedure = (s: ServiceDefinition) => s.lifecycle?.objection.procedure === 'widerspruch';

/** The services a destination of this authority offers, with the data schema URIs it publishes for them. */
export function destinationServices(authorityId: string) {
  return listServices()
    .filter((s) => {
      try {
        findAuthority(s, authorityId);
        return true;
      } catch {
        return false;
      }
    })
    .map((s) => ({
      identifier: `urn:de:fim:leika:leistung:${s.key}`,
      name: s.name,
      submissionSchemas: [
        ...Object.keys(s.schemas).map((v) => ({
          schemaUri: fitConnectSchemaUri(s.key, v),
          mimeType: 'application/json',
        })),
        ...(hasObjectionProcedure(s)
          ? [{ schemaUri: fitConnectObjectionSchemaUri(s.key), mimeType: 'application/json' }]
          : []),
      ],
    }));
}

/**
 * The engine's case id of a FIT-Connect submission: one submission id, one case, however often it is fetched. Scoped by
 * destination, not by applicant, so the receiver knows it before (and without) checking the identity report again.
 */
export const fitConnectIdempotencyScope = (destinationId: string) => `fit-connect:${destinationId}`;
export const fitConnectCaseId = (destinationId: string, submissionId: string) =>
  caseIdFromKey(fitConnectIdempotencyScope(destinationId), submissionId);

/**
 * Problem types of reject events. FIT-Connect's docs name a catalogue under this prefix; the names below are this
 * engine's reading of it, not checked against the catalogue (see docs/fachverfahren-teams.md).
 */
const PROBLEM = 'https://schema.fitko.de/fit-connect/events/problems/';
const problem = (name: string, title: string, detail: string, instance: string): Problem => ({
  type: `${PROBLEM}${name}`,
  title,
  detail,
  instance,
});

export interface FitConnectReceiverOptions {
  api: SubmissionApi;
  destinationId: string;
  /** The authority this destination belongs to: its cases are started for it. */
  authorityId: string;
  /** The destination's private keys: decryption (RSA-OAEP-256) and event signing (PS512). */
  encryptionKey: JWK;
  signingKey: JWK;
  cases: CaseClient;
  /** Trust anchors of the eID services whose identification reports (`authenticationInformation`) are accepted. */
  eidTrustAnchors: readonly X509Certificate[];
  /** Optional: the engine's own OpenID Connect ID tokens, accepted as `authenticationInformation` as well. */
  idTokens?: TokenVerifier;
  /** Metadata versions this destination declares (`metadataVersions`); default: every 1.x up to 1.2.2. */
  metadataVersions?: readonly string[];
  /** Where payment already made and the reply channel are kept for the case's activities. */
  facts?: SubmissionFactsStore;
  /** Where an objection's attachments are stored (checked by content, by SHA-256); without it, objections take none. */
  documents?: DocumentStore;
  /** The largest attachment an objection takes, in bytes. */
  uploadMaxBytes?: number;
  logger?: Logger;
}

export type ReceiveOutcome =
  | { submissionId: string; result: 'accepted'; caseId: string; duplicate: boolean }
  | { submissionId: string; result: 'rejected'; problems: Problem[] }
  | { submissionId: string; result: 'failed'; error: string };

interface Opened {
  service: ServiceDefinition;
  identity: IdentityAssertion;
  application: Record<string, unknown>;
  /** An objection against the decision of the case it names, not an application. */
  objection?: { caseId: string; reasons: string; attachments: Array<{ fileName: string; bytes: Uint8Array }> };
  consent?: Consent;
  facts: FitConnectSubmissionFacts;
  tags: AuthenticationTags;
}

/**
 * The engine as a FIT-Connect destination: fetches each submission, decrypts and checks it, and starts the case
 * (then sends `accept-submission`) or sends `reject-submission` with every problem found. A submission that fails
 * for a passing reason (network, Temporal) stays at the delivery service and is fetched again on the next poll.
 * No personal data is logged: only submission ids, case ids and problem types.
 */
export class FitConnectReceiver {
  private readonly inFlight = new Map<string, Promise<ReceiveOutcome>>();
  /** Ids a callback announced recently (id → when), so repeated callbacks cost nothing. */
  private readonly announced = new Map<string, number>();
  private loop?: NodeJS.Timeout;
  private polling?: Promise<unknown>;

  constructor(private readonly o: FitConnectReceiverOptions) {}

  /** Fetches every submission ready for pickup and handles them, a few at a time. */
  async poll(): Promise<ReceiveOutcome[]> {
    const listed = await this.o.api.listSubmissions(this.o.destinationId);
    const outcomes: ReceiveOutcome[] = [];
    for (let i = 0; i < listed.length; i += POLL_CONCURRENCY)
      outcomes.push(
        ...(await Promise.all(listed.slice(i, i + POLL_CONCURRENCY).map((s) => this.receive(s.submissionId)))),
      );
    return outcomes;
  }

  /**
   * Handles ids a callback announced: each id once within ten minutes, at most `CALLBACK_MAX_SUBMISSIONS` per
   * callback (the poll picks up the rest). Returns how many it will fetch.
   */
  announce(submissionIds: readonly string[], now = Date.now()): number {
    for (const [id, at] of this.announced) if (now - at > CALLBACK_DEDUP_MS) this.announced.delete(id);
    const fresh = [...new Set(submissionIds)].filter((id) => !this.announced.has(id) && !this.inFlight.has(id));
    const taken = fresh.slice(0, CALLBACK_MAX_SUBMISSIONS);
    for (const id of taken) {
      this.announced.set(id, now);
      void this.receive(id);
    }
    return taken.length;
  }

  /** Polls every `intervalMs` until stopped; a failed poll is logged and the next one tries again. */
  start(intervalMs: number): void {
    const tick = () => {
      this.polling = this.poll()
        .catch((err: Error) => this.o.logger?.warn({ err: { type: err.name } }, 'FIT-Connect poll failed'))
        .finally(() => {
          if (this.loop) this.loop = setTimeout(tick, intervalMs);
        });
    };
    this.loop = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    if (loop) clearTimeout(loop);
    await this.polling;
    await Promise.all(this.inFlight.values());
  }

  /** Handles one submission; the same id twice at once shares one run. */
  receive(submissionId: string): Promise<ReceiveOutcome> {
    const running = this.inFlight.get(submissionId);
    if (running) return running;
    const run = this.handle(submissionId)
      .catch((err: Error): ReceiveOutcome => {
        // A passing failure (network, identity provider, Temporal): the submission stays for the next poll.
        this.o.logger?.warn({ submissionId, err: { type: err.name } }, 'FIT-Connect submission left for the next poll');
        return { submissionId, result: 'failed', error: err.message };
      })
      .finally(() => this.inFlight.delete(submissionId));
    this.inFlight.set(submissionId, run);
    return run;
  }

  private async handle(submissionId: string): Promise<ReceiveOutcome> {
    const log = this.o.logger;
    let submission: EncryptedSubmission;
    try {
      submission = await this.o.api.getSubmission(submissionId);
    } catch (err) {
      log?.warn({ submissionId, err: { type: (err as Error).name } }, 'FIT-Connect submission not fetched');
      return { submissionId, result: 'failed', error: (err as Error).message };
    }
    // Fetched again after its case started (the accept event got lost, a second process, a callback and a poll):
    // confirm the case, without checking an identity report that may have expired since.
    const caseId = fitConnectCaseId(this.o.destinationId, submission.submissionId);
    if (submission.destinationId === this.o.destinationId && (await this.o.cases.exists(caseId))) {
      await this.sendEvent(submission, EVENT.accept, { authenticationTags: await this.tagsOf(submission) });
      log?.info({ submissionId, caseId, duplicate: true }, 'FIT-Connect submission accepted');
      return { submissionId, result: 'accepted', caseId, duplicate: true };
    }
    const opened = await this.open(submission);
    if ('problems' in opened) return this.reject(submission, opened.problems);
    if (opened.objection) return this.fileObjection(submission, opened, opened.objection);
    try {
      // Before the case starts: its fee step and its letters read what the portal already did.
      await this.o.facts?.record(caseId, opened.facts);
      const started = await this.o.cases.submit(
        {
          serviceKey: opened.service.key,
          authorityId: this.o.authorityId,
          identity: opened.identity,
          application: opened.application,
          ...(opened.consent && { consent: opened.consent }),
          idempotencyKey: submission.submissionId,
          idempotencyScope: fitConnectIdempotencyScope(this.o.destinationId),
        },
        opened.service,
      );
      await this.sendEvent(submission, EVENT.accept, { authenticationTags: opened.tags });
      log?.info(
        { submissionId, caseId: started.caseId, duplicate: started.duplicate },
        'FIT-Connect submission accepted',
      );
      return { submissionId, result: 'accepted', caseId: started.caseId, duplicate: started.duplicate };
    } catch (err) {
      if (err instanceof IntakeRefusedError) return this.reject(submission, refusalProblems(err));
      log?.warn({ submissionId, err: { type: (err as Error).name } }, 'FIT-Connect submission left for the next poll');
      return { submissionId, result: 'failed', error: (err as Error).message };
    }
  }

  /**
   * An objection: only the case's applicant, to a decision of this destination's authority, as the API takes it
   * (`ObjectionClient.file`: checked against the recorded Bekanntgabe, refused where the procedure is abolished or
   * one exists). Fetched again after it was filed (a lost accept event), it is confirmed, not filed twice.
   */
  private async fileObjection(
    submission: EncryptedSubmission,
    opened: Opened,
    o: NonNullable<Opened['objection']>,
  ): Promise<ReceiveOutcome> {
    const { submissionId } = submission;
    const refused = (detail: string) =>
      this.reject(submission, [problem('objection-refused', 'Widerspruch nicht angenommen', detail, 'data')]);
    const state = await this.o.cases.view(o.caseId);
    if (
      !state ||
      state.applicantSubject !== opened.identity.subject ||
      state.authorityId !== this.o.authorityId ||
      state.serviceKey !== opened.service.key
    )
      return refused('Zu dieser Vorgangsnummer gibt es keinen Bescheid an Sie von dieser Behörde.');
    const objections = this.o.cases.objections;
    const known = (await objections.find(o.caseId)) !== undefined;
    if (!known) {
      let attachments: StoredAttachment[] = [];
      if (o.attachments.length > 0) {
        if (!this.o.documents) return refused('Dieses Ziel nimmt zu Widersprüchen keine Anlagen an.');
        try {
          attachments = await storeCheckedAttachments(
            this.o.documents,
            o.attachments,
            this.o.uploadMaxBytes ?? 10 << 20,
          );
        } catch (err) {
          if (err instanceof UploadRefused) return refused(err.detail);
          throw err;
        }
      }
      try {
        await objections.file({
          caseId: o.caseId,
          subject: opened.identity.subject,
          reasons: o.reasons,
          attachments,
          fitConnectSubmissionId: submissionId,
        });
      } catch (err) {
        if (err instanceof ObjectionRefusedError) return refused(err.message);
        throw err;
      }
    } else if ((await objections.fitConnectSubmissionOf(o.caseId)) !== submissionId)
      return refused('Gegen diesen Bescheid ist bereits Widerspruch erhoben.');
    await this.sendEvent(submission, EVENT.accept, { authenticationTags: opened.tags });
    this.o.logger?.info({ submissionId, caseId: o.caseId, duplicate: known }, 'FIT-Connect objection accepted');
    return { submissionId, result: 'accepted', caseId: o.caseId, duplicate: known };
  }

  private async reject(submission: EncryptedSubmission, problems: Problem[]): Promise<ReceiveOutcome> {
    const { submissionId } = submission;
    try {
      await this.sendEvent(submission, EVENT.reject, { problems });
    } catch (err) {
      this.o.logger?.warn({ submissionId, err: { type: (err as Error).name } }, 'FIT-Connect reject event not sent');
      return { submissionId, result: 'failed', error: (err as Error).message };
    }
    this.o.logger?.info({ submissionId, problems: problems.map((p) => p.type) }, 'FIT-Connect submission rejected');
    return { submissionId, result: 'rejected', problems };
  }

  /** Posts the event; a 409 means the delivery service already holds this submission's final event (a repeat). */
  private async sendEvent(submission: EncryptedSubmission, event: string, payload: Record<string, unknown>) {
    const set = await signSet(
      {
        issuer: this.o.destinationId,
        submissionId: submission.submissionId,
        caseId: submission.caseId,
        event: event as (typeof EVENT)[keyof typeof EVENT],
        payload,
      },
      this.o.signingKey,
    );
    try {
      await this.o.api.postEvent(submission.caseId, set);
    } catch (err) {
      if (err instanceof FitConnectHttpError && err.status === 409) return;
      throw err;
    }
  }

  /**
   * Decrypts and checks everything FIT-Connect's verification steps name, and then service, data and identity, and
   * collects every problem before answering: a sender learns all of them from one reject event.
   */
  private async open(s: EncryptedSubmission): Promise<Opened | { problems: Problem[] }> {
    const problems: Problem[] = [];
    if (s.destinationId !== this.o.destinationId)
      return {
        problems: [
          problem('invalid-destination', 'Falsches Ziel', 'Die Einreichung ist für ein anderes Ziel.', 'submission'),
        ],
      };
    const decrypt = async (jwe: string, instance: string): Promise<Uint8Array | undefined> => {
      try {
        return await decryptPart(jwe, this.o.encryptionKey);
      } catch (err) {
        if (!(err instanceof DecryptionError)) throw err;
        problems.push(
          problem(
            'encryption-issue',
            'Entschlüsselung fehlgeschlagen',
            `Nicht entschlüsselbar: ${err.message}.`,
            instance,
          ),
        );
        return undefined;
      }
    };
    const parse = (bytes: Uint8Array | undefined, instance: string): unknown => {
      if (!bytes) return undefined;
      try {
        return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        problems.push(
          problem(
            'syntax-violation',
            'Kein gültiges JSON',
            'Der entschlüsselte Inhalt ist kein gültiges JSON.',
            instance,
          ),
        );
        return undefined;
      }
    };

    // Metadata: decrypted, parsed, and checked against the published schema of the version it names.
    const metadataRaw = parse(await decrypt(s.encryptedMetadata, 'metadata'), 'metadata');
    let metadata: Metadata | undefined;
    if (metadataRaw !== undefined) {
      const check = checkMetadata(metadataRaw, this.o.metadataVersions ?? DECLARED_METADATA_VERSIONS);
      if (check.ok) metadata = metadataRaw as Metadata;
      else
        problems.push(
          problem(
            'metadata-schema-violation',
            'Metadaten ungültig',
            `Die Metadaten entsprechen nicht dem Metadatenschema: ${check.violations
              .slice(0, 50)
              .map((v) => `${v.pointer} ${v.message}`)
              .join('; ')}`,
            'metadata',
          ),
        );
    }
    const content = metadata?.contentStructure;

    // Attachments: every announced one decrypts, is described in the metadata and matches its hash.
    const attachmentTags: Record<string, string> = {};
    const attachmentBytes: Array<{ fileName: string; bytes: Uint8Array }> = [];
    const described = new Map((content?.attachments ?? []).map((a) => [a.attachmentId, a]));
    for (const attachmentId of s.attachments) {
      const instance = `attachment:${attachmentId}`;
      const jwe = await this.o.api.getAttachment(s.submissionId, attachmentId);
      const bytes = await decrypt(jwe, instance);
      if (bytes) attachmentTags[attachmentId] = authenticationTagOf(jwe);
      const meta = described.get(attachmentId);
      if (bytes) attachmentBytes.push({ fileName: meta?.filename ?? `${attachmentId}.bin`, bytes });
      if (content && !meta)
        problems.push(
          problem(
            'missing-attachment-metadata',
            'Anlage nicht beschrieben',
            'Die Metadaten beschreiben diese Anlage nicht.',
            instance,
          ),
        );
      if (bytes && meta && sha512Hex(bytes) !== meta.hash.content) problems.push(hashMismatch(instance));
    }
    for (const a of content?.attachments ?? [])
      if (!s.attachments.includes(a.attachmentId))
        problems.push(
          problem(
            'missing-attachment',
            'Anlage fehlt',
            'Die Metadaten nennen eine Anlage, die nicht übermittelt wurde.',
            `attachment:${a.attachmentId}`,
          ),
        );

    // Data: decrypted, matching its hash, JSON.
    let data: unknown;
    if (!s.encryptedData || (content && !content.data))
      problems.push(problem('missing-data', 'Fachdaten fehlen', 'Die Einreichung enthält keine Fachdaten.', 'data'));
    else {
      const bytes = await decrypt(s.encryptedData, 'data');
      if (bytes && content?.data && sha512Hex(bytes) !== content.data.hash.content) problems.push(hashMismatch('data'));
      data = parse(bytes, 'data');
    }

    // The service: a LeiKa key this destination offers, and one of the data schema URIs it publishes for it.
    const serviceKey = LEIKA_URN.exec(s.serviceType.identifier)?.[1];
    const service = serviceKey ? this.offered().get(serviceKey) : undefined;
    if (!service)
      problems.push(
        problem(
          'unsupported-service',
          'Leistung nicht angeboten',
          `Die Leistung ${s.serviceType.identifier} wird an diesem Ziel nicht angeboten.`,
          'submission',
        ),
      );
    let schemaVersion: string | undefined;
    const objecting =
      service !== undefined &&
      hasObjectionProcedure(service) &&
      content?.data?.submissionSchema.schemaUri === fitConnectObjectionSchemaUri(service.key) &&
      content.data.submissionSchema.mimeType === 'application/json';
    if (service && content?.data && !objecting) {
      const { schemaUri, mimeType } = content.data.submissionSchema;
      schemaVersion = Object.keys(service.schemas).find((v) => fitConnectSchemaUri(service.key, v) === schemaUri);
      if (!schemaVersion || mimeType !== 'application/json')
        problems.push(
          problem(
            'unsupported-schema',
            'Schema nicht unterstützt',
            `Die Fachdaten folgen ${schemaUri} (${mimeType}); dieses Ziel veröffentlicht für diese Leistung ${Object.keys(
              service.schemas,
            )
              .map((v) => fitConnectSchemaUri(service.key, v))
              .join(', ')} (application/json).`,
            'data',
          ),
        );
    }
    // An objection: the case it is against and its reasons, as the published objection schema describes them.
    let objection: Opened['objection'];
    if (objecting && data !== undefined) {
      const d = data as { vorgang?: unknown; begruendung?: unknown } | null;
      const extra =
        d && typeof d === 'object' ? Object.keys(d).filter((k) => k !== 'vorgang' && k !== 'begruendung') : [];
      if (
        !d ||
        typeof d !== 'object' ||
        typeof d.vorgang !== 'string' ||
        !new RegExp(OBJECTION_DATA_SCHEMA.properties.vorgang.pattern).test(d.vorgang) ||
        typeof d.begruendung !== 'string' ||
        d.begruendung.trim() === '' ||
        d.begruendung.length > OBJECTION_DATA_SCHEMA.properties.begruendung.maxLength ||
        extra.length > 0
      )
        problems.push(
          problem(
            'data-schema-violation',
            'Fachdaten ungültig',
            'Ein Widerspruch nennt die Vorgangsnummer (/vorgang) und eine Begründung (/begruendung), sonst nichts' +
              `${extra.length ? ` (nicht erwartet: ${extra.map((k) => `/${k}`).join(', ')})` : ''}.`,
            'data',
          ),
        );
      else
        objection = {
          caseId: d.vorgang,
          reasons: d.begruendung,
          attachments: attachmentBytes.map((a) => ({ fileName: a.fileName, bytes: a.bytes })),
        };
    }

    // The application as the published data schema describes it; the consent declaration read off it.
    let application: Record<string, unknown> | undefined;
    let consent: Consent | undefined;
    if (service && schemaVersion && data !== undefined) {
      if (typeof data !== 'object' || data === null || Array.isArray(data))
        problems.push(
          problem('data-schema-violation', 'Fachdaten ungültig', 'Die Fachdaten sind kein Objekt.', 'data'),
        );
      else {
        const { [CONSENT_FIELD]: declared, ...rest } = data as Record<string, unknown>;
        if (declared !== undefined && typeof declared !== 'boolean')
          problems.push(
            problem(
              'data-schema-violation',
              'Fachdaten ungültig',
              `/${CONSENT_FIELD} muss wahr oder falsch sein.`,
              'data',
            ),
          );
        const checked = validateApplication(service, schemaVersion, rest);
        if (!checked.valid)
          problems.push(
            problem(
              'data-schema-violation',
              'Fachdaten ungültig',
              `Die Fachdaten entsprechen nicht dem Schema: ${checked.errors
                .map((e) => `${e.pointer} (${e.code}): ${e.message}`)
                .join('; ')}`,
              'data',
            ),
          );
        application = rest;
        if (typeof declared === 'boolean') consent = { evidenceRetrieval: declared };
      }
    }

    // The applicant: an identification report signed by a trusted eID service, or (where configured) the engine's
    // own ID token; without any, only a service whose lowest trust level suffices.
    const identity = metadata ? await this.identityOf(s, metadata, service, problems) : undefined;

    if (problems.length || !service || !(application || objection) || !identity || !metadata) return { problems };
    return {
      service,
      identity,
      application: application ?? {},
      ...(objection && { objection }),
      ...(consent && { consent }),
      facts: { payment: paymentOf(metadata.paymentInformation), replyChannel: replyChannelOf(metadata.replyChannel) },
      tags: {
        metadata: authenticationTagOf(s.encryptedMetadata),
        data: authenticationTagOf(s.encryptedData!),
        attachments: attachmentTags,
      },
    };
  }

  private async identityOf(
    s: EncryptedSubmission,
    metadata: Metadata,
    service: ServiceDefinition | undefined,
    problems: Problem[],
  ): Promise<IdentityAssertion | undefined> {
    const reports = (metadata.authenticationInformation ?? []).filter((a) => a.type === 'identificationReport');
    const failures: string[] = [];
    let identity: IdentityAssertion | undefined;
    for (const report of reports) {
      try {
        identity = await this.verifyReport(report.content);
        break;
      } catch (err) {
        if (err instanceof IdentificationReportError || err instanceof IdentityRejectedError)
          failures.push(err.message);
        else throw err;
      }
    }
    if (!identity && failures.length) {
      problems.push(
        problem('invalid-authentication-info', 'Identitätsnachweis ungültig', failures.join(' '), 'metadata'),
      );
      return undefined;
    }
    if (!identity) {
      // No identification: acceptable only where the service asks for no more than the lowest trust level.
      if (service && service.minimumTrustLevel !== 'low') {
        problems.push(
          problem(
            'missing-authentication-info',
            'Identitätsnachweis fehlt',
            'Für diese Leistung ist ein Identitätsnachweis (authenticationInformation) erforderlich.',
            'metadata',
          ),
        );
        return undefined;
      }
      identity = { subject: `fit-connect-submission:${s.submissionId}`, trustLevel: 'low' };
    }
    if (service) {
      const level = checkTrustLevel(service.key, identity);
      if (!level.sufficient) {
        problems.push(
          problem('insufficient-trust-level', 'Vertrauensniveau nicht ausreichend', level.reason ?? '', 'metadata'),
        );
        return undefined;
      }
    }
    return identity;
  }

  /** An identification report (x5c-signed JWS) or, if configured, an ID token of the engine's own provider. */
  private async verifyReport(content: string): Promise<IdentityAssertion> {
    let x5c: unknown;
    try {
      x5c = decodeProtectedHeader(content).x5c;
    } catch {
      throw new IdentificationReportError('Der Identitätsnachweis ist keine signierte JWS-Nachricht.');
    }
    if (x5c === undefined && this.o.idTokens) return this.o.idTokens.verify(content);
    const r = await verifyIdentificationReport(content, this.o.eidTrustAnchors);
    return { subject: r.subject, trustLevel: r.trustLevel, issuer: r.issuer, ...(r.name && { name: r.name }) };
  }

  private offered(): Map<string, ServiceDefinition> {
    return new Map(
      destinationServices(this.o.authorityId).map((d) => {
        const key = LEIKA_URN.exec(d.identifier)![1]!;
        return [key, listServices().find((s) => s.key === key)!];
      }),
    );
  }

  /** The authentication tags of a submission's encrypted parts, read without decrypting them. */
  private async tagsOf(s: EncryptedSubmission): Promise<AuthenticationTags> {
    const attachments: Record<string, string> = {};
    for (const attachmentId of s.attachments)
      attachments[attachmentId] = authenticationTagOf(await this.o.api.getAttachment(s.submissionId, attachmentId));
    return {
      metadata: authenticationTagOf(s.encryptedMetadata),
      data: authenticationTagOf(s.encryptedData ?? ''),
      attachments,
    };
  }
}

interface Metadata {
  contentStructure: {
    data?: { hash: { type: 'sha512'; content: string }; submissionSchema: { schemaUri: string; mimeType: string } };
    attachments: Array<{ attachmentId: string; hash: { type: 'sha512'; content: string }; filename?: string }>;
  };
  authenticationInformation?: Array<{ type: string; version: string; content: string }>;
  paymentInformation?: unknown;
  replyChannel?: unknown;
}

const hashMismatch = (instance: string) =>
  problem(
    'hash-mismatch',
    'Prüfsumme stimmt nicht',
    'Die SHA-512-Prüfsumme des Inhalts stimmt nicht mit den Metadaten überein.',
    instance,
  );

/** Intake's refusal as reject problems: field pointers and codes only, never the submitted values. */
function refusalProblems(err: IntakeRefusedError): Problem[] {
  if (err.code === 'invalid_application')
    return [
      problem(
        'data-schema-violation',
        'Fachdaten ungültig',
        `${err.message} ${err.errors.map((e) => `${e.pointer} (${e.code}): ${e.message}`).join('; ')}`.trim(),
        'data',
      ),
    ];
  if (err.code === 'unknown_service' || err.code === 'unknown_authority')
    return [problem('unsupported-service', 'Leistung nicht angeboten', err.message, 'submission')];
  return [problem(`intake-refused/${err.code}`, 'Antrag nicht angenommen', err.message, 'submission')];
}
