import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { TRUST_LEVELS, type EvidenceResult, type EvidenceStatus } from '../workflows/contracts/case.js';
import { factsReadBy } from '../rules/run-rules.js';
import { aktenzeichenPatternProblem } from './aktenzeichen.js';
import { completeService, DEFAULT_DECISION_FACTS, DEFAULT_INTAKE_FACTS, type ServiceInput } from './define-service.js';
import { LAENDER, type AuthoritySettings, type ServiceDefinition } from './types.js';
import { compileApplicationSchema } from './validate-application.js';

/** An example case a service ships with: an application, what the registers answer, and the outcome it must get. */
export interface ServiceExample {
  name: string;
  authorityId: string;
  /** Day of submission (YYYY-MM-DD): picks the rule set version in force. */
  submittedOn: string;
  application: Record<string, unknown>;
  /** Register answers (and step results) by evidence type; a required type not listed counts as unavailable. */
  evidence?: Record<string, { status: EvidenceStatus; facts?: Record<string, unknown> }>;
  expected: {
    valid?: boolean;
    /** JSON pointers of field errors an invalid application must at least have. */
    errors?: string[];
    feeCents?: number;
    requiredEvidence?: string[];
    outcome?: 'approve' | 'reject' | 'escalate';
    payoutCents?: number;
    /** Ids of the decision rules that fire, in any order. */
    rules?: string[];
  };
}

export interface LoadedServiceFolder {
  dir: string;
  rulesDir: string;
  service: ServiceDefinition;
  examples: ServiceExample[];
}

/** What the engine knows besides the folder: registers it can ask and step activities the extensions provide. */
export interface FolderCheckContext {
  knownRegisters: readonly string[];
  knownStepActivities: readonly string[];
}

