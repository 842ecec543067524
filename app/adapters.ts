import type { ActivityDeps } from '../activities/index.js';
import { BlobArchiveStore } from '../adapters/archive-store.js';
import { DocumentStore } from '../adapters/document-store.js';
import { HttpPostbox } from '../adapters/http-postbox.js';
import type { PaymentsDeps } from '../adapters/payments.js';
import { HttpPaymentProvider } from '../adapters/payments-http.js';
import { DatabasePostbox, type Postbox } from '../adapters/postbox.js';
import { ReplyChannelPostbox, ReplyChannelStatus } from '../adapters/fit-connect/reply-channel.js';
import { DatabaseSubmissionFacts } from '../adapters/fit-connect/submission-facts.js';
import { HttpMailGateway } from '../adapters/mail-gateway.js';
import {
  allRegistersAt,
  HttpRegisters,
  RegistersByName,
  UnconnectedRegister,
  type Registers,
} from '../adapters/registers.js';
import type { SealKeyStore } from '../adapters/seal-keys.js';
import { PdfSealer } from '../adapters/sealer.js';
import { Assistant } from '../adapters/assistant/assistant.js';
import { chatModelFrom, type ChatModel } from '../adapters/assistant/chat-client.js';
import type { Config } from '../platform/config.js';
import type { EngineMetrics } from '../platform/metrics.js';
import type { Database } from '../db/client.js';
import { FolderBlobStore, type BlobStore } from '../adapters/blob-store/blob-store.js';
import { HttpForwarding } from '../adapters/forwarding.js';
import { HttpStatusChannel } from '../adapters/status-messages.js';
import { openBlobStore } from '../adapters/blob-store/index.js';

export interface AdapterOptions {
  publicBaseUrl: string;
  /** A postbox over HTTP; unset means the database-only postbox. */
  postboxUrl?: string;
  sealKeys: SealKeyStore;
  payments: PaymentsDeps;
  /** The dialogue assistant's model; unset means the assistant is off. */
  model?: ChatModel;
  /** Where documents and archive packages live; unset means folders under the data folder. */
  blobs?: BlobStore;
  /** Recipients of forwarded case data (Gewerbeanzeige); unset means no forwarding. */
  forwardingUrl?: string;
  /** Mails to applicants whose FIT-Connect reply channel is e-mail; unset means those replies go to the postbox. */
  mailGatewayUrl?: string;
}

/** Adapters over the shared blob store (documents, archive packages) and the configured outside systems. */
export function activityDeps(dataDir: string, db: Database, registers: Registers, o: AdapterOptions): ActivityDeps {
  const blobs = o.blobs ?? new FolderBlobStore(dataDir);
  const documents = new DocumentStore(blobs);
  return {
    db,
    registers,
    payments: o.payments,
    documents,
    sealer: new PdfSealer(o.sealKeys),
    archive: new BlobArchiveStore(blobs),
    ...replyChannels(
      db,
      o,
      o.postboxUrl ? new HttpPostbox({ url: o.postboxUrl, documents, db }) : new DatabasePostbox(db),
    ),
    publicBaseUrl: o.publicBaseUrl,
    assistant: new Assistant(o.model ?? chatModelFrom(undefined), db),
    ...outboundChannels(o),
  };
}

/** The postbox as the workers use it (the applicant's reply channel included): the workbench sends letters through it. */
export function applicantPostbox(
  db: Database,
  documents: DocumentStore,
  o: Pick<AdapterOptions, 'postboxUrl' | 'mailGatewayUrl' | 'publicBaseUrl'>,
): Postbox {
  const base = o.postboxUrl ? new HttpPostbox({ url: o.postboxUrl, documents, db }) : new DatabasePostbox(db);
  return replyChannels(db, o as AdapterOptions, base).postbox;
}

/**
 * The Bescheid and status messages go where the applicant asked (FIT-Connect `replyChannel`): e-mail with a download
 * link through the mail gateway, else the postbox, whose status channel exists only where a postbox URL is configured.
 */
function replyChannels(db: Database, o: AdapterOptions, postbox: Postbox) {
  const facts = new DatabaseSubmissionFacts(db);
  const mailer = o.mailGatewayUrl ? new HttpMailGateway(o.mailGatewayUrl) : undefined;
  const status = o.postboxUrl ? new HttpStatusChannel(o.postboxUrl) : undefined;
  return {
    postbox: new ReplyChannelPostbox(postbox, {
      facts,
      db,
      mailer,
      downloadUrl: (caseId, sha256) => `${o.publicBaseUrl}/cases/${caseId}/documents/${sha256}`,
    }),
    ...((status || mailer) && { statusChannel: new ReplyChannelStatus(status, { facts, mailer }) }),
  };
}

/** Forwarded notices go to their recipients where configured. */
function outboundChannels(o: AdapterOptions) {
  return {
    ...(o.forwardingUrl && { forwarding: new HttpForwarding(o.forwardingUrl) }),
  };
}

/** The registers over HTTP at one base URL (the real ones behind a gateway); nothing is answered from seeded records. */
export const httpRegisters = (baseUrl: string, timeoutMs: number): Registers =>
  new RegistersByName(
    { permits: new UnconnectedRegister() },
    new HttpRegisters({ endpoints: allRegistersAt(baseUrl), timeoutMs }),
  );

/** The payment provider; its webhooks reach the engine at the public base URL. */
export const configuredPayments = (providerUrl: string, publicBaseUrl: string): PaymentsDeps => ({
  provider: new HttpPaymentProvider(providerUrl),
  portalUrl: publicBaseUrl,
  notifyUrl: `${publicBaseUrl}/payments/webhook`,
});

/** Every adapter from configuration (and the registers the development stack passes): no stand-in is started here. */
export function configuredActivityDeps(
  config: Config,
  db: Database,
  sealKeys: SealKeyStore,
  metrics?: EngineMetrics,
  registersOverride?: Registers,
): ActivityDeps {
  const registers = registersOverride ?? httpRegisters(config.registerBaseUrl!, config.registerTimeoutMs);
  return activityDeps(config.dataDir, db, metrics ? metrics.measure(registers) : registers, {
    publicBaseUrl: config.publicBaseUrl,
    postboxUrl: config.postboxUrl,
    sealKeys,
    payments: configuredPayments(config.paymentProviderUrl!, config.publicBaseUrl),
    model: chatModelFrom(config.assistant),
    blobs: openBlobStore(config.blobStore, db),
    forwardingUrl: config.forwardingUrl,
    mailGatewayUrl: config.mailGatewayUrl,
  });
}
