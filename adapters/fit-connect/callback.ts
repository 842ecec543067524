import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old a callback may be before it is refused (FIT-Connect: five minutes). */
export const CALLBACK_MAX_AGE_SECONDS = 300;

export const CALLBACK_NEW_SUBMISSIONS = 'https://schema.fitko.de/fit-connect/submission-api/callbacks/new-submissions';

/** `callback-authentication`: hex HMAC-SHA512 over "<callback-timestamp>.<raw body>", keyed with the callback secret. */
export function callbackAuthentication(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha512', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

export type CallbackVerdict = { ok: true } | { ok: false; reason: string };

/** Checks a callback's headers: timestamp in Unix seconds not older than five minutes (nor from the future), HMAC compared in constant time. */
export function verifyCallback(
  secret: string,
  headers: { authentication?: string; timestamp?: string },
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): CallbackVerdict {
  const { authentication, timestamp } = headers;
  if (!authentication || !timestamp)
    return { ok: false, reason: 'callback-authentication or callback-timestamp missing' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'callback-timestamp is no Unix time in seconds' };
  const age = nowSeconds - Number(timestamp);
  if (age > CALLBACK_MAX_AGE_SECONDS) return { ok: false, reason: 'callback-timestamp older than five minutes' };
  if (age < -60) return { ok: false, reason: 'callback-timestamp lies in the future' };
  if (!/^[0-9a-f]{128}$/i.test(authentication))
    return { ok: false, reason: 'callback-authentication is no HMAC-SHA512' };
  const expected = Buffer.from(callbackAuthentication(secret, timestamp, rawBody), 'hex');
  const given = Buffer.from(authentication.toLowerCase(), 'hex');
  return timingSafeEqual(expected, given)
    ? { ok: true }
    : { ok: false, reason: 'callback-authentication does not match' };
}
