export { caseWorkflow } from './case-workflow.js';
export { baselineWorkflow } from './baseline-workflow.js';
