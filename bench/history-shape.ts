import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { caseWorkflowId } from '../workflows/contracts/ids.js';

/** What one case's history holds: all events, activities scheduled, local activities (markers other than patches). */
export interface HistoryShape {
  events: number;
  activities: number;
  localActivities: number;
  /** Local activities that only write the case's own record (recordStage, recordJournal). */
  journalRecords: number;
  /** The history's size as the server stores and sends it (protobuf), payloads encrypted by the codec. */
  bytes: number;
}

// Event type numbers of temporal.api.enums.v1.EventType.
const ACTIVITY_TASK_SCHEDULED = 10;
const MARKER_RECORDED = 25;

export async function historyShape(client: Client, caseId: string): Promise<HistoryShape> {
  const history = await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
  const events = history.events ?? [];
  const markers = events.filter((e) => Number(e.eventType) === MARKER_RECORDED);
  const local = markers.filter((m) => m.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  return {
    events: events.length,
    bytes: proto.temporal.api.history.v1.History.encode(history).finish().length,
    activities: events.filter((e) => Number(e.eventType) === ACTIVITY_TASK_SCHEDULED).length,
    localActivities: local.length,
    journalRecords: local.filter((m) =>
      /^record(Stage|Journal)$/.test(activityTypeOf(m.markerRecordedEventAttributes?.details)),
    ).length,
  };
}

// A local activity's marker carries its type in the JSON of its `data` detail.
function activityTypeOf(
  details: Record<string, { payloads?: Array<{ data?: Uint8Array | null }> | null }> | null | undefined,
): string {
  const data = details?.['data']?.payloads?.[0]?.data;
  if (!data) return '';
  try {
    return String((JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type ?? '');
  } catch {
    return '';
  }
}
