import type { Client } from '@temporalio/client';
import type { CaseInput } from '../workflows/contracts/case.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';

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
