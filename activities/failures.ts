import { ApplicationFailure } from '@temporalio/common';
import { RegisterRefusedError } from '../adapters/registers.js';
import { UnknownRuleSetError } from '../rules/rule-set.js';
import { UnknownAuthorityError, UnknownServiceError } from '../services/catalogue.js';

/**
 * Failure types of data an activity can never handle, however often it retries. Each fails the activity at once,
 * non-retryable, so it shows as an incident for operators instead of an endless retry.
 */
export const UNHANDLEABLE = {
  UnknownService: (e: unknown) => e instanceof UnknownServiceError,
  UnknownAuthority: (e: unknown) => e instanceof UnknownAuthorityError,
  UnknownRuleSet: (e: unknown) => e instanceof UnknownRuleSetError,
  RegisterRefusedRequest: (e: unknown) => e instanceof RegisterRefusedError,
  // pdf-lib's standard fonts encode WinAnsi only; a character outside it fails every rendering alike.
  UnrenderableText: (e: unknown) => e instanceof Error && / cannot encode "/.test(e.message),
} as const;
export type UnhandleableType = keyof typeof UNHANDLEABLE;

/** The typed non-retryable failure for an error that retrying cannot fix, or the error unchanged. */
export function asUnhandleable(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const type = (Object.keys(UNHANDLEABLE) as UnhandleableType[]).find((t) => UNHANDLEABLE[t](err));
  if (!type) return err;
  // The message names the class of problem; the offending value stays out of it (it may be personal data).
  // The renderer's message quotes the offending text, so that cause stays behind.
  const cause = type === 'UnrenderableText' ? undefined : (err as Error);
  return ApplicationFailure.create({ type, message: `${type}: ${(err as Error).name}`, nonRetryable: true, cause });
}

/** Every activity of the set, with unhandleable data turned into typed non-retryable failures. */
export function failingFast<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          throw asUnhandleable(err);
        }
      },
    ]),
  ) as T;
}
