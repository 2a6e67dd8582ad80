/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { test, expect, screenshot, expectAccessible } from './support/fixtures';
import { writeRawImage } from './support/images';
import { activate, tabTo } from './support/keyboard';
import { englishLeftOn } from './support/untranslated';

type Language = 'en' | 'es' | 'it';
type Target = 'vpc' | 'classic-vhd' | 'classic-luks';
type Intake = 'drop-on-jobs' | 'file-picker' | 'path-by-keyboard';

interface Run {
  target: Target;
  language: Language;
  intake: Intake;
  keyboardOnly: boolean;
  axe: boolean;
}

const YES: Record<Language, string> = { en: 'Yes', es: 'Sí', it: 'Sì' };
const IMAGE_MIB = 4;
const STEP_TIMEOUT = 90_000;

/** Everything a step page shows is in the chosen language; on English runs, axe checks it instead. */
async function checkPage(page: Page, run: Run, name: string, axe = true): Promise<void> {
  await screenshot(page, `wizard-${run.target}-${run.language}-${name}`);
  if (run.language !== 'en') expect(await englishLeftOn(page, run.language), `English left on ${name}`).toEqual([]);
  if (run.axe && axe) await expectAccessible(page, `wizard ${name}`);
}

async function switchLanguage(page: Page, language: Language, keyboardOnly: boolean): Promise<void> {
  const menu = page.getByTestId('language-menu');
  if (keyboardOnly) await activate(page, menu);
  else await menu.click();
  const item = page.locator(`[data-language="${language}"]`);
  await expect(item).toBeVisible();
  if (keyboardOnly) {
    // Carbon focuses the first item; arrows move within the menu.
    for (
      let press = 0;
      press < 5 &&
      !(await item.evaluate(
        (element) => element === document.activeElement || element.contains(document.activeElement),
      ));
      press += 1
    ) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
  } else {
    await item.click();
  }
  await expect(page.locator('html')).toHaveAttribute('lang', language);
}

async function press(page: Page, run: Run, testId: string): Promise<void> {
  const button = page.getByTestId(testId);
  await expect(button).toBeEnabled();
  if (run.keyboardOnly) await activate(page, button);
  else await button.click();
}

