import type { Client } from '@temporalio/client';
import type { DocumentStore } from '../../adapters/document-store.js';
import type { CaseState, EvidenceUpload } from '../../workflows/contracts/case.js';
import { caseWorkflowId } from '../../workflows/contracts/ids.js';
import { caseStateOf } from '../../client/case-client.js';
import { antragDocumentId, findAkte, findAkteDocument, listAkteDocumentContents } from '../../db/queries/akte.js';
import type { StaffActor, StaffRole, TaskAction } from '../../workflows/contracts/task.js';
import type { Database } from '../../db/client.js';
import { caseRetention } from '../../activities/retention.js';
import { holdsOfCase } from '../../db/queries/retention.js';
import { listCaseEvents } from '../../db/queries/case-events.js';
import { getCase } from '../../db/queries/cases.js';
import { listDecisions } from '../../db/queries/decisions.js';
import { listRetrievalsOfCase } from '../../db/queries/evidence-retrievals.js';
import { listPayments } from '../../db/queries/payments.js';
import { listSealsOfCase } from '../../db/queries/seals.js';
import { getTaskSummary } from '../../db/queries/task-summaries.js';
import { findService } from '../../services/catalogue.js';
import { labelApplication } from './labels.js';
import { objectionAuthorityOf } from '../../activities/objection.js';
import { ObjectionClient } from '../../client/objection-client.js';
import { findObjection } from '../../db/queries/objections.js';
import { TASK_QUEUE } from '../../workflows/contracts/ids.js';

export const CASE_FILE_PANELS = [
  'overview',
  'application',
  'evidence',
  'dialogue',
  'decision',
  'summary',
  'timeline',
  'payments',
  'bescheid',
] as const;
export type CaseFilePanel = (typeof CASE_FILE_PANELS)[number];

const CASE_WORK = ['case_worker', 'supervisor'] as const;
/**
 * Who sees which panel of the case file, declared once (least privilege): case workers and supervisors the whole file;
 * the budget office the case's payments, never the application or the person's data; operators only the overview
 * (service, status, open task: operations data, no personal data). The API's routes and the workbench check it.
 */
export const PANEL_ROLES: Record<CaseFilePanel | 'documents', readonly StaffRole[]> = {
  overview: [...CASE_WORK, 'budget_office', 'operator'],
  application: CASE_WORK,
  evidence: CASE_WORK,
  dialogue: CASE_WORK,
  decision: CASE_WORK,
  summary: CASE_WORK,
  timeline: CASE_WORK,
  payments: [...CASE_WORK, 'budget_office'],
  bescheid: CASE_WORK,
  documents: CASE_WORK,
};

export { MANUAL_DELIVERY_ROLES } from './manual-tasks.js';
/**
 * Who reads a case's access log (who read its Akte, when, what): the authority's supervisors. The log is about the
 * staff's own conduct as much as the applicant's data, so case workers do not read each other's entries; the applicant
 * gets the entries about them through the Art. 15 export.
 */
export const ACCESS_LOG_ROLES: readonly StaffRole[] = ['supervisor'];

/** Who places and releases a legal hold, or records an objection: the authority's supervisors. */
export const HOLD_ROLES: readonly StaffRole[] = ['supervisor'];

/** Whether a staff role may see a panel (or download the case's documents). */
export const maySeePanel = (role: StaffRole, panel: CaseFilePanel | 'documents'): boolean =>
  PANEL_ROLES[panel].includes(role);

type CaseRow = NonNullable<Awaited<ReturnType<typeof getCase>>>;

/** What the workflow was started with and which updates it accepted, decoded with the client's converter (and codec). */
interface CaseHistory {
  input?: { application: Record<string, unknown>; schemaVersion: string };
  uploads: EvidenceUpload[];
  asks: Array<{ kind: string; text: string; by: string }>;
}

const iso = (d: Date | string | null | undefined) => (d instanceof Date ? d.toISOString() : (d ?? null));

/**
 * The case file (Akte) for staff, one function per panel; the JSON API and the workbench pages both read through here.
 * A case outside the caller's authority does not exist for them.
 */
export class CaseFiles {
  constructor(private readonly o: { client: Client; db: Database; documents: DocumentStore; publicBaseUrl: string }) {}

