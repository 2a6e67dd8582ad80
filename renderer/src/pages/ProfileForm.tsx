import {
  Button,
  Checkbox,
  Form,
  FormGroup,
  Layer,
  RadioButton,
  RadioButtonGroup,
  Select,
  SelectItem,
  TextInput,
} from '@carbon/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { IBM_REGIONS, mergeProfilePatch, type Profile, type ProfilePatch } from '../../../main/api/contract/profiles';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorNotice } from '../components/ErrorNotice';
import { useApi } from '../state/api-context';
import { fieldProblems, profileToSave, withRegion, type ProfileField } from './profile-draft';
import { StatusNotice } from '../components/StatusNotice';

export interface ProfileFormProps {
  /** the profile to change, or a new draft (newProfileDraft) when adding */
  initial: Profile;
  adding: boolean;
  /** the profile is the default already: the checkbox shows it and cannot undo it */
  isDefault: boolean;
  /** `added`: a profile that did not exist before (not a changed or replaced one) */
  onSaved: (profile: Profile, added: boolean) => void;
  onCancel: () => void;
}

/** Adds a profile or changes one: every field of the profile, checked as typed, saved through main. */
export function ProfileForm({ initial, adding, isDefault, onSaved, onCancel }: ProfileFormProps) {
  const { t } = useTranslation();
  const api = useApi();
  const [draft, setDraft] = useState(initial);
  const [makeDefault, setMakeDefault] = useState(isDefault);
  const [touched, setTouched] = useState<ReadonlySet<ProfileField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [confirmingReplace, setConfirmingReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // The form opens below the table: bring it into view and put keyboard and screen-reader users at its start.
  useEffect(() => heading.current?.focus(), []);

  const problems = useMemo(() => fieldProblems(draft, adding), [draft, adding]);
  const hasProblems = Object.keys(problems).length > 0;
  // A profile made by the CLI may be in a region this version does not list; it stays choosable.
  const regions: readonly string[] = (IBM_REGIONS as readonly string[]).includes(initial.region)
    ? IBM_REGIONS
    : [initial.region, ...IBM_REGIONS];

  const update = (patch: ProfilePatch) => setDraft((current) => mergeProfilePatch(current, patch));
  /** A field's invalid state, shown once the person has left the field or tried to save. */
  const validity = (field: ProfileField) => {
    const problem = submitted || touched.has(field) ? problems[field] : undefined;
    return {
      invalid: problem !== undefined,
      invalidText: problem ? t(`profileForm.problems.${problem}`) : undefined,
      onBlur: () => setTouched((current) => new Set(current).add(field)),
    };
  };

  const save = async (replacing: boolean) => {
    setConfirmingReplace(false);
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.saveProfile({ profile: profileToSave(draft), makeDefault }), adding && !replacing);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const submit = async () => {
    setSubmitted(true);
    if (hasProblems) return;
    if (adding) {
      // Asked of main, not the table on screen: the CLI may have added this name since the page loaded.
      try {
        const { profiles } = await api.listProfiles({});
        if (profiles.some((profile) => profile.name === draft.name)) {
          setConfirmingReplace(true);
          return;
        }
      } catch (caught) {
        setError(caught);
        return;
      }
    }
    await save(false);
  };

  return (
    // A layer of its own, so Carbon gives its fields the contrasting field colour of a layer.
    <Layer
      as="section"
      withBackground
      aria-labelledby="profile-form-title"
      className="is-profile-form"
      data-testid="profile-form"
    >
      <h3 id="profile-form-title" ref={heading} tabIndex={-1} className="is-section-title">
        {adding ? t('settings.addProfile') : t('profileForm.editTitle', { name: initial.name })}
      </h3>
      <p className="is-step-explain">{t('profileForm.intro')}</p>
      <Form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <FormGroup legendText={t('profileForm.account')}>
          <div className="is-field-grid">
            <TextInput
              id="profile-name"
              labelText={t('settings.profileName')}
              helperText={adding ? t('profileForm.nameHelper') : t('profileForm.nameFixed')}
              value={draft.name}
              readOnly={!adding}
              autoComplete="off"
              onChange={(event) => setDraft((current) => ({ ...current, name: event.target.value }))}
              {...validity('name')}
            />
            <Select
              id="profile-region"
              labelText={t('settings.region')}
              value={draft.region}
              onChange={(event) => setDraft((current) => withRegion(current, event.target.value))}
            >
              {regions.map((region) => (
                <SelectItem key={region} value={region} text={region} />
              ))}
            </Select>
            <TextInput
              id="profile-iam-endpoint"
              labelText={t('profileForm.iamEndpoint')}
              value={draft.iamEndpoint}
              onChange={(event) => update({ iamEndpoint: event.target.value })}
              {...validity('iamEndpoint')}
            />
          </div>
        </FormGroup>

        <FormGroup legendText={t('profileForm.keyService')}>
          <RadioButtonGroup
            legendText={t('profileForm.kmsKind')}
            name="profile-kms-kind"
            valueSelected={draft.kms.kind}
            onChange={(kind) => update({ kms: { kind: kind === 'hpcs' ? 'hpcs' : 'key-protect' } })}
          >
            <RadioButton id="profile-kms-key-protect" value="key-protect" labelText={t('profileForm.keyProtect')} />
            <RadioButton id="profile-kms-hpcs" value="hpcs" labelText={t('profileForm.hpcs')} />
          </RadioButtonGroup>
          <div className="is-field-grid">
            <TextInput
              id="profile-kms-endpoint"
              className="is-field-wide"
              labelText={t('settings.kmsEndpoint')}
              helperText={t('profileForm.kmsEndpointHelper')}
              value={draft.kms.endpoint}
              onChange={(event) => update({ kms: { endpoint: event.target.value } })}
              {...validity('kms.endpoint')}
            />
            <TextInput
              id="profile-kms-instance"
              labelText={t('settings.kmsInstance')}
              value={draft.kms.instanceId}
              autoComplete="off"
              onChange={(event) => update({ kms: { instanceId: event.target.value } })}
            />
            <TextInput
              id="profile-kms-root-key"
              labelText={t('profileForm.rootKey')}
              helperText={t('profileForm.rootKeyHelper')}
              value={draft.kms.rootKey ?? ''}
              autoComplete="off"
              onChange={(event) => update({ kms: { rootKey: event.target.value } })}
            />
          </div>
          <Checkbox
            id="profile-kms-private"
            labelText={t('profileForm.privateEndpoint')}
            checked={draft.kms.private}
            onChange={(_event, { checked }) => update({ kms: { private: checked } })}
          />
        </FormGroup>

        <FormGroup legendText={t('profileForm.storage')}>
          <div className="is-field-grid">
            <TextInput
              id="profile-cos-endpoint"
              className="is-field-wide"
              labelText={t('settings.cosEndpoint')}
              value={draft.cos.endpoint}
              onChange={(event) => update({ cos: { endpoint: event.target.value } })}
              {...validity('cos.endpoint')}
            />
            <TextInput
              id="profile-cos-bucket"
              labelText={t('settings.bucket')}
              helperText={t('profileForm.bucketHelper')}
              value={draft.cos.bucket}
              autoComplete="off"
              onChange={(event) => update({ cos: { bucket: event.target.value } })}
            />
            <TextInput
              id="profile-cos-region"
              labelText={t('profileForm.cosRegion')}
              value={draft.cos.region}
              onChange={(event) => update({ cos: { region: event.target.value } })}
              {...validity('cos.region')}
            />
            <TextInput
              id="profile-cos-instance"
              labelText={t('profileForm.cosInstance')}
              helperText={t('profileForm.cosInstanceHelper')}
              value={draft.cos.serviceInstanceId ?? ''}
              autoComplete="off"
              onChange={(event) => update({ cos: { serviceInstanceId: event.target.value } })}
            />
          </div>
          <RadioButtonGroup
            legendText={t('profileForm.cosAuth')}
            name="profile-cos-auth"
            valueSelected={draft.cos.authMode}
            onChange={(mode) => update({ cos: { authMode: mode === 'hmac' ? 'hmac' : 'iam' } })}
          >
            <RadioButton id="profile-cos-auth-iam" value="iam" labelText={t('profileForm.cosAuthIam')} />
            <RadioButton id="profile-cos-auth-hmac" value="hmac" labelText={t('profileForm.cosAuthHmac')} />
          </RadioButtonGroup>
        </FormGroup>

        <FormGroup legendText={t('profileForm.vpc')}>
          <div className="is-field-grid">
            <TextInput
              id="profile-vpc-endpoint"
              labelText={t('profileForm.vpcEndpoint')}
              value={draft.vpc.endpoint}
              onChange={(event) => update({ vpc: { endpoint: event.target.value } })}
              {...validity('vpc.endpoint')}
            />
            <TextInput
              id="profile-vpc-region"
              labelText={t('settings.vpcRegion')}
              value={draft.vpc.region}
              onChange={(event) => update({ vpc: { region: event.target.value } })}
              {...validity('vpc.region')}
            />
            <TextInput
              id="profile-vpc-resource-group"
              labelText={t('profileForm.resourceGroup')}
              helperText={t('profileForm.resourceGroupHelper')}
              value={draft.vpc.resourceGroupId ?? ''}
              autoComplete="off"
              onChange={(event) => update({ vpc: { resourceGroupId: event.target.value } })}
            />
          </div>
        </FormGroup>

        <FormGroup legendText={t('profileForm.classic')}>
          <div className="is-field-grid">
            <TextInput
              id="profile-classic-endpoint"
              labelText={t('profileForm.classicEndpoint')}
              value={draft.classic.endpoint}
              onChange={(event) => update({ classic: { endpoint: event.target.value } })}
              {...validity('classic.endpoint')}
            />
          </div>
        </FormGroup>

        <Checkbox
          id="profile-make-default"
          labelText={t('profileForm.makeDefault')}
          checked={makeDefault}
          disabled={isDefault}
          onChange={(_event, { checked }) => setMakeDefault(checked)}
        />
        {submitted && hasProblems && (
          // Nothing went to main yet, so no error code: just where to look.
          <StatusNotice kind="error" title={t('profileForm.fixFields')} role="alert" testId="profile-form-problems" />
        )}
        <ErrorNotice error={error} onClose={() => setError(null)} />
        <div className="is-page-actions">
          <Button type="submit" kind="primary" disabled={busy} data-testid="profile-save">
            {t('settings.saveProfile')}
          </Button>
          <Button kind="secondary" onClick={onCancel} data-testid="profile-cancel">
            {t('common.cancel')}
          </Button>
        </div>
      </Form>
      {confirmingReplace && (
        <ConfirmModal
          heading={t('profileForm.replaceTitle', { name: draft.name })}
          body={t('profileForm.replaceBody', { name: draft.name })}
          confirmText={t('profileForm.replace')}
          testId="profile-replace-modal"
          onConfirm={() => void save(true)}
          onCancel={() => setConfirmingReplace(false)}
        />
      )}
    </Layer>
  );
}
