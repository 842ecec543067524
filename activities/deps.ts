import type { ArchiveStore } from '../adapters/archive-store.js';
import type { PaymentsDeps } from '../adapters/payments.js';
import type { Assistant } from '../adapters/assistant/assistant.js';
import type { DocumentStore } from '../adapters/document-store.js';
import type { Postbox } from '../adapters/postbox.js';
import type { Registers } from '../adapters/registers.js';
import type { Sealer } from '../adapters/sealer.js';
import type { Database } from '../db/client.js';
import type { ForwardingChannel } from '../adapters/forwarding.js';
import type { StatusChannel } from '../adapters/status-messages.js';

/** Everything activities touch, built once by the worker and passed in. */
export interface ActivityDeps {
  db: Database;
  registers: Registers;
  documents: DocumentStore;
  sealer: Sealer;
  archive: ArchiveStore;
  postbox: Postbox;
  /** Where the public verification endpoint is reached; the seal's QR code points there. */
  publicBaseUrl: string;
  payments: PaymentsDeps;
  /** The optional dialogue assistant; its output never feeds a decision or a delivery. */
  assistant: Assistant;
  /** Status messages to the applicant's postbox; absent: milestones are not announced. */
  statusChannel?: StatusChannel;
  /** Where forwarded case data goes (Gewerbeanzeige recipients); absent: forwarding is recorded as not configured. */
  forwarding?: ForwardingChannel;
}
