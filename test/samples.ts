import type { SubmitApplication } from '../client/case-client.js';
import { sampleApplications, type SampleKind } from '../dev/demo/sample-applications.js';

const pool = sampleApplications(400, 7);

/** A sample application whose register records lead to the given kind of case. */
export function applicationOf(kind: SampleKind, nth = 0): SubmitApplication {
  const found = pool.filter((a) => a.kind === kind)[nth];
  if (!found) throw new Error(`no sample of kind ${kind} #${nth}`);
  return structuredClone(found.submission);
}
