/** An error the API's error handler turns into RFC 9457 problem details with this status. */
export const httpError = (statusCode: number, detail: string): Error & { statusCode: number } =>
  Object.assign(new Error(detail), { statusCode });

/** Maps a refused Temporal update or an unknown workflow to 409 / 404 with the workflow's reason. */
export function caseCommandError(err: unknown): Error {
  const e = err as Error & { cause?: Error };
  if (e.name === 'WorkflowNotFoundError') return httpError(404, 'Diesen Vorgang gibt es nicht.');
  if (e.name === 'WorkflowUpdateFailedError') return httpError(409, e.cause?.message ?? e.message);
  return e;
}
