import {
  Accordion,
  AccordionItem,
  Checkbox,
  NumberInput,
  RadioTile,
  Select,
  SelectItem,
  TextInput,
  TileGroup,
} from '@carbon/react';
import { useTranslation } from 'react-i18next';

export const TARGET_CHOICES = ['vpc', 'classic-vhd', 'classic-luks'] as const;
export type TargetChoice = (typeof TARGET_CHOICES)[number];

export interface JobForm {
  target: TargetChoice;
  name: string;
  profile: string;
  provision: boolean;
  engine: 'native' | 'qemu';
  iterTimeMs: number;
  verify: boolean;
}

export function TargetStep({
  form,
  onChange,
  profiles,
  disabled,
}: {
  form: JobForm;
  onChange: (form: JobForm) => void;
  profiles: string[];
  disabled: boolean;
}) {
  const { t, i18n } = useTranslation();
  const set = <K extends keyof JobForm>(key: K, value: JobForm[K]) => onChange({ ...form, [key]: value });
  return (
    <div className="is-form-stack" data-testid="step-target">
      <TileGroup
        legend={t('target.label')}
        name="target"
        valueSelected={form.target}
        onChange={(value) => set('target', String(value) as TargetChoice)}
        disabled={disabled}
      >
        {TARGET_CHOICES.map((target) => (
          <RadioTile
            key={target}
            id={`target-${target}`}
            value={target}
            className="is-target-tile"
            data-testid={`target-${target}`}
          >
            <h3>{t(`target.${target}`)}</h3>
            <p>{t(`target.${target}Explain`)}</p>
          </RadioTile>
        ))}
      </TileGroup>
      <TextInput
        id="job-name"
        labelText={t('wizard.target.jobName')}
        helperText={t('wizard.target.jobNameHelp')}
        value={form.name}
        maxLength={63}
        disabled={disabled}
        onChange={(event) => set('name', event.target.value)}
      />
      <Select
        id="job-profile"
        labelText={t('wizard.target.profile')}
        helperText={t('wizard.target.profileHelp')}
        value={form.profile}
        disabled={disabled}
        onChange={(event) => set('profile', event.target.value)}
      >
        {profiles.map((profile) => (
          <SelectItem key={profile} value={profile} text={profile} />
        ))}
      </Select>
      <Checkbox
        id="job-provision"
        labelText={t('wizard.target.provision')}
        checked={form.provision}
        disabled={disabled}
        onChange={(_event, { checked }) => set('provision', checked)}
      />
      <Accordion>
        <AccordionItem title={t('wizard.target.advanced')} data-testid="advanced-options">
          <div className="is-form-stack">
            <Select
              id="job-engine"
              key={`job-engine-${i18n.language}`}
              labelText={t('wizard.target.engine')}
              value={form.engine}
              disabled={disabled}
              onChange={(event) => set('engine', event.target.value === 'qemu' ? 'qemu' : 'native')}
            >
              <SelectItem value="native" text={t('wizard.target.engineNative')} />
              <SelectItem value="qemu" text={t('wizard.target.engineQemu')} />
            </Select>
            <NumberInput
              id="job-iter-time"
              label={t('wizard.target.iterTime')}
              helperText={t('wizard.target.iterTimeHelp')}
              min={1}
              max={60000}
              step={100}
              value={form.iterTimeMs}
              disabled={disabled}
              allowEmpty={false}
              hideSteppers
              onChange={(_event, state) => {
                const value = Number(state.value);
                if (Number.isFinite(value) && value >= 1) set('iterTimeMs', Math.min(60000, Math.round(value)));
              }}
            />
            <Checkbox
              id="job-verify"
              labelText={t('wizard.target.verify')}
              checked={form.verify}
              disabled={disabled}
              onChange={(_event, { checked }) => set('verify', checked)}
            />
          </div>
        </AccordionItem>
      </Accordion>
    </div>
  );
}