  /**
   * The case's row when the staff member's authority holds it; undefined otherwise (also for unknown ids). With
   * `asObjectionAuthority`, also for the staff of another authority that decides the case's objection (§ 73 VwGO).
   */
  async caseFor(
    actor: Pick<StaffActor, 'authorityId'>,
    caseId: string,
    o: { asObjectionAuthority?: boolean } = {},
  ): Promise<CaseRow | undefined> {
    const row = await getCase(this.o.db, { caseId });
    if (!row) return undefined;
    if (row.authorityId === actor.authorityId) return row;
    return o.asObjectionAuthority && (await this.decidesObjection(actor, row)) ? row : undefined;
  }

  /** Whether the staff member's authority is the objection authority of a case with an objection. */
  private async decidesObjection(actor: Pick<StaffActor, 'authorityId'>, row: CaseRow): Promise<boolean> {
    if (objectionAuthorityOf(row.serviceKey, row.authorityId) !== actor.authorityId) return false;
    return (await findObjection(this.o.db, { caseId: row.caseId })) !== undefined;
  }

  /** The objection procedure's way in: the same client the API's objection routes use. */
  get objections(): ObjectionClient {
    return new ObjectionClient(this.o.client, this.o.db, TASK_QUEUE);
  }

  panel(name: CaseFilePanel, row: CaseRow): Promise<Record<string, unknown>> {
    return this.panels[name](row);
  }

  private readonly panels: Record<CaseFilePanel, (row: CaseRow) => Promise<Record<string, unknown>>> = {
    overview: async (row) => {
      const state = await this.state(row.caseId);
      const service = findService(row.serviceKey);
      return {
        caseId: row.caseId,
        serviceKey: row.serviceKey,
        serviceName: service.name,
        legalBasis: service.legalBasis,
        authorityId: row.authorityId,
        status: state?.status ?? row.status,
        outcome: state?.outcome ?? row.outcome ?? null,
        submittedAt: iso(row.submittedAt),
        ruleSetVersion: row.ruleSetVersion,
        task: state?.task ?? null,
        fiction: state?.fiction ?? null,
        retention: await this.retention(row),
      };
    },
    application: async (row) => {
      const { input } = await this.history(row.caseId);
      if (!input) return { schemaVersion: null, fields: [] };
      return {
        schemaVersion: input.schemaVersion,
        fields: labelApplication(findService(row.serviceKey), input.schemaVersion, input.application),
      };
    },
    evidence: async (row) => {
      const [retrievals, state, { uploads }] = await Promise.all([
        listRetrievalsOfCase(this.o.db, { caseId: row.caseId }),
        this.state(row.caseId),
        this.history(row.caseId),
      ]);
      return {
        retrievals: retrievals.map((r) => ({
          ...r,
          requestedAt: iso(r.requestedAt),
          answeredAt: iso(r.answeredAt),
          download: r.documentSha256 ? this.download(row.caseId, r.documentSha256) : null,
        })),
        requested: state?.requestedEvidence ?? [],
        uploads: uploads.map((u) => ({
          evidenceType: u.evidenceType,
          fileName: u.fileName,
          mediaType: u.document.mediaType,
          size: u.document.size,
          download: this.download(row.caseId, u.document.sha256),
        })),
      };
    },
    dialogue: async (row) => {
      const [events, { asks }] = await Promise.all([
        listCaseEvents(this.o.db, { caseId: row.caseId }),
        this.history(row.caseId),
      ]);
      const asked = events.filter((e) => e.type === 'applicant.asked');
      const questions = await Promise.all(
        asked.map(async (e, i) => {
          const d = e.data as { questionId: string; kind: string; dueAt?: string; by?: string };
          const replied = events.find(
            (r) => r.type === 'applicant.replied' && (r.data as { questionId?: string }).questionId === d.questionId,
          );
          const ref = (replied?.data as { answer?: { sha256: string } } | undefined)?.answer;
          const answer = ref
            ? await this.o.documents.get(ref.sha256).then(
                (b) => (JSON.parse(b.toString('utf8')) as { answer: string }).answer,
                () => null,
              )
            : null;
          return {
            questionId: d.questionId,
            kind: d.kind,
            text: asks[i]?.text ?? null,
            askedBy: d.by ?? asks[i]?.by ?? null,
            askedAt: iso(e.at),
            dueAt: d.dueAt ?? null,
            reply: replied ? { at: iso(replied.at), answer } : null,
          };
        }),
      );
      return { questions };
    },
    decision: async (row) => {
      const [decisions, state] = await Promise.all([
        listDecisions(this.o.db, { caseId: row.caseId }),
        this.state(row.caseId),
      ]);
      return {
        ruleDecisions: decisions.map((d) => ({ ...d, decidedAt: iso(d.decidedAt) })),
        final: state?.decision ?? (row.decision as Record<string, unknown> | null) ?? null,
      };
    },
    summary: async (row) => {
      const state = await this.state(row.caseId);
      const s = state?.task ? await getTaskSummary(this.o.db, { taskId: state.task.taskId }) : undefined;
      return s
        ? { machineSuggestion: true, label: s.label, source: s.source, text: s.text, createdAt: iso(s.createdAt) }
        : { machineSuggestion: true, text: null };
    },
    timeline: async (row) => {
      const events = await listCaseEvents(this.o.db, { caseId: row.caseId });
      return {
        events: events.map((e) => ({ seq: e.seq, type: e.type, status: e.status, at: iso(e.at), data: e.data })),
      };
    },
    payments: async (row) => {
      const rows = await listPayments(this.o.db, { caseId: row.caseId });
      return {
        payments: rows.map((p) =>
          Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
        ),
      };
    },
    bescheid: async (row) => {
      const seals = await listSealsOfCase(this.o.db, { caseId: row.caseId });
      return {
        documents: seals.map((s) => ({
          sealId: s.sealId,
          sealedAt: iso(s.sealedAt),
          sha256: s.sealedSha256,
          download: this.download(row.caseId, s.sealedSha256),
          verificationUrl: `${this.o.publicBaseUrl}/verify/${s.sealId}`,
        })),
      };
    },
  };

