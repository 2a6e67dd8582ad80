import { Button, InlineLoading, Modal, Select, SelectItem, TableCell, TableRow, Tag, TextInput } from '@carbon/react';
import { Add, Renew } from '@carbon/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../components/ErrorNotice';
import { HeadedTable } from '../components/HeadedTable';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime } from '../format/format';
import { useApi } from '../state/api-context';
import { useProfiles } from './useProfiles';

type RootKey = Awaited<ReturnType<ReturnType<typeof useApi>['listRootKeys']>>['keys'][number];
const KNOWN_STATES = new Set([0, 1, 2, 3, 5]);

export function KeysPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { profiles, defaultProfile } = useProfiles();
  const [chosen, setChosen] = useState<string | null>(null);
  const profile = chosen ?? defaultProfile;
  const [keys, setKeys] = useState<RootKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');

  const load = useCallback(async () => {
    setError(null);
    try {
      setKeys((await api.listRootKeys({ profile })).keys);
    } catch (caught) {
      setKeys([]);
      setError(caught);
    }
  }, [api, profile]);

  useEffect(() => {
    void load();
  }, [load]);

  const create = async () => {
    setCreating(false);
    setError(null);
    try {
      await api.createRootKey({
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
          <>
            <Button kind="ghost" renderIcon={Renew} onClick={() => void load()}>
              {t('common.refresh')}
            </Button>
            <Button kind="primary" renderIcon={Add} onClick={() => setCreating(true)} data-testid="create-root-key">
              {t('keys.create')}
            </Button>
          </>
        }
      />
      <div className="is-filters">
        <Select
          id="keys-profile"
          labelText={t('keys.profile')}
          value={profile}
          onChange={(event) => setChosen(event.target.value)}
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
        <HeadedTable
          title={t('keys.tableTitle')}
          testId="keys-table"
          columns={[t('keys.name'), t('keys.state'), t('keys.id'), t('keys.crn'), t('keys.created')]}
        >
          {keys.map((key) => (
            <TableRow key={key.id} data-key-id={key.id}>
              <TableCell>{key.name}</TableCell>
              <TableCell>
                <Tag size="sm" type={key.state === 1 ? 'green' : key.state === 5 ? 'red' : 'gray'}>
                  {KNOWN_STATES.has(key.state) ? t(`keys.states.${key.state}`) : key.stateName}
                </Tag>
              </TableCell>
              <TableCell>
                <span className="is-mono">{key.id}</span>
              </TableCell>
              <TableCell>
                <span className="is-mono">{key.crn}</span>
              </TableCell>
              <TableCell>{formatDateTime(key.creationDate ?? undefined, i18n.language)}</TableCell>
            </TableRow>
          ))}
        </HeadedTable>
      )}
      {creating &&
        createPortal(
          <Modal
            open
            modalHeading={t('keys.createTitle')}
            primaryButtonText={t('keys.create')}
            secondaryButtonText={t('common.cancel')}
            closeButtonLabel={t('common.close')}
            primaryButtonDisabled={name.trim().length < 2}
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
