import type { EvidenceResult } from '../workflows/contracts/case.js';
import type { AuthoritySettings } from './types.js';

/** Whether the application's address lies in the authority's municipality; null when the address has no postal code. */
export function postalCodeInMunicipality(
  application: Record<string, unknown>,
  authority: AuthoritySettings,
): boolean | null {
  const postalCode = (application['address'] as { postalCode?: unknown } | undefined)?.postalCode;
  return typeof postalCode === 'string' ? authority.postalCodes.includes(postalCode) : null;
}

/** Whole days from `from` to `to` (YYYY-MM-DD); null when either is not a date. */
export function daysBetween(from: unknown, to: unknown): number | null {
  if (typeof from !== 'string' || typeof to !== 'string') return null;
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  return Number.isNaN(a) || Number.isNaN(b) ? null : Math.round((b - a) / 86_400_000);
}

export const evidenceOf = (evidence: EvidenceResult[], type: string) => {
  const e = evidence.find((x) => x.evidenceType === type);
  return { status: e?.status ?? 'unavailable', facts: e?.status === 'found' ? e.facts : undefined };
};
