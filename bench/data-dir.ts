import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Benchmarks keep their own data folder (`.data/bench/<mode>`, emptied at start), so the demo's cases, inbox and
 * documents under `.data` are never mixed with thousands of benchmark cases. A DATA_DIR set by the caller is used as
 * it is and never emptied. Call before `loadConfig()`.
 */
export async function useBenchDataDir(mode: string): Promise<string> {
  const given = process.env['DATA_DIR'];
  if (given) return given;
  const dir = fileURLToPath(new URL(`../.data/bench/${mode}`, import.meta.url));
  await rm(dir, { recursive: true, force: true });
  process.env['DATA_DIR'] = dir;
  return dir;
}