  /** A document of the case: only one the case file lists (register answer, upload, reply, Bescheid). */
  async document(
    row: CaseRow,
    sha256: string,
  ): Promise<{ bytes: Buffer; mediaType: string; fileName: string } | undefined> {
    const [evidence, bescheid, events] = await Promise.all([
      this.panels.evidence(row),
      this.panels.bescheid(row),
      listCaseEvents(this.o.db, { caseId: row.caseId }),
    ]);
    const e = evidence as {
      retrievals: Array<{ documentSha256: string | null; evidenceType: string }>;
      uploads: Array<{ download: string; mediaType: string; fileName: string }>;
    };
    const upload = e.uploads.find((u) => u.download.endsWith(`/${sha256}`));
    const retrieval = e.retrievals.find((r) => r.documentSha256 === sha256);
    const sealed = (bescheid.documents as Array<{ sha256: string }>).some((d) => d.sha256 === sha256);
    const reply = events.some(
      (ev) =>
        ev.type === 'applicant.replied' && (ev.data as { answer?: { sha256?: string } }).answer?.sha256 === sha256,
    );
    const found = upload
      ? { mediaType: upload.mediaType, fileName: upload.fileName }
      : retrieval
        ? { mediaType: 'application/json', fileName: `registerauskunft-${retrieval.evidenceType}.json` }
        : sealed
          ? { mediaType: 'application/pdf', fileName: `bescheid-${row.caseId}.pdf` }
          : reply
            ? { mediaType: 'application/json', fileName: 'antwort.json' }
            : undefined;
    return found && { ...found, bytes: await this.o.documents.get(sha256) };
  }

  /** The case's retention date as the retention job computes it, with the holds in force (ids for their release). */
  private async retention(row: CaseRow): Promise<Record<string, unknown>> {
    const [r, holds] = await Promise.all([
      caseRetention(this.o.db, row),
      holdsOfCase(this.o.db, { caseId: row.caseId }),
    ]);
    return {
      retentionYears: r.retentionYears,
      runsFrom: r.runsFrom,
      disposal: r.disposal,
      startsAt: iso(r.startsAt),
      until: iso(r.until),
      provisional: r.provisional,
      explanation: r.explanation,
      holds: holds.map((h) => ({
        id: h.id,
        kind: h.kind,
        reason: h.reason,
        placedBy: h.placedBy,
        placedAt: iso(h.placedAt),
        releasedBy: h.releasedBy,
        releasedAt: iso(h.releasedAt),
      })),
    };
  }

