import type { FieldError } from '../workflows/contracts/case.js';

/** An application refused at intake: nothing stored, no workflow started. The HTTP API maps it to a problem detail. */
export class IntakeRefusedError extends Error {
  constructor(
    readonly code: string,
    readonly status: 401 | 403 | 404 | 409 | 422,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}
