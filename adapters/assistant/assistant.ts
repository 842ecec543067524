import { createHash } from 'node:crypto';
import type { SuggestionKind } from '../../workflows/contracts/assistant.js';
import type { Database } from '../../db/client.js';
import { recordAssistantCall } from '../../db/queries/assistant-calls.js';
import { ChatFailure, disabledModel, type ChatMessage, type ChatModel } from './chat-client.js';

export const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The model plus its audit trail: every prompt that leaves is recorded by hash, whatever came back. */
export class Assistant {
  constructor(
    private readonly model: ChatModel,
    private readonly db: Database,
  ) {}

  get enabled(): boolean {
    return this.model.enabled;
  }

  /** The model's text, or undefined when it is off, slow, failing or unreadable: callers then take the deterministic route. */
  async ask(purpose: SuggestionKind, caseId: string | undefined, messages: ChatMessage[], maxTokens = 400) {
    if (!this.model.enabled) return undefined;
    try {
      const answer = await this.model.complete(messages, { maxTokens });
      await recordAssistantCall(this.db, {
        caseId,
        purpose,
        model: answer.model,
        promptSha256: answer.promptSha256,
        outcome: 'answered',
        responseSha256: sha256Of(answer.text),
        latencyMs: answer.latencyMs,
      });
      return answer;
    } catch (err) {
      if (!(err instanceof ChatFailure)) throw err;
      if (err.promptSha256)
        await recordAssistantCall(this.db, { caseId, purpose, promptSha256: err.promptSha256, outcome: err.kind });
      return undefined;
    }
  }
}

export const disabledAssistant = (db: Database): Assistant => new Assistant(disabledModel, db);
