import { createApplicantMessageActivities } from './applicant-messages.js';
import { createArchiveActivities } from './archive.js';
import { createBekanntgabeActivities } from './bekanntgabe.js';
import { createAssistantActivities } from './assistant.js';
import { createCaseRecordActivities } from './case-record.js';
import { createDecisionActivities } from './decision.js';
import { createDeliveryActivities } from './delivery.js';
import type { ActivityDeps } from './deps.js';
import { createDocumentActivities } from './documents.js';
import { createEvidenceActivities } from './evidence.js';
import { createFeeActivities } from './fees.js';
import { createIncidentActivities } from './incidents.js';
import { createIntakeActivities } from './intake.js';
import { reliably } from './reliable.js';
import { createOutboundActivities } from './outbound.js';
import { createRetentionActivities } from './retention.js';
import { createTaskActivities } from './tasks.js';
import { createWithdrawalActivities } from './withdrawal.js';
import { createObjectionActivities } from './objection.js';
import { createCorrectionActivities } from './correction.js';
import { createHearingActivities } from './hearing.js';
import { createFictionActivities } from './fiction.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  return reliably({
    ...createCaseRecordActivities(deps),
    ...createIntakeActivities(deps),
    ...createEvidenceActivities(deps),
    ...createApplicantMessageActivities(deps),
    ...createFeeActivities(deps),
    ...createDecisionActivities(deps),
    ...createTaskActivities(deps),
    ...createDocumentActivities(deps),
    ...createDeliveryActivities(deps),
    ...createArchiveActivities(deps),
    ...createAssistantActivities(deps),
    ...createIncidentActivities(deps),
    ...createOutboundActivities(deps),
    ...createRetentionActivities(deps),
    ...createBekanntgabeActivities(deps),
    ...createWithdrawalActivities(deps),
    ...createObjectionActivities(deps),
    ...createCorrectionActivities(deps),
    ...createHearingActivities(deps),
    ...createFictionActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
