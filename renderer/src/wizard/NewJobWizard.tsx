import { Button, ProgressIndicator, ProgressStep } from '@carbon/react';
import { ArrowLeft, ArrowRight, Pause, Play, StopFilled } from '@carbon/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../main/jobs/job';
import { ErrorNotice } from '../components/ErrorNotice';
import { JobRecords } from '../components/JobRecords';
import { PageHeader } from '../components/PageHeader';
import { ProgressPanel } from '../components/ProgressPanel';
import { useApi, useApiEvents, useJobProgress } from '../state/api-context';
import { takePendingSource, type PendingSource } from '../state/pending-source';
import { navigate, routeHref } from '../state/router';
import { ImageStep, type ProbeView } from './ImageStep';
import { provisionRequest } from './provision-form';
import { ProvisionChoice } from './ProvisionChoice';
import { EMPTY_CHOICES, ImportChoice, RootKeyChoice, type StepChoices } from './StepOptions';
import {
  JOB_STEP_OF,
  jobNameFromFile,
  resumeStep,
  stepDone,
  wizardSteps,
  type JobStepName,
  type WizardStep,
} from './steps';
import { TargetStep, type JobForm } from './TargetStep';
import { StatusNotice } from '../components/StatusNotice';

const NETWORK_STEPS = new Set<WizardStep>(['key', 'upload', 'import', 'provision']);
const RECORD_OF: Partial<Record<WizardStep, 'seal' | 'wrap' | 'upload' | 'import' | 'provision'>> = {
  seal: 'seal',
  key: 'wrap',
  upload: 'upload',
  import: 'import',
  provision: 'provision',
};
const POLL_MS = 1000;

const DEFAULT_FORM: JobForm = {
  target: 'vpc',
  name: '',
  profile: 'sandbox',
  provision: false,
  engine: 'native',
  iterTimeMs: 2000,
  verify: true,
};

type RunState = 'idle' | 'running' | 'paused' | 'failed' | 'cancelled';

