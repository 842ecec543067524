import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { pinnedRuleSet } from '../activities/decision.js';
import { caseWorkflowStart } from '../client/case-client.js';
import { releasedRuleSetHash } from '../rules/rule-set.js';
import { ruleFiles, sha256Of } from '../scripts/release-rules.js';
import { applicationOf } from './samples.js';

const manifest = JSON.parse(readFileSync(new URL('../rules/released.json', import.meta.url), 'utf8')) as Record<
  string,
  string
>;

describe('released rule sets never change', () => {
  it('every rule file is released, and every released file still has the hash it was released with', () => {
    // A change here means a released rule set was edited: release a new version instead (npx tsx scripts/release-rules.ts).
    expect(Object.fromEntries(ruleFiles().map((f) => [f, sha256Of(f)]))).toEqual(manifest);
  });

  it('a submitted case pins the released hash of its rule set version', () => {
    const start = caseWorkflowStart('q', {
      a: applicationOf('resident'),
      caseId: 'c',
      schemaVersion: '1',
      ruleSetVersion: '1',
      submittedAt: '2026-01-01T00:00:00Z',
      submissionSha256: 'x',
    });
    expect(start.args[0].ruleSetSha256).toBe(manifest['anwohnerparken/v1.json']);
  });

  it('refuses to decide with rules that do not match the pinned hash, as a typed non-retryable failure', async () => {
    expect((await pinnedRuleSet('anwohnerparken', '1', releasedRuleSetHash('anwohnerparken', '1'))).version).toBe('1');
    expect((await pinnedRuleSet('anwohnerparken', '1', undefined)).version).toBe('1');
    const changed = await pinnedRuleSet('anwohnerparken', '1', 'f'.repeat(64)).catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(ApplicationFailure);
    expect(changed).toMatchObject({ type: 'RuleSetChanged', nonRetryable: true });
    const unknown = await pinnedRuleSet('anwohnerparken', '99', undefined).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ type: 'UnknownRuleSet', nonRetryable: true });
  });
});
