import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { JWK } from 'jose';
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
  FitConnectHttpError,
  type EncryptedSubmission,
  type SubmissionApi,
} from '../../adapters/fit-connect/submission-api.js';
import type { Consent } from '../../workflows/contracts/case.js';
import { IdentityRejectedError, type TokenVerifier } from '../../platform/identity/token-verifier.js';
import type { Logger } from '../../platform/logger.js';
import { findAuthority, findService, UnknownAuthorityError, UnknownServiceError } from '../../services/catalogue.js';
import { caseIdFromKey, type CaseClient } from '../../client/case-client.js';
import { IntakeRefusedError } from '../../client/intake-refused.js';

const metadataSchema = JSON.parse(
  readFileSync(new URL('../../adapters/fit-connect/metadata.schema.json', import.meta.url), 'utf8'),
) as object;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validMetadata = ajv.compile(metadataSchema);

/** The data part this engine takes: the application as the service's schema says, and the applicant's consent. */
const validEnvelope = ajv.compile({
  type: 'object',
  required: ['application'],
  additionalProperties: false,
  properties: {
    application: { type: 'object' },
    consent: {
      type: 'object',
      required: ['evidenceRetrieval'],
      additionalProperties: false,
      properties: { evidenceRetrieval: { type: 'boolean' } },
    },
  },
});

const LEIKA_URN = /^urn:de:fim:leika:leistung:(\d{14})$/;
/** Submissions one poll decrypts and starts at once (RSA 4096 and a workflow start each). */
const POLL_CONCURRENCY = 8;

/** The `schemaUri` of a service's application data, by schema version: what senders name in the metadata. */
export const fitConnectSchemaUri = (serviceKey: string, schemaVersion: string) =>
  `urn:ozg-case-engine:schema:${serviceKey}:v${schemaVersion}`;

/**
 * The engine's case id of a FIT-Connect submission: one submission id, one case, however often it is fetched. Scoped by
 * destination, not by applicant, so the receiver knows it before (and without) checking the identity report again.
 */
export const fitConnectIdempotencyScope = (destinationId: string) => `fit-connect:${destinationId}`;
export const fitConnectCaseId = (destinationId: string, submissionId: string) =>
  caseIdFromKey(fitConnectIdempotencyScope(destinationId), submissionId);

/**
 * Problem types of reject events. FIT-Connect's docs name a catalogue under this prefix; the names below are this
 * engine's reading of it, not checked against the catalogue (see README).
 */
const PROBLEM = 'https://schema.fitko.de/fit-connect/events/problems/';
const problem = (name: string, title: string, detail: string, instance: string): Problem => ({
  type: `${PROBLEM}${name}`,
  title,
  detail,
  instance,
});

class Rejection extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.type).join(', '));
  }
}

export interface FitConnectReceiverOptions {
  api: SubmissionApi;
  destinationId: string;
  /** The authority this destination belongs to: its cases are started for it. */
  authorityId: string;
  /** The destination's private keys: decryption (RSA-OAEP-256) and event signing (PS512). */
  encryptionKey: JWK;
  signingKey: JWK;
  cases: CaseClient;
  /** Verifies the identity report (an OpenID Connect identity token) in `authenticationInformation`. */
  identity: TokenVerifier;
  logger?: Logger;
}

export type ReceiveOutcome =
  | { submissionId: string; result: 'accepted'; caseId: string; duplicate: boolean }
  | { submissionId: string; result: 'rejected'; problems: Problem[] }
  | { submissionId: string; result: 'failed'; error: string };

/**
 * The engine as a FIT-Connect destination: fetches each submission, decrypts and checks it, and starts the case
 * (then sends `accept-submission`) or sends `reject-submission` with its problems. A submission that fails for a
 * passing reason (network, Temporal) stays at the delivery service and is fetched again on the next poll.
 * No personal data is logged: only submission ids, case ids and problem types.
 */
