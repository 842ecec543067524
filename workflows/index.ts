export { caseWorkflow } from './case-workflow.js';
export { baselineWorkflow } from './baseline-workflow.js';
export { applicantQuestionWorkflow } from './applicant-question.js';
export { caseSummaryWorkflow } from './case-summary.js';
export { retentionWorkflow } from './retention.js';
export { bekanntgabeWorkflow } from './bekanntgabe.js';
export { objectionWorkflow } from './objection.js';
export { correctionWorkflow } from './correction.js';
