import type { ReplyMail, ReplyMailer } from './fit-connect/reply-channel.js';

/** Mails over HTTP to a gateway (`POST /mails`); the idempotency key travels as a header, so a retry sends nothing new. */
export class HttpMailGateway implements ReplyMailer {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(m: ReplyMail): Promise<{ messageId: string }> {
    const res = await fetch(`${this.url}/mails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey },
      body: JSON.stringify({ to: m.to, subject: m.subject, text: m.text }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status !== 200 && res.status !== 201) throw new Error(`mail gateway answered ${res.status}`);
    return (await res.json()) as { messageId: string };
  }
}
