import type { FieldError } from '../workflows/contracts/case.js';
import type { RuleSet } from './rule-set.js';
import { runRules } from './run-rules.js';

/** What the intake rules make of an application before any register is asked. */
export interface IntakeAssessment {
  /** Plausibility errors beyond the schema. */
  errors: FieldError[];
  requiredEvidence: string[];
  feeCents: number;
  feeRules: Array<{ ruleId: string; amountCents: number; reason: string; legalBasis: string }>;
}

/** Plausibility, fee and required evidence, all from the rule set version pinned at submission. */
export async function assessIntake(ruleSet: RuleSet, facts: Record<string, unknown>): Promise<IntakeAssessment> {
  const a: IntakeAssessment = { errors: [], requiredEvidence: [], feeCents: 0, feeRules: [] };
  for (const { rule } of await runRules(ruleSet, facts)) {
    const e = rule.event;
    if (e.type === 'implausible')
      a.errors.push({
        pointer: e.params.pointer,
        code: e.params.code,
        message: e.params.message,
        messageEn: e.params.messageEn,
      });
    if (e.type === 'require-evidence' && !a.requiredEvidence.includes(e.params.evidenceType))
      a.requiredEvidence.push(e.params.evidenceType);
    if (e.type === 'fee') {
      a.feeCents += e.params.amountCents;
      a.feeRules.push({
        ruleId: rule.name,
        amountCents: e.params.amountCents,
        reason: e.params.reason,
        legalBasis: e.params.legalBasis,
      });
    }
  }
  return a;
}
