import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AssistantConfig } from '../../platform/config.js';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface ChatAnswer {
  text: string;
  model: string;
  /** SHA-256 of the exact request body that left the engine. */
  promptSha256: string;
  latencyMs: number;
}

export type ChatFailureKind = 'disabled' | 'timeout' | 'unreachable' | 'http_error' | 'invalid_response' | 'too_large';

/** A model that did not answer usefully. Callers fall back to the deterministic route; nothing retries. */
export class ChatFailure extends Error {
  constructor(
    readonly kind: ChatFailureKind,
    message: string,
    readonly promptSha256?: string,
  ) {
    super(message);
    this.name = 'ChatFailure';
  }
}

/** The part of the OpenAI chat-completions protocol the engine reads. */
const completionSchema = z.object({
  model: z.string().optional(),
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

/** A chat-completions model the assistant may ask; `enabled: false` answers every call with a `disabled` failure. */
export interface ChatModel {
  readonly enabled: boolean;
  complete(messages: ChatMessage[], o?: { maxTokens?: number }): Promise<ChatAnswer>;
}

export const MAX_RESPONSE_BYTES = 64 * 1024;

export const disabledModel: ChatModel = {
  enabled: false,
  complete: async () => Promise.reject(new ChatFailure('disabled', 'the assistant is switched off')),
};

/**
 * Plain fetch with a hard deadline, no retries and a cap on the response size; the reply is checked with zod.
 * (The `openai` SDK retries by default and reads unbounded bodies; here a slow or huge answer must simply lose.)
 */
export class OpenAiCompatibleModel implements ChatModel {
  readonly enabled = true;
  constructor(private readonly config: AssistantConfig) {}

  async complete(messages: ChatMessage[], o: { maxTokens?: number } = {}): Promise<ChatAnswer> {
    const body = JSON.stringify({ model: this.config.model, messages, temperature: 0, max_tokens: o.maxTokens ?? 400 });
    const promptSha256 = createHash('sha256').update(body).digest('hex');
    const started = performance.now();
    const signal = AbortSignal.timeout(this.config.timeoutMs);
    let response: Response;
    try {
      response = await fetch(
        new URL('chat/completions', this.config.url.endsWith('/') ? this.config.url : `${this.config.url}/`),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}),
          },
          body,
          signal,
        },
      );
    } catch (err) {
      throw signal.aborted
        ? new ChatFailure('timeout', `no answer within ${this.config.timeoutMs} ms`, promptSha256)
        : new ChatFailure(
            'unreachable',
            `model server unreachable: ${(err as Error).cause ?? (err as Error).message}`,
            promptSha256,
          );
    }
    let raw: string;
    try {
      if (!response.ok)
        throw new ChatFailure('http_error', `model server answered HTTP ${response.status}`, promptSha256);
      raw = await readCapped(response, MAX_RESPONSE_BYTES, promptSha256);
    } catch (err) {
      await response.body?.cancel().catch(() => {});
      if (err instanceof ChatFailure) throw err;
      throw signal.aborted
        ? new ChatFailure('timeout', `no complete answer within ${this.config.timeoutMs} ms`, promptSha256)
        : new ChatFailure('unreachable', `model answer broke off: ${(err as Error).message}`, promptSha256);
    }
    let parsed: z.infer<typeof completionSchema>;
    try {
      parsed = completionSchema.parse(JSON.parse(raw));
    } catch {
      throw new ChatFailure(
        'invalid_response',
        'the model server did not answer in the chat-completions format',
        promptSha256,
      );
    }
    const text = parsed.choices[0]!.message.content ?? '';
    return {
      text,
      model: parsed.model ?? this.config.model,
      promptSha256,
      latencyMs: Math.round(performance.now() - started),
    };
  }
}

async function readCapped(response: Response, maxBytes: number, promptSha256: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ChatFailure('too_large', `the model's answer exceeds ${maxBytes} bytes`, promptSha256);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const chatModelFrom = (config: AssistantConfig | undefined): ChatModel =>
  config ? new OpenAiCompatibleModel(config) : disabledModel;
