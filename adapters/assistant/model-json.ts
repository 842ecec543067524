import type { z } from 'zod';

/** JSON a model wrote (possibly inside a code fence), checked against a schema; undefined when it is anything else. */
export function parseModelJson<T>(text: string, schema: z.ZodType<T>): T | undefined {
  const fenced = text.match(/```(?:json)?\s*([\s\S]*?)```/)?.[1];
  const candidate = (fenced ?? text).trim();
  try {
    const result = schema.safeParse(JSON.parse(candidate));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