  /**
   * What a register answered for this case, as the engine stored it (`record` of the evidence document), for the
   * case page to show as labelled fields; only a retrieval the case's evidence panel lists, else undefined.
   */
  async registerRecord(
    retrievals: Array<{ documentSha256?: string | null }>,
    sha256: string,
  ): Promise<unknown | undefined> {
    if (!retrievals.some((r) => r.documentSha256 === sha256)) return undefined;
    const bytes = await this.o.documents.get(sha256).catch(() => undefined);
    if (!bytes) return undefined;
    try {
      return (JSON.parse(bytes.toString('utf8')) as { record?: unknown }).record;
    } catch {
      return undefined;
    }
  }

  private download = (caseId: string, sha256: string) => `/cases/${caseId}/file/documents/${sha256}`;

  /** A closed case's state from its Akte; Temporal is asked only while the case runs. */
  private async state(caseId: string): Promise<CaseState | undefined> {
    return caseStateOf(this.o.client, this.o.db, caseId).catch(() => undefined);
  }

  /** The application, uploads and questions: from the Akte; from the workflow's history for cases before the Akte. */
  private async history(caseId: string): Promise<CaseHistory> {
    const akte = await findAkte(this.o.db, { caseId });
    if (!akte) return this.fromTemporalHistory(caseId);
    const [antrag, docs] = await Promise.all([
      findAkteDocument(this.o.db, { documentId: antragDocumentId(caseId) }),
      listAkteDocumentContents(this.o.db, { caseId, kinds: ['upload', 'question'] }),
    ]);
    const out: CaseHistory = { uploads: [], asks: [] };
    if (antrag?.content)
      out.input = { application: antrag.content as Record<string, unknown>, schemaVersion: akte.schemaVersion };
    for (const d of docs) {
      const c = d.content as {
        evidenceType?: string;
        fileName?: string;
        kind?: string;
        text?: string;
        by?: string;
        objection?: boolean;
      };
      if (d.kind === 'upload')
        out.uploads.push({
          // An objection's attachment is filed as an upload too; the page names it as such.
          evidenceType: c.evidenceType ?? (c.objection ? 'objection' : ''),
          fileName: c.fileName ?? d.title,
          document: { sha256: d.sha256, mediaType: d.mediaType, size: d.size },
        });
      else out.asks.push({ kind: c.kind ?? '', text: c.text ?? '', by: c.by ?? '' });
    }
    return out;
  }

  private async fromTemporalHistory(caseId: string): Promise<CaseHistory> {
    const { payloadConverter, payloadCodecs } = this.o.client.options.loadedDataConverter;
    const decode = async (
      payloads: Parameters<typeof payloadConverter.fromPayload>[0][] | null | undefined,
    ): Promise<unknown[]> => {
      let p = payloads ?? [];
      for (const codec of [...payloadCodecs].reverse()) p = await codec.decode(p);
      return p.map((x) => payloadConverter.fromPayload(x));
    };
    const history = await this.o.client.workflow
      .getHandle(caseWorkflowId(caseId))
      .fetchHistory()
      .catch(() => undefined);
    const out: CaseHistory = { uploads: [], asks: [] };
    for (const ev of history?.events ?? []) {
      const started = ev.workflowExecutionStartedEventAttributes;
      if (started) out.input = (await decode(started.input?.payloads))[0] as CaseHistory['input'];
      const update = ev.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
      if (update?.name === 'uploadEvidence')
        out.uploads.push((await decode(update.args?.payloads))[0] as EvidenceUpload);
      if (update?.name === 'taskAction') {
        const a = (await decode(update.args?.payloads))[0] as TaskAction;
        if (a.action === 'ask') out.asks.push({ kind: a.kind, text: a.text, by: a.actor.id });
      }
    }
    return out;
  }
}
