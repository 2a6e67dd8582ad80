import type { Locator, Page } from '@playwright/test';
import { ibmCloudProfile, type Profile } from '../../main/profiles/profile';
import { en } from '../../renderer/src/i18n/en';
import { test, expect, screenshot, expectAccessible } from './support/fixtures';
import { callApi } from './support/images';
import { englishLeftOn } from './support/untranslated';

/** What listProfiles answers. */
interface ProfileList {
  profiles: (Profile & { builtIn: boolean })[];
  defaultProfile: string;
}

const NAME = 'eu-work';
const EU_DE = ibmCloudProfile(NAME, 'eu-de');
const form = en.profileForm;

async function listProfiles(host: { url: string; token: string }): Promise<ProfileList> {
  return callApi<ProfileList>(host.url, host.token, 'listProfiles', {});
}

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('navigation').first().locator('a[href="#/settings"]').click();
  await expect(page.getByTestId('settings-page')).toBeVisible();
  await expect(profileRow(page, 'sandbox')).toBeVisible();
}

function profileRow(page: Page, name: string): Locator {
  return page.getByTestId('profiles-table').locator(`tr[data-profile="${name}"]`);
}

type RowAction = 'profile-edit' | 'profile-make-default' | 'profile-remove';

/** Opens a row's actions menu (Carbon renders the menu at the end of the page) and returns its items. */
async function openRowMenu(page: Page, name: string): Promise<Locator> {
  await profileRow(page, name).getByTestId('profile-actions').click();
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  return menu;
}

async function rowAction(page: Page, name: string, action: RowAction): Promise<void> {
  await (await openRowMenu(page, name)).getByTestId(action).click();
}

/** Carbon hides the native checkbox and radio inputs; people click their labels. */
async function clickLabelOf(page: Page, inputId: string): Promise<void> {
  await page.locator(`label[for="${inputId}"]`).click();
}

test.use({ hostScope: 'profiles' });

