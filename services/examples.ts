import type { EvidenceResult } from '../workflows/contracts/case.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet } from '../rules/rule-set.js';
import { ruleSetVersionOn } from './catalogue.js';
import type { ServiceExample } from './service-folder.js';
import type { ServiceDefinition } from './types.js';
import { checkApplication } from './validate-application.js';

export interface ExampleRun {
  name: string;
  ok: boolean;
  /** What differs from the example's expectation, in words. */
  mismatches: string[];
  actual: {
    valid: boolean;
    errors: string[];
    feeCents: number;
    requiredEvidence: string[];
    outcome?: string;
    payoutCents?: number;
    rules?: string[];
  };
}

/** Runs one example case through the service's schema, intake rules and decision rules, as the engine would. */
export async function runExample(service: ServiceDefinition, ex: ServiceExample): Promise<ExampleRun> {
  const ruleSetVersion = ruleSetVersionOn(service, ex.submittedOn);
  const check = await checkApplication({
    service,
    authorityId: ex.authorityId,
    schemaVersion: service.currentSchemaVersion,
    ruleSetVersion,
    application: ex.application,
    submittedOn: ex.submittedOn,
  });
  const a = check.assessment;
  const actual: ExampleRun['actual'] = {
    valid: check.valid,
    errors: check.errors.map((e) => e.pointer),
    feeCents: a.feeCents,
    requiredEvidence: a.requiredEvidence,
  };
  if (check.valid) {
    const given = ex.evidence ?? {};
    const evidence: EvidenceResult[] = [
      ...a.requiredEvidence.map((type) => ({
        evidenceType: type,
        register: registerOf(service, type),
        status: given[type]?.status ?? 'unavailable',
        facts: given[type]?.facts ?? {},
      })),
      // Step results, as the case's steps after evidence would add them.
      ...(service.steps ?? [])
        .filter((s) => s.at === 'after_evidence' && given[s.name])
        .map((s) => ({
          evidenceType: s.name,
          register: `step:${s.activity}`,
          status: given[s.name]!.status,
          facts: given[s.name]!.facts ?? {},
        })),
    ];
    const decision = await decide(
      await loadRuleSet(service.ruleSet.id, ruleSetVersion),
      service.decisionFacts(ex.application, evidence),
    );
    Object.assign(actual, {
      outcome: decision.outcome,
      rules: decision.firedRules.map((r) => r.ruleId).sort(),
      ...(decision.payoutCents !== undefined && { payoutCents: decision.payoutCents }),
    });
  }
  const e = ex.expected;
  const mismatches: string[] = [];
  const differ = (what: string, want: unknown, got: unknown) =>
    JSON.stringify(want) !== JSON.stringify(got) &&
    mismatches.push(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  differ('valid', e.valid ?? true, actual.valid);
  for (const p of e.errors ?? [])
    if (!actual.errors.includes(p))
      mismatches.push(`expected a field error at ${p}, got ${JSON.stringify(actual.errors)}`);
  if (actual.valid && !(e.valid === false)) {
    if (e.feeCents !== undefined) differ('feeCents', e.feeCents, actual.feeCents);
    if (e.requiredEvidence)
      differ('requiredEvidence', [...e.requiredEvidence].sort(), [...actual.requiredEvidence].sort());
    if (e.outcome !== undefined) differ('outcome', e.outcome, actual.outcome);
    if (e.payoutCents !== undefined) differ('payoutCents', e.payoutCents, actual.payoutCents);
    if (e.rules) differ('rules', [...e.rules].sort(), actual.rules);
  }
  return { name: ex.name, ok: mismatches.length === 0, mismatches, actual };
}

const registerOf = (s: ServiceDefinition, type: string) =>
  s.evidence.find((e) => e.evidenceType === type)?.register ?? 'unknown';
