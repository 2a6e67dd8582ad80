/// <reference lib="dom" />
import { test, expect, chooseLanguage, screenshot } from './support/fixtures';
import { callApi, writeRawImage } from './support/images';
import { englishLeftOn } from './support/untranslated';

const PAGES = [
  { hash: '#/jobs', testId: 'jobs-page' },
  { hash: '#/new', testId: 'wizard' },
  { hash: '#/keys', testId: 'keys-page' },
  { hash: '#/settings', testId: 'settings-page' },
  { hash: '#/audit', testId: 'audit-page' },
];


test.use({ hostScope: 'i18n' });

test.describe('Spanish and Italian, switched at run time', () => {
  for (const language of ['es', 'it'] as const) {
    test(`every main screen is in ${language === 'es' ? 'Spanish' : 'Italian'} with nothing left in English`, async ({
      app: page,
      host,
    }) => {
      // Something in every table: a job (with its audit entries).
      const source = await writeRawImage(host.dataDir, `i18n-${language}.raw`, 1);
      const job = await callApi<{ id: string }>(host.url, host.token, 'createJob', {
        sourcePath: source,
        target: 'classic-luks',
        iterTimeMs: 10,
      });
      await chooseLanguage(page, language);
      for (const { hash, testId } of [...PAGES, { hash: `#/jobs/${job.id}`, testId: 'job-page' }]) {
        await page.evaluate((target) => (window.location.hash = target), hash);
        await expect(page.getByTestId(testId)).toBeVisible();
        await page.waitForLoadState('networkidle');
        if (testId === 'audit-page') {
          await page.getByTestId('audit-verify').click();
          await expect(page.getByTestId('audit-chain-status')).toHaveAttribute('data-chain', 'ok');
        }
        expect(await englishLeftOn(page, language), `English on ${hash}`).toEqual([]);
        await screenshot(page, `i18n-${language}-${testId}`);
      }
      // Sizes and dates follow the language too.
      await page.evaluate(() => (window.location.hash = '#/jobs'));
      await expect(page.getByTestId('jobs-table')).toContainText('1,00 MiB');
    });
  }
});
