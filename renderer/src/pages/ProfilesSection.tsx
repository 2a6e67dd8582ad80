import { Button, OverflowMenu, OverflowMenuItem, TableCell, TableRow, Tag } from '@carbon/react';
import { Add } from '@carbon/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Profile } from '../../../main/profiles/profile';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorNotice } from '../components/ErrorNotice';
import { HeadedTable } from '../components/HeadedTable';
import { SuccessNotice } from '../components/SuccessNotice';
import { WrappingName } from '../components/WrappingName';
import { useApi } from '../state/api-context';
import { newProfileDraft } from './profile-draft';
import { ProfileForm } from './ProfileForm';
import type { ProfileEntry, useProfiles } from './useProfiles';

type ProfileList = ReturnType<typeof useProfiles>;

/** What the form below the table is doing: adding a new profile or changing one from the table. */
type Editing = { adding: boolean; profile: Profile } | null;

function profileOf({ builtIn: _builtIn, ...profile }: ProfileEntry): Profile {
  return profile;
}

/** The profiles table with each profile's actions, and the form that adds or changes one. */
export function ProfilesSection({ profiles, defaultProfile, error: listError, reload }: ProfileList) {
  const { t } = useTranslation();
  const api = useApi();
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  /** Runs an action on a profile, says what it did, and reloads the list (which the credentials section shares). */
  const act = async (action: () => Promise<string>) => {
    setMessage(null);
    setError(null);
    try {
      setMessage(await action());
    } catch (caught) {
      setError(caught);
    } finally {
      reload();
    }
  };

  const remove = (name: string) => {
    setRemoving(null);
    if (editing && !editing.adding && editing.profile.name === name) setEditing(null);
    void act(async () => {
      const { credentialsRemoved } = await api.removeProfile({ name });
      return t(credentialsRemoved ? 'profileForm.removedWithCredentials' : 'profileForm.removed', { name });
    });
  };

  return (
    <section aria-labelledby="settings-profiles">
      <h2 id="settings-profiles" className="is-section-title">
        {t('settings.profiles')}
      </h2>
      <HeadedTable
        label={t('settings.profiles')}
        testId="profiles-table"
        columns={[
          t('settings.profileName'),
          t('settings.region'),
          t('settings.bucket'),
          t('settings.kmsEndpoint'),
          t('settings.cosEndpoint'),
          t('common.actions'),
        ]}
      >
        {profiles.map((entry) => (
          <TableRow key={entry.name} data-profile={entry.name}>
            <TableCell>
              <span className="is-inline-status">
                {entry.name}
                {entry.name === defaultProfile && <Tag size="sm">{t('settings.defaultProfile')}</Tag>}
                {entry.builtIn && (
                  <Tag size="sm" type="gray">
                    {t('profileForm.builtIn')}
                  </Tag>
                )}
              </span>
            </TableCell>
            <TableCell className="is-nowrap">{entry.region}</TableCell>
            <TableCell>{entry.cos.bucket || '—'}</TableCell>
            <TableCell>
              <WrappingName text={entry.kms.endpoint} />
            </TableCell>
            <TableCell>
              <WrappingName text={entry.cos.endpoint} />
            </TableCell>
            <TableCell className="is-row-actions">
              {(!entry.builtIn || entry.name !== defaultProfile) && (
                <OverflowMenu
                  aria-label={t('profileForm.actionsFor', { name: entry.name })}
                  iconDescription={t('profileForm.actionsFor', { name: entry.name })}
                  size="sm"
                  flipped
                  data-testid="profile-actions"
                >
                  {!entry.builtIn && (
                    <OverflowMenuItem
                      itemText={t('profileForm.edit')}
                      data-testid="profile-edit"
                      onClick={() => setEditing({ adding: false, profile: profileOf(entry) })}
                    />
                  )}
                  {entry.name !== defaultProfile && (
                    <OverflowMenuItem
                      itemText={t('profileForm.makeDefaultAction')}
                      data-testid="profile-make-default"
                      onClick={() =>
                        void act(async () => {
                          await api.setDefaultProfile({ name: entry.name });
                          return t('profileForm.madeDefault', { name: entry.name });
                        })
                      }
                    />
                  )}
                  {!entry.builtIn && (
                    <OverflowMenuItem
                      itemText={t('profileForm.remove')}
                      isDelete
                      hasDivider
                      data-testid="profile-remove"
                      onClick={() => setRemoving(entry.name)}
                    />
                  )}
                </OverflowMenu>
              )}
            </TableCell>
          </TableRow>
        ))}
      </HeadedTable>
      <p className="is-drop-hint">{t('settings.sandboxNote')}</p>
      <ErrorNotice error={listError} />
      <SuccessNotice message={message} onClose={() => setMessage(null)} testId="profiles-message" />
      <ErrorNotice error={error} onClose={() => setError(null)} />
      {!editing?.adding && (
        <div className="is-page-actions is-section-actions">
          <Button
            kind="tertiary"
            renderIcon={Add}
            data-testid="profile-add"
            onClick={() => setEditing({ adding: true, profile: newProfileDraft() })}
          >
            {t('settings.addProfile')}
          </Button>
        </div>
      )}
      {editing && (
        <ProfileForm
          key={editing.adding ? 'new profile' : `edit ${editing.profile.name}`}
          initial={editing.profile}
          adding={editing.adding}
          isDefault={!editing.adding && editing.profile.name === defaultProfile}
          onCancel={() => setEditing(null)}
          onSaved={(saved, added) => {
            setEditing(null);
            setError(null);
            setMessage(t(added ? 'profileForm.savedNew' : 'profileForm.saved', { name: saved.name }));
            reload();
          }}
        />
      )}
      {removing && (
        <ConfirmModal
          heading={t('profileForm.removeTitle', { name: removing })}
          body={t('profileForm.removeBody')}
          confirmText={t('profileForm.remove')}
          testId="profile-remove-modal"
          onConfirm={() => remove(removing)}
          onCancel={() => setRemoving(null)}
        />
      )}
    </section>
  );
}
