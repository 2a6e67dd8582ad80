/// <reference lib="dom" />
import type { Locator, Page } from '@playwright/test';
import { en } from '../../renderer/src/i18n/en';
import { es } from '../../renderer/src/i18n/es';
import { test, expect, chooseLanguage, screenshot, screenshotOf, expectAccessible } from './support/fixtures';
import { callApi, jobRunUntil } from './support/images';
import { englishLeftOn } from './support/untranslated';

/** The part of a job record this test reads. */
interface JobRecord {
  id: string;
  state: string;
  options: { provisionOptions?: Record<string, unknown> };
  provision?: { instanceId: string; name?: string; status: string; details?: Record<string, unknown> };
}

/** The part of listProvisionChoices this test reads. */
interface Offered {
  region: string;
  zones: string[];
  vpcs: { id: string; name: string }[];
  subnets: { id: string; name: string; zone: string | null; vpcId: string | null }[];
  keys: { id: string; name: string }[];
}

const STEP_TIMEOUT = 90_000;

/** A job sealed, wrapped, uploaded and imported on the sandbox through the API, that still wants its server. */
function importedJob(
  host: { url: string; token: string; dataDir: string },
  target: 'vpc' | 'classic-vhd',
  name: string,
) {
  return jobRunUntil<JobRecord>(host, { name, target, until: 'import', state: 'imported', provision: true });
}

/** Opens the wizard on the job: it resumes at its first unfinished step, Provision. */
async function openProvisionStep(page: Page, jobId: string): Promise<void> {
  await page.evaluate((hash) => (window.location.hash = hash), `#/new/${jobId}`);
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-step', 'provision');
  await expect(page.getByTestId('provision-form')).toBeVisible();
}

/** The text Carbon shows under a field: its helper, its warning or its error. */
function fieldMessage(page: Page, id: string): Locator {
  return page
    .locator(`.cds--form-item:has(#${id}), .cds--multi-select__wrapper:has(#${id})`)
    .locator('.cds--form__helper-text, .cds--form-requirement')
    .first();
}

test.use({ hostScope: 'provision' });

