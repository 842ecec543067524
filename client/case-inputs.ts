import type { Client } from '@temporalio/client';
import type { CaseInput } from '../workflows/contracts/case.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import type { Database } from '../db/client.js';
import { antragDocumentId, findAkteDocument } from '../db/queries/akte.js';

/**
 * A case's input as submitted (application, identity, pinned versions), read from its workflow's first history event
 * and decoded with the client's data converter (the payload codec included). Undefined when the history is gone.
 */
export function caseInputReader(client: Client): (caseId: string) => Promise<CaseInput | undefined> {
  const { payloadConverter, payloadCodecs } = client.options.loadedDataConverter;
  return async (caseId) => {
    const history = await client.workflow
      .getHandle(caseWorkflowId(caseId))
      .fetchHistory()
      .catch(() => undefined);
    const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    let payloads = started?.input?.payloads ?? [];
    if (payloads.length === 0) return undefined;
    for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    return payloadConverter.fromPayload(payloads[0]!) as CaseInput;
  };
}

/**
 * A closed case's application as submitted: from its Akte (every case since the Akte), else from its workflow's history
 * for cases from before (while namespace retention keeps it). Undefined when neither holds it.
 */
export function applicationReader(
  db: Database,
  client?: Client,
): (caseId: string) => Promise<Record<string, unknown> | undefined> {
  const fromHistory = client && caseInputReader(client);
  return async (caseId) => {
    const antrag = await findAkteDocument(db, { documentId: antragDocumentId(caseId) });
    if (antrag?.content != null) return antrag.content as Record<string, unknown>;
    return (await fromHistory?.(caseId))?.application;
  };
}
