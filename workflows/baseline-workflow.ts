import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

interface BaselineActivities {
  noop(step: number): Promise<number>;
}

const acts = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '10 seconds' });

/** Benchmark baseline: the case workflow's shape (activities, local activities) with no work in any of them. */
export async function baselineWorkflow(shape: { activities: number; localActivities: number }): Promise<number> {
  let sum = 0;
  for (let i = 0; i < shape.activities; i++) sum += await acts.noop(i);
  for (let i = 0; i < shape.localActivities; i++) sum += await local.noop(i);
  return sum;
}
