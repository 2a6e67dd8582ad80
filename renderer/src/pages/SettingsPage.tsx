import {
  Button,
  InlineNotification,
  Select,
  SelectItem,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  PasswordInput,
} from '@carbon/react';
import { useCallback, useEffect, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { asRecord, bool, optionalCall, str } from '../api/optional-calls';
import { ErrorNotice } from '../components/ErrorNotice';
import { Facts } from '../components/Facts';
import { PageHeader } from '../components/PageHeader';
import { changeLanguage, isLanguage, LANGUAGES } from '../i18n';
import { useApi } from '../state/api-context';
import type { ThemePreference, useTheme } from '../state/theme';
import { useProfiles } from './useProfiles';

type AppInfo = Awaited<ReturnType<ReturnType<typeof useApi>['appInfo']>>;

export function SettingsPage({ themeState }: { themeState: ReturnType<typeof useTheme> }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const profiles = useProfiles();
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
      <section aria-labelledby="settings-profiles">
        <h2 id="settings-profiles" className="is-section-title">
          {t('settings.profiles')}
        </h2>
        <TableContainer>
          <Table aria-label={t('settings.profiles')} data-testid="profiles-table">
            <TableHead>
              <TableRow>
                <TableHeader>{t('settings.profileName')}</TableHeader>
                <TableHeader>{t('settings.region')}</TableHeader>
                <TableHeader>{t('settings.bucket')}</TableHeader>
                <TableHeader>{t('settings.kmsEndpoint')}</TableHeader>
              </TableRow>
            </TableHead>
            <TableBody>
              {profiles.map((profile) => (
                <TableRow key={profile.name}>
                  <TableCell>
                    {profile.name}{' '}
                    {bool(profile.raw, 'isDefault', 'default') && <Tag size="sm">{t('settings.defaultProfile')}</Tag>}
                  </TableCell>
                  <TableCell>{str(profile.raw, 'region') ?? '—'}</TableCell>
                  <TableCell>{str(asRecord(profile.raw.cos), 'bucket') ?? str(profile.raw, 'bucket') ?? '—'}</TableCell>
                  <TableCell>
                    <span className="is-mono">
                      {str(asRecord(profile.raw.kms), 'endpoint', 'url') ?? str(profile.raw, 'kmsEndpoint') ?? '—'}
                    </span>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
        <p className="is-drop-hint">{t('settings.sandboxNote')}</p>
      </section>
      <CredentialsSection profiles={profiles.map((profile) => profile.name)} />
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

/** Enter, replace, test and delete a profile's API key; only whether one is stored ever comes back. */
function CredentialsSection({ profiles }: { profiles: string[] }) {
  const { t } = useTranslation();
  const api = useApi();
  const [profile, setProfile] = useState('sandbox');
  const [stored, setStored] = useState<boolean | null>(null);
  const [secret, setSecret] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const statusCall = optionalCall(api, 'credentialStatus', 'getCredentialStatus', 'credentialsStatus');
  const setCall = optionalCall(api, 'setCredential', 'storeCredential', 'setApiKey');
  const testCall = optionalCall(api, 'testCredential', 'testCredentials');
  const deleteCall = optionalCall(api, 'deleteCredential', 'deleteCredentials');

  const load = useCallback(async () => {
    if (!statusCall) return;
    try {
      const status = asRecord(await statusCall({ profile }));
      setStored(bool(status, 'apiKey', 'stored', 'hasApiKey') ?? null);
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

  if (!statusCall && !setCall) {
    return (
      <section aria-labelledby="settings-credentials">
        <h2 id="settings-credentials" className="is-section-title">
          {t('settings.credentials')}
        </h2>
        <p>{t('common.notAvailable')}</p>
      </section>
    );
  }
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
          onChange={(event) => setProfile(event.target.value)}
        >
          {profiles.map((name) => (
            <SelectItem key={name} value={name} text={name} />
          ))}
        </Select>
        <p className="is-inline-status" data-testid="credential-status">
          <Tag size="sm" type={stored ? 'green' : 'gray'}>
            {t('settings.apiKey')}
          </Tag>
          {stored ? t('settings.apiKeyStored') : t('settings.apiKeyMissing')}
        </p>
        {setCall && (
          <form
            className="is-credential-row"
            onSubmit={(event) => {
              event.preventDefault();
              const value = secret;
              setSecret('');
              void act(() => setCall({ profile, apiKey: value }), t('settings.stored'));
            }}
          >
            <PasswordInput
              id="credential-api-key"
              labelText={stored ? t('settings.replaceKey') : t('settings.enterKey')}
              helperText={t('settings.secretNote')}
              autoComplete="off"
              value={secret}
              showPasswordLabel={t('common.details')}
              hidePasswordLabel={t('common.close')}
              onChange={(event: ChangeEvent<HTMLInputElement>) => setSecret(event.target.value)}
            />
            <Button type="submit" kind="primary" disabled={busy || !secret}>
              {t('settings.storeKey')}
            </Button>
          </form>
        )}
        <div className="is-page-actions">
          {testCall && (
            <Button
              kind="tertiary"
              disabled={busy}
              onClick={() => void act(() => testCall({ profile }), t('settings.testOk'))}
            >
              {t('settings.testKey')}
            </Button>
          )}
          {deleteCall && (
            <Button
              kind="danger--tertiary"
              disabled={busy || stored === false}
              onClick={() => void act(() => deleteCall({ profile }), t('settings.deleted'))}
            >
              {t('settings.deleteKey')}
            </Button>
          )}
        </div>
        {message && (
          <InlineNotification
            kind="success"
            lowContrast
            title={message}
            onClose={() => setMessage(null)}
            statusIconDescription={message}
            className="is-notice"
          />
        )}
        <ErrorNotice error={error} onClose={() => setError(null)} />
      </div>
    </section>
  );
}
