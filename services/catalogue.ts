import { anwohnerparken } from './anwohnerparken.js';
import type { CasePlan, ServiceDefinition } from './types.js';

const services: ServiceDefinition[] = [anwohnerparken];

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

export function planFor(service: ServiceDefinition, authorityId: string): CasePlan {
  const escalation = { ...service.escalation, ...service.authorities[authorityId]?.escalation };
  return { minimumTrustLevel: service.minimumTrustLevel, evidence: service.evidence, feeTiming: service.fee.timing, fourEyes: escalation.fourEyes ?? false };
}
