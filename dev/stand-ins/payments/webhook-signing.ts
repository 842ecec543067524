import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Signs a webhook body after the Standard Webhooks spec: HMAC-SHA256 over id, timestamp and body. */
export function signedWebhookHeaders(secret: string, body: string, at = new Date()): Record<string, string> {
  const id = `evt_${randomUUID()}`;
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
