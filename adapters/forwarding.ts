import { request } from 'undici';
/**
 * A Gewerbeanzeige as it goes to a recipient the rules name (Finanzamt, IHK, ...): JSON shaped after XGewerbeanzeige's
 * intent (message head, kind of notice, business, premises, holder), not a conformant XGewerbeanzeige XML message.
 */
export interface ForwardedNotice {
  nachrichtenkopf: {
    nachrichtenUUID: string;
    erstellungszeitpunkt: string;
    autor: string;
    leser: string;
    nachrichtentyp: 'gewerbeanzeige.anmeldung';
  };
  gewerbeanzeige: {
    anzeigeart: 'Anmeldung';
    aktenzeichen: string;
    betrieb: Record<string, unknown>;
    betriebsstaette: { anschrift: Record<string, unknown> };
    /** Pseudonymous id of the holder: the recipient asks the authority for more where the law allows. */
    gewerbetreibender: { pseudonym: string };
    rechtsgrundlage: string;
  };
}

export interface Forwarding {
  idempotencyKey: string;
  recipient: string;
  notice: ForwardedNotice;
}

/** Sends case data to another authority; production would use FIT-Connect or the recipient's gateway. */
export interface ForwardingChannel {
  forward(f: Forwarding): Promise<{ receiptId: string }>;
}

export class HttpForwarding implements ForwardingChannel {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async forward(f: Forwarding): Promise<{ receiptId: string }> {
    const res = await request(`${this.url}/recipients/${encodeURIComponent(f.recipient)}/notices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': f.idempotencyKey },
      body: JSON.stringify(f.notice),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.statusCode !== 200 && res.statusCode !== 201) {
      await res.body.dump();
      throw new Error(`forwarding to ${f.recipient} answered ${res.statusCode}`);
    }
    return (await res.body.json()) as { receiptId: string };
  }
}
