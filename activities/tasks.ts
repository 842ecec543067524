import type { CaseWorkerDecision } from '../contracts/case.js';
import { completeTask, createTask } from '../db/queries/tasks.js';
import type { ActivityDeps } from './deps.js';

export interface OpenTaskInput {
  taskId: string;
  caseId: string;
  authorityId: string;
  reason: string;
  dueAt: string;
}

export function createTaskActivities({ db }: ActivityDeps) {
  return {
    async openCaseWorkerTask(i: OpenTaskInput): Promise<void> {
      await createTask(db, {
        taskId: i.taskId,
        caseId: i.caseId,
        kind: 'review_decision',
        authorityId: i.authorityId,
        candidateGroup: `${i.authorityId}:sachbearbeitung`,
        reason: i.reason,
        dueAt: new Date(i.dueAt),
      });
    },

    async closeCaseWorkerTask(d: CaseWorkerDecision): Promise<void> {
      await completeTask(db, { taskId: d.taskId, completedBy: d.caseWorker, outcome: d.outcome, justification: d.justification });
    },
  };
}