/** A broken service folder: every problem at once, each naming its file. The engine refuses to start with one. */
export class ServiceFolderError extends Error {
  override name = 'ServiceFolderError';
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(`service folder ${dir} is broken:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const DEFINITION_FILES = ['service.ts', 'service.mts', 'service.js', 'service.mjs', 'service.json'];

/**
 * Reads a service folder: `service.ts` (defineService) or `service.json`, optional `schema.json`, `texts.json`,
 * `authorities.json` or `authorities/<id>.json`, `rules/v<N>.json` and `examples/*.json`; validates it all.
 */
export async function loadServiceFolder(folder: string, ctx: FolderCheckContext): Promise<LoadedServiceFolder> {
  const dir = resolve(folder);
  const problems: string[] = [];
  const fail = (): never => {
    throw new ServiceFolderError(dir, problems);
  };
  if (!existsSync(dir)) problems.push('the folder does not exist');
  const definitionFile = DEFINITION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!definitionFile) problems.push(`no service definition: expected one of ${DEFINITION_FILES.join(', ')}`);
  if (problems.length) fail();

  const input = await readDefinition(definitionFile!, problems);
  const schema = await readJson(join(dir, 'schema.json'), problems);
  const texts = await readJson(join(dir, 'texts.json'), problems);
  const authorities = await readAuthorities(dir, problems);
  const rules = await readRuleFiles(join(dir, 'rules'), problems);
  const examples = (await readJsonFolder(join(dir, 'examples'), problems)).map(
    ([file, ex]) => ({ name: basename(file, '.json'), ...(ex as object) }) as ServiceExample,
  );
  if (!input) fail();

  // schema.json stands for schema version 1 when the definition brings none; texts.json holds the Bescheid texts.
  const fromSchemaFile =
    schema !== undefined && !input!.schemas ? { schemas: { '1': schema as object }, currentSchemaVersion: '1' } : {};
  const merged = { ...input, ...(texts as Record<string, unknown> | undefined), ...fromSchemaFile };
  const shape = serviceShape.safeParse(merged);
  if (!shape.success) {
    problems.push(
      ...shape.error.issues.map((i) => `${basename(definitionFile!)}: ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
    fail();
  }
  if (rules.length === 0) fail();
  const ruleSetId = input!.ruleSet?.id ?? rules[0]?.ruleSetId ?? basename(dir);
  const service = completeService(merged as ServiceInput, {
    authorities,
    ruleSet: { id: ruleSetId, versions: rules.map((r) => ({ version: r.version, validFrom: r.validFrom })) },
  });
  problems.push(
    ...checkService(service, rules, examples, ctx, {
      ownFacts: { intake: !!input!.intakeFacts, decision: !!input!.decisionFacts },
    }),
  );
  if (problems.length) fail();
  return { dir, rulesDir: join(dir, 'rules'), service, examples };
}

async function readDefinition(file: string, problems: string[]): Promise<ServiceInput | undefined> {
  if (file.endsWith('.json')) return (await readJson(file, problems)) as ServiceInput | undefined;
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const exported =
      mod['default'] ?? Object.values(mod).find((v) => typeof v === 'object' && v !== null && 'key' in v);
    if (!exported) problems.push(`${basename(file)}: exports no service (export default defineService({ … }))`);
    return exported as ServiceInput | undefined;
  } catch (err) {
    problems.push(`${basename(file)}: cannot be loaded: ${(err as Error).message}`);
    return undefined;
  }
}

async function readJson(file: string, problems: string[]): Promise<unknown> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    problems.push(`${file}: not valid JSON: ${(err as Error).message}`);
    return undefined;
  }
}

async function readJsonFolder(dir: string, problems: string[]): Promise<Array<[string, unknown]>> {
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const out: Array<[string, unknown]> = [];
  for (const f of files) {
    const value = await readJson(join(dir, f), problems);
    if (value !== undefined) out.push([join(dir, f), value]);
  }
  return out;
}

async function readAuthorities(dir: string, problems: string[]): Promise<Record<string, AuthoritySettings>> {
  const all = { ...((await readJson(join(dir, 'authorities.json'), problems)) as object | undefined) } as Record<
    string,
    unknown
  >;
  for (const [file, value] of await readJsonFolder(join(dir, 'authorities'), problems))
    all[basename(file, '.json')] = value;
  for (const [id, a] of Object.entries(all)) {
    const parsed = authorityShape.safeParse(a);
    if (!parsed.success)
      problems.push(...parsed.error.issues.map((i) => `authority ${id}: ${i.path.join('.')}: ${i.message}`));
  }
  return all as Record<string, AuthoritySettings>;
}

interface RuleFile {
  file: string;
  ruleSetId: string;
  version: string;
  validFrom: string;
  rules: Array<{ name?: unknown; conditions?: unknown; event?: { type?: unknown; params?: Record<string, unknown> } }>;
}

async function readRuleFiles(dir: string, problems: string[]): Promise<RuleFile[]> {
  const out: RuleFile[] = [];
  for (const [file, value] of await readJsonFolder(dir, problems)) {
    const name = basename(file);
    const parsed = ruleFileShape.safeParse(value);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((i) => `rules/${name}: ${i.path.join('.') || '(root)'}: ${i.message}`));
      continue;
    }
    if (`v${parsed.data.version}.json` !== name)
      problems.push(
        `rules/${name}: declares version ${parsed.data.version}; the file must be named v${parsed.data.version}.json`,
      );
    out.push({ file: name, ...(parsed.data as Omit<RuleFile, 'file'>) });
  }
  if (out.length === 0) problems.push('rules/: no rule set (rules/v1.json)');
  return out.sort((a, b) => Number(a.version) - Number(b.version));
}

const DECISION_EVENTS = ['approve', 'reject', 'escalate', 'forward', 'payout'];
const RULE_EVENTS = [...DECISION_EVENTS, 'fee', 'require-evidence', 'implausible'];

/** The references a folder's parts make to each other and to the engine, checked together. */
function checkService(
  s: ServiceDefinition,
  rules: RuleFile[],
  examples: ServiceExample[],
  ctx: FolderCheckContext,
  o: { ownFacts: { intake: boolean; decision: boolean } },
): string[] {
  const problems: string[] = [];
  for (const [version, schema] of Object.entries(s.schemas)) {
    try {
      compileApplicationSchema(schema);
    } catch (err) {
      problems.push(`schema version ${version} does not compile: ${(err as Error).message}`);
    }
  }
  if (!s.schemas[s.currentSchemaVersion]) problems.push(`currentSchemaVersion ${s.currentSchemaVersion} has no schema`);
  if (Object.keys(s.authorities).length === 0)
    problems.push('no authority offers the service: add authorities/<id>.json');

  const evidenceTypes = new Set(s.evidence.map((e) => e.evidenceType));
  for (const e of s.evidence) {
    if (!ctx.knownRegisters.includes(e.register))
      problems.push(
        `evidence ${e.evidenceType}: unknown register "${e.register}" (known: ${ctx.knownRegisters.join(', ')}; add an adapter to the extensions)`,
      );
  }
  for (const step of s.steps ?? []) {
    if (!ctx.knownStepActivities.includes(step.activity))
      problems.push(`step ${step.name}: no extension provides the activity "${step.activity}"`);
    evidenceTypes.add(step.name);
  }

  const facts = knownFacts(s, examples, o.ownFacts);
  for (const rf of rules) {
    if (rf.ruleSetId !== s.ruleSet.id)
      problems.push(`rules/${rf.file}: ruleSetId ${rf.ruleSetId} differs from the service's rule set ${s.ruleSet.id}`);
    const names = new Set<string>();
    for (const [i, rule] of rf.rules.entries()) {
      const at = `rules/${rf.file}: rule ${typeof rule.name === 'string' ? rule.name : `#${i}`}`;
      if (typeof rule.name !== 'string' || !rule.name) problems.push(`${at}: has no name`);
      else if (names.has(rule.name)) problems.push(`${at}: name used twice`);
      else names.add(rule.name);
      const type = rule.event?.type;
      if (typeof type !== 'string' || !RULE_EVENTS.includes(type)) {
        problems.push(`${at}: event type ${JSON.stringify(type)} is not one of ${RULE_EVENTS.join(', ')}`);
        continue;
      }
      const params = rule.event?.params ?? {};
      if (type !== 'implausible' && (typeof params['reason'] !== 'string' || typeof params['legalBasis'] !== 'string'))
        problems.push(`${at}: params need reason and legalBasis`);
      if (type === 'require-evidence' && !evidenceTypes.has(String(params['evidenceType'])))
        problems.push(`${at}: requires evidence "${String(params['evidenceType'])}" the service does not declare`);
      if (type === 'fee' && !(Number.isInteger(params['amountCents']) && Number(params['amountCents']) >= 0))
        problems.push(`${at}: fee amountCents must be a whole number of cents`);
      let read: string[] = [];
      try {
        read = factsReadBy(rule.conditions as never);
      } catch {
        problems.push(`${at}: conditions are not all/any/not of fact conditions`);
      }
      const known = DECISION_EVENTS.includes(type) ? facts.decision : facts.intake;
      for (const f of read)
        if (!known.has(f)) problems.push(`${at}: reads unknown fact "${f}" (known: ${[...known].sort().join(', ')})`);
    }
  }
  // § 28 Abs. 2 VwVfG: an exception names a rule that rejects, so its automated rejection may skip the hearing.
  const rejecting = new Set(
    rules.flatMap((rf) => rf.rules.filter((r) => r.event?.type === 'reject').map((r) => r.name)),
  );
  for (const e of s.lifecycle?.hearing?.exceptions ?? [])
    if (!rejecting.has(e.ruleId)) problems.push(`lifecycle.hearing: exception ${e.ruleId} is no rule that rejects`);
  for (const ex of examples) {
    if (!Object.hasOwn(s.authorities, ex.authorityId))
      problems.push(`examples/${ex.name}.json: unknown authority "${ex.authorityId}"`);
    if (!ex.expected || typeof ex.submittedOn !== 'string' || typeof ex.application !== 'object')
      problems.push(`examples/${ex.name}.json: needs authorityId, submittedOn, application and expected`);
  }
  return problems;
}

/** Facts the rules may read: the defaults' names, or the keys the service's own functions return for its examples. */
function knownFacts(s: ServiceDefinition, examples: ServiceExample[], own: { intake: boolean; decision: boolean }) {
  const intake = new Set<string>(own.intake ? [] : DEFAULT_INTAKE_FACTS);
  const decision = new Set<string>(own.decision ? [] : DEFAULT_DECISION_FACTS);
  const probes = [{}, ...examples.map((e) => e.application ?? {})];
  const statuses: EvidenceStatus[] = ['found', 'not_found', 'unavailable'];
  for (const application of probes) {
    for (const authority of Object.values(s.authorities)) {
      if (own.intake) keysOf(() => s.intakeFacts({ application, authority, submittedOn: '2026-01-01' }), intake);
    }
    for (const status of statuses) {
      const evidence: EvidenceResult[] = s.evidence.map((e) => ({
        evidenceType: e.evidenceType,
        register: e.register,
        status,
        facts: {},
      }));
      if (own.decision) keysOf(() => s.decisionFacts(application, evidence), decision);
    }
  }
  for (const ex of examples) {
    const evidence = Object.entries(ex.evidence ?? {}).map(([evidenceType, e]) => ({
      evidenceType,
      register: '',
      status: e.status,
      facts: e.facts ?? {},
    }));
    if (own.decision) keysOf(() => s.decisionFacts(ex.application ?? {}, evidence), decision);
  }
  return { intake, decision };
}

function keysOf(fn: () => Record<string, unknown>, into: Set<string>): void {
  try {
    for (const k of Object.keys(fn())) into.add(k);
  } catch {
    // A facts function may throw on a probe without fields; the examples still give its keys.
  }
}

const iban = z.string().refine((s) => isValidIBAN(electronicFormatIBAN(s) ?? ''), 'is not a valid IBAN');
const aktenzeichenPattern = z
  .string()
  .superRefine((p, ctx) => {
    const problem = aktenzeichenPatternProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .optional();
const authorityShape = z.looseObject({
  aktenzeichenPattern,
  name: z.string().min(1),
  feeAccount: iban,
  contact: z.string().min(1),
  sealIdentity: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  postalCodes: z.array(z.string().regex(/^[0-9]{5}$/)),
  deadlines: z.record(z.string(), z.number().int().positive()).optional(),
  escalation: z
    .looseObject({
      fourEyes: z.boolean().optional(),
      candidateGroup: z.string().optional(),
      taskGroups: z.record(z.string(), z.string().min(1)).optional(),
    })
    .optional(),
  land: z.enum(LAENDER).optional(),
  signBescheidByName: z.boolean().optional(),
});

const period = z
  .object({
    years: z.number().int().positive().optional(),
    months: z.number().int().positive().optional(),
    weeks: z.number().int().positive().optional(),
    days: z.number().int().positive().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'a period needs a length');
const fictionTable = z.array(z.object({ from: z.iso.date(), days: z.number().int().positive() })).min(1);
const lifecycleShape = z.object({
  bekanntgabe: z.object({
    postbox: z.object({
      announcedDaysAfterRetrieval: z.number().int().nonnegative(),
      retrievalWindowDays: z.number().int().positive(),
      ifNotRetrieved: z.enum(['manual_delivery', 'repeat_provision']),
      repeatProvisions: z.number().int().positive().max(3).optional(),
    }),
    postFiction: fictionTable,
    electronicFiction: fictionTable,
  }),
  objection: z.object({
    procedure: z.enum(['widerspruch', 'abolished']),
    period,
    periodWithoutInstruction: period,
    authority: z
      .object({
        name: z.string().min(1).optional(),
        authorityId: z.string().min(1).optional(),
        group: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
      })
      .optional(),
    court: z.string().min(1).optional(),
  }),
  correction: z.object({ periodFromKnowledge: period, reclaimDue: period }).optional(),
  hearing: z
    .object({
      beforeRejection: z.boolean(),
      statementPeriod: period,
      exceptions: z.array(z.object({ ruleId: z.string().regex(/^[a-z0-9-]+$/), why: z.string().min(10) })).optional(),
    })
    .optional(),
  fiction: z.object({ period, legalBasis: z.string().min(1), extension: z.object({ max: period }) }).optional(),
});

const ruleFileShape = z.looseObject({
  ruleSetId: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  version: z.string().regex(/^[0-9]+$/, 'a whole number as a string'),
  validFrom: z.iso.date(),
  rules: z.array(
    z.looseObject({
      name: z.unknown(),
      conditions: z.looseObject({}),
      event: z.looseObject({ type: z.unknown(), params: z.record(z.string(), z.unknown()).optional() }),
    }),
  ),
});

const serviceShape = z.looseObject({
  key: z.string().regex(/^[0-9]{14}$/, 'a 14-digit LeiKa-style key'),
  name: z.string().min(1),
  legalBasis: z.string().min(1),
  minimumTrustLevel: z.enum(TRUST_LEVELS),
  representationAllowed: z.boolean(),
  schemas: z.record(z.string(), z.looseObject({})),
  currentSchemaVersion: z.string(),
  evidence: z.array(
    z.looseObject({
      evidenceType: z.string().regex(/^[a-z0-9_]+$/),
      register: z.string().min(1),
      purpose: z.string().min(1),
      uploadAllowed: z.boolean(),
      document: z.string().min(1),
      consentRequired: z.boolean(),
      ifMissing: z.union([
        z.object({ ask: z.literal('applicant'), afterDeadline: z.enum(['decide', 'close_incomplete']) }),
        z.object({ ask: z.literal('case_worker') }),
      ]),
    }),
  ),
  fee: z.looseObject({
    timing: z.enum(['none', 'in_advance', 'after_decision', 'payout']),
    refundOn: z.array(z.enum(['rejected', 'withdrawn'])).optional(),
    payeeIbanField: z.string().optional(),
  }),
  escalation: z.object({
    fourEyes: z.boolean(),
    candidateGroup: z.string().min(1),
    taskGroups: z.record(z.string(), z.string().min(1)).optional(),
  }),
  outputs: z.object({ documents: z.array(z.string()), forwardingRecipients: z.array(z.string()) }),
  retentionYears: z.number().int().positive(),
  retention: z
    .object({
      runsFrom: z.enum(['closure', 'bestandskraft', 'last_payment']),
      disposal: z.enum(['erase', 'offer_to_archive']),
      objectionPeriodDays: z.number().int().positive().optional(),
    })
    .strict()
    .optional(),
  aktenzeichenPattern,
  legalRemedy: z.string().min(20),
  lifecycle: lifecycleShape.optional(),
  steps: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z0-9_]+$/),
        at: z.enum(['after_evidence', 'after_decision']),
        activity: z.string().min(1),
      }),
    )
    .optional(),
});
