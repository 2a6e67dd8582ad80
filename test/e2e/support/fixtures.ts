import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startWebHost, type RunningHost } from './web-host';

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/**
 * One web host per test file: each file sets its own `hostScope`, and a worker-scoped option that differs
 * makes Playwright start a new worker, so no file sees another file's jobs.
 */
export const test = base.extend<{ app: Page }, { host: RunningHost; hostScope: string }>({
  hostScope: ['default', { scope: 'worker', option: true }],
  host: [
    async ({ hostScope }, use) => {
      void hostScope;
      const host = await startWebHost();
      await use(host);
      await host.stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  app: async ({ page, host }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    await page.goto(host.launchUrl);
    await expect(
      page.getByRole('navigation', { name: /main navigation|navegación principal|navigazione principale/i }),
    ).toBeVisible();
    await use(page);
    // Content-Security-Policy violations and uncaught errors show up here.
    expect(problems.filter((problem) => !/favicon/.test(problem))).toEqual([]);
  },
});

export { expect };

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Let fonts settle, then grow the viewport to the whole page: a full-page capture of a scrolled page would
  // draw Carbon's fixed header and side navigation in the middle of it.
  await page.evaluate('document.fonts.ready');
  const viewport = page.viewportSize() ?? { width: 1360, height: 900 };
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.min(height, 4000) });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  if (height > viewport.height) await page.setViewportSize(viewport);
}

/** A screenshot of one part of the page (a notice, a table row), scrolled into view first. */
export async function screenshotOf(part: Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await part.scrollIntoViewIfNeeded();
  await part.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Switches the UI language through the header's menu, as a person does, and waits for the page to follow. */
export async function chooseLanguage(page: Page, language: 'en' | 'es' | 'it'): Promise<void> {
  await page.getByTestId('language-menu').click();
  await page.locator(`[data-language="${language}"]`).click();
  await expect(page.locator('html')).toHaveAttribute('lang', language);
}

/** axe-core on the current page: no serious or critical violation (WCAG 2.x A/AA rules). */
export async function expectAccessible(page: Page, context: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  const summary = bad.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
        .map((node) => node.target.join(' '))
        .slice(0, 5)
        .join(', ')}`,
  );
  expect(summary, `axe on ${context}`).toEqual([]);
}
