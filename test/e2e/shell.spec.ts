import { test, expect, screenshot, expectAccessible } from './support/fixtures';
import { callApi, writeRawImage } from './support/images';

test.use({ hostScope: 'shell' });

test.describe('the app shell against the real web host', () => {
  test('navigates every page, shows jobs and the audit log from the real API, passes axe', async ({
    app: page,
    host,
  }) => {
    // An empty data folder first: the Jobs page invites a drop.
    await expect(page.getByTestId('jobs-empty')).toBeVisible();
    await expect(page.getByTestId('transport')).toHaveText('Browser session');
    await expectAccessible(page, 'jobs (empty)');
    await screenshot(page, '01-jobs-empty');

    // A job created through the API appears in the list with its state, target and size.
    const source = await writeRawImage(host.dataDir, 'shell-disk.raw', 2);
    const job = await callApi<{ id: string; name: string }>(host.url, host.token, 'createJob', {
      sourcePath: source,
      target: 'vpc',
      name: 'shell-disk',
      iterTimeMs: 10,
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = page.getByTestId('jobs-table').locator(`tr[data-job-id="${job.id}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText('shell-disk');
    await expect(row).toContainText('Created');
    await expect(row).toContainText('VPC');
    await expect(row).toContainText('2.00 MiB');
    await expectAccessible(page, 'jobs (one job)');
    await screenshot(page, '02-jobs-list');

    // Filters narrow the table.
    await page.getByLabel('State filter').selectOption('failed');
    await expect(page.getByText('No job matches the filters.')).toBeVisible();
    await page.getByLabel('State filter').selectOption('all');
    await expect(row).toBeVisible();

    // The job page shows its records and the timeline from the audit log.
    await row.getByRole('link').click();
    await expect(page.getByTestId('job-page')).toBeVisible();
    await expect(page.getByTestId('job-id')).toHaveText(job.id);
    await expect(page.getByTestId('job-timeline')).toContainText('job.created');
    await expectAccessible(page, 'job page');
    await screenshot(page, '03-job-detail');

    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
    await expect(page.getByTestId('audit-table')).toContainText('job.created');
    await page.getByTestId('audit-verify').click();
    await expect(page.getByTestId('audit-chain-status')).toHaveAttribute('data-chain', 'ok');
    await expect(page.getByTestId('audit-chain-status')).toContainText('The chain is intact');
    await expectAccessible(page, 'audit');
    await screenshot(page, '04-audit');

    // Export downloads a file through a Blob.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);

    await nav.getByRole('link', { name: 'Root keys' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Root keys' })).toBeVisible();
    await expectAccessible(page, 'keys');
    await screenshot(page, '05-keys');

    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await expect(page.getByTestId('app-version')).not.toBeEmpty();
    await expectAccessible(page, 'settings');
    await screenshot(page, '06-settings');

    await nav.getByRole('link', { name: 'New job' }).click();
    await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'image');
    await expectAccessible(page, 'wizard: image');
    await screenshot(page, '07-wizard-image');

    // The dark theme (Carbon g100), switched from the header.
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveClass(/cds--g100/);
    await nav.getByRole('link', { name: 'Jobs' }).click();
    await expectAccessible(page, 'jobs (dark)');
    await screenshot(page, '08-jobs-dark');
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveClass(/cds--white/);
  });

  test('follows the system colour scheme', async ({ browser, host }) => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(host.launchUrl);
    await expect(page.locator('html')).toHaveClass(/cds--g100/);
    await context.close();
  });
});
