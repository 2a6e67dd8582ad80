import {
  Button,
  InlineLoading,
  MultiSelect,
  NumberInput,
  RadioButton,
  RadioButtonGroup,
  Select,
  SelectItem,
  TextInput,
} from '@carbon/react';
import { Renew } from '@carbon/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../main/jobs/job';
import { ErrorNotice } from '../components/ErrorNotice';
import { StatusNotice } from '../components/StatusNotice';
import { useApi } from '../state/api-context';
import {
  PROVISION_LIMITS,
  provisionDraft,
  provisionRequest,
  sshKeyNotice,
  subnetsFor,
  withVpc,
  withZone,
  type ClassicProvisionDraft,
  type ProvisionChoices,
  type ProvisionDraft,
  type ProvisionField,
  type ProvisionProblems,
  type VpcProvisionDraft,
} from './provision-form';

/**
 * Provision step: everything a server order needs, chosen from what the account offers — for VPC the instance
 * name, profile, VPC, zone, a subnet of that VPC in that zone and the SSH keys; for classic the host name,
 * domain, CPUs, memory, data center and billing. A server ordered already is followed instead.
 */
export function ProvisionChoice({
  job,
  draft,
  onChange,
  disabled,
}: {
  job: Job;
  draft: ProvisionDraft | null;
  onChange: (draft: ProvisionDraft) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [fetches, setFetches] = useState(0);
  // The form as it is when fresh lists arrive: what the officer chose meanwhile is kept.
  const latest = useRef(draft);
  latest.current = draft;
  const ordered = job.provision;
  useEffect(() => {
    if (ordered) return;
    let current = true;
    setLoading(true);
    api.listProvisionChoices({ jobId: job.id }).then(
      (offered) => {
        if (!current) return;
        setLoading(false);
        setError(null);
        onChange(provisionDraft(offered, job, latest.current));
      },
      (caught: unknown) => {
        if (!current) return;
        setLoading(false);
        setError(caught);
      },
    );
    return () => {
      current = false;
    };
    // Fetched once per job and again on "Refresh the lists"; the job record changing does not refetch.
  }, [api, job.id, fetches, Boolean(ordered)]);

  if (ordered)
    return (
      <StatusNotice kind="info" title={t('wizard.provision.ordered', { name: ordered.name ?? ordered.instanceId })} />
    );
  if (!draft)
    return error ? (
      <div className="is-form-stack">
        <ErrorNotice error={error} />
        <div>
          <Button kind="tertiary" size="md" renderIcon={Renew} onClick={() => setFetches((count) => count + 1)}>
            {t('wizard.provision.refresh')}
          </Button>
        </div>
      </div>
    ) : (
      <InlineLoading description={t('app.loading')} />
    );
  const { problems } = provisionRequest(draft);
  return (
    <div className="is-form-stack" data-testid="provision-form" data-kind={draft.kind}>
      {draft.kind === 'vpc' ? (
        <VpcFields draft={draft} problems={problems ?? {}} onChange={onChange} disabled={disabled} />
      ) : (
        <ClassicFields draft={draft} problems={problems ?? {}} onChange={onChange} disabled={disabled} />
      )}
      <ErrorNotice error={error} onClose={() => setError(null)} />
      <div>
        <Button
          kind="ghost"
          size="md"
          renderIcon={Renew}
          disabled={disabled || loading}
          onClick={() => setFetches((count) => count + 1)}
          data-testid="provision-refresh"
        >
          {t('wizard.provision.refresh')}
        </Button>
      </div>
    </div>
  );
}

/** A field's invalid state and text, in the page's language. */
function useProblemProps(problems: ProvisionProblems) {
  const { t } = useTranslation();
  return (field: ProvisionField) => {
    const problem = problems[field];
    return {
      invalid: Boolean(problem),
      invalidText: problem ? t(`wizard.provision.problems.${problem.key}`, problem.values) : undefined,
    };
  };
}

function VpcFields({
  draft,
  problems,
  onChange,
  disabled,
}: {
  draft: VpcProvisionDraft;
  problems: ProvisionProblems;
  onChange: (draft: VpcProvisionDraft) => void;
  disabled: boolean;
}) {
  const { t, i18n } = useTranslation();
  const problemProps = useProblemProps(problems);
  const { offered } = draft;
  const subnets = subnetsFor(offered, draft.zone, draft.vpcId);
  const chosenKeys = offered.keys.filter((key) => draft.keyIds.includes(key.id));
  const keyNotice = sshKeyNotice(draft);
  const translateListBox = (id: string): string => {
    switch (id) {
      case 'clear.all':
        return t('wizard.provision.clearKeys');
      case 'clear.selection':
        return t('wizard.provision.clearKey');
      case 'open.menu':
        return t('app.openMenu');
      case 'close.menu':
        return t('app.closeMenu');
      default:
        return id;
    }
  };
  return (
    <>
      <TextInput
        id="wizard-instance-name"
        labelText={t('wizard.provision.name')}
        helperText={t('wizard.provision.nameHelp', { max: PROVISION_LIMITS.name.max })}
        value={draft.name}
        disabled={disabled}
        onChange={(event) => onChange({ ...draft, name: event.target.value })}
        {...problemProps('name')}
      />
      <Select
        id="wizard-instance-profile"
        key={`wizard-instance-profile-${i18n.language}`}
        labelText={t('wizard.provision.instanceProfile')}
        helperText={t('wizard.provision.instanceProfileHelp')}
        value={draft.instanceProfile}
        disabled={disabled}
        onChange={(event) => onChange({ ...draft, instanceProfile: event.target.value })}
        {...problemProps('instanceProfile')}
      >
        {offered.instanceProfiles.map((profile) => (
          <SelectItem key={profile.name} value={profile.name} text={profile.label || profile.name} />
        ))}
      </Select>
      <Select
        id="wizard-vpc"
        key={`wizard-vpc-${i18n.language}`}
        labelText={t('wizard.provision.vpc')}
        helperText={t('wizard.provision.vpcHelp')}
        value={draft.vpcId}
        disabled={disabled}
        onChange={(event) => onChange(withVpc(draft, event.target.value))}
        {...problemProps('vpcId')}
      >
        {offered.vpcs.map((vpc) => (
          <SelectItem key={vpc.id} value={vpc.id} text={vpc.name} />
        ))}
      </Select>
      <Select
        id="wizard-zone"
        key={`wizard-zone-${i18n.language}`}
        labelText={t('wizard.provision.zone')}
        helperText={t('wizard.provision.zoneHelp')}
        value={draft.zone}
        disabled={disabled}
        onChange={(event) => onChange(withZone(draft, event.target.value))}
        {...problemProps('zone')}
      >
        {offered.zones.map((zone) => (
          <SelectItem
            key={zone}
            value={zone}
            text={
              subnetsFor(offered, zone, draft.vpcId).length > 0
                ? zone
                : t('wizard.provision.zoneWithoutSubnet', { zone })
            }
          />
        ))}
      </Select>
      <Select
        id="wizard-subnet"
        key={`wizard-subnet-${i18n.language}`}
        labelText={t('wizard.provision.subnet')}
        helperText={t('wizard.provision.subnetHelp')}
        value={draft.subnetId}
        disabled={disabled}
        onChange={(event) => onChange({ ...draft, subnetId: event.target.value })}
        {...problemProps('subnetId')}
      >
        {/* Enabled even with nothing to pick: Carbon hides a disabled field's invalid text, which says why. */}
        {subnets.length === 0 ? (
          <SelectItem value="" text={t('wizard.provision.subnetNone')} />
        ) : (
          subnets.map((subnet) => <SelectItem key={subnet.id} value={subnet.id} text={subnet.name} />)
        )}
      </Select>
      {keyNotice === 'noKeysInAccount' ? (
        <StatusNotice
          kind="warning"
          title={t('wizard.provision.noKeysInAccount', { region: offered.region })}
          subtitle={t('wizard.provision.noKeysInAccountHelp')}
          testId="provision-no-keys"
        />
      ) : (
        <MultiSelect<ProvisionChoices['keys'][number]>
          id="wizard-ssh-keys"
          key={`wizard-ssh-keys-${i18n.language}`}
          titleText={t('wizard.provision.sshKeys')}
          // The field names the chosen keys: Carbon's count tag alone does not say which they are.
          label={
            chosenKeys.length > 0
              ? chosenKeys.map((key) => key.name).join(', ')
              : t('wizard.provision.sshKeysPlaceholder')
          }
          helperText={t('wizard.provision.sshKeysHelp')}
          items={offered.keys}
          itemToString={(key) => (key ? key.name : '')}
          selectedItems={chosenKeys}
          selectionFeedback="fixed"
          locale={i18n.language}
          disabled={disabled}
          onChange={({ selectedItems }) => onChange({ ...draft, keyIds: (selectedItems ?? []).map((key) => key.id) })}
          warn={keyNotice === 'noKeyChosen'}
          warnText={keyNotice === 'noKeyChosen' ? t('wizard.provision.noKeyChosen') : undefined}
          translateWithId={translateListBox}
          clearSelectionText={t('wizard.provision.clearKeysHint')}
          clearAnnouncement={t('wizard.provision.keysCleared')}
          clearSelectionDescription={t('wizard.provision.keysChosenCount')}
          {...problemProps('keyIds')}
        />
      )}
    </>
  );
}

function ClassicFields({
  draft,
  problems,
  onChange,
  disabled,
}: {
  draft: ClassicProvisionDraft;
  problems: ProvisionProblems;
  onChange: (draft: ClassicProvisionDraft) => void;
  disabled: boolean;
}) {
  const { t, i18n } = useTranslation();
  const problemProps = useProblemProps(problems);
  const translateStepper = (id: string): string =>
    id === 'increment.number'
      ? t('wizard.provision.increment')
      : id === 'decrement.number'
        ? t('wizard.provision.decrement')
        : id;
  const fullName = !problems.hostname && !problems.domain ? `${draft.hostname.trim()}.${draft.domain.trim()}` : null;
  return (
    <>
      <TextInput
        id="wizard-hostname"
        labelText={t('wizard.provision.hostname')}
        helperText={t('wizard.provision.hostnameHelp', { max: PROVISION_LIMITS.hostname.max })}
        value={draft.hostname}
        disabled={disabled}
        onChange={(event) => onChange({ ...draft, hostname: event.target.value })}
        {...problemProps('hostname')}
      />
      <TextInput
        id="wizard-domain"
        labelText={t('wizard.provision.domain')}
        helperText={fullName ? t('wizard.provision.fullName', { name: fullName }) : t('wizard.provision.domainHelp')}
        value={draft.domain}
        disabled={disabled}
        onChange={(event) => onChange({ ...draft, domain: event.target.value })}
        {...problemProps('domain')}
      />
      <NumberInput
        id="wizard-cpus"
        label={t('wizard.provision.cpus')}
        helperText={t('wizard.provision.cpusHelp', PROVISION_LIMITS.cpus)}
        min={PROVISION_LIMITS.cpus.min}
        max={PROVISION_LIMITS.cpus.max}
        step={1}
        value={draft.cpus}
        allowEmpty
        disabled={disabled}
        translateWithId={translateStepper}
        onChange={(_event, state) => onChange({ ...draft, cpus: String(state.value) })}
        {...problemProps('cpus')}
      />
      <NumberInput
        id="wizard-memory"
        label={t('wizard.provision.memory')}
        helperText={t('wizard.provision.memoryHelp', PROVISION_LIMITS.memoryMiB)}
        min={PROVISION_LIMITS.memoryMiB.min}
        step={1024}
        value={draft.memoryMiB}
        allowEmpty
        disabled={disabled}
        translateWithId={translateStepper}
        onChange={(_event, state) => onChange({ ...draft, memoryMiB: String(state.value) })}
        {...problemProps('memoryMiB')}
      />
      <Select
        id="wizard-datacenter"
        key={`wizard-datacenter-${i18n.language}`}
        labelText={t('wizard.provision.datacenter')}
        value={draft.datacenter}
        disabled={disabled}
        onChange={(event) => onChange({ ...draft, datacenter: event.target.value })}
        {...problemProps('datacenter')}
      >
        {draft.offered.datacenters.map((datacenter) => (
          <SelectItem key={datacenter} value={datacenter} text={datacenter} />
        ))}
      </Select>
      <RadioButtonGroup
        legendText={t('wizard.provision.billing')}
        name="wizard-billing"
        valueSelected={draft.hourly ? 'hourly' : 'monthly'}
        disabled={disabled}
        onChange={(value) => onChange({ ...draft, hourly: value !== 'monthly' })}
      >
        <RadioButton id="wizard-billing-hourly" value="hourly" labelText={t('wizard.provision.hourly')} />
        <RadioButton id="wizard-billing-monthly" value="monthly" labelText={t('wizard.provision.monthly')} />
      </RadioButtonGroup>
    </>
  );
}
