import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaunchOptions } from 'playwright-core';

const tools = fileURLToPath(new URL('../../.tools/', import.meta.url));

/**
 * How the browser tests start Chromium: CHROMIUM_PATH when set, else the build of @sparticuz/chromium that
 * `npm run setup -- --tests` unpacked into .tools/chromium, with its own NSS and fonts (no system package, no root).
 * Never a downloaded browser. Throws, naming what is missing, where there is none.
 */
export function chromiumLaunchOptions(): LaunchOptions {
  const system = process.env['CHROMIUM_PATH'];
  if (system) {
    if (!existsSync(system)) throw new Error(`CHROMIUM_PATH=${system} does not exist`);
    return { executablePath: system, args: ['--no-sandbox'] };
  }
  const dir = join(tools, 'chromium');
  const executablePath = join(dir, 'chromium');
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: run npm run setup -- --tests`);
  return {
    executablePath,
    args: ['--no-sandbox', '--no-zygote'],
    env: {
      ...process.env,
      LD_LIBRARY_PATH: [join(dir, 'al2023', 'lib'), process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':'),
      FONTCONFIG_PATH: join(dir, 'fonts'),
    } as Record<string, string>,
  };
}
