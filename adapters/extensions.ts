import type { ArchiveStore } from './archive-store.js';
import type { PaymentProvider } from './payments.js';
import type { Postbox } from './postbox.js';
import type { Registers } from './registers.js';
import type { Sealer } from './sealer.js';
import type { ApplicationSource, Decision, EvidenceResult } from '../workflows/contracts/case.js';
import type { StepPoint } from '../services/types.js';

/** What a service's step activity receives: the case as it stands at the step's point. */
export interface StepInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  step: string;
  at: StepPoint;
  application: Record<string, unknown>;
  evidence: EvidenceResult[];
  /** Set after the decision. */
  decision?: Decision;
  /** Derived from the case and the step: pass it on to every outside system the step calls. */
  idempotencyKey: string;
}

/** What a step returns. After evidence, `facts` reach the rules as evidence named after the step. */
export interface StepResult {
  facts?: Record<string, unknown>;
  /** Recorded with the step's event in the case journal; no personal data. */
  note?: Record<string, unknown>;
}

/** A team's step: a Temporal activity (retried on failure), so it may call outside systems. */
export type StepHandler = (input: StepInput) => Promise<StepResult>;

/**
 * A step as the case calls it: the application by its Akte reference (claim-check); the engine reads it from the Akte
 * and hands the team's StepHandler the application itself.
 */
export type StepActivity = (input: Omit<StepInput, 'application'> & ApplicationSource) => Promise<StepResult>;

/** Outbound forwarding of a decided case to a recipient the rules named (e.g. a chamber, the tax office). */
export interface Forwarder {
  forward(f: {
    idempotencyKey: string;
    recipient: string;
    caseId: string;
    serviceKey: string;
    authorityId: string;
    decision: Decision;
  }): Promise<void>;
}

/**
 * Everything a Fachverfahren team plugs into the engine from its own code, without touching engine files:
 * evidence sources by register name, the payment provider, postbox, seal provider, archive, and step activities.
 * Unset parts keep the engine's own adapters.
 */
export interface EngineExtensions {
  /** Evidence sources by register name; a service's evidence names the register. They win over built-in ones. */
  registers?: Record<string, Registers>;
  payments?: PaymentProvider;
  postbox?: Postbox;
  sealer?: Sealer;
  archive?: ArchiveStore;
  /** Activities behind services' steps, by the name services use in `steps[].activity`. */
  steps?: Record<string, StepHandler>;
}

/** What an extension module may ask the engine for when it is built. */
export interface ExtensionContext {
  dataDir: string;
}

/** An extension module's default export: the extensions, or a function building them. */
export type ExtensionModule =
  | EngineExtensions
  | ((ctx: ExtensionContext) => EngineExtensions | Promise<EngineExtensions>);

/** Types an extension module's default export. */
export const defineExtensions = <E extends ExtensionModule>(e: E): E => e;

/** A step that forwards a decided case to each recipient its rules named, once per recipient. */
export function forwardingStep(forwarder: Forwarder): StepHandler {
  return async (i) => {
    const recipients = i.decision?.forwardTo ?? [];
    for (const recipient of recipients) {
      await forwarder.forward({
        idempotencyKey: `${i.idempotencyKey}:${recipient}`,
        recipient,
        caseId: i.caseId,
        serviceKey: i.serviceKey,
        authorityId: i.authorityId,
        decision: i.decision!,
      });
    }
    return { note: { forwardedTo: recipients.length } };
  };
}
