import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

interface BaselineActivities {
  noop(step: number): Promise<number>;
}

const acts = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '10 seconds' });

/** Benchmark baseline: the case workflow's shape (a local record, then an activity, per stage) with no work in either. */
export async function baselineWorkflow(shape: { activities: number; localActivities: number }): Promise<number> {
  let sum = 0;
  for (let i = 0; i < Math.max(shape.activities, shape.localActivities); i++) {
    if (i < shape.localActivities) sum += await local.noop(i);
    if (i < shape.activities) sum += await acts.noop(i);
  }
  return sum;
}
