/// <reference lib="dom" />
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { runUploadChild } from '../helpers/run-upload-child';
import { test, expect, screenshot, expectAccessible } from './support/fixtures';
import { callApi } from './support/images';
import { englishLeftOn } from './support/untranslated';

/** What the fileUploads call answers (the part this test reads). */
interface FileUpload {
  transferId: string;
  bucket: string;
  objectKey: string;
  state: string;
  etag?: string;
  size?: number;
}

const MIB = 1024 * 1024;
const SANDBOX_BUCKET = 'image-sealer-sandbox';
const UPLOAD_TIMEOUT = 90_000;

/** Where the sandbox COS (s3rver) keeps an object's bytes in the host's data folder. */
function storedObject(dataDir: string, objectKey: string): string {
  return join(dataDir, 'sandbox', 'cos', SANDBOX_BUCKET, `${objectKey}._S3rver_object`);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The multipart uploads the sandbox COS holds open in the host's data folder (s3rver: one folder each). */
async function openMultipartUploads(dataDir: string): Promise<string[]> {
  return readdir(join(dataDir, 'sandbox', 'cos', SANDBOX_BUCKET, '._S3rver_uploads')).catch(() => []);
}

/**
 * What an app killed mid-upload leaves in its data folder: another process uploads the file as the app does
 * (journal named by transfer id, in the host's uploads folder; parts in the host's sandbox COS folder) and is
 * killed with SIGKILL half way.
 */
async function killedHalfWay(dataDir: string, path: string, objectKey: string, profile = 'sandbox'): Promise<void> {
  const run = runUploadChild(
    {
      sandboxDir: join(dataDir, 'sandbox'),
      file: path,
      bucket: SANDBOX_BUCKET,
      key: objectKey,
      fileUpload: { uploadsDir: join(dataDir, 'uploads'), profile },
      partSizeMiB: 5,
      concurrency: 1,
      limitRateMBps: 20,
    },
    0.5,
  );
  expect((await run.done).signal).toBe('SIGKILL');
}

/** A stand-in for an image sealed earlier: COS takes any bytes, and random ones do not compress. */
async function writeSealedFile(dir: string, name: string, mib: number): Promise<{ path: string; bytes: Buffer }> {
  const bytes = randomBytes(mib * MIB);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, bytes };
}

/** Reached from the Jobs page's header, or from the New job wizard's first step. */
async function openUploadPage(page: Page, from: 'jobs' | 'wizard' = 'jobs'): Promise<void> {
  if (from === 'wizard') {
    await page.getByRole('navigation').first().locator('a[href="#/new"]').click();
    await page.getByTestId('wizard-upload-sealed').click();
  } else {
    await page.getByTestId('jobs-upload-sealed').click();
  }
  await expect(page.getByTestId('sealed-upload-page')).toBeVisible();
  await expect(page.locator('#sealed-upload-bucket')).toHaveValue(SANDBOX_BUCKET);
}

async function uploadOf(host: { url: string; token: string }, objectKey: string): Promise<FileUpload | undefined> {
  const uploads = await callApi<FileUpload[]>(host.url, host.token, 'fileUploads', {});
  return uploads.find((upload) => upload.objectKey === objectKey);
}

/** The page shows the finished upload, and its ETag is the one main recorded for the stored object. */
async function expectUploaded(
  page: Page,
  host: { url: string; token: string; dataDir: string },
  objectKey: string,
  bytes: Buffer,
): Promise<void> {
  await expect(page.getByTestId('sealed-upload-done')).toBeVisible({ timeout: UPLOAD_TIMEOUT });
  await expect(page.getByTestId('sealed-upload-status')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('sealed-upload-object-key')).toHaveText(objectKey);
  await expect(page.getByTestId('sealed-upload-bucket')).toHaveText(SANDBOX_BUCKET);
  const upload = await uploadOf(host, objectKey);
  expect(upload).toMatchObject({ state: 'done', bucket: SANDBOX_BUCKET, size: bytes.length });
  expect(upload?.etag).toMatch(/^"?[0-9a-f]{32}(-\d+)?"?$/);
  await expect(page.getByTestId('sealed-upload-etag')).toHaveText(upload?.etag ?? '');
  expect(sha256(await readFile(storedObject(host.dataDir, objectKey)))).toBe(sha256(bytes));
  await expect(
    page.locator(`[data-testid="sealed-upload-table"] tr[data-transfer-id="${upload?.transferId}"]`),
  ).toHaveAttribute('data-state', 'done');
}

