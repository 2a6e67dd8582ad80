/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { en } from '../../renderer/src/i18n/en';
import { es } from '../../renderer/src/i18n/es';
import { test, expect, chooseLanguage, screenshot, screenshotOf } from './support/fixtures';
import { callApi, jobRunUntil } from './support/images';
import { englishLeftOn } from './support/untranslated';

/** The part of a job record this test reads. */
interface JobRecord {
  id: string;
  state: string;
  upload?: { objectKey: string; bucket: string };
  error?: { code: string; message: string; hint?: string };
}

const STEP_TIMEOUT = 90_000;

/** Where the sandbox COS (s3rver) keeps an object's bytes in the host's data folder. */
function storedObject(dataDir: string, bucket: string, objectKey: string): string {
  return join(dataDir, 'sandbox', 'cos', bucket, `${objectKey}._S3rver_object`);
}

/**
 * The file offset of a qcow2 image's first allocated data cluster (header → L1 table → L2 table): a change there
 * changes the decrypted content, where a change in padding or in the LUKS header's unused space might not.
 */
async function firstDataCluster(object: FileHandle): Promise<number> {
  const read = async (offset: number, length: number) => {
    const bytes = Buffer.alloc(length);
    await object.read(bytes, 0, length, offset);
    return bytes;
  };
  const header = await read(0, 48);
  expect(header.readUInt32BE(0), 'qcow2 magic').toBe(0x514649fb);
  const clusterSize = 2 ** header.readUInt32BE(20);
  const l1Entries = header.readUInt32BE(36);
  const l1 = await read(Number(header.readBigUInt64BE(40)), l1Entries * 8);
  const offsetMask = 0x00fffffffffffe00n;
  for (let index = 0; index < l1Entries; index += 1) {
    const l2Offset = Number(l1.readBigUInt64BE(index * 8) & offsetMask);
    if (l2Offset === 0) continue;
    const l2 = await read(l2Offset, clusterSize);
    for (let entry = 0; entry < clusterSize / 8; entry += 1) {
      const dataOffset = Number(l2.readBigUInt64BE(entry * 8) & offsetMask);
      if (dataOffset !== 0) return dataOffset;
    }
  }
  throw new Error('the sealed image has no allocated data cluster');
}

test.use({ hostScope: 'import-failure' });

test.describe('a failed import, in Spanish', () => {
  test.describe.configure({ timeout: 240_000 });

  test('the sandbox refuses an object altered after upload: the notice and the job say why and what to do', async ({
    app: page,
    host,
  }) => {
    // Sealed, wrapped and uploaded for real on the sandbox (random content: every cluster holds data).
    const uploaded = await jobRunUntil<JobRecord>(host, {
      name: 'altered-after-upload',
      target: 'vpc',
      until: 'upload',
      state: 'uploaded',
    });
    expect(uploaded.upload).toBeDefined();

    // Someone changes the object in the bucket after the upload: 4 KiB of the image's data, in place.
    const object = await open(storedObject(host.dataDir, uploaded.upload!.bucket, uploaded.upload!.objectKey), 'r+');
    await object.write(randomBytes(4096), 0, 4096, await firstDataCluster(object));
    await object.close();

    // A Spanish page resumes the job; the sandbox's image service opens the image and refuses it.
    await chooseLanguage(page, 'es');
    await page.evaluate((hash) => (window.location.hash = hash), `#/jobs/${uploaded.id}`);
    const jobPage = page.getByTestId('job-page');
    await expect(jobPage).toHaveAttribute('data-job-state', 'uploaded');
    await page.getByRole('button', { name: es.job.resume }).click();
    await expect(jobPage).toHaveAttribute('data-job-state', 'failed', { timeout: STEP_TIMEOUT });
    await page.waitForLoadState('networkidle');

    const reason = es.statusReasons.image_data_corrupted;
    const records = page.getByTestId('job-records');
    const notice = records.getByTestId('error-notice');
    await expect(notice.locator('[data-error-code]')).toHaveAttribute('data-error-code', 'IMPORT_FAILED');
    const imageId = (await records.getByTestId('image-id').textContent()) ?? '';
    expect(imageId).not.toBe('');
    await expect(notice.getByTestId('error-message')).toHaveText(
      `La importación de la imagen altered-after-upload (${imageId}) ha fallado. ${reason.meaning}`,
    );
    await expect(notice.locator('.is-error-hint')).toHaveText(reason.fix);
    // main's English stays one click away, closed.
    const original = notice.getByTestId('error-original');
    await expect(original).not.toHaveAttribute('open');
    await expect(original.locator('p[lang="en"]').first()).toContainText('(image_data_corrupted)');

    // The job's status reasons: the code with its meaning in Spanish, IBM's own message behind a disclosure.
    const row = records.getByTestId('status-reasons');
    const importFacts = records.locator('section.is-facts', { has: page.getByTestId('status-reasons') });
    const item = row.locator('[data-status-reason="image_data_corrupted"]');
    await expect(item).toHaveCount(1);
    await expect(item.getByTestId('status-reason-meaning')).toHaveText(reason.meaning);
    const ibmMessage = item.locator('details');
    await expect(ibmMessage.locator('summary')).toHaveText(es.job.ibmMessage);
    await expect(ibmMessage.locator('p[lang="en"]')).toBeHidden();

    // The image's state in Spanish, IBM's word kept in the attribute.
    await expect(records.getByTestId('image-status').locator('[data-status="failed"]')).toHaveText(
      es.cloudStatus.image.failed,
    );

    expect(await englishLeftOn(page, 'es'), 'English on the failed job').toEqual([]);
    await screenshot(page, 'import-failure-es-job-page');
    await screenshotOf(notice, 'import-failure-es-notice');
    await screenshotOf(importFacts, 'import-failure-es-status-reasons');

    // Opened, the disclosures show main's English and IBM's message, marked as English.
    await original.locator('summary').click();
    await ibmMessage.locator('summary').click();
    await expect(ibmMessage.locator('p[lang="en"]')).toBeVisible();
    await expect(ibmMessage.locator('p[lang="en"]')).not.toHaveText('');
    await screenshotOf(notice, 'import-failure-es-notice-open');
    await screenshotOf(importFacts, 'import-failure-es-status-reasons-open');

    // An English page keeps main's own message and hint, word for word, and the English meaning in the row.
    const failed = await callApi<JobRecord>(host.url, host.token, 'getJob', { jobId: uploaded.id });
    expect(failed.error?.code).toBe('IMPORT_FAILED');
    await chooseLanguage(page, 'en');
    await expect(notice.getByTestId('error-message')).toHaveText(failed.error!.message);
    await expect(notice.locator('.is-error-hint')).toHaveText(failed.error!.hint!);
    await expect(notice.getByTestId('error-original')).toHaveCount(0);
    await expect(item.getByTestId('status-reason-meaning')).toHaveText(en.statusReasons.image_data_corrupted.meaning);
    await screenshotOf(notice, 'import-failure-en-notice');
    await screenshotOf(importFacts, 'import-failure-en-status-reasons');
  });
});
