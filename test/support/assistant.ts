import { Assistant } from '../../assistant/assistant.js';
import { OpenAiCompatibleModel } from '../../assistant/chat-client.js';
import { db } from '../harness.js';

/** An assistant speaking to the given (stub) server, with a short deadline so tests stay fast. */
export const assistantAt = (url: string, timeoutMs = 400): Assistant =>
  new Assistant(new OpenAiCompatibleModel({ url, model: 'stub-model', apiKey: 'test-key', timeoutMs }), db);
