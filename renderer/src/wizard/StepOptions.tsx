import { InlineLoading, Select, SelectItem, TextInput } from '@carbon/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../main/jobs/job';
import { ErrorNotice } from '../components/ErrorNotice';
import { useApi } from '../state/api-context';
import type { ProvisionDraft } from './provision-form';

type Api = ReturnType<typeof useApi>;
type RootKey = Awaited<ReturnType<Api['listRootKeys']>>['keys'][number];
type OperatingSystem = Awaited<ReturnType<Api['listOperatingSystems']>>[number];

export interface StepChoices {
  rootKey: string;
  os: string;
  imageName: string;
  /** the Provision step's form, once the lists it chooses from have arrived */
  provision: ProvisionDraft | null;
}

export const EMPTY_CHOICES: StepChoices = {
  rootKey: '',
  os: '',
  imageName: '',
  provision: null,
};

/** Key step: which root key wraps the DEK ("automatic" lets main use or create the profile's default). */
export function RootKeyChoice({
  job,
  value,
  onChange,
  disabled,
}: {
  job: Job;
  value: string;
  onChange: (value: string) => void;
  disabled: boolean;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [keys, setKeys] = useState<RootKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.listRootKeys({ profile: job.profile }).then(
      (result) => setKeys(result.keys.filter((key) => key.state === 1 && !key.extractable)),
      (caught: unknown) => {
        setKeys([]);
        setError(caught);
      },
    );
  }, [api, job.profile]);
  if (keys === null) return <InlineLoading description={t('app.loading')} />;
  return (
    <div className="is-form-stack">
      <Select
        id="wizard-root-key"
        key={`wizard-root-key-${i18n.language}`}
        labelText={t('wizard.key.rootKey')}
        helperText={t('wizard.key.rootKeyHelp')}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      >
        <SelectItem value="" text={t('wizard.key.automatic')} />
        {keys.map((key) => (
          <SelectItem key={key.id} value={key.id} text={`${key.name} (${key.id.slice(0, 8)})`} />
        ))}
      </Select>
      <ErrorNotice error={error} onClose={() => setError(null)} />
    </div>
  );
}

/** Import step: the operating system the image declares and the image's name. */
export function ImportChoice({
  job,
  choices,
  onChange,
  disabled,
}: {
  job: Job;
  choices: StepChoices;
  onChange: (choices: StepChoices) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [systems, setSystems] = useState<OperatingSystem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.listOperatingSystems({ profile: job.profile, kind: job.target === 'vpc' ? 'vpc' : 'classic' }).then(
      (list) => {
        setSystems(list);
        if (!choices.os && list[0])
          onChange({ ...choices, os: list[0].name, imageName: choices.imageName || job.name });
      },
      (caught: unknown) => {
        setSystems([]);
        setError(caught);
      },
    );
    // Loaded once per job; the person's later choices are kept.
  }, [api, job.profile, job.target]);
  if (systems === null) return <InlineLoading description={t('app.loading')} />;
  return (
    <div className="is-form-stack">
      <Select
        id="wizard-os"
        labelText={t('wizard.import.os')}
        helperText={t('wizard.import.osHelp')}
        value={choices.os}
        disabled={disabled}
        onChange={(event) => onChange({ ...choices, os: event.target.value })}
      >
        {systems.map((system) => (
          <SelectItem key={system.name} value={system.name} text={system.displayName} />
        ))}
      </Select>
      <TextInput
        id="wizard-image-name"
        labelText={t('wizard.import.imageName')}
        value={choices.imageName}
        maxLength={63}
        disabled={disabled}
        onChange={(event) => onChange({ ...choices, imageName: event.target.value })}
      />
      <ErrorNotice error={error} onClose={() => setError(null)} />
    </div>
  );
}
