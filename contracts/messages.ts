import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseState } from './case.js';
import type { ApplicantReply, TaskAction, TaskView } from './task.js';

export const caseStateQuery = defineQuery<CaseState>('caseState');

/** Claim, unclaim, reassign, complete or ask: an update, so the caller learns at once whether it was accepted, and why not. */
export const taskActionUpdate = defineUpdate<TaskView, [TaskAction]>('taskAction');

/** The applicant's answer to an open question; refused unless it comes from the case's applicant. */
export const applicantReplyUpdate = defineUpdate<TaskView, [ApplicantReply]>('applicantReply');
