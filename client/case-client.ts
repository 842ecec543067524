import { createHash, randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { CaseDeadlines, CaseResult, CaseState, IdentityAssertion } from '../contracts/case.js';
import { caseWorkflowId, TASK_QUEUE } from '../contracts/ids.js';
import { caseStateQuery } from '../contracts/messages.js';
import { AuthorityIdKey, CaseIdKey, CaseStatusKey, ServiceKeyKey } from '../contracts/search-attributes.js';
import { findService } from '../services/catalogue.js';
import type { caseWorkflow } from '../workflows/case-workflow.js';

export interface SubmitApplication {
  serviceKey: string;
  authorityId: string;
  identity: IdentityAssertion;
  application: Record<string, unknown>;
  /** The same key submitted twice yields the same case, never a second one. */
  idempotencyKey?: string;
  deadlines?: Partial<CaseDeadlines>;
}

export interface SubmittedCase {
  caseId: string;
  workflowId: string;
  ruleSetVersion: string;
}

/** The typed way in for Fachverfahren teams; the HTTP API is built on it. */
export class CaseClient {
  constructor(private readonly client: Client, private readonly taskQueue = TASK_QUEUE) {}

  async submit(a: SubmitApplication): Promise<SubmittedCase> {
    const service = findService(a.serviceKey);
    if (!service.authorities[a.authorityId]) throw new Error(`authority ${a.authorityId} does not offer service ${a.serviceKey}`);
    const caseId = a.idempotencyKey ? caseIdFromKey(a.idempotencyKey) : randomUUID();
    const workflowId = caseWorkflowId(caseId);
    const ruleSetVersion = service.ruleSet.currentVersion;
    await this.client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
      taskQueue: this.taskQueue,
      workflowId,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [
        {
          caseId,
          serviceKey: a.serviceKey,
          authorityId: a.authorityId,
          schemaVersion: service.currentSchemaVersion,
          ruleSetVersion,
          submittedAt: new Date().toISOString(),
          identity: a.identity,
          application: a.application,
          deadlines: a.deadlines,
        },
      ],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: CaseIdKey, value: caseId },
        { key: ServiceKeyKey, value: a.serviceKey },
        { key: AuthorityIdKey, value: a.authorityId },
        { key: CaseStatusKey, value: 'received' },
      ]),
    });
    return { caseId, workflowId, ruleSetVersion };
  }

  status(caseId: string): Promise<CaseState> {
    return this.client.workflow.getHandle(caseWorkflowId(caseId)).query(caseStateQuery);
  }

  result(caseId: string): Promise<CaseResult> {
    return this.client.workflow.getHandle<typeof caseWorkflow>(caseWorkflowId(caseId)).result();
  }
}

// A UUID-shaped id derived from the idempotency key, so a repeated submission maps to the same workflow.
function caseIdFromKey(key: string): string {
  const h = createHash('sha256').update(`ozg-case:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
