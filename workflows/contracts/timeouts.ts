/** Activities heartbeat every second (activities/reliable.ts): a killed worker's activity is retried elsewhere after this. */
export const HEARTBEAT_TIMEOUT = '5 seconds';
