import { Button, Select, SelectItem, Tag, PasswordInput } from '@carbon/react';
import { useCallback, useEffect, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../components/ErrorNotice';
import { Facts } from '../components/Facts';
import { PageHeader } from '../components/PageHeader';
import { SuccessNotice } from '../components/SuccessNotice';
import { changeLanguage, isLanguage, LANGUAGES } from '../i18n';
import { useApi } from '../state/api-context';
import type { ThemePreference, useTheme } from '../state/theme';
import { ProfilesSection } from './ProfilesSection';
import { useProfiles } from './useProfiles';

type AppInfo = Awaited<ReturnType<ReturnType<typeof useApi>['appInfo']>>;

export function SettingsPage({ themeState }: { themeState: ReturnType<typeof useTheme> }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const profileList = useProfiles();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.appInfo({}).then(setInfo, setError);
  }, [api]);

  return (
    <div data-testid="settings-page" className="is-settings-grid">
      <PageHeader title={t('settings.title')} intro={t('settings.intro')} />
      <ErrorNotice error={error} onClose={() => setError(null)} />
      <section aria-labelledby="settings-appearance">
        <h2 id="settings-appearance" className="is-section-title">
          {t('settings.appearance')}
        </h2>
        <div className="is-filters">
          <Select
            id="settings-language"
            key={`settings-language-${i18n.language}`}
            labelText={t('language.label')}
            value={i18n.language}
            onChange={(event) => {
              if (isLanguage(event.target.value)) void changeLanguage(event.target.value);
            }}
          >
            {LANGUAGES.map((language) => (
              <SelectItem key={language.code} value={language.code} text={language.name} lang={language.code} />
            ))}
          </Select>
          <Select
            id="settings-theme"
            key={`settings-theme-${i18n.language}`}
            labelText={t('theme.label')}
            value={themeState.preference}
            onChange={(event) => themeState.setPreference(event.target.value as ThemePreference)}
          >
            <SelectItem value="system" text={t('theme.system')} />
            <SelectItem value="light" text={t('theme.light')} />
            <SelectItem value="dark" text={t('theme.dark')} />
          </Select>
        </div>
      </section>
      <ProfilesSection {...profileList} />
      <CredentialsSection
        profiles={profileList.profiles.map((profile) => profile.name)}
        defaultProfile={profileList.defaultProfile}
      />
      {info && (
        <section aria-labelledby="settings-about">
          <h2 id="settings-about" className="is-section-title">
            {t('settings.about')}
          </h2>
          <Facts
            facts={[
              { label: t('settings.version'), value: info.version, testId: 'app-version' },
              { label: t('settings.dataDir'), value: info.dataDir, mono: true },
              {
                label: t('settings.tools'),
                value:
                  [info.tools.qemuImg ? 'qemu-img' : null, info.tools.cryptsetup ? 'cryptsetup' : null]
                    .filter(Boolean)
                    .join(', ') || t('common.none'),
              },
            ]}
          />
        </section>
      )}
    </div>
  );
}

type CredentialStatus = Awaited<ReturnType<ReturnType<typeof useApi>['credentialStatus']>>;

/** Enter, replace, test and delete a profile's API key; only whether one is stored ever comes back. */
function CredentialsSection({ profiles, defaultProfile }: { profiles: string[]; defaultProfile: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const [chosen, setChosen] = useState<string | null>(null);
  // A chosen profile that was removed since falls back to the default.
  const profile = chosen !== null && profiles.includes(chosen) ? chosen : defaultProfile;
  const [status, setStatus] = useState<CredentialStatus | null>(null);
  const [secret, setSecret] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setStatus(await api.credentialStatus({ profile }));
    } catch (caught) {
      setError(caught);
    }
  }, [api, profile]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await action();
      setMessage(done);
      await load();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const stored = status?.apikey ?? false;
  // The sandbox's stand-in services take their built-in key; there is nothing to store or delete.
  const builtIn = status?.sandbox ?? false;
  return (
    <section aria-labelledby="settings-credentials" data-testid="credentials">
      <h2 id="settings-credentials" className="is-section-title">
        {t('settings.credentials')}
      </h2>
      <div className="is-form-stack">
        <Select
          id="credentials-profile"
          labelText={t('settings.credentialsFor')}
          value={profile}
          onChange={(event) => setChosen(event.target.value)}
        >
          {profiles.map((name) => (
            <SelectItem key={name} value={name} text={name} />
          ))}
        </Select>
        {status && !status.keychainAvailable && status.keychainProblem && (
          <ErrorNotice
            error={{
              code: 'KEYCHAIN_UNAVAILABLE',
              message: status.keychainProblem.message,
              hint: status.keychainProblem.hint,
            }}
          />
        )}
        <div data-testid="credential-status" data-apikey={status ? String(status.apikey) : 'unknown'}>
          <p className="is-inline-status">
            <Tag size="sm" type={stored ? 'green' : 'gray'}>
              {t('settings.apiKey')}
            </Tag>
            {stored ? t('settings.apiKeyStored') : t('settings.apiKeyMissing')}
          </p>
          <p className="is-inline-status">
            <Tag size="sm" type={status?.hmac ? 'green' : 'gray'}>
              {t('settings.hmac')}
            </Tag>
            {status?.hmac ? t('settings.hmacStored') : t('settings.hmacMissing')}
          </p>
        </div>
        {builtIn && <p className="is-drop-hint">{t('settings.sandboxNote')}</p>}
        <form
          className="is-credential-row"
          onSubmit={(event) => {
            event.preventDefault();
            const value = secret;
            setSecret('');
            void act(() => api.setCredential({ profile, kind: 'apikey', apiKey: value }), t('settings.stored'));
          }}
        >
          <PasswordInput
            id="credential-api-key"
            labelText={stored ? t('settings.replaceKey') : t('settings.enterKey')}
            helperText={t('settings.secretNote')}
            autoComplete="off"
            value={secret}
            showPasswordLabel={t('settings.showKey')}
            hidePasswordLabel={t('settings.hideKey')}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setSecret(event.target.value)}
          />
          <Button type="submit" kind="primary" disabled={busy || !secret || builtIn}>
            {t('settings.storeKey')}
          </Button>
        </form>
        <div className="is-page-actions">
          <Button
            kind="tertiary"
            disabled={busy || !stored}
            onClick={() => void act(() => api.testCredential({ profile }), t('settings.testOk'))}
            data-testid="credential-test"
          >
            {t('settings.testKey')}
          </Button>
          <Button
            kind="danger--tertiary"
            disabled={busy || !stored || builtIn}
            onClick={() => void act(() => api.deleteCredential({ profile, kind: 'apikey' }), t('settings.deleted'))}
            data-testid="credential-delete"
          >
            {t('settings.deleteKey')}
          </Button>
        </div>
        <SuccessNotice message={message} onClose={() => setMessage(null)} />
        <ErrorNotice error={error} onClose={() => setError(null)} />
      </div>
    </section>
  );
}