test.describe('profiles added, changed and removed from the Settings page', () => {
  test('an eu-de profile through the form: saved, made default, changed, replaced only when asked, removed (English, axe)', async ({
    app: page,
    host,
  }) => {
    await openSettings(page);
    // The built-in sandbox is the default and can be neither edited nor removed: it has no actions at all.
    const sandbox = profileRow(page, 'sandbox');
    await expect(sandbox).toContainText(form.builtIn);
    await expect(sandbox.getByTestId('profile-actions')).toHaveCount(0);

    await page.getByTestId('profile-add').click();
    const profileForm = page.getByTestId('profile-form');
    await expect(profileForm.getByRole('heading', { name: en.settings.addProfile })).toBeFocused();
    await expect(page.locator('#profile-region')).toHaveValue('us-south');
    await expect(page.locator('#profile-kms-endpoint')).toHaveValue('https://us-south.kms.cloud.ibm.com');
    await expectAccessible(page, 'profile form, empty');
    await screenshot(page, 'profiles-1-empty-form');

    // An invalid name is marked as soon as the field is left, and saving sends nothing to main.
    await page.locator('#profile-name').fill('EU Work!');
    await page.locator('#profile-name').blur();
    await expect(page.locator('#profile-name')).toHaveAttribute('aria-invalid', 'true');
    await expect(profileForm).toContainText(form.problems.invalidName);
    await page.getByTestId('profile-save').click();
    await expect(page.getByTestId('profile-form-problems')).toContainText(form.fixFields);
    expect((await listProfiles(host)).profiles.map((profile) => profile.name)).toEqual(['sandbox']);

    // Choosing eu-de fills IBM's public endpoints of eu-de, as `ibmCloudProfile` does.
    await page.locator('#profile-name').fill(NAME);
    await page.locator('#profile-region').selectOption('eu-de');
    await expect(page.locator('#profile-iam-endpoint')).toHaveValue(EU_DE.iamEndpoint);
    await expect(page.locator('#profile-kms-endpoint')).toHaveValue(EU_DE.kms.endpoint);
    await expect(page.locator('#profile-cos-endpoint')).toHaveValue(EU_DE.cos.endpoint);
    await expect(page.locator('#profile-cos-region')).toHaveValue('eu-de');
    await expect(page.locator('#profile-vpc-endpoint')).toHaveValue(EU_DE.vpc.endpoint);
    await expect(page.locator('#profile-vpc-region')).toHaveValue('eu-de');
    await expect(page.locator('#profile-classic-endpoint')).toHaveValue(EU_DE.classic.endpoint);
    await expect(page.locator('#profile-name')).not.toHaveAttribute('aria-invalid', 'true');

    // Endpoints are editable, and one that is not http(s) is marked.
    await page.locator('#profile-vpc-endpoint').fill('ftp://eu-de.iaas.cloud.ibm.com');
    await page.locator('#profile-vpc-endpoint').blur();
    await expect(page.locator('#profile-vpc-endpoint')).toHaveAttribute('aria-invalid', 'true');
    await expect(profileForm).toContainText(form.problems.invalidUrl);
    await page.locator('#profile-vpc-endpoint').fill(EU_DE.vpc.endpoint);
    await expect(page.locator('#profile-vpc-endpoint')).not.toHaveAttribute('aria-invalid', 'true');

    await page.locator('#profile-kms-instance').fill('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
    await page.locator('#profile-kms-root-key').fill('images-root');
    await clickLabelOf(page, 'profile-kms-private');
    await page.locator('#profile-cos-bucket').fill('eu-images');
    await clickLabelOf(page, 'profile-cos-auth-hmac');
    await page.locator('#profile-vpc-resource-group').fill('5e0bd9d1f8a64f2b9e4b1b2a3c4d5e6f');
    await expect(page.getByTestId('profile-form-problems')).toHaveCount(0);
    await expectAccessible(page, 'profile form, filled');
    await screenshot(page, 'profiles-2-filled-form');

    await page.getByTestId('profile-save').click();
    await expect(profileForm).toHaveCount(0);
    await expect(page.getByTestId('profiles-message')).toContainText(`The profile ${NAME} is saved.`);
    const row = profileRow(page, NAME);
    await expect(row).toContainText('eu-de');
    await expect(row).toContainText('eu-images');
    await expect(row).toContainText(EU_DE.kms.endpoint);
    await expect(row).toContainText(EU_DE.cos.endpoint);
    const saved = (await listProfiles(host)).profiles.find((profile) => profile.name === NAME);
    expect(saved).toEqual({
      ...EU_DE,
      builtIn: false,
      kms: { ...EU_DE.kms, instanceId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', private: true, rootKey: 'images-root' },
      cos: { ...EU_DE.cos, bucket: 'eu-images', authMode: 'hmac' },
      vpc: { ...EU_DE.vpc, resourceGroupId: '5e0bd9d1f8a64f2b9e4b1b2a3c4d5e6f' },
    });
    // The credentials section can pick the new profile at once.
    await expect(page.locator(`#credentials-profile option[value="${NAME}"]`)).toHaveCount(1);
    await expectAccessible(page, 'profiles table after saving');
    await screenshot(page, 'profiles-3-table-saved');
    const menu = await openRowMenu(page, NAME);
    await expect(menu.getByRole('menuitem')).toHaveText([form.edit, form.makeDefaultAction, form.remove]);
    await expectAccessible(page, 'profile actions menu');
    await page.keyboard.press('Escape');
    await expect(menu).toBeHidden();

    // Made the default: the tag moves, and the sandbox may become the default again, but gains nothing else.
    await rowAction(page, NAME, 'profile-make-default');
    await expect(row).toContainText(en.settings.defaultProfile);
    await expect(page.getByTestId('profiles-message')).toContainText(`${NAME} is now the default profile.`);
    await expect((await openRowMenu(page, NAME)).getByRole('menuitem')).toHaveText([form.edit, form.remove]);
    await page.keyboard.press('Escape');
    await expect((await openRowMenu(page, 'sandbox')).getByRole('menuitem')).toHaveText([form.makeDefaultAction]);
    await page.keyboard.press('Escape');
    await expect(page.locator('#credentials-profile')).toHaveValue(NAME);
    expect((await listProfiles(host)).defaultProfile).toBe(NAME);

    // Edited from its row: the name is fixed, main's own refusal shows in the form, then the bucket changes.
    await rowAction(page, NAME, 'profile-edit');
    await expect(profileForm.getByRole('heading', { name: `Edit the profile ${NAME}` })).toBeFocused();
    await expect(page.locator('#profile-name')).toHaveValue(NAME);
    await expect(page.locator('#profile-name')).toHaveAttribute('readonly', '');
    await expect(page.locator('#profile-make-default')).toBeChecked();
    await expect(page.locator('#profile-cos-bucket')).toHaveValue('eu-images');
    await page.locator('#profile-cos-bucket').fill('b'.repeat(64));
    await page.getByTestId('profile-save').click();
    await expect(profileForm.locator('[data-error-code="INVALID_INPUT"]')).toContainText('cos.bucket');
    await page.locator('#profile-cos-bucket').fill('eu-images-2');
    await page.getByTestId('profile-save').click();
    await expect(profileForm).toHaveCount(0);
    await expect(row).toContainText('eu-images-2');
    const edited = (await listProfiles(host)).profiles.find((profile) => profile.name === NAME);
    expect(edited).toEqual({ ...saved, cos: { ...saved?.cos, bucket: 'eu-images-2' } });

    // Adding a profile under a name that exists asks first; cancelling changes nothing, confirming replaces.
    await page.getByTestId('profile-add').click();
    await page.locator('#profile-name').fill(NAME);
    await page.locator('#profile-region').selectOption('eu-de');
    await page.locator('#profile-cos-bucket').fill('replacement');
    await page.getByTestId('profile-save').click();
    const replaceModal = page.getByRole('dialog', { name: `Replace the profile ${NAME}?` });
    await expect(replaceModal).toBeVisible();
    await replaceModal.getByRole('button', { name: en.common.cancel }).click();
    await expect(replaceModal).toBeHidden();
    expect((await listProfiles(host)).profiles.find((profile) => profile.name === NAME)?.cos.bucket).toBe(
      'eu-images-2',
    );
    await page.getByTestId('profile-save').click();
    await replaceModal.getByRole('button', { name: form.replace }).click();
    await expect(profileForm).toHaveCount(0);
    await expect(row).toContainText('replacement');

    // With a keyring, the profile gets an API key, so removing it has credentials to remove too.
    if (host.keyring) {
      const credentials = page.getByTestId('credentials');
      await page.locator('#credential-api-key').fill('not-a-real-ibm-cloud-api-key');
      await credentials.getByRole('button', { name: en.settings.storeKey }).click();
      await expect(page.getByTestId('credential-status')).toHaveAttribute('data-apikey', 'true');
    }

    // Removed through the confirmation modal, which says the keychain credentials go too.
    await rowAction(page, NAME, 'profile-remove');
    const removeModal = page.getByRole('dialog', { name: `Remove the profile ${NAME}?` });
    await expect(removeModal).toContainText(form.removeBody);
    await expectAccessible(page, 'remove profile modal');
    await screenshot(page, 'profiles-4-remove-modal');
    await removeModal.getByRole('button', { name: form.remove }).click();
    await expect(row).toHaveCount(0);
    await expect(page.getByTestId('profiles-message')).toContainText(
      host.keyring
        ? `The profile ${NAME} and its credentials in the keychain are removed.`
        : `The profile ${NAME} is removed.`,
    );
    const after = await listProfiles(host);
    expect(after.profiles.map((profile) => profile.name)).toEqual(['sandbox']);
    expect(after.defaultProfile).toBe('sandbox');
    await expect(page.locator(`#credentials-profile option[value="${NAME}"]`)).toHaveCount(0);
    await expect(page.locator('#credentials-profile')).toHaveValue('sandbox');
    if (host.keyring) {
      // A profile added again under the name starts without the old key.
      await callApi(host.url, host.token, 'saveProfile', { profile: EU_DE });
      const status = await callApi<{ apikey: boolean }>(host.url, host.token, 'credentialStatus', { profile: NAME });
      expect(status.apikey).toBe(false);
      await callApi(host.url, host.token, 'removeProfile', { name: NAME });
    }
  });

  for (const language of ['es', 'it'] as const) {
    test(`the form, its problems and the remove modal are in ${language === 'es' ? 'Spanish' : 'Italian'}`, async ({
      app: page,
      host,
    }) => {
      const name = `${language}-work`;
      await callApi(host.url, host.token, 'saveProfile', { profile: ibmCloudProfile(name, 'eu-de') });
      await page.getByTestId('language-menu').click();
      await page.locator(`[data-language="${language}"]`).click();
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      await openSettings(page);

      await page.getByTestId('profile-add').click();
      await page.locator('#profile-name').fill('sandbox');
      await page.locator('#profile-kms-endpoint').fill('kms.example');
      await page.getByTestId('profile-save').click();
      await expect(page.locator('#profile-name')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.locator('#profile-kms-endpoint')).toHaveAttribute('aria-invalid', 'true');
      expect(await englishLeftOn(page, language), 'English on the profile form').toEqual([]);
      await screenshot(page, `profiles-${language}-form`);
      await page.getByTestId('profile-cancel').click();

      const menu = await openRowMenu(page, name);
      expect(await englishLeftOn(page, language), 'English in the row menu').toEqual([]);
      await menu.getByTestId('profile-remove').click();
      await expect(page.getByTestId('profile-remove-modal')).toBeVisible();
      expect(await englishLeftOn(page, language), 'English on the remove modal').toEqual([]);
      await page.getByTestId('profile-remove-modal').locator('.cds--btn--danger').click();
      await expect(profileRow(page, name)).toHaveCount(0);
      expect(await englishLeftOn(page, language), 'English after removing').toEqual([]);
    });
  }
});
