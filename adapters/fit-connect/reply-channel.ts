import { createHash } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { recordDelivery } from '../../db/queries/deliveries.js';
import type { ApplicantMessage, Delivered, Postbox } from '../postbox.js';
import type { StatusChannel, StatusDelivery } from '../status-messages.js';
import type { SubmissionFactsStore } from './submission-facts.js';

/** An e-mail to the applicant; the idempotency key makes a retry send nothing new. */
export interface ReplyMail {
  idempotencyKey: string;
  to: string;
  subject: string;
  text: string;
}

/** Sends e-mail for the `eMail` reply channel (a mail gateway in production, the stand-in mailbox in development). */
export interface ReplyMailer {
  send(m: ReplyMail): Promise<{ messageId: string }>;
}

export interface ReplyChannelOptions {
  facts: SubmissionFactsStore;
  db: Database;
  /** Absent: the `eMail` channel falls back to the postbox. */
  mailer?: ReplyMailer;
  /** Where the applicant downloads a document mailed as a link (the Bescheid never travels in the mail itself). */
  downloadUrl(caseId: string, documentSha256: string): string;
}

/**
 * The applicant's chosen `replyChannel` (FIT-Connect metadata) decides where the Bescheid goes: `eMail` sends a mail
 * with a download link (no attachment, so nothing personal travels unencrypted besides the notice); `fink` (the
 * applicant's Servicekonto postbox) and every case without a FIT-Connect reply channel go to the postbox. `deMail` and
 * `elster` are not offered by this engine yet and fall back to the postbox.
 */
export class ReplyChannelPostbox implements Postbox {
  /** The postbox's retrieval reports (a mail with a download link reports none: its Bekanntgabe is the fiction's). */
  readonly retrievalOf?: Postbox['retrievalOf'];

  constructor(
    private readonly postbox: Postbox,
    private readonly o: ReplyChannelOptions,
  ) {
    this.retrievalOf = postbox.retrievalOf?.bind(postbox);
  }

  async deliver(m: ApplicantMessage): Promise<Delivered> {
    const channel = (await this.o.facts.find(m.caseId))?.replyChannel;
    if (channel?.kind !== 'eMail' || !this.o.mailer) return this.postbox.deliver(m);
    await this.o.mailer.send({
      idempotencyKey: m.idempotencyKey,
      to: channel.address,
      subject: m.subject,
      text: [
        'Guten Tag,',
        '',
        `zu Ihrem Antrag liegt ein neues Dokument vor: ${m.subject}.`,
        `Sie können es hier herunterladen: ${this.o.downloadUrl(m.caseId, m.document.sha256)}`,
        '',
        'Diese Nachricht wurde automatisch versandt.',
      ].join('\n'),
    });
    return recordDelivery(this.o.db, {
      idempotencyKey: m.idempotencyKey,
      deliveryId: createHash('sha256').update(m.idempotencyKey).digest('hex').slice(0, 24),
      caseId: m.caseId,
      recipient: m.recipient,
      channel: 'email',
      subject: m.subject,
      documentSha256: m.document.sha256,
    });
  }
}

/** Status messages follow the same choice: a short mail for `eMail`, else the postbox's status channel. */
export class ReplyChannelStatus implements StatusChannel {
  constructor(
    private readonly status: StatusChannel | undefined,
    private readonly o: Pick<ReplyChannelOptions, 'facts' | 'mailer'>,
  ) {}

  async send(d: StatusDelivery): Promise<{ messageId: string }> {
    const channel = (await this.o.facts.find(d.message.applicationId))?.replyChannel;
    if (channel?.kind === 'eMail' && this.o.mailer)
      return this.o.mailer.send({
        idempotencyKey: d.idempotencyKey,
        to: channel.address,
        subject: `${d.message.publicServiceName.de}: ${d.message.statusDetails.de}`,
        text: `Guten Tag,\n\n${d.message.statusDetails.de}\n\n${d.message.senderName}`,
      });
    if (!this.status) return { messageId: 'not-sent' };
    return this.status.send(d);
  }
}
