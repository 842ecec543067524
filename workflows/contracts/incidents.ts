/** How an operator resolves an incident: retry after a fix, hand the case to a case worker, or close it. */
export const INCIDENT_ACTIONS = ['retry', 'hand_to_case_worker', 'close'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** Permanent failures no retry can cure; each is a typed, non-retryable failure and marks the case for an operator. */
export const INCIDENT_TYPES = {
  UnknownService:
    'The case names a service this engine does not offer: restore the service in the catalogue and retry, or close.',
  UnknownAuthority: 'The authority does not (any longer) offer the service: restore its settings and retry, or close.',
  UnknownRuleSet:
    'The pinned rule set version is missing: restore the released rule file and retry, or hand to a case worker.',
  RuleSetChanged:
    'The rule file no longer has the hash pinned at submission: restore the released file and retry, or hand to a case worker.',
  EventChainBroken:
    'The case event log does not verify: investigate (npm run verify-events), repair from backup and retry, or close.',
  RegisterRefusedRequest:
    'A register refused the request as malformed (HTTP 4xx): fix the adapter or the register binding and retry, or hand to a case worker.',
  UnrenderableText: 'The Bescheid cannot render a character of the case: fix the template or font and retry, or close.',
} as const;
export type IncidentType = keyof typeof INCIDENT_TYPES;

export const isIncidentType = (t: string | undefined): t is IncidentType =>
  t !== undefined && Object.hasOwn(INCIDENT_TYPES, t);

export interface IncidentRecord {
  incidentId: string;
  caseId: string;
  activity: string;
  type: IncidentType;
  /** The failure's message: typed failures carry ids and hashes, never personal data. */
  message: string;
  actions: IncidentAction[];
}

export interface IncidentResolution {
  incidentId: string;
  action: IncidentAction;
  /** The operator's id. */
  by: string;
}