async function completeWizard(page: Page, dataDir: string, run: Run): Promise<void> {
  const fileName = `disk-${run.target}-${run.language}.raw`;
  const imagePath = await writeRawImage(dataDir, fileName, IMAGE_MIB);
  const sourceSha256 = createHash('sha256')
    .update(await readFile(imagePath))
    .digest('hex');
  if (run.language !== 'en') await switchLanguage(page, run.language, run.keyboardOnly);

  // Image: dropped on the Jobs page, picked with the file chooser, or typed as a path.
  if (run.intake === 'drop-on-jobs') {
    const bytes = await readFile(imagePath);
    const jobsPage = page.getByTestId('jobs-page');
    const dataTransfer = await page.evaluateHandle(
      ({ base64, name }) => {
        const binary = atob(base64);
        const array = new Uint8Array(binary.length);
        for (let index = 0; index < binary.length; index += 1) array[index] = binary.charCodeAt(index);
        const transfer = new DataTransfer();
        transfer.items.add(new File([array], name, { type: 'application/octet-stream' }));
        return transfer;
      },
      { base64: bytes.toString('base64'), name: fileName },
    );
    await jobsPage.dispatchEvent('dragenter', { dataTransfer });
    await jobsPage.dispatchEvent('dragover', { dataTransfer });
    await expect(page.locator('.is-drop-overlay')).toBeVisible();
    await screenshot(page, `wizard-${run.target}-${run.language}-0-drop-on-jobs`);
    await jobsPage.dispatchEvent('drop', { dataTransfer });
    await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'image');
  } else {
    const nav = page.getByRole('navigation').first();
    const newJob = nav.locator('a[href="#/new"]');
    if (run.keyboardOnly) await activate(page, newJob);
    else await newJob.click();
    await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'image');
    if (run.intake === 'file-picker') {
      await page.locator('[data-testid="step-image"] input[type="file"]').setInputFiles(imagePath);
    } else {
      const field = page.locator('#image-path');
      await tabTo(page, field);
      await page.keyboard.type(imagePath);
      await page.keyboard.press('Enter');
    }
  }
  await expect(page.getByTestId('probe-format')).toContainText('raw');
  await expect(page.getByTestId('probe-virtual-size')).toContainText(run.language === 'en' ? '4.00 MiB' : '4,00 MiB');
  await checkPage(page, run, '1-image');
  await press(page, run, 'wizard-next');

  // Target: the tile, and a short PBKDF time under the advanced options.
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'target');
  const tile = page.locator(`#target-${run.target}`);
  if (run.keyboardOnly) {
    await tabTo(page, page.locator('input[name="target"]:checked'));
    for (let press = 0; press < 4 && !(await tile.isChecked()); press += 1) await page.keyboard.press('ArrowDown');
  } else {
    await page.locator(`label[for="target-${run.target}"]`).click();
  }
  await expect(tile).toBeChecked();
  const advanced = page.getByTestId('advanced-options').locator('button').first();
  if (run.keyboardOnly) await activate(page, advanced);
  else await advanced.click();
  const iterTime = page.locator('#job-iter-time');
  await expect(iterTime).toBeVisible();
  if (run.keyboardOnly) {
    await tabTo(page, iterTime);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('10');
  } else {
    await iterTime.fill('10');
  }
  await checkPage(page, run, '2-target');
  await press(page, run, 'wizard-create');

  // Seal: the digest of the content is the source's own (computed here independently).
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'seal');
  await checkPage(page, run, '3-seal-ready', false);
  await press(page, run, 'wizard-run');
  await expect(page.getByTestId('step-done')).toBeVisible({ timeout: STEP_TIMEOUT });
  await expect(page.getByTestId('content-sha256')).toHaveText(sourceSha256);
  await expect(page.getByTestId('key-fingerprint')).toHaveText(/^[0-9a-f]{8,}$/);
  await expect(page.getByTestId('seal-verified')).toHaveText(YES[run.language]);
  await checkPage(page, run, '3-seal-done');
  await press(page, run, 'wizard-next');

  // Key: wrapped with a root key of the sandbox Key Protect, round trip proven.
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'key');
  await expect(page.locator('#wizard-root-key')).toBeVisible();
  await checkPage(page, run, '4-key-ready', false);
  await press(page, run, 'wizard-run');
  await expect(page.getByTestId('step-done')).toBeVisible({ timeout: STEP_TIMEOUT });
  await expect(page.getByTestId('root-key-crn')).toHaveText(/^crn:v1:/);
  await expect(page.getByTestId('wdek-fingerprint')).toHaveText(/^[0-9a-f]{8,}$/);
  await expect(page.getByTestId('round-trip')).toHaveText(YES[run.language]);
  await checkPage(page, run, '4-key-done', false);
  await press(page, run, 'wizard-next');

  // Upload: stored and verified.
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'upload');
  await checkPage(page, run, '5-upload-ready', false);
  await press(page, run, 'wizard-run');
  await expect(page.getByTestId('step-done')).toBeVisible({ timeout: STEP_TIMEOUT });
  await expect(page.getByTestId('object-key')).not.toHaveText('—');
  await expect(page.getByTestId('upload-verified')).toHaveText(YES[run.language]);
  await checkPage(page, run, '5-upload-done', false);
  await press(page, run, 'wizard-next');

  // Import: the sandbox image service unwraps the WDEK, opens the image and says `available`.
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'import');
  await expect(page.locator('#wizard-os')).toBeVisible();
  await checkPage(page, run, '6-import-ready', false);
  await press(page, run, 'wizard-run');
  await expect(page.getByTestId('step-done')).toBeVisible({ timeout: STEP_TIMEOUT });
  await expect(page.getByTestId('image-status').locator('[data-status="available"]')).toBeVisible();
  await expect(page.getByTestId('image-id')).not.toHaveText('—');
  await checkPage(page, run, '6-import-done');
  await press(page, run, 'wizard-next');

  // Done: the whole record, and the job page with the same facts.
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'done');
  await expect(page.getByTestId('image-status').locator('[data-status="available"]')).toBeVisible();
  await checkPage(page, run, '7-done');
  await press(page, run, 'wizard-view-job');
  await expect(page.getByTestId('job-page')).toHaveAttribute('data-job-state', 'imported');
  await expect(page.getByTestId('job-timeline')).toBeVisible();
  await checkPage(page, run, '8-job-page', false);
}

test.use({ hostScope: 'wizard' });

test.describe('the new-job wizard, end to end on the sandbox', () => {
  test.describe.configure({ timeout: 300_000 });

  test('vpc: an image dropped on the Jobs page becomes an available VPC image (English, axe on every step)', async ({
    app,
    host,
  }) => {
    await completeWizard(app, host.dataDir, {
      target: 'vpc',
      language: 'en',
      intake: 'drop-on-jobs',
      keyboardOnly: false,
      axe: true,
    });
  });

  test('classic-vhd: keyboard only, in Spanish, from a typed path', async ({ app, host }) => {
    await completeWizard(app, host.dataDir, {
      target: 'classic-vhd',
      language: 'es',
      intake: 'path-by-keyboard',
      keyboardOnly: true,
      axe: false,
    });
  });

  test('classic-luks: from the file picker, in Italian', async ({ app, host }) => {
    await completeWizard(app, host.dataDir, {
      target: 'classic-luks',
      language: 'it',
      intake: 'file-picker',
      keyboardOnly: false,
      axe: false,
    });
  });
});