test.use({ hostScope: 'sealed-upload' });

test.describe('uploading an image sealed earlier, on the sandbox', () => {
  test.describe.configure({ timeout: 180_000 });

  let dir = '';
  test.beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'image-sealer-sealed-'));
  });
  test.afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a dropped file goes to the profile’s bucket under its own name (English, axe)', async ({ app, host }) => {
    const name = 'earlier-dropped.qcow2';
    const { bytes } = await writeSealedFile(dir, name, 5);
    await expect(app.getByTestId('jobs-upload-sealed')).toBeVisible();
    await screenshot(app, 'sealed-upload-en-0-jobs');
    await openUploadPage(app);
    await expectAccessible(app, 'sealed upload, empty');

    // Dropped on the page: the web host has no path for a browser file, so the page streams it there first.
    const dataTransfer = await app.evaluateHandle(
      ({ base64, fileName }) => {
        const binary = atob(base64);
        const array = new Uint8Array(binary.length);
        for (let index = 0; index < binary.length; index += 1) array[index] = binary.charCodeAt(index);
        const transfer = new DataTransfer();
        transfer.items.add(new File([array], fileName, { type: 'application/octet-stream' }));
        return transfer;
      },
      { base64: bytes.toString('base64'), fileName: name },
    );
    const target = app.getByTestId('sealed-upload-page');
    await target.dispatchEvent('dragenter', { dataTransfer });
    await target.dispatchEvent('dragover', { dataTransfer });
    await expect(app.locator('.is-drop-overlay')).toBeVisible();
    await target.dispatchEvent('drop', { dataTransfer });
    await expect(app.locator('#sealed-upload-path')).toHaveValue(/incoming/);
    // The object is named after the person's file, not the host's copy of it.
    await expect(app.locator('#sealed-upload-object-key')).toHaveValue(name);
    await screenshot(app, 'sealed-upload-en-1-ready');

    await app.getByTestId('sealed-upload-start').click();
    await expectUploaded(app, host, name, bytes);
    await screenshot(app, 'sealed-upload-en-2-done');
    await expectAccessible(app, 'sealed upload, done');
  });

  test('a typed path with transfer options pauses and resumes (Italian)', async ({ app, host }) => {
    const { path, bytes } = await writeSealedFile(dir, 'earlier-typed.qcow2', 24);
    const objectKey = 'riprova-sigillata.qcow2';
    await openUploadPage(app);
    await app.getByTestId('language-menu').click();
    await app.locator('[data-language="it"]').click();
    await expect(app.locator('html')).toHaveAttribute('lang', 'it');

    await app.locator('#sealed-upload-path').fill(path);
    await expect(app.locator('#sealed-upload-object-key')).toHaveValue('earlier-typed.qcow2');
    await app.locator('#sealed-upload-object-key').fill(objectKey);
    await app.getByTestId('sealed-upload-advanced').locator('button').first().click();
    await app.locator('#sealed-upload-concurrency').fill('2');
    await app.locator('#sealed-upload-part-size').fill('5');
    // Slow enough (about 12 s) to pause it half way on a loaded machine.
    await app.locator('#sealed-upload-rate').fill('2');
    await app.getByTestId('sealed-upload-start').click();

    const status = app.getByTestId('sealed-upload-status');
    await expect(status).toHaveAttribute('data-state', 'running');
    await expect(app.getByTestId('part-strip').locator('li')).toHaveCount(5);
    await expect(app.getByTestId('progress-rate')).not.toHaveText('—');
    await expect(app.getByTestId('sealed-upload-destination')).toContainText(`${'image-sealer-sandbox'}/${objectKey}`);
    await screenshot(app, 'sealed-upload-it-1-running');

    await app.getByTestId('sealed-upload-pause').click();
    await expect(status).toHaveAttribute('data-state', 'paused');
    await expect(app.getByTestId('sealed-upload-resume')).toBeVisible();
    expect((await uploadOf(host, objectKey))?.state).toBe('paused');
    expect(existsSync(storedObject(host.dataDir, objectKey))).toBe(false);
    await screenshot(app, 'sealed-upload-it-2-paused');
    expect(await englishLeftOn(app, 'it'), 'English left on the paused upload').toEqual([]);

    await app.getByTestId('sealed-upload-resume').click();
    await expect(status).toHaveAttribute('data-state', /running|done/);
    await expectUploaded(app, host, objectKey, bytes);
    await screenshot(app, 'sealed-upload-it-3-done');
    expect(await englishLeftOn(app, 'it'), 'English left on the finished upload').toEqual([]);
  });

  test('wrong options are named per field, a missing file is explained, and cancel discards the parts', async ({
    app,
    host,
  }) => {
    await openUploadPage(app, 'wizard');
    const before = await callApi<FileUpload[]>(host.url, host.token, 'fileUploads', {});
    const missing = join(dir, 'not-there.qcow2');
    await app.locator('#sealed-upload-path').fill(missing);
    await app.getByTestId('sealed-upload-advanced').locator('button').first().click();
    await app.locator('#sealed-upload-part-size').fill('3');
    // Closed again: the wrong option opens its section when Start refuses it.
    await app.getByTestId('sealed-upload-advanced').locator('button').first().click();
    await expect(app.locator('#sealed-upload-part-size')).toBeHidden();
    await app.getByTestId('sealed-upload-start').click();
    await expect(app.locator('#sealed-upload-part-size-error-msg')).toHaveText('From 5 to 5120.');
    await screenshot(app, 'sealed-upload-en-3-invalid');
    // Refused in the page: nothing reached main.
    expect(await callApi<FileUpload[]>(host.url, host.token, 'fileUploads', {})).toHaveLength(before.length);

    await app.locator('#sealed-upload-part-size').fill('');
    await app.getByTestId('sealed-upload-start').click();
    const notice = app.locator('[data-error-code]');
    await expect(notice).toBeVisible();
    expect(await notice.getAttribute('data-error-code')).toMatch(/^[A-Z_]+$/);
    await screenshot(app, 'sealed-upload-en-4-error');

    const { path } = await writeSealedFile(dir, 'earlier-cancelled.qcow2', 16);
    await app.locator('#sealed-upload-path').fill(path);
    await app.locator('#sealed-upload-rate').fill('1');
    await app.getByTestId('sealed-upload-start').click();
    await expect(app.getByTestId('sealed-upload-status')).toHaveAttribute('data-state', 'running');
    await app.getByTestId('sealed-upload-cancel').click();
    await expect(app.getByTestId('sealed-upload-status')).toHaveAttribute('data-state', 'cancelled');
    expect((await uploadOf(host, 'earlier-cancelled.qcow2'))?.state).toBe('cancelled');
    expect(existsSync(storedObject(host.dataDir, 'earlier-cancelled.qcow2'))).toBe(false);
    await expect(app.getByTestId('sealed-upload-start')).toBeEnabled();
  });

  test('uploads an earlier run left unfinished are listed to resume or discard; a changed file cannot resume', async ({
    app,
    host,
  }) => {
    const kept = await writeSealedFile(dir, 'interrupted-kept.qcow2', 20);
    const dropped = await writeSealedFile(dir, 'interrupted-dropped.qcow2', 20);
    const changed = await writeSealedFile(dir, 'interrupted-changed.qcow2', 20);
    for (const [file, objectKey] of [
      [kept, 'interrupted-kept.qcow2'],
      [dropped, 'interrupted-dropped.qcow2'],
      [changed, 'interrupted-changed.qcow2'],
    ] as const) {
      await killedHalfWay(host.dataDir, file.path, objectKey);
    }
    const later = new Date(Date.now() + 5000);
    await utimes(changed.path, later, later);

    // The page loads after the restart's leftovers are in place.
    await openUploadPage(app);
    await expect(app.getByTestId('sealed-upload-interrupted-notice')).toBeVisible();
    const row = async (objectKey: string) => {
      const upload = await uploadOf(host, objectKey);
      expect(upload?.state).toBe('interrupted');
      return app.locator(`[data-testid="sealed-upload-table"] tr[data-transfer-id="${upload?.transferId}"]`);
    };
    const keptRow = await row('interrupted-kept.qcow2');
    const droppedRow = await row('interrupted-dropped.qcow2');
    const changedRow = await row('interrupted-changed.qcow2');
    await expect(keptRow).toHaveAttribute('data-state', 'interrupted');
    await expect(keptRow.getByTestId('sealed-upload-row-sent')).toContainText(/MiB of 20\.0 MiB confirmed/);
    await expect(keptRow.getByTestId('sealed-upload-row-resume')).toBeEnabled();
    await expect(changedRow.getByTestId('sealed-upload-row-resume')).toBeDisabled();
    await expect(changedRow.getByTestId('sealed-upload-row-blocked')).toHaveAttribute('data-reason', 'sourceChanged');
    await expect(changedRow.getByTestId('sealed-upload-row-blocked')).toContainText(
      'The file changed since this upload started',
    );
    await screenshot(app, 'sealed-upload-en-5-interrupted');
    await expectAccessible(app, 'sealed upload, interrupted uploads');

    // Discard asks first; then the parts go from COS and the row from the table.
    const droppedId = (await uploadOf(host, 'interrupted-dropped.qcow2'))?.transferId;
    const journal = join(host.dataDir, 'uploads', `${droppedId}.journal`);
    const { uploadId } = JSON.parse((await readFile(journal, 'utf8')).split('\n')[0]) as { uploadId: string };
    expect(await openMultipartUploads(host.dataDir)).toContain(uploadId);
    await droppedRow.getByTestId('sealed-upload-row-discard').click();
    const dialog = app.getByRole('dialog');
    await expect(dialog).toContainText('interrupted-dropped.qcow2');
    await screenshot(app, 'sealed-upload-en-6-discard');
    await dialog.getByRole('button', { name: 'Discard' }).click();
    await expect(droppedRow).toHaveCount(0);
    await expect(app.getByTestId('sealed-upload-discarded')).toContainText(
      'The interrupted upload of interrupted-dropped.qcow2 was discarded.',
    );
    expect(await openMultipartUploads(host.dataDir)).not.toContain(uploadId);
    expect(existsSync(journal)).toBe(false);
    expect(await uploadOf(host, 'interrupted-dropped.qcow2')).toBeUndefined();

    // Resume sends only what the journal did not confirm, and the object is the file.
    await keptRow.getByTestId('sealed-upload-row-resume').click();
    await expectUploaded(app, host, 'interrupted-kept.qcow2', kept.bytes);
    await expect(changedRow).toHaveAttribute('data-state', 'interrupted');
    await screenshot(app, 'sealed-upload-en-7-resumed');
  });

  test('Resume takes the transfer options; a discard that cannot reach COS warns that the parts may stay', async ({
    app,
    host,
  }) => {
    // Left by a profile since removed: main cannot make a COS client for it, so a discard does not reach COS.
    const orphan = await writeSealedFile(dir, 'orphan-parts.qcow2', 12);
    await killedHalfWay(host.dataDir, orphan.path, 'orphan-parts.qcow2', 'removed-profile');
    const kept = await writeSealedFile(dir, 'resume-with-options.qcow2', 20);
    await killedHalfWay(host.dataDir, kept.path, 'resume-with-options.qcow2');

    await openUploadPage(app);
    const rowOf = (transferId: string | undefined) =>
      app.locator(`[data-testid="sealed-upload-table"] tr[data-transfer-id="${transferId}"]`);
    const orphanUpload = await uploadOf(host, 'orphan-parts.qcow2');
    const keptUpload = await uploadOf(host, 'resume-with-options.qcow2');
    expect(orphanUpload?.state).toBe('interrupted');
    expect(keptUpload?.state).toBe('interrupted');

    // The note by the table says which options a row's Resume uses, and follows the fields.
    const note = app.getByTestId('sealed-upload-resume-options');
    await expect(note).toContainText('parts sent at a time: the app’s default; rate limit: none');
    await app.getByTestId('sealed-upload-advanced').locator('button').first().click();
    await app.locator('#sealed-upload-concurrency').fill('2');
    await app.locator('#sealed-upload-rate').fill('30');
    await expect(note).toContainText('parts sent at a time: 2; rate limit: 30 MB/s');
    await expect(note).toContainText('The part size stays the one the upload started with');
    await expect(rowOf(keptUpload?.transferId).getByTestId('sealed-upload-row-resume')).toHaveAttribute(
      'aria-describedby',
      'sealed-upload-resume-options',
    );

    const journal = join(host.dataDir, 'uploads', `${orphanUpload?.transferId}.journal`);
    const { uploadId } = JSON.parse((await readFile(journal, 'utf8')).split('\n')[0]) as { uploadId: string };
    await rowOf(orphanUpload?.transferId).getByTestId('sealed-upload-row-discard').click();
    await app.getByRole('dialog').getByRole('button', { name: 'Discard' }).click();
    await expect(rowOf(orphanUpload?.transferId)).toHaveCount(0);
    const warning = app.getByTestId('sealed-upload-discarded');
    await expect(warning).toHaveClass(/cds--inline-notification--warning/);
    await expect(warning).toContainText(
      'The interrupted upload of orphan-parts.qcow2 was discarded, but its parts may remain in the bucket image-sealer-sandbox.',
    );
    await expect(warning).toContainText('could not ask Cloud Object Storage to delete them');
    await expect(warning).toContainText('a lifecycle rule to the bucket that removes incomplete multipart uploads');
    // What the warning says is so: the journal is gone, the parts are still in the bucket.
    expect(existsSync(journal)).toBe(false);
    expect(await openMultipartUploads(host.dataDir)).toContain(uploadId);
    await screenshot(app, 'sealed-upload-en-8-discard-not-attempted');

    const resumeCall = app.waitForRequest((request) => request.url().endsWith('/api/call/resumeFileUpload'));
    await rowOf(keptUpload?.transferId).getByTestId('sealed-upload-row-resume').click();
    expect((await resumeCall).postDataJSON()).toEqual({
      transferId: keptUpload?.transferId,
      concurrency: 2,
      limitRateMBps: 30,
    });
    await expectUploaded(app, host, 'resume-with-options.qcow2', kept.bytes);
  });

  test('the page speaks Spanish, from the address #/upload', async ({ app }) => {
    await app.getByTestId('language-menu').click();
    await app.locator('[data-language="es"]').click();
    await expect(app.locator('html')).toHaveAttribute('lang', 'es');
    await app.evaluate(() => (window.location.hash = '#/upload'));
    await expect(app.getByTestId('sealed-upload-page')).toBeVisible();
    await expect(app.locator('#sealed-upload-bucket')).toHaveValue(SANDBOX_BUCKET);
    await app.getByTestId('sealed-upload-advanced').locator('button').first().click();
    // Opening the section scrolled the page; the screenshot shows it from the top.
    await app.evaluate(() => window.scrollTo(0, 0));
    await screenshot(app, 'sealed-upload-es-1-page');
    expect(await englishLeftOn(app, 'es'), 'English left on the upload page').toEqual([]);
  });

  test('a file that is not there is explained in Spanish, with main’s English one click away', async ({ app }) => {
    await app.getByTestId('language-menu').click();
    await app.locator('[data-language="es"]').click();
    await expect(app.locator('html')).toHaveAttribute('lang', 'es');
    await app.evaluate(() => (window.location.hash = '#/upload'));
    await expect(app.locator('#sealed-upload-bucket')).toHaveValue(SANDBOX_BUCKET);
    const missing = join(dir, 'no-such-sealed.qcow2');
    await app.locator('#sealed-upload-path').fill(missing);
    await app.getByTestId('sealed-upload-start').click();

    // A real failure from main (the upload's statSource), worded by the renderer's catalog with main's path.
    const notice = app
      .getByTestId('error-notice')
      .filter({ has: app.locator('[data-error-code="UPLOAD_SOURCE_MISSING"]') });
    await expect(notice).toBeVisible();
    await expect(notice.getByTestId('error-message')).toHaveText(
      `El archivo que se iba a subir, ${missing}, no existe.`,
    );
    await expect(notice).toContainText('Compruebe la ruta, o elija el archivo sellado donde está ahora.');
    const original = notice.getByTestId('error-original');
    await expect(original.locator('summary')).toHaveText('Detalle técnico (en inglés)');
    expect(await englishLeftOn(app, 'es'), 'English showing before the disclosure is opened').toEqual([]);

    await original.locator('summary').click();
    await expect(original.locator('p[lang="en"]').first()).toHaveText(
      `The file to upload, ${missing}, does not exist.`,
    );
    await expect(original).toContainText('Seal the image again or choose the sealed file where it is now.');
    await screenshot(app, 'sealed-upload-es-2-missing-file');
  });
});
