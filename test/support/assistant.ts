import { Assistant } from '../../adapters/assistant/assistant.js';
import { OpenAiCompatibleModel } from '../../adapters/assistant/chat-client.js';
import { db } from '../harness.js';

/** An assistant speaking to the given (stub) server, with a deadline short enough for tests and long enough for a loaded CI machine. */
export const assistantAt = (url: string, timeoutMs = 2_000): Assistant =>
  new Assistant(new OpenAiCompatibleModel({ url, model: 'stub-model', apiKey: 'test-key', timeoutMs }), db);