test.describe('the Provision step orders what the officer chose, on the sandbox', () => {
  test.describe.configure({ timeout: 180_000 });

  test('vpc: another VPC, a subnet of it in the chosen zone and two SSH keys (English, axe)', async ({
    app: page,
    host,
  }) => {
    const job = await importedJob(host, 'vpc', 'provision-vpc');
    const offered = await callApi<Offered>(host.url, host.token, 'listProvisionChoices', { jobId: job.id });
    // The sandbox offers a real choice: two VPCs, two keys, and a zone where the second VPC has no subnet.
    expect(offered.vpcs.map((vpc) => vpc.name)).toEqual(['sandbox-vpc', 'sandbox-staging-vpc']);
    expect(offered.keys.map((key) => key.name)).toEqual(['sandbox-key', 'sandbox-ops-key']);
    const [mainVpc, staging] = offered.vpcs;
    const [zone1, , zone3] = offered.zones;
    const subnet = (name: string) => offered.subnets.find((entry) => entry.name === name)!;

    await openProvisionStep(page, job.id);
    const run = page.getByTestId('wizard-run');

    // Defaults chosen from the lists: the name main would make, the first VPC, a zone and subnet of it, a key.
    await expect(page.locator('#wizard-instance-name')).toHaveValue('provision-vpc-vsi');
    await expect(page.locator('#wizard-vpc')).toHaveValue(mainVpc.id);
    await expect(page.locator('#wizard-zone')).toHaveValue(zone1);
    await expect(page.locator('#wizard-subnet')).toHaveValue(subnet('sandbox-subnet-1').id);
    const keys = page.getByRole('combobox', { name: new RegExp(`^${en.wizard.provision.sshKeys}`) });
    await expect(page.locator('.cds--multi-select .cds--tag__label')).toHaveText('1');
    await expect(run).toBeEnabled();
    await screenshot(page, 'provision-vpc-en-1-defaults');
    await expectAccessible(page, 'provision step, defaults');

    // The other VPC: the subnet follows it; in a zone where it has none, the form says so and cannot start.
    await page.locator('#wizard-vpc').selectOption(staging.id);
    await expect(page.locator('#wizard-subnet')).toHaveValue(subnet('staging-subnet-1a').id);
    await expect(page.locator('#wizard-subnet option')).toHaveText(['staging-subnet-1a', 'staging-subnet-1b']);
    await expect(page.locator(`#wizard-zone option[value="${zone3}"]`)).toHaveText(
      en.wizard.provision.zoneWithoutSubnet.replace('{{zone}}', zone3),
    );
    await page.locator('#wizard-zone').selectOption(zone3);
    await expect(page.locator('#wizard-subnet option')).toHaveText([en.wizard.provision.subnetNone]);
    await expect(fieldMessage(page, 'wizard-subnet')).toHaveText(
      en.wizard.provision.problems.noSubnet.replace('{{vpc}}', staging.name).replace('{{zone}}', zone3),
    );
    await expect(run).toBeDisabled();
    await screenshotOf(page.getByTestId('provision-form'), 'provision-vpc-en-2-no-subnet');

    // Back to a zone with subnets: the second one, both keys, and a name main would refuse first.
    await page.locator('#wizard-zone').selectOption(zone1);
    await expect(page.locator('#wizard-subnet')).toHaveValue(subnet('staging-subnet-1a').id);
    await page.locator('#wizard-subnet').selectOption(subnet('staging-subnet-1b').id);
    await keys.click();
    await page.getByRole('option', { name: 'sandbox-ops-key' }).click();
    await page.keyboard.press('Escape');
    await expect(page.locator('.cds--multi-select .cds--tag__label')).toHaveText('2');
    await page.locator('#wizard-instance-name').fill('Staging_Check');
    await expect(fieldMessage(page, 'wizard-instance-name')).toHaveText(
      en.wizard.provision.problems.vpcName.firstLetter,
    );
    await expect(run).toBeDisabled();
    await page.locator('#wizard-instance-name').fill('staging-check');
    await expect(run).toBeEnabled();
    await screenshot(page, 'provision-vpc-en-3-chosen');
    await expectAccessible(page, 'provision step, chosen');

    // In Italian the same choices stay, and nothing is left in English (Carbon's multi-select texts included).
    await chooseLanguage(page, 'it');
    await expect(page.locator('#wizard-subnet')).toHaveValue(subnet('staging-subnet-1b').id);
    expect(await englishLeftOn(page, 'it'), 'English on the VPC provision form').toEqual([]);
    await screenshot(page, 'provision-vpc-it-3-chosen');
    await chooseLanguage(page, 'en');

    await run.click();
    await expect(page.getByTestId('step-done')).toBeVisible({ timeout: STEP_TIMEOUT });
    await expect(page.getByTestId('instance-status').locator('[data-status="running"]')).toBeVisible();
    await expect(page.getByTestId('instance-vpc')).toHaveText(staging.id);
    await expect(page.getByTestId('instance-subnet')).toHaveText(subnet('staging-subnet-1b').id);
    await expect(page.getByTestId('instance-keys')).toHaveText(offered.keys.map((key) => key.id).join(', '));
    await expect(page.getByTestId('instance-ip')).toHaveText(/^10\.250\.1\.\d+$/);
    await screenshot(page, 'provision-vpc-en-4-done');

    // The job records exactly what was chosen, and the server that was ordered with it.
    const finished = await callApi<JobRecord>(host.url, host.token, 'getJob', { jobId: job.id });
    expect(finished.state).toBe('provisioned');
    const chosen = {
      name: 'staging-check',
      instanceProfile: 'bx2-2x8',
      zone: zone1,
      vpcId: staging.id,
      subnetId: subnet('staging-subnet-1b').id,
      keyIds: offered.keys.map((key) => key.id),
    };
    expect(finished.options.provisionOptions).toEqual(chosen);
    expect(finished.provision).toMatchObject({
      name: 'staging-check',
      status: 'running',
      details: {
        zone: zone1,
        profile: 'bx2-2x8',
        vpcId: staging.id,
        subnetId: chosen.subnetId,
        keyIds: chosen.keyIds,
      },
    });

    // The job page shows the same record.
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-view-job').click();
    await expect(page.getByTestId('job-page')).toHaveAttribute('data-job-state', 'provisioned');
    await expect(page.getByTestId('instance-subnet')).toHaveText(chosen.subnetId);
    await expect(page.getByTestId('instance-name')).toHaveText('staging-check');
  });

  test('classic: host name, domain, CPUs, memory, data center and monthly billing, in Spanish', async ({
    app: page,
    host,
  }) => {
    const job = await importedJob(host, 'classic-vhd', 'provision-classic');
    await chooseLanguage(page, 'es');
    await openProvisionStep(page, job.id);
    const run = page.getByTestId('wizard-run');
    await expect(page.getByTestId('provision-form')).toHaveAttribute('data-kind', 'classic');
    await expect(page.locator('#wizard-domain')).toHaveValue('sandbox.example');
    await expect(page.locator('#wizard-datacenter')).toHaveValue('dal10');
    await expect(page.locator('#wizard-cpus')).toHaveValue('1');
    await expect(page.locator('#wizard-memory')).toHaveValue('2048');

    // Values SoftLayer or main's schema would refuse are named in Spanish, and nothing can start.
    await page.locator('#wizard-hostname').fill('web_1');
    await page.locator('#wizard-cpus').fill('57');
    await page.locator('#wizard-memory').fill('512');
    await expect(fieldMessage(page, 'wizard-hostname')).toHaveText(es.wizard.provision.problems.hostname);
    await expect(fieldMessage(page, 'wizard-cpus')).toHaveText('De 1 a 56.');
    await expect(fieldMessage(page, 'wizard-memory')).toHaveText('Al menos 1024.');
    await expect(run).toBeDisabled();
    expect(await englishLeftOn(page, 'es'), 'English on the classic provision form').toEqual([]);
    await screenshot(page, 'provision-classic-es-1-problems');

    await page.locator('#wizard-hostname').fill('web-1');
    await page.locator('#wizard-domain').fill('ejemplo.org');
    await page.locator('#wizard-cpus').fill('2');
    await page.locator('#wizard-memory').fill('4096');
    await page.locator('#wizard-datacenter').selectOption('fra02');
    await page.locator('label[for="wizard-billing-monthly"]').click();
    await expect(fieldMessage(page, 'wizard-domain')).toHaveText(
      es.wizard.provision.fullName.replace('{{name}}', 'web-1.ejemplo.org'),
    );
    await expect(run).toBeEnabled();
    expect(await englishLeftOn(page, 'es'), 'English on the classic provision form').toEqual([]);
    await screenshot(page, 'provision-classic-es-2-chosen');

    await run.click();
    await expect(page.getByTestId('step-done')).toBeVisible({ timeout: STEP_TIMEOUT });
    await expect(page.getByTestId('instance-status').locator('[data-status="running"]')).toBeVisible();
    await expect(page.getByTestId('instance-name')).toHaveText('web-1.ejemplo.org');
    await expect(page.getByTestId('instance-billing')).toHaveText(es.wizard.provision.monthly);
    expect(await englishLeftOn(page, 'es'), 'English on the finished provision').toEqual([]);
    await screenshot(page, 'provision-classic-es-3-done');

    const finished = await callApi<JobRecord>(host.url, host.token, 'getJob', { jobId: job.id });
    expect(finished.state).toBe('provisioned');
    expect(finished.options.provisionOptions).toEqual({
      hostname: 'web-1',
      domain: 'ejemplo.org',
      cpus: 2,
      memoryMiB: 4096,
      datacenter: 'fra02',
      hourly: false,
    });
    expect(finished.provision).toMatchObject({
      name: 'web-1.ejemplo.org',
      status: 'running',
      details: { hostname: 'web-1', domain: 'ejemplo.org', datacenter: 'fra02', cpus: 2, memoryMiB: 4096 },
    });
  });
});