export function NewJobWizard({ jobId }: { jobId?: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const [source, setSource] = useState<PendingSource | null>(() => (jobId ? null : takePendingSource()));
  const [probe, setProbe] = useState<ProbeView | null>(null);
  const [form, setForm] = useState<JobForm>(() => ({
    ...DEFAULT_FORM,
    name: source ? jobNameFromFile(source.name) : '',
  }));
  const [job, setJob] = useState<Job | null>(null);
  const [step, setStep] = useState<WizardStep>('image');
  const [run, setRun] = useState<RunState>('idle');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [profiles, setProfiles] = useState<string[]>(['sandbox']);
  const [choices, setChoices] = useState<StepChoices>(EMPTY_CHOICES);
  const [online, setOnline] = useState(() => navigator.onLine);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const progress = useJobProgress(job?.id);
  const firstRender = useRef(true);

  const steps = wizardSteps(job ? job.options.provision : form.provision);
  const index = Math.max(0, steps.indexOf(step));
  const jobStep: JobStepName | undefined = JOB_STEP_OF[step];
  const done = job ? stepDone(step, job.state, job.lastGoodState) : false;

  // Keyboard and screen-reader users land on the new step's heading, not at the end of the old one.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);

  // Profiles to choose from; new jobs start on the default one.
  useEffect(() => {
    api
      .listProfiles({})
      .then((result) => {
        setProfiles(result.profiles.map((profile) => profile.name));
        if (!jobId) setForm((current) => ({ ...current, profile: result.defaultProfile }));
      })
      .catch((caught: unknown) => setError(caught));
  }, [api, jobId]);

  // A file dropped on the Jobs page arrives here already on the host: probe it.
  useEffect(() => {
    if (!source || probe || jobId) return;
    api.probeImage({ path: source.path }).then(setProbe, (caught: unknown) => setError(caught));
    // Only for the source handed over at mount.
  }, []);

  const refresh = useCallback(
    async (id: string) => {
      const [record, running] = await Promise.all([api.getJob({ jobId: id }), api.runningJobs({})]);
      setJob(record);
      return { record, running: running.includes(id) };
    },
    [api],
  );

  // Resuming a job from the Jobs page: pick up at its first unfinished step.
  useEffect(() => {
    if (!jobId) return;
    refresh(jobId)
      .then(({ record, running }) => {
        setForm((current) => ({
          ...current,
          target: record.target,
          name: record.name,
          profile: record.profile,
          provision: record.options.provision,
        }));
        if (record.source) setSource({ path: record.source.path, name: record.name, size: record.source.fileSize });
        const next = resumeStep(record.state, record.lastGoodState, record.options.provision);
        setStep(next);
        if (running) setRun('running');
        else if (record.state === 'failed') {
          setRun('failed');
          if (record.error) setError(record.error);
        } else if (record.state === 'cancelled') setRun('cancelled');
      })
      .catch((caught: unknown) => setError(caught));
  }, [jobId, refresh]);

  // While a step runs: follow events, and poll as a safety net (a socket may reconnect and miss one).
  const check = useCallback(async () => {
    if (!job) return;
    try {
      const { record, running } = await refresh(job.id);
      if (stepDone(step, record.state, record.lastGoodState) && !running) setRun('idle');
      else if (record.state === 'failed' && !running) {
        setRun('failed');
        setError(record.error ?? null);
      } else if (record.state === 'cancelled') setRun('cancelled');
      else if (!running) setRun('paused');
    } catch (caught) {
      setError(caught);
    }
  }, [job, refresh, step]);

  useApiEvents((event) => {
    if (run === 'running' && event.type === 'job-updated' && event.jobId === job?.id) void check();
  });

  useEffect(() => {
    if (run !== 'running') return;
    const timer = window.setInterval(() => void check(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [run, check]);

  const createJob = async () => {
    if (!source) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.createJob({
        sourcePath: source.path,
        target: form.target,
        name: form.name.trim() || jobNameFromFile(source.name),
        profile: form.profile,
        engine: form.engine,
        iterTimeMs: form.iterTimeMs,
        verify: form.verify,
        provision: form.provision,
      });
      setJob(created);
      // The address now names the job, so a reload resumes it (without remounting this wizard).
      window.history.replaceState(null, '', routeHref({ page: 'new', jobId: created.id }));
      setStep('seal');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  // The Provision step starts only with a complete order (or a server ordered already to follow).
  const provisionOptions = choices.provision ? provisionRequest(choices.provision).options : null;
  const runBlocked = jobStep === 'provision' && !job?.provision && !provisionOptions;

  /** Starts (or resumes) the current step; its progress and outcome arrive as events and by polling. */
  const runStep = async () => {
    if (!job || !jobStep || runBlocked) return;
    setError(null);
    const resuming = run === 'paused';
    setRun('running');
    try {
      switch (jobStep) {
        case 'seal':
          await api.runJob({ jobId: job.id, until: 'seal' });
          break;
        case 'wrap': {
          // Wrapping is one short round trip to the key service: the call returns the wrapped job.
          const wrapped = await api.wrapJob({
            jobId: job.id,
            ...(choices.rootKey ? { rootKey: choices.rootKey } : {}),
          });
          setJob(wrapped);
          setRun('idle');
          break;
        }
        case 'upload':
          if (resuming) await api.resumeUpload({ jobId: job.id });
          else await api.startUpload({ jobId: job.id });
          break;
        case 'import':
          await api.startImport({
            jobId: job.id,
            ...(choices.os ? { os: choices.os } : {}),
            ...(choices.imageName.trim() ? { name: choices.imageName.trim() } : {}),
          });
          break;
        case 'provision': {
          // A server ordered already is followed as it is; otherwise the form says everything the order needs.
          await api.startProvision({ jobId: job.id, options: job.provision ? {} : (provisionOptions ?? {}) });
          break;
        }
      }
    } catch (caught) {
      setError(caught);
      setRun('failed');
    }
  };

  const pause = async () => {
    if (!job) return;
    try {
      if (jobStep === 'upload') await api.pauseUpload({ jobId: job.id });
      else await api.pauseJob({ jobId: job.id });
      await check();
    } catch (caught) {
      setError(caught);
    }
  };

  /** Cancels the running step, not the job: nothing half-written is kept and the step can run again. */
  const cancelStep = async () => {
    if (!job) return;
    try {
      if (jobStep === 'seal') await api.cancelSeal({ jobId: job.id });
      else if (jobStep === 'upload') await api.cancelUpload({ jobId: job.id });
      else await api.pauseJob({ jobId: job.id });
      await check();
    } catch (caught) {
      setError(caught);
    }
  };

  const goNext = () => {
    const next = steps[index + 1];
    if (next) {
      setRun('idle');
      setError(null);
      setStep(next);
    }
  };

  const stepTitle = (name: WizardStep) => t(`wizard.steps.${name}`);
  const heading = step === 'done' ? t('wizard.done.heading') : t(`wizard.${step}.heading`);
  const explain = step === 'done' ? t('wizard.done.explain') : t(`wizard.${step}.explain`);
  const startLabel = jobStep ? t(`wizard.${step}.start`) : '';
  const record = RECORD_OF[step];

  return (
    <div className="is-wizard" data-testid="wizard" data-step={step} data-run={run}>
      <PageHeader title={t('wizard.title')} />
      <nav className="is-wizard-steps" aria-label={t('wizard.stepsLabel')}>
        <ProgressIndicator currentIndex={index} spaceEqually>
          {steps.map((name, position) => (
            <ProgressStep
              key={name}
              label={stepTitle(name)}
              description={t('wizard.stepOf', { current: position + 1, total: steps.length })}
              complete={position < index || (position === index && step === 'done')}
              current={position === index && step !== 'done'}
              disabled={position > index}
              translateWithId={(id: string) => translateProgressStep(id, t)}
            />
          ))}
        </ProgressIndicator>
      </nav>
      <section className="is-wizard-panel" aria-labelledby="wizard-step-heading">
        {job && jobId && step !== 'done' && run !== 'cancelled' && (
          <StatusNotice kind="info" title={t('wizard.resumeNotice', { name: job.name })} />
        )}
        <h2 id="wizard-step-heading" className="is-step-heading" tabIndex={-1} ref={headingRef}>
          {heading}
        </h2>
        <p className="is-step-explain">{explain}</p>
        {NETWORK_STEPS.has(step) && !done && (
          <StatusNotice
            kind={online ? 'info' : 'warning'}
            title={online ? t('common.networkNeeded') : t('common.offline')}
          />
        )}

        {step === 'image' && (
          <ImageStep
            source={source}
            probe={probe}
            onSource={(next, view) => {
              setSource(next);
              setProbe(view);
              setForm((current) => ({ ...current, name: jobNameFromFile(next.name) }));
            }}
          />
        )}
        {step === 'target' && <TargetStep form={form} onChange={setForm} profiles={profiles} disabled={busy} />}
        {job && step === 'key' && !done && (
          <RootKeyChoice
            job={job}
            value={choices.rootKey}
            onChange={(rootKey) => setChoices({ ...choices, rootKey })}
            disabled={run === 'running'}
          />
        )}
        {job && step === 'import' && !done && (
          <ImportChoice job={job} choices={choices} onChange={setChoices} disabled={run === 'running'} />
        )}
        {job && step === 'provision' && !done && (
          <ProvisionChoice
            job={job}
            draft={choices.provision}
            onChange={(provision) => setChoices((current) => ({ ...current, provision }))}
            disabled={run === 'running'}
          />
        )}

        {jobStep && run === 'running' && (
          <ProgressPanel
            progress={progress?.progress ?? null}
            step={progress?.step ?? jobStep}
            showParts={jobStep === 'upload'}
          />
        )}
        {run === 'paused' && !done && <StatusNotice kind="warning" title={t('wizard.paused')} />}
        {run === 'cancelled' && <StatusNotice kind="warning" title={t('wizard.cancelled')} />}
        <ErrorNotice error={error} onClose={() => setError(null)} />
        {jobStep && done && job && (
          <>
            <StatusNotice kind="success" title={t(`wizard.${step}.done`)} testId="step-done" />
            {record && <JobRecords job={job} only={step === 'seal' ? ['source', 'seal'] : [record]} />}
          </>
        )}
        {step === 'done' && job && <JobRecords job={job} />}

        <div className="is-step-actions">
          {(step === 'image' || step === 'target') && index > 0 && (
            <Button kind="secondary" renderIcon={ArrowLeft} onClick={() => setStep(steps[index - 1])} disabled={busy}>
              {t('common.back')}
            </Button>
          )}
          {step === 'image' && (
            <Button
              kind="primary"
              renderIcon={ArrowRight}
              disabled={!source || Boolean(probe?.problems.some((problem) => problem.severity === 'error'))}
              onClick={goNext}
              data-testid="wizard-next"
            >
              {t('common.next')}
            </Button>
          )}
          {step === 'target' && (
            <Button
              kind="primary"
              renderIcon={ArrowRight}
              disabled={!source || busy}
              onClick={() => void createJob()}
              data-testid="wizard-create"
            >
              {t('wizard.target.create')}
            </Button>
          )}
          {jobStep && !done && run !== 'running' && run !== 'cancelled' && (
            <Button
              kind="primary"
              renderIcon={Play}
              disabled={runBlocked}
              onClick={() => void runStep()}
              data-testid="wizard-run"
            >
              {run === 'failed' ? t('wizard.retry') : run === 'paused' ? t('wizard.resume') : startLabel}
            </Button>
          )}
          {jobStep && run === 'running' && (
            <>
              <Button kind="secondary" renderIcon={Pause} onClick={() => void pause()} data-testid="wizard-pause">
                {t('wizard.pause')}
              </Button>
              <Button
                kind="danger--tertiary"
                renderIcon={StopFilled}
                onClick={() => void cancelStep()}
                data-testid="wizard-cancel"
              >
                {t('wizard.cancelStep')}
              </Button>
            </>
          )}
          {jobStep && done && (
            <Button kind="primary" renderIcon={ArrowRight} onClick={goNext} data-testid="wizard-next">
              {t('wizard.continue')}
            </Button>
          )}
          {step === 'done' && job && (
            <>
              <Button kind="primary" href={routeHref({ page: 'job', jobId: job.id })} data-testid="wizard-view-job">
                {t('wizard.done.viewJob')}
              </Button>
              <Button
                kind="tertiary"
                onClick={() => {
                  window.location.hash = '#/new';
                  navigate({ page: 'new' });
                  window.location.reload();
                }}
              >
                {t('wizard.done.another')}
              </Button>
            </>
          )}
        </div>
        {jobStep && <p className="is-drop-hint">{t('wizard.leaveNote')}</p>}
      </section>
    </div>
  );
}

/** Carbon's ProgressStep announces "Complete", "Incomplete"… in English unless translated. */
function translateProgressStep(id: string, t: (key: string) => string): string {
  switch (id) {
    case 'carbon.progress-step.complete':
      return t('wizard.progressStep.complete');
    case 'carbon.progress-step.incomplete':
      return t('wizard.progressStep.incomplete');
    case 'carbon.progress-step.current':
      return t('wizard.progressStep.current');
    case 'carbon.progress-step.invalid':
      return t('wizard.progressStep.invalid');
    default:
      return id;
  }
}
