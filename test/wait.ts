// The polling helpers live in one place now.
export { waitForStatus } from './support/wait.js';
