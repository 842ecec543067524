/**
 * Replay fixtures are append-only, checked against git's history rather than the tree's own manifest (which an edit can
 * update along with the file): every file that was ever committed under test/fixtures/histories must still be there,
 * byte for byte as first committed. Fails on a changed, re-recorded or deleted fixture, committed or not.
 *
 *   npm run fixtures:check            (run by .ci/run)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FOLDER = 'test/fixtures/histories';

/**
 * Fixtures that changed after their first commit, before this check existed; each is pinned to the version it has
 * now (git blob id), so it cannot change again.
 */
export const REWRITTEN_BEFORE_THIS_CHECK: Record<string, { blob: string; why: string }> = {
  // Re-recorded on 2026-11-28 for the fee stages (b5a310f) and for the merged workflow (2b9b743), when the fixtures
  // were regenerated with each workflow change, before patching and the append-only rule.
  'case-path-1.json': { blob: '663c661e1707dfa03dfbac133ae94c92b7e4c309', why: 're-recorded 2026-11-28' },
  'case-path-2.json': { blob: 'a24ed046cb673885305eb47c8e4468527ea36409', why: 're-recorded 2026-11-28' },
  'case-path-3.json': { blob: 'acd5448fd23f0ed3ee8c7667503dc676b864df0d', why: 're-recorded 2026-11-28' },
  'case-path-4.json': { blob: '686038836efe9328ffb2f344554ac9c6e8d8cb9d', why: 're-recorded 2026-11-28' },
  // Recorded and re-recorded on the branch that introduced the journal shape (e61a259), before it reached main: no
  // running case ever had the first versions.
  'case-v2-path-1.json': { blob: '9ccd61fb87fc6c677aa92f15a537deb89096efcb', why: 'own branch, before merge' },
  'case-v2-path-2.json': { blob: 'f51d9b9503166ee59a11d81221e3d20aac3d5317', why: 'own branch, before merge' },
  'case-v2-path-3.json': { blob: '8bdc91f4a5d9ce0550616df0058f7b3af3d7edc8', why: 'own branch, before merge' },
  'case-v2-path-5.json': { blob: '997bc006d3383df38789cc173f407c7181c04f08', why: 'own branch, before merge' },
  // Stack-trace text only: the machine's absolute paths removed (e3bd0c5); events and payloads unchanged.
  'case-v2-path-4.json': { blob: '941be166cde71c5f9200410459230f20c052781c', why: 'machine paths removed' },
  '2026-11-30-delivery-handed-over.json': {
    blob: '3ba287f6e9925fb52d1282e2a676e47b505ae73c',
    why: 'machine paths removed',
  },
  '2026-11-30-evidence-expiry.json': { blob: '4cbde1b46f7ca9f6393a79ac63573679771e7729', why: 'machine paths removed' },
  '2026-11-30-evidence-reminder.json': {
    blob: 'd98fa0b40a7079855e9ffcaf27397c9ce84e6c5d',
    why: 'machine paths removed',
  },
  '2026-11-30-payout.json': { blob: '3d74119bf2c1a1756eb86830513fa4e276f6e94c', why: 'machine paths removed' },
};

const git = (root: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 }).trim();

/** Each fixture ever committed (on HEAD's history), with the blob it had when first committed. */
function firstCommitted(root: string): Map<string, string> {
  const first = new Map<string, string>();
  const commits = git(root, 'rev-list', '--reverse', '--topo-order', 'HEAD', '--', FOLDER).split('\n').filter(Boolean);
  for (const commit of commits)
    for (const line of git(root, 'ls-tree', commit, `${FOLDER}/`).split('\n').filter(Boolean)) {
      const [meta, path] = line.split('\t') as [string, string];
      const file = path.slice(FOLDER.length + 1);
      if (!first.has(file)) first.set(file, meta.split(' ')[2]!);
    }
  return first;
}

/** What is wrong with the fixture folder compared with git's history; empty when every committed fixture is intact. */
export function fixtureHistoryProblems(root: string): string[] {
  if (git(root, 'rev-parse', '--is-shallow-repository') === 'true')
    return ['a shallow clone has not the whole history: run `git fetch --unshallow` first'];
  const problems: string[] = [];
  for (const [file, firstBlob] of firstCommitted(root)) {
    const path = `${root}/${FOLDER}/${file}`;
    if (!existsSync(path)) {
      problems.push(`${file}: deleted (committed fixtures are append-only; restore it with git checkout)`);
      continue;
    }
    const expected = REWRITTEN_BEFORE_THIS_CHECK[file]?.blob ?? firstBlob;
    const now = git(root, 'hash-object', path);
    if (now !== expected)
      problems.push(
        `${file}: changed since it was committed (blob ${now}, committed ${expected}); restore it and gate the ` +
          'workflow change with patched() and a new fixture',
      );
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = git(process.cwd(), 'rev-parse', '--show-toplevel');
  const problems = fixtureHistoryProblems(root);
  if (problems.length > 0) {
    console.error(`Replay fixtures changed or removed:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`Replay fixtures intact: every one ever committed is unchanged (${FOLDER}).`);
}
