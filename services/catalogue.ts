import { anwohnerparken } from './anwohnerparken.js';
import { exampleFeeAfterDecision } from './example-fee-after-decision.js';
import { examplePayout } from './example-payout.js';
import type { CasePlan, ServiceDefinition } from './types.js';

const services: ServiceDefinition[] = [anwohnerparken, exampleFeeAfterDecision, examplePayout];

export class UnknownServiceError extends Error {
  constructor(readonly serviceKey: string) {
    super(`Unknown service "${serviceKey}"`);
  }
}

export function listServices(): readonly ServiceDefinition[] {
  return services;
}

export function findService(serviceKey: string): ServiceDefinition {
  const service = services.find((s) => s.key === serviceKey);
  if (!service) throw new UnknownServiceError(serviceKey);
  return service;
}

export function planFor(service: ServiceDefinition): CasePlan {
  return { minimumTrustLevel: service.minimumTrustLevel, evidence: service.evidence, feeTiming: service.fee.timing, refundOnRejection: service.fee.refundOn?.includes('rejected') ?? false };
}
