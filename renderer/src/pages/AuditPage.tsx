import { Button, InlineLoading, InlineNotification, Pagination, TableCell, TableRow, Link } from '@carbon/react';
import { Checkmark, Download, Renew } from '@carbon/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { downloadText } from '../components/files';
import { ErrorNotice } from '../components/ErrorNotice';
import { HeadedTable } from '../components/HeadedTable';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime, formatInteger, shortDigest } from '../format/format';
import { useApi, useJobsVersion } from '../state/api-context';
import { routeHref } from '../state/router';
import { summarizeData } from './JobPage';
import { usePaginationTexts } from '../components/pagination';
import { StatusNotice } from '../components/StatusNotice';

type Api = ReturnType<typeof useApi>;
type AuditEntry = Awaited<ReturnType<Api['listAudit']>>[number];
type VerifyResult = Awaited<ReturnType<Api['verifyAudit']>>;

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const version = useJobsVersion();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(25);
  const paginationTexts = usePaginationTexts();

  const load = useCallback(async () => {
    try {
      const list = await api.listAudit({ limit: 2000 });
      setEntries([...list].sort((a, b) => b.seq - a.seq));
    } catch (caught) {
      setError(caught);
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load, version]);

  const runVerify = async () => {
    setVerifying(true);
    setError(null);
    try {
      setVerify(await api.verifyAudit({}));
    } catch (caught) {
      setError(caught);
    } finally {
      setVerifying(false);
    }
  };

  const runExport = async (format: 'json' | 'csv') => {
    setError(null);
    try {
      const result = await api.exportAudit({ format });
      downloadText(result.fileName, result.content, format === 'json' ? 'application/json' : 'text/csv');
      setExported(result.fileName);
    } catch (caught) {
      setError(caught);
    }
  };

  const shown = (entries ?? []).slice((page - 1) * pageSize, page * pageSize);
  return (
    <div data-testid="audit-page">
      <PageHeader
        title={t('audit.title')}
        intro={t('audit.intro')}
        actions={
          <>
            <Button
              kind="primary"
              renderIcon={Checkmark}
              disabled={verifying}
              onClick={() => void runVerify()}
              data-testid="audit-verify"
            >
              {verifying ? t('audit.verifying') : t('audit.verify')}
            </Button>
            <Button
              kind="tertiary"
              renderIcon={Download}
              onClick={() => void runExport('json')}
              data-testid="audit-export-json"
            >
              {t('audit.exportJson')}
            </Button>
            <Button
              kind="tertiary"
              renderIcon={Download}
              onClick={() => void runExport('csv')}
              data-testid="audit-export-csv"
            >
              {t('audit.exportCsv')}
            </Button>
            <Button kind="ghost" renderIcon={Renew} onClick={() => void load()}>
              {t('common.refresh')}
            </Button>
          </>
        }
      />
      <div
        className="is-chain-status"
        data-testid="audit-chain-status"
        data-chain={verify ? (verify.ok ? 'ok' : 'broken') : 'unknown'}
      >
        {verifying && <InlineLoading description={t('audit.verifying')} />}
        {!verifying && verify && (
          <StatusNotice
            kind={verify.ok ? 'success' : 'error'}
            title={
              verify.ok
                ? t('audit.chainOk', { entries: formatInteger(verify.entries, i18n.language) })
                : t('audit.chainBroken', { line: verify.firstBadLine ?? '?' })
            }
            subtitle={
              verify.ok ? `${t('audit.headHash')}: ${shortDigest(verify.headHash, 16, 8)}` : (verify.reason ?? '')
            }
          />
        )}
        {!verifying && !verify && <p className="is-drop-hint">{t('audit.chainUnknown')}</p>}
      </div>
      {exported && (
        <InlineNotification
          aria-label={t('common.close')}
          kind="info"
          lowContrast
          title={t('audit.exported', { file: exported })}
          onClose={() => setExported(null)}
          statusIconDescription={t('audit.exported', { file: exported })}
          className="is-notice"
        />
      )}
      <ErrorNotice error={error} onClose={() => setError(null)} />
      {entries === null && !error && <InlineLoading description={t('app.loading')} />}
      {entries !== null && entries.length === 0 && <p>{t('audit.empty')}</p>}
      {entries !== null && entries.length > 0 && (
        <>
          <HeadedTable
            title={t('audit.tableTitle')}
            description={t('audit.tableDescription')}
            testId="audit-table"
            size="md"
            columns={[t('audit.seq'), t('audit.time'), t('audit.type'), t('audit.job'), t('audit.data')]}
          >
            {shown.map((entry) => (
              <TableRow key={entry.seq}>
                <TableCell>{entry.seq}</TableCell>
                <TableCell>
                  <time dateTime={entry.ts}>{formatDateTime(entry.ts, i18n.language)}</time>
                </TableCell>
                <TableCell>
                  <code>{entry.type}</code>
                </TableCell>
                <TableCell>
                  {entry.jobId ? (
                    <Link href={routeHref({ page: 'job', jobId: entry.jobId })}>{shortDigest(entry.jobId, 16, 4)}</Link>
                  ) : (
                    '—'
                  )}
                </TableCell>
                <TableCell>
                  <span className="is-audit-data">{summarizeData(entry.data)}</span>
                </TableCell>
              </TableRow>
            ))}
          </HeadedTable>
          <Pagination
            page={page}
            pageSize={pageSize}
            pageSizes={[25, 50, 100]}
            totalItems={entries.length}
            onChange={({ page: nextPage, pageSize: nextSize }) => {
              setPage(nextPage);
              setPageSize(nextSize);
            }}
            {...paginationTexts}
          />
        </>
      )}
    </div>
  );
}
