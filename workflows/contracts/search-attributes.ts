import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Search attributes are not encrypted: they carry ids and states, never personal data.
export const CaseIdKey = defineSearchAttributeKey('CaseId', SearchAttributeType.KEYWORD);
export const ServiceKeyKey = defineSearchAttributeKey('ServiceKey', SearchAttributeType.KEYWORD);
export const AuthorityIdKey = defineSearchAttributeKey('AuthorityId', SearchAttributeType.KEYWORD);
export const CaseStatusKey = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const CaseOutcomeKey = defineSearchAttributeKey('CaseOutcome', SearchAttributeType.KEYWORD);

/** Set while the case waits for an operator: the incident type (workflows/contracts/incidents.ts), never personal data. */
export const CaseIncidentKey = defineSearchAttributeKey('CaseIncident', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [
  CaseIdKey,
  ServiceKeyKey,
  AuthorityIdKey,
  CaseStatusKey,
  CaseOutcomeKey,
  CaseIncidentKey,
];
