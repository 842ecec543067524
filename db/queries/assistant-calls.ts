import { asc, eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { assistantCalls } from '../schema.js';

export interface RecordAssistantCallParams {
  caseId?: string;
  purpose: string;
  model?: string;
  promptSha256: string;
  outcome: string;
  responseSha256?: string;
  latencyMs?: number;
}

export async function recordAssistantCall(db: DbExecutor, p: RecordAssistantCallParams): Promise<void> {
  await db.insert(assistantCalls).values({
    caseId: p.caseId,
    purpose: p.purpose,
    model: p.model,
    promptSha256: p.promptSha256,
    outcome: p.outcome,
    responseSha256: p.responseSha256,
    latencyMs: p.latencyMs,
  });
}

export async function listAssistantCalls(db: DbExecutor, { caseId }: { caseId: string }) {
  return db
    .select({
      purpose: assistantCalls.purpose,
      model: assistantCalls.model,
      promptSha256: assistantCalls.promptSha256,
      outcome: assistantCalls.outcome,
      at: assistantCalls.at,
    })
    .from(assistantCalls)
    .where(eq(assistantCalls.caseId, caseId))
    .orderBy(asc(assistantCalls.id));
}
