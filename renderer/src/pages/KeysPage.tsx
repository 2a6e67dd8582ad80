import {
  Button,
  InlineLoading,
  Modal,
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
  TextInput,
} from '@carbon/react';
import { Add, Renew } from '@carbon/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { asList, optionalCall, str, type Loose } from '../api/optional-calls';
import { ErrorNotice } from '../components/ErrorNotice';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime } from '../format/format';
import { useApi } from '../state/api-context';
import { useProfiles } from './useProfiles';

const STATE_NAMES: Record<string, string> = {
  '0': '0',
  '1': '1',
  '2': '2',
  '3': '3',
  '5': '5',
  active: '1',
  suspended: '2',
  deactivated: '3',
  destroyed: '5',
  'pre-activation': '0',
};

export function KeysPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const profiles = useProfiles();
  const [profile, setProfile] = useState('sandbox');
  const [keys, setKeys] = useState<Loose[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const listCall = optionalCall(api, 'listRootKeys', 'listKeys');
  const createCall = optionalCall(api, 'createRootKey', 'createKey');

  const load = useCallback(async () => {
    if (!listCall) return;
    setError(null);
    try {
      setKeys(asList(await listCall({ profile }), 'keys', 'resources'));
    } catch (caught) {
      setKeys([]);
      setError(caught);
    }
    // listCall identity is stable per api
  }, [api, profile]);

  useEffect(() => {
    void load();
  }, [load]);

  const create = async () => {
    if (!createCall) return;
    setCreating(false);
    setError(null);
    try {
      await createCall({
        profile,
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setName('');
      setDescription('');
      await load();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div data-testid="keys-page">
      <PageHeader
        title={t('keys.title')}
        intro={t('keys.intro')}
        actions={
          listCall && (
            <>
              <Button kind="ghost" renderIcon={Renew} onClick={() => void load()}>
                {t('common.refresh')}
              </Button>
              {createCall && (
                <Button kind="primary" renderIcon={Add} onClick={() => setCreating(true)}>
                  {t('keys.create')}
                </Button>
              )}
            </>
          )
        }
      />
      {!listCall && <p>{t('common.notAvailable')}</p>}
      {listCall && (
        <>
          <div className="is-filters">
            <Select
              id="keys-profile"
              labelText={t('keys.profile')}
              value={profile}
              onChange={(event) => setProfile(event.target.value)}
            >
              {profiles.map((item) => (
                <SelectItem key={item.name} value={item.name} text={item.name} />
              ))}
            </Select>
          </div>
          <ErrorNotice error={error} onClose={() => setError(null)} />
          {keys === null && <InlineLoading description={t('app.loading')} />}
          {keys !== null && keys.length === 0 && !error && <p>{t('keys.empty')}</p>}
          {keys !== null && keys.length > 0 && (
            <TableContainer title={t('keys.tableTitle')}>
              <Table aria-label={t('keys.tableTitle')} data-testid="keys-table">
                <TableHead>
                  <TableRow>
                    <TableHeader>{t('keys.name')}</TableHeader>
                    <TableHeader>{t('keys.state')}</TableHeader>
                    <TableHeader>{t('keys.id')}</TableHeader>
                    <TableHeader>{t('keys.crn')}</TableHeader>
                    <TableHeader>{t('keys.created')}</TableHeader>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {keys.map((key, position) => {
                    const state = STATE_NAMES[String(str(key, 'state') ?? '').toLowerCase()];
                    return (
                      <TableRow key={str(key, 'id') ?? position}>
                        <TableCell>{str(key, 'name') ?? '—'}</TableCell>
                        <TableCell>
                          <Tag size="sm" type={state === '1' ? 'green' : state === '5' ? 'red' : 'gray'}>
                            {state ? t(`keys.states.${state}`) : (str(key, 'state') ?? '—')}
                          </Tag>
                        </TableCell>
                        <TableCell>
                          <span className="is-mono">{str(key, 'id') ?? '—'}</span>
                        </TableCell>
                        <TableCell>
                          <span className="is-mono">{str(key, 'crn') ?? '—'}</span>
                        </TableCell>
                        <TableCell>
                          {formatDateTime(str(key, 'creationDate', 'createdAt', 'created'), i18n.language)}
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </TableBody>
              </Table>
            </TableContainer>
          )}
        </>
      )}
      {creating &&
        createPortal(
          <Modal
            open
            modalHeading={t('keys.createTitle')}
            primaryButtonText={t('keys.create')}
            secondaryButtonText={t('common.cancel')}
            closeButtonLabel={t('common.close')}
            primaryButtonDisabled={!name.trim()}
            onRequestClose={() => setCreating(false)}
            onRequestSubmit={() => void create()}
          >
            <p className="is-step-explain">{t('keys.createBody')}</p>
            <div className="is-form-stack">
              <TextInput
                id="key-name"
                labelText={t('keys.keyName')}
                value={name}
                maxLength={90}
                onChange={(event) => setName(event.target.value)}
                data-modal-primary-focus
              />
              <TextInput
                id="key-description"
                labelText={t('keys.keyDescription')}
                value={description}
                maxLength={240}
                onChange={(event) => setDescription(event.target.value)}
              />
            </div>
          </Modal>,
          document.body,
        )}
    </div>
  );
}
