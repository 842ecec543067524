import { createLogger } from '../../platform/logger.js';

const lines: string[] = [];
let capturing = false;

/** The tests' logger (Temporal runtime and HTTP API): errors go to stderr; while a test captures, every line down to debug is kept. */
export const testLogger = createLogger({
  level: 'warn',
  destination: {
    write(line: string) {
      if (capturing) lines.push(line);
      if ((JSON.parse(line) as { level: number }).level >= 50) process.stderr.write(line);
    },
  },
});

/** Starts keeping log lines; the returned function stops and hands them over. */
export function captureLogs(): () => string[] {
  lines.length = 0;
  capturing = true;
  testLogger.level = 'debug';
  return () => {
    capturing = false;
    testLogger.level = 'warn';
    return lines.splice(0);
  };
}
