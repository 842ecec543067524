/**
 * The delay before the `n`th poll of a payment (0-based): it doubles from `firstMs` up to a ceiling of a sixteenth of
 * the whole wait, so a provider without webhooks is asked often while a payment is likely and rarely later:
 * a 14-day wait polled first after 15 minutes asks about 22 times. Pure, so it is tested without a server.
 */
export function pollDelayMs(n: number, firstMs: number, waitMs: number): number {
  return Math.min(firstMs * 2 ** Math.min(n, 30), Math.max(firstMs, waitMs / 16));
}

/** How many polls fit into a wait of `waitMs`. */
export function pollsWithin(firstMs: number, waitMs: number): number {
  let n = 0;
  for (let at = pollDelayMs(0, firstMs, waitMs); at < waitMs; at += pollDelayMs(++n, firstMs, waitMs));
  return n;
}
