import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type LaunchOptions, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

const tools = fileURLToPath(new URL('../../.tools/', import.meta.url));

/**
 * How the browser tests start Chromium: CHROMIUM_PATH when set, else the build of @sparticuz/chromium that
 * `npm run setup -- --tests` unpacked into .tools/chromium, with its own NSS and fonts (no system package, no root).
 * Never a downloaded browser.
 */
export function chromiumLaunchOptions(): LaunchOptions {
  const system = process.env['CHROMIUM_PATH'];
  if (system) return { executablePath: system, args: ['--no-sandbox'] };
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

export const launchChromium = (): Promise<Browser> => chromium.launch(chromiumLaunchOptions());

/** axe-core over the page as it is now: zero violations of the WCAG 2.1 A and AA rules. */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = result.violations.map(
    (v) =>
      `${v.id}: ${v.help} (${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')})`,
  );
  expect(found, `axe on ${state}`).toEqual([]);
}

/** Moves focus with the Tab key alone until `target` has it, and checks that the focus is visible. */
export async function tabTo(page: Page, target: Locator, maxTabs = 80): Promise<void> {
  const handle = await target.elementHandle();
  if (!handle) throw new Error('tab target not on the page');
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    if (await handle.evaluate((el) => el === document.activeElement)) {
      const outline = await handle.evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline, 'focus is visible').not.toBe('none');
      return;
    }
  }
  throw new Error(`could not reach ${target.toString()} with Tab`);
}

/** Whether the page reflows: no horizontal scrolling of the whole page (tables may scroll in their own box). */
export async function expectNoPageScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

export async function screenshot(page: Page, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}
