import { Button, InlineLoading, Link, Search, Select, SelectItem, TableCell, TableRow } from '@carbon/react';
import { Add, CloudUpload, Renew } from '@carbon/icons-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../main/jobs/job';
import { ErrorNotice } from '../components/ErrorNotice';
import { pathForDroppedFile } from '../components/files';
import { HeadedTable } from '../components/HeadedTable';
import { PageHeader } from '../components/PageHeader';
import { StateTag } from '../components/StateTag';
import { useFileDrop } from '../components/useFileDrop';
import { formatBytes, formatDateTime, formatPercent, formatRelativeTime } from '../format/format';
import { useApi, useJobsVersion } from '../state/api-context';
import { setPendingSource } from '../state/pending-source';
import { navigate, routeHref } from '../state/router';

const STATES = ['created', 'sealed', 'wrapped', 'uploaded', 'imported', 'provisioned', 'failed', 'cancelled'] as const;
const TARGETS = ['vpc', 'classic-vhd', 'classic-luks'] as const;

export function jobSize(job: Job): number | undefined {
  return job.source?.virtualSize ?? job.seal?.outputSize ?? job.upload?.size;
}

export function JobsPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const version = useJobsVersion();
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [running, setRunning] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  const [stateFilter, setStateFilter] = useState('all');
  const [targetFilter, setTargetFilter] = useState('all');
  const [sending, setSending] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      const [list, runningIds] = await Promise.all([api.listJobs({}), api.runningJobs({})]);
      setJobs(list);
      setRunning(runningIds);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load, version]);

  const onFile = useCallback(
    async (file: File) => {
      setError(null);
      setSending(0);
      try {
        const path = await pathForDroppedFile(api, file, (fraction) => setSending(fraction));
        setPendingSource({ path, name: file.name, size: file.size });
        navigate({ page: 'new' });
      } catch (caught) {
        setError(caught);
      } finally {
        setSending(null);
      }
    },
    [api],
  );
  const drop = useFileDrop((file) => void onFile(file));

  const visible = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return (jobs ?? []).filter(
      (job) =>
        (stateFilter === 'all' || job.state === stateFilter) &&
        (targetFilter === 'all' || job.target === targetFilter) &&
        (!needle || job.name.toLowerCase().includes(needle) || job.id.includes(needle)),
    );
  }, [jobs, query, stateFilter, targetFilter]);

  const now = Date.now();
  return (
    <div className="is-drop-page" {...drop.handlers} data-testid="jobs-page">
      {drop.over && <div className="is-drop-overlay">{t('jobs.dropHere')}</div>}
      <PageHeader
        title={t('jobs.title')}
        intro={t('jobs.intro')}
        actions={
          <>
            <Button kind="tertiary" renderIcon={Renew} onClick={() => void load()}>
              {t('common.refresh')}
            </Button>
            <Button
              kind="tertiary"
              renderIcon={CloudUpload}
              href={routeHref({ page: 'upload' })}
              data-testid="jobs-upload-sealed"
            >
              {t('jobs.uploadSealed')}
            </Button>
            <Button kind="primary" renderIcon={Add} href={routeHref({ page: 'new' })}>
              {t('jobs.newJob')}
            </Button>
          </>
        }
      />
      {sending !== null && (
        <InlineLoading
          status="active"
          description={t('wizard.image.sending', { percent: formatPercent(sending, i18n.language) })}
        />
      )}
      <ErrorNotice error={error} onClose={() => setError(null)} />
      {jobs === null && !error && <InlineLoading description={t('app.loading')} />}
      {jobs !== null && jobs.length === 0 && (
        <div className="is-empty" data-testid="jobs-empty">
          <h2>{t('jobs.empty')}</h2>
          <p>{t('jobs.emptyHint')}</p>
          <Button kind="primary" renderIcon={Add} href={routeHref({ page: 'new' })}>
            {t('jobs.newJob')}
          </Button>
        </div>
      )}
      {jobs !== null && jobs.length > 0 && (
        <>
          <div className="is-filters">
            <Search
              size="lg"
              labelText={t('common.searchTable')}
              placeholder={t('jobs.filterPlaceholder')}
              closeButtonLabelText={t('common.clearSearch')}
              value={query}
              onChange={(event) =>
                setQuery(
                  typeof event === 'object' && event && 'target' in event
                    ? String((event.target as HTMLInputElement).value)
                    : '',
                )
              }
            />
            <Select
              id="jobs-state-filter"
              key={`jobs-state-filter-${i18n.language}`}
              labelText={t('jobs.filterState')}
              value={stateFilter}
              onChange={(event) => setStateFilter(event.target.value)}
            >
              <SelectItem value="all" text={t('jobs.allStates')} />
              {STATES.map((state) => (
                <SelectItem key={state} value={state} text={t(`state.${state}`)} />
              ))}
            </Select>
            <Select
              id="jobs-target-filter"
              key={`jobs-target-filter-${i18n.language}`}
              labelText={t('jobs.filterTarget')}
              value={targetFilter}
              onChange={(event) => setTargetFilter(event.target.value)}
            >
              <SelectItem value="all" text={t('jobs.allTargets')} />
              {TARGETS.map((target) => (
                <SelectItem key={target} value={target} text={t(`target.${target}Short`)} />
              ))}
            </Select>
          </div>
          <HeadedTable
            title={t('jobs.tableTitle')}
            description={t('jobs.tableDescription')}
            testId="jobs-table"
            columns={[t('jobs.name'), t('jobs.state'), t('jobs.target'), t('jobs.size'), t('jobs.lastActivity')]}
          >
            {visible.map((job) => (
              <TableRow key={job.id} data-job-id={job.id}>
                <TableCell>
                  <Link
                    href={routeHref({ page: 'job', jobId: job.id })}
                    aria-label={t('jobs.open', { name: job.name })}
                  >
                    {job.name}
                  </Link>
                </TableCell>
                <TableCell>
                  <StateTag state={job.state} running={running.includes(job.id)} />
                </TableCell>
                <TableCell>{t(`target.${job.target}Short`)}</TableCell>
                <TableCell>
                  {jobSize(job) === undefined ? '—' : formatBytes(jobSize(job) ?? 0, i18n.language)}
                </TableCell>
                <TableCell>
                  <time dateTime={job.updatedAt} title={formatDateTime(job.updatedAt, i18n.language)}>
                    {formatRelativeTime(job.updatedAt, i18n.language, now)}
                  </time>
                </TableCell>
              </TableRow>
            ))}
          </HeadedTable>
          {visible.length === 0 && <p className="is-drop-hint">{t('jobs.noMatch')}</p>}
        </>
      )}
      <p className="is-drop-hint">{t('jobs.dropHint')}</p>
    </div>
  );
}
