import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { chromiumLaunchOptions } from './chromium.js';

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

/**
 * The documentation's screenshots, written where a test has reached the page they show, when asked for
 * (`UPDATE_SCREENSHOTS=1 npm test`): a plain test run leaves the checkout's files as they are.
 */
export async function screenshot(
  page: Page,
  file: string,
  clip?: { x: number; y: number; width: number; height: number },
): Promise<void> {
  if (!process.env['UPDATE_SCREENSHOTS']) return;
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, ...(clip ? { clip } : { fullPage: true }) });
}
