/** A start-up failure a person can act on: what was tried, and how to fix it. Printed without a stack trace. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
