import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';

export const RETENTION_SCHEDULE_ID = 'retention';

/** Registers the daily retention run once; a schedule that already exists is left as it is. */
export async function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { intervals: [{ every: '1 day' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'retentionWorkflow',
        workflowId: 'retention-run',
        taskQueue,
        args: [],
      },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