export class FitConnectReceiver {
  private readonly inFlight = new Map<string, Promise<ReceiveOutcome>>();
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
    let opened: Awaited<ReturnType<FitConnectReceiver['open']>>;
    try {
      opened = await this.open(submission);
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      return this.reject(submission, err.problems);
    }
    try {
      const started = await this.o.cases.submit(
        {
          serviceKey: opened.service.key,
          authorityId: this.o.authorityId,
          identity: opened.identity,
          application: opened.application,
          consent: opened.consent,
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
      if (err instanceof IntakeRefusedError) return this.reject(submission, [refusalProblem(err)]);
      log?.warn({ submissionId, err: { type: (err as Error).name } }, 'FIT-Connect submission left for the next poll');
      return { submissionId, result: 'failed', error: (err as Error).message };
    }
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

  /** Decrypts and checks everything, in the order FIT-Connect's verification steps name; throws a Rejection with the problems. */
  private async open(s: EncryptedSubmission) {
    if (s.destinationId !== this.o.destinationId)
      throw new Rejection([
        problem('invalid-destination', 'Falsches Ziel', 'Die Einreichung ist für ein anderes Ziel.', 'submission'),
      ]);
    const metadataBytes = await this.decrypt(s.encryptedMetadata, 'metadata');
    const metadata = parseJson(metadataBytes, 'metadata') as Metadata;
    if (!validMetadata(metadata)) {
      throw new Rejection([
        problem(
          'metadata-schema-violation',
          'Metadaten ungültig',
          `Die Metadaten entsprechen nicht dem Metadatenschema: ${violations(validMetadata.errors)}`,
          'metadata',
        ),
      ]);
    }
    const content = metadata.contentStructure;
    const problems: Problem[] = [];
    // Attachments: every announced one is described in the metadata, and each matches its hash.
    const attachmentTags: Record<string, string> = {};
    const described = new Map(content.attachments.map((a) => [a.attachmentId, a]));
    for (const attachmentId of s.attachments) {
      const meta = described.get(attachmentId);
      if (!meta) {
        problems.push(
          problem(
            'missing-attachment-metadata',
            'Anlage nicht beschrieben',
            'Die Metadaten beschreiben diese Anlage nicht.',
            `attachment:${attachmentId}`,
          ),
        );
        continue;
      }
      const jwe = await this.o.api.getAttachment(s.submissionId, attachmentId);
      const bytes = await this.decrypt(jwe, `attachment:${attachmentId}`);
      attachmentTags[attachmentId] = authenticationTagOf(jwe);
      if (sha512Hex(bytes) !== meta.hash.content) problems.push(hashMismatch(`attachment:${attachmentId}`));
    }
    for (const a of content.attachments)
      if (!s.attachments.includes(a.attachmentId))
        problems.push(
          problem(
            'missing-attachment',
            'Anlage fehlt',
            'Die Metadaten nennen eine Anlage, die nicht übermittelt wurde.',
            `attachment:${a.attachmentId}`,
          ),
        );
    if (!s.encryptedData || !content.data)
      throw new Rejection([
        ...problems,
        problem('missing-data', 'Fachdaten fehlen', 'Die Einreichung enthält keine Fachdaten.', 'data'),
      ]);
    const dataBytes = await this.decrypt(s.encryptedData, 'data');
    if (sha512Hex(dataBytes) !== content.data.hash.content) problems.push(hashMismatch('data'));
    if (problems.length) throw new Rejection(problems);

    // The service: a LeiKa key this destination's authority offers, and the schema the data says it follows.
    const serviceKey = LEIKA_URN.exec(s.serviceType.identifier)?.[1];
    const service = serviceKey ? knownService(serviceKey, this.o.authorityId) : undefined;
    if (!service || !serviceKey)
      throw new Rejection([
        problem(
          'unsupported-service',
          'Leistung nicht angeboten',
          `Die Leistung ${s.serviceType.identifier} wird an diesem Ziel nicht angeboten.`,
          'submission',
        ),
      ]);
    const schemaUri = content.data.submissionSchema.schemaUri;
    const expected = fitConnectSchemaUri(serviceKey, service.currentSchemaVersion);
    if (schemaUri !== expected || content.data.submissionSchema.mimeType !== 'application/json')
      throw new Rejection([
        problem(
          'unsupported-schema',
          'Schema nicht unterstützt',
          `Die Fachdaten folgen ${schemaUri}; dieses Ziel nimmt für diese Leistung ${expected} (application/json).`,
          'data',
        ),
      ]);
    const data = parseJson(dataBytes, 'data');
    if (!validEnvelope(data)) {
      throw new Rejection([
        problem(
          'data-schema-violation',
          'Fachdaten ungültig',
          `Die Fachdaten entsprechen nicht dem Schema: ${violations(validEnvelope.errors)}`,
          'data',
        ),
      ]);
    }
    const envelope = data as { application: Record<string, unknown>; consent?: Consent };

    // The applicant: the identity report (an identity token of the configured provider) the online service attached.
    const report = metadata.authenticationInformation?.find((a) => a.type === 'identificationReport');
    if (!report)
      throw new Rejection([
        problem(
          'missing-authentication-info',
          'Identitätsnachweis fehlt',
          'Die Metadaten enthalten keinen Identitätsnachweis (authenticationInformation).',
          'metadata',
        ),
      ]);
    let identity;
    try {
      identity = await this.o.identity.verify(report.content);
    } catch (err) {
      if (!(err instanceof IdentityRejectedError)) throw err;
      throw new Rejection([
        problem('invalid-authentication-info', 'Identitätsnachweis ungültig', err.message, 'metadata'),
      ]);
    }
    const tags: AuthenticationTags = {
      metadata: authenticationTagOf(s.encryptedMetadata),
      data: authenticationTagOf(s.encryptedData),
      attachments: attachmentTags,
    };
    return { service, identity, application: envelope.application, consent: envelope.consent, tags };
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

  private async decrypt(jwe: string, instance: string): Promise<Uint8Array> {
    try {
      return await decryptPart(jwe, this.o.encryptionKey);
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err;
      throw new Rejection([
        problem(
          'encryption-issue',
          'Entschlüsselung fehlgeschlagen',
          `Nicht entschlüsselbar: ${err.message}.`,
          instance,
        ),
      ]);
    }
  }
}

interface Metadata {
  contentStructure: {
    data?: { hash: { type: 'sha512'; content: string }; submissionSchema: { schemaUri: string; mimeType: string } };
    attachments: Array<{ attachmentId: string; hash: { type: 'sha512'; content: string } }>;
  };
  authenticationInformation?: Array<{ type: string; version: string; content: string }>;
}

function parseJson(bytes: Uint8Array, instance: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new Rejection([
      problem('syntax-violation', 'Kein gültiges JSON', 'Der entschlüsselte Inhalt ist kein gültiges JSON.', instance),
    ]);
  }
}

const hashMismatch = (instance: string) =>
  problem(
    'hash-mismatch',
    'Prüfsumme stimmt nicht',
    'Die SHA-512-Prüfsumme des Inhalts stimmt nicht mit den Metadaten überein.',
    instance,
  );

function knownService(serviceKey: string, authorityId: string) {
  try {
    const service = findService(serviceKey);
    findAuthority(service, authorityId);
    return service;
  } catch (err) {
    if (err instanceof UnknownServiceError || err instanceof UnknownAuthorityError) return undefined;
    throw err;
  }
}

/** Where a document breaks its schema, for a reject problem: the first ten places, pointers and messages, no values. */
function violations(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
}

/** Intake's refusal as a reject problem: field pointers and codes only, never the submitted values. */
function refusalProblem(err: IntakeRefusedError): Problem {
  if (err.code === 'invalid_application')
    return problem(
      'data-schema-violation',
      'Fachdaten ungültig',
      `${err.message} ${err.errors.map((e) => `${e.pointer} (${e.code}): ${e.message}`).join('; ')}`.trim(),
      'data',
    );
  if (err.code === 'unknown_service' || err.code === 'unknown_authority')
    return problem('unsupported-service', 'Leistung nicht angeboten', err.message, 'submission');
  return problem(`intake-refused/${err.code}`, 'Antrag nicht angenommen', err.message, 'submission');
}
