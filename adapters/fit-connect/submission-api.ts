/** OAuth 2.0 client credentials for the FIT-Connect APIs: a bearer token, fetched again shortly before it expires. */
export class ClientCredentials {
  private token?: { value: string; until: number };

  constructor(private readonly o: { tokenUrl: string; clientId: string; clientSecret: string }) {}

  async bearer(): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const res = await fetch(this.o.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.o.clientId,
        client_secret: this.o.clientSecret,
      }),
    });
    if (!res.ok) throw new FitConnectHttpError('token', res.status);
    const body = (await res.json()) as { access_token: string; expires_in?: number };
    this.token = { value: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 300) - 30) * 1000 };
    return body.access_token;
  }
}

export class FitConnectHttpError extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
  ) {
    super(`FIT-Connect ${what} answered HTTP ${status}`);
  }
}

export interface SubmissionListEntry {
  submissionId: string;
  caseId: string;
  destinationId: string;
}

export interface EncryptedSubmission {
  submissionId: string;
  caseId: string;
  destinationId: string;
  serviceType: { name?: string; identifier: string };
  attachments: string[];
  encryptedMetadata: string;
  encryptedData?: string;
}

/** The receiver's side of the Submission API v1: list, fetch, attachments, events. */
export class SubmissionApi {
  constructor(
    private readonly baseUrl: string,
    private readonly auth: ClientCredentials,
  ) {}

  private async call(what: string, path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.baseUrl.replace(/\/+$/, '')}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${await this.auth.bearer()}` },
    });
    if (!res.ok) throw new FitConnectHttpError(what, res.status);
    return res;
  }

  /** Every submission ready for pickup at the destination, page by page. */
  async listSubmissions(destinationId: string): Promise<SubmissionListEntry[]> {
    const all: SubmissionListEntry[] = [];
    for (let offset = 0; ; ) {
      const q = new URLSearchParams({ destinationId, limit: '500', offset: String(offset) });
      const page = (await (await this.call('list submissions', `/v1/submissions?${q}`)).json()) as {
        submissions: SubmissionListEntry[];
        totalCount: number;
      };
      all.push(...page.submissions);
      offset += page.submissions.length;
      if (page.submissions.length === 0 || offset >= page.totalCount) return all;
    }
  }

  async getSubmission(submissionId: string): Promise<EncryptedSubmission> {
    return (await (
      await this.call('get submission', `/v1/submissions/${encodeURIComponent(submissionId)}`)
    ).json()) as EncryptedSubmission;
  }

  async getAttachment(submissionId: string, attachmentId: string): Promise<string> {
    const res = await this.call(
      'get attachment',
      `/v1/submissions/${encodeURIComponent(submissionId)}/attachments/${encodeURIComponent(attachmentId)}`,
      { headers: { accept: 'application/jose' } },
    );
    return res.text();
  }

  /** Posts a SET to the case's event log; 409 means the submission is already in a state the event cannot follow. */
  async postEvent(caseId: string, set: string): Promise<void> {
    await this.call('post event', `/v1/cases/${encodeURIComponent(caseId)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: set,
    });
  }

  async eventLog(caseId: string): Promise<string[]> {
    const res = await this.call('event log', `/v1/cases/${encodeURIComponent(caseId)}/events`);
    return ((await res.json()) as { eventLog: string[] }).eventLog;
  }
}
