import { Button, InlineLoading, Link, Modal } from '@carbon/react';
import { ArrowLeft, Pause, Play, StopFilled, TrashCan } from '@carbon/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../main/jobs/job';
import { ErrorNotice } from '../components/ErrorNotice';
import { PageHeader } from '../components/PageHeader';
import { ProgressPanel } from '../components/ProgressPanel';
import { StateTag } from '../components/StateTag';
import { JobRecords } from '../components/JobRecords';
import { formatDateTime } from '../format/format';
import { useApi, useJobProgress, useJobsVersion } from '../state/api-context';
import { navigate, routeHref } from '../state/router';

type AuditEntry = Awaited<ReturnType<ReturnType<typeof useApi>['jobTimeline']>>[number];

const FINAL_STATES = new Set(['provisioned', 'cancelled']);

export function JobPage({ jobId }: { jobId: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const version = useJobsVersion();
  const progress = useJobProgress(jobId);
  const [job, setJob] = useState<Job | null>(null);
  const [timeline, setTimeline] = useState<AuditEntry[]>([]);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [confirm, setConfirm] = useState<'delete' | 'cancel' | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [record, entries, runningIds] = await Promise.all([
        api.getJob({ jobId }),
        api.jobTimeline({ jobId }),
        api.runningJobs({}),
      ]);
      setJob(record);
      setTimeline(entries);
      setRunning(runningIds.includes(jobId));
    } catch (caught) {
      if (typeof caught === 'object' && caught && (caught as { code?: string }).code === 'JOB_NOT_FOUND')
        setMissing(true);
      else setError(caught);
    }
  }, [api, jobId]);

  useEffect(() => {
    void load();
  }, [load, version]);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await load();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (missing) {
    return (
      <>
        <Link href={routeHref({ page: 'jobs' })} renderIcon={ArrowLeft}>
          {t('job.back')}
        </Link>
        <p className="is-section">{t('job.notFound')}</p>
      </>
    );
  }
  if (!job) {
    return (
      <>
        <ErrorNotice error={error} />
        {!error && <InlineLoading description={t('app.loading')} />}
      </>
    );
  }

  const finished = job.state === 'provisioned' || (job.state === 'imported' && !job.options.provision);
  const resumable = !running && !FINAL_STATES.has(job.state) && !(job.state === 'imported' && !job.options.provision);
  return (
    <div data-testid="job-page" data-job-state={job.state}>
      <Link href={routeHref({ page: 'jobs' })} renderIcon={ArrowLeft} className="is-back-link">
        {t('job.back')}
      </Link>
      <PageHeader
        title={job.name}
        actions={
          <>
            {resumable && job.state !== 'cancelled' && (
              <Button
                kind="primary"
                renderIcon={Play}
                disabled={busy}
                onClick={() => void act(() => api.runJob({ jobId }))}
              >
                {t('job.resume')}
              </Button>
            )}
            {running && (
              <Button
                kind="secondary"
                renderIcon={Pause}
                disabled={busy}
                onClick={() => void act(() => api.pauseJob({ jobId }))}
              >
                {t('job.pause')}
              </Button>
            )}
            {job.state !== 'cancelled' && job.state !== 'provisioned' && (
              <Button kind="tertiary" href={routeHref({ page: 'new', jobId })}>
                {t('job.continueWizard')}
              </Button>
            )}
            {job.state !== 'cancelled' && !finished && (
              <Button
                kind="danger--tertiary"
                renderIcon={StopFilled}
                disabled={busy}
                onClick={() => setConfirm('cancel')}
              >
                {t('job.cancel')}
              </Button>
            )}
            <Button
              kind="danger--ghost"
              renderIcon={TrashCan}
              disabled={busy || running}
              onClick={() => setConfirm('delete')}
            >
              {t('job.delete')}
            </Button>
          </>
        }
      />
      <StateTag state={job.state} running={running} />
      <ErrorNotice error={error} onClose={() => setError(null)} />
      {running && (
        <ProgressPanel
          progress={progress?.progress ?? null}
          step={progress?.step ?? ''}
          showParts={progress?.step === 'upload'}
        />
      )}
      <div className="is-two-columns is-section">
        <div>
          <JobRecords job={job} />
        </div>
        <section aria-labelledby="timeline-title">
          <h2 id="timeline-title" className="is-section-title">
            {t('job.timeline')}
          </h2>
          {timeline.length === 0 ? (
            <p>{t('job.timelineEmpty')}</p>
          ) : (
            <ol className="is-timeline" data-testid="job-timeline">
              {timeline.map((entry) => (
                <li key={entry.seq}>
                  <time dateTime={entry.ts}>{formatDateTime(entry.ts, i18n.language)}</time>
                  <span className="is-timeline-type">{entry.type}</span>
                  <div className="is-timeline-data">{summarizeData(entry.data)}</div>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      {confirm &&
        createPortal(
          <Modal
            open
            danger
            modalHeading={confirm === 'delete' ? t('job.deleteTitle') : t('job.cancelTitle')}
            primaryButtonText={confirm === 'delete' ? t('job.delete') : t('job.cancel')}
            secondaryButtonText={t('common.close')}
            closeButtonLabel={t('common.close')}
            onRequestClose={() => setConfirm(null)}
            onRequestSubmit={() => {
              const kind = confirm;
              setConfirm(null);
              if (kind === 'delete') {
                void act(async () => {
                  await api.deleteJob({ jobId });
                  navigate({ page: 'jobs' });
                });
              } else {
                void act(() => api.cancelJob({ jobId }));
              }
            }}
          >
            <p>{confirm === 'delete' ? t('job.deleteBody') : t('job.cancelBody')}</p>
          </Modal>,
          document.body,
        )}
    </div>
  );
}

/** One line of an audit entry's data: key=value pairs, long values shortened. */
export function summarizeData(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}=${text && text.length > 80 ? `${text.slice(0, 77)}…` : text}`;
    })
    .join('  ');
}
