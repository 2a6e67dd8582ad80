import {
  Accordion,
  AccordionItem,
  Button,
  FileUploaderDropContainer,
  InlineLoading,
  Link,
  ProgressBar,
  Select,
  SelectItem,
  TableCell,
  TableRow,
  TextInput,
} from '@carbon/react';
import { ArrowLeft, Pause, Play, StopFilled, TrashCan, Upload } from '@carbon/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorNotice } from '../components/ErrorNotice';
import { Facts } from '../components/Facts';
import { pathForDroppedFile } from '../components/files';
import { HeadedTable } from '../components/HeadedTable';
import { PageHeader } from '../components/PageHeader';
import { ProgressPanel } from '../components/ProgressPanel';
import { SuccessNotice } from '../components/SuccessNotice';
import { useFileDrop } from '../components/useFileDrop';
import { formatBytes, formatPercent, type ProgressLike } from '../format/format';
import { useApi, useApiEvents } from '../state/api-context';
import { routeHref } from '../state/router';
import {
  confirmedFraction,
  discardNoticeOf,
  fileNameOf,
  fileUploadProgressOf,
  isUnderway,
  pausedProgress,
  resumeBlockerOf,
  resumeOptionsOf,
  uploadActions,
  uploadRequest,
  uploadToFollow,
  type DiscardOutcome,
  type FieldProblem,
  type FileUploadInfo,
  type FormField,
  type FormProblems,
  type SealedUploadForm,
} from './sealed-upload';
import { useProfiles } from './useProfiles';
import { StatusNotice } from '../components/StatusNotice';
import { WrappingName } from '../components/WrappingName';

/** A safety net next to the progress events: the end of an upload (done, failed) arrives only by asking. */
const POLL_MS = 1000;

const EMPTY_FORM: SealedUploadForm = {
  path: '',
  profile: '',
  bucket: '',
  objectKey: '',
  concurrency: '',
  partSizeMiB: '',
  limitRateMBps: '',
};

const ADVANCED_FIELDS: FormField[] = ['concurrency', 'partSizeMiB', 'limitRateMBps'];

/** The note by the table that says which transfer options a row's Resume uses; each Resume button points at it. */
const RESUME_OPTIONS_NOTE_ID = 'sealed-upload-resume-options';

type UploadProgress = ProgressLike & { detail?: Record<string, unknown> };

/**
 * Uploads a file sealed earlier (not by a job of this session) to Cloud Object Storage with the same resumable
 * engine as a job's Upload step. The upload belongs to the app, not to this page: leaving and coming back
 * picks it up again from the session's list.
 */
export function SealedUploadPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { profiles, defaultProfile, error: profilesError } = useProfiles();
  const [form, setForm] = useState<SealedUploadForm>(EMPTY_FORM);
  // Once a person types an object key it stays theirs while they edit the path.
  const [objectKeyTouched, setObjectKeyTouched] = useState(false);
  const [problems, setProblems] = useState<FormProblems>({});
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [sending, setSending] = useState<number | null>(null);
  const [starting, setStarting] = useState(false);
  const [busy, setBusy] = useState(false);
  // Errors of choosing the file and starting, shown by the Start button; errors of the running upload's
  // controls, shown by those.
  const [startError, setStartError] = useState<unknown>(null);
  const [controlError, setControlError] = useState<unknown>(null);
  const [current, setCurrent] = useState<FileUploadInfo | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [uploads, setUploads] = useState<FileUploadInfo[]>([]);
  // Resume and Discard of the interrupted uploads in the table: which row is busy, what failed, what to confirm.
  const [rowBusy, setRowBusy] = useState<string | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [discarding, setDiscarding] = useState<FileUploadInfo | null>(null);
  const [discarded, setDiscarded] = useState<{ name: string; bucket: string; outcome: DiscardOutcome } | null>(null);
  const statusHeading = useRef<HTMLHeadingElement>(null);
  const focusStatus = useRef(false);

  const underway = isUnderway(current?.state);
  const actions = uploadActions(current?.state);
  const locked = underway || starting || sending !== null;

  const bucketOf = useCallback(
    (name: string) => profiles.find((profile) => profile.name === name)?.cos.bucket ?? '',
    [profiles],
  );

  // New uploads start on the default profile and its bucket once the profiles are known.
  useEffect(() => {
    if (profiles.length === 0) return;
    setForm((previous) =>
      previous.profile ? previous : { ...previous, profile: defaultProfile, bucket: bucketOf(defaultProfile) },
    );
  }, [profiles, defaultProfile, bucketOf]);

  const refresh = useCallback(async () => {
    try {
      const list = await api.fileUploads({});
      setUploads(list);
      setCurrent((previous) => {
        if (!previous) return uploadToFollow(list);
        return list.find((upload) => upload.transferId === previous.transferId) ?? previous;
      });
    } catch (caught) {
      setControlError(caught);
    }
  }, [api]);

  // An upload started earlier in this session (e.g. before leaving this page) is shown again.
  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (!underway) return;
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [underway, refresh]);

  useApiEvents((event) => {
    if (!current) return;
    const next = fileUploadProgressOf(event, current.transferId);
    if (next) setProgress(next);
    // main announces the end of an upload with a notice; ask at once rather than at the next poll.
    else if (event.type === 'notice' && underway) void refresh();
  });

  // The status sits above the form: after Start, keyboard and screen-reader users (and the viewport) go there.
  useEffect(() => {
    if (!focusStatus.current || !current) return;
    focusStatus.current = false;
    statusHeading.current?.focus();
  }, [current]);

  const set = (field: FormField, value: string) => {
    setForm((previous) => ({ ...previous, [field]: value }));
    setProblems((previous) => ({ ...previous, [field]: undefined }));
  };

  const onPath = (path: string) => {
    setForm((previous) => ({ ...previous, path, objectKey: objectKeyTouched ? previous.objectKey : fileNameOf(path) }));
    setProblems((previous) => ({ ...previous, path: undefined, objectKey: undefined }));
  };

  const onFile = async (file: File) => {
    if (locked) return;
    setStartError(null);
    setSending(0);
    try {
      const path = await pathForDroppedFile(api, file, (fraction) => setSending(fraction));
      // On the web host the file now lives under a generated name: the object is named after the person's file.
      setForm((previous) => ({ ...previous, path, objectKey: file.name }));
      setObjectKeyTouched(false);
      setProblems((previous) => ({ ...previous, path: undefined, objectKey: undefined }));
    } catch (caught) {
      setStartError(caught);
    } finally {
      setSending(null);
    }
  };
  const drop = useFileDrop((file) => void onFile(file));

  /** Shows the form's problems; a wrong transfer option must not hide in a closed section. */
  const showProblems = (found: FormProblems) => {
    setProblems(found);
    if (ADVANCED_FIELDS.some((field) => found[field])) setAdvancedOpen(true);
  };

  const start = async () => {
    const checked = uploadRequest(form);
    if (!checked.request) {
      showProblems(checked.problems);
      return;
    }
    setProblems({});
    setStartError(null);
    setControlError(null);
    setStarting(true);
    try {
      const info = await api.startFileUpload(checked.request);
      setProgress(null);
      setCurrent(info);
      focusStatus.current = true;
      await refresh();
    } catch (caught) {
      setStartError(caught);
    } finally {
      setStarting(false);
    }
  };

  const act = async (action: (transferId: string) => Promise<unknown>) => {
    if (!current) return;
    setBusy(true);
    setControlError(null);
    try {
      await action(current.transferId);
      await refresh();
    } catch (caught) {
      setControlError(caught);
    } finally {
      setBusy(false);
    }
  };

  // A row's Resume continues with the concurrency and rate limit in Transfer options, as Start would.
  const resumeInterrupted = async (transferId: string) => {
    const { options, problems: optionProblems } = resumeOptionsOf(form);
    if (Object.keys(optionProblems).length > 0) {
      showProblems(optionProblems);
      return;
    }
    setRowBusy(transferId);
    setListError(null);
    setDiscarded(null);
    try {
      const info = await api.resumeFileUpload({ transferId, ...options });
      setControlError(null);
      setProgress(null);
      setCurrent(info);
      focusStatus.current = true;
    } catch (caught) {
      setListError(caught);
    } finally {
      setRowBusy(null);
      await refresh();
    }
  };

  const discard = async (upload: FileUploadInfo) => {
    setDiscarding(null);
    setRowBusy(upload.transferId);
    setListError(null);
    setDiscarded(null);
    try {
      const { multipart } = await api.discardFileUpload({ transferId: upload.transferId });
      setDiscarded({ name: upload.objectKey || upload.transferId, bucket: upload.bucket || '—', outcome: multipart });
    } catch (caught) {
      setListError(caught);
    } finally {
      setRowBusy(null);
      await refresh();
    }
  };

  const hasInterrupted = uploads.some((upload) => upload.state === 'interrupted');
  const discardNotice = discarded && discardNoticeOf(discarded.outcome);

  const problemText = (field: FormField): string | undefined => {
    const problem: FieldProblem | undefined = problems[field];
    return problem ? t(`sealedUpload.problems.${problem.key}`, problem.values) : undefined;
  };
  const fieldProps = (field: FormField) => ({ invalid: Boolean(problems[field]), invalidText: problemText(field) });

  return (
    <div className="is-drop-page" {...(locked ? {} : drop.handlers)} data-testid="sealed-upload-page">
      {drop.over && !locked && <div className="is-drop-overlay">{t('sealedUpload.dropHere')}</div>}
      <Link href={routeHref({ page: 'jobs' })} renderIcon={ArrowLeft} className="is-back-link">
        {t('job.back')}
      </Link>
      <PageHeader title={t('sealedUpload.title')} intro={t('sealedUpload.intro')} />
      <ErrorNotice error={profilesError} />
      {hasInterrupted && !current && (
        <StatusNotice
          kind="info"
          title={t('sealedUpload.interrupted.notice')}
          testId="sealed-upload-interrupted-notice"
        />
      )}

      {current && (
        <section
          className="is-wizard-panel is-upload-status"
          aria-labelledby="sealed-upload-status-title"
          data-testid="sealed-upload-status"
          data-state={current.state}
        >
          <h2 id="sealed-upload-status-title" className="is-section-title" tabIndex={-1} ref={statusHeading}>
            {t(`sealedUpload.states.${current.state}`)}
          </h2>
          <p className="is-drop-hint" data-testid="sealed-upload-destination">
            {t('sealedUpload.destination', { bucket: current.bucket, objectKey: current.objectKey })}
          </p>
          {current.state === 'running' && <ProgressPanel progress={progress} step="upload" showParts />}
          {current.state === 'paused' && (
            <>
              {progress && <ProgressPanel progress={pausedProgress(progress)} step="upload" showParts />}
              <StatusNotice kind="warning" title={t('sealedUpload.paused')} />
            </>
          )}
          {current.state === 'cancelled' && <StatusNotice kind="warning" title={t('sealedUpload.cancelled')} />}
          {current.state === 'failed' && <ErrorNotice error={current.error ?? null} />}
          {current.state === 'done' && (
            <>
              <StatusNotice kind="success" title={t('sealedUpload.done')} testId="sealed-upload-done" />
              <Facts
                title={t('job.uploadTitle')}
                facts={[
                  { label: t('job.bucket'), value: current.bucket, testId: 'sealed-upload-bucket' },
                  {
                    label: t('job.objectKey'),
                    value: current.objectKey,
                    mono: true,
                    testId: 'sealed-upload-object-key',
                  },
                  { label: t('job.etag'), value: current.etag, mono: true, testId: 'sealed-upload-etag' },
                  {
                    label: t('job.fileSize'),
                    value: current.size === undefined ? undefined : formatBytes(current.size, i18n.language),
                  },
                  { label: t('job.profile'), value: current.profile },
                  { label: t('sealedUpload.source'), value: current.path, mono: true },
                ]}
              />
            </>
          )}
          <ErrorNotice error={controlError} onClose={() => setControlError(null)} />
          {underway && (
            <>
              <div className="is-step-actions">
                {actions.pause && (
                  <Button
                    kind="secondary"
                    renderIcon={Pause}
                    disabled={busy}
                    onClick={() => void act((transferId) => api.pauseFileUpload({ transferId }))}
                    data-testid="sealed-upload-pause"
                  >
                    {t('wizard.pause')}
                  </Button>
                )}
                {actions.resume && (
                  <Button
                    kind="primary"
                    renderIcon={Play}
                    disabled={busy}
                    onClick={() => void act((transferId) => api.resumeFileUpload({ transferId }))}
                    data-testid="sealed-upload-resume"
                  >
                    {t('wizard.resume')}
                  </Button>
                )}
                {actions.cancel && (
                  <Button
                    kind="danger--tertiary"
                    renderIcon={StopFilled}
                    disabled={busy}
                    onClick={() => void act((transferId) => api.cancelFileUpload({ transferId }))}
                    data-testid="sealed-upload-cancel"
                  >
                    {t('sealedUpload.cancel')}
                  </Button>
                )}
              </div>
              <p className="is-drop-hint">{t('sealedUpload.leaveNote')}</p>
            </>
          )}
        </section>
      )}

      <section className="is-wizard-panel is-section" aria-labelledby="sealed-upload-file-title">
        <h2 id="sealed-upload-file-title" className="is-section-title">
          {t('sealedUpload.fileTitle')}
        </h2>
        <div className="is-drop-zone">
          <p className="cds--file--label">{t('sealedUpload.dropTitle')}</p>
          <p className="cds--label-description">{t('sealedUpload.dropHint')}</p>
          <FileUploaderDropContainer
            labelText={t('wizard.image.choose')}
            name="sealed-image"
            multiple={false}
            accept={[]}
            disabled={locked}
            data-testid="sealed-upload-drop"
            onAddFiles={(_event, { addedFiles }) => {
              const file = addedFiles[0];
              if (file) void onFile(file);
            }}
          />
        </div>
        <div className="is-form-stack">
          <TextInput
            id="sealed-upload-path"
            labelText={t('sealedUpload.pathLabel')}
            placeholder={t('sealedUpload.pathPlaceholder')}
            value={form.path}
            disabled={locked}
            onChange={(event) => onPath(event.target.value)}
            {...fieldProps('path')}
          />
        </div>
        {sending !== null && (
          <InlineLoading
            status="active"
            description={t('wizard.image.sending', { percent: formatPercent(sending, i18n.language) })}
          />
        )}
      </section>

      <section className="is-wizard-panel is-section" aria-labelledby="sealed-upload-destination-title">
        <h2 id="sealed-upload-destination-title" className="is-section-title">
          {t('sealedUpload.destinationTitle')}
        </h2>
        <div className="is-form-stack">
          <Select
            id="sealed-upload-profile"
            labelText={t('wizard.target.profile')}
            helperText={t('wizard.target.profileHelp')}
            value={form.profile}
            disabled={locked}
            onChange={(event) => {
              const profile = event.target.value;
              setForm((previous) => ({ ...previous, profile, bucket: bucketOf(profile) }));
            }}
            {...fieldProps('profile')}
          >
            {profiles.map((profile) => (
              <SelectItem key={profile.name} value={profile.name} text={profile.name} />
            ))}
          </Select>
          <TextInput
            id="sealed-upload-bucket"
            labelText={t('sealedUpload.bucket')}
            helperText={t('sealedUpload.bucketHelp')}
            value={form.bucket}
            disabled={locked}
            onChange={(event) => set('bucket', event.target.value)}
            {...fieldProps('bucket')}
          />
          <TextInput
            id="sealed-upload-object-key"
            labelText={t('sealedUpload.objectKey')}
            helperText={t('sealedUpload.objectKeyHelp')}
            value={form.objectKey}
            disabled={locked}
            onChange={(event) => {
              setObjectKeyTouched(true);
              set('objectKey', event.target.value);
            }}
            {...fieldProps('objectKey')}
          />
          <Accordion>
            <AccordionItem
              title={t('sealedUpload.advanced')}
              open={advancedOpen}
              onHeadingClick={({ isOpen }) => setAdvancedOpen(isOpen)}
              data-testid="sealed-upload-advanced"
            >
              <div className="is-form-stack">
                <TextInput
                  id="sealed-upload-concurrency"
                  labelText={t('sealedUpload.concurrency')}
                  helperText={t('sealedUpload.concurrencyHelp')}
                  inputMode="numeric"
                  value={form.concurrency}
                  disabled={locked}
                  onChange={(event) => set('concurrency', event.target.value)}
                  {...fieldProps('concurrency')}
                />
                <TextInput
                  id="sealed-upload-part-size"
                  labelText={t('sealedUpload.partSize')}
                  helperText={t('sealedUpload.partSizeHelp')}
                  inputMode="numeric"
                  value={form.partSizeMiB}
                  disabled={locked}
                  onChange={(event) => set('partSizeMiB', event.target.value)}
                  {...fieldProps('partSizeMiB')}
                />
                <TextInput
                  id="sealed-upload-rate"
                  labelText={t('sealedUpload.rateLimit')}
                  helperText={t('sealedUpload.rateLimitHelp')}
                  inputMode="decimal"
                  value={form.limitRateMBps}
                  disabled={locked}
                  onChange={(event) => set('limitRateMBps', event.target.value)}
                  {...fieldProps('limitRateMBps')}
                />
              </div>
            </AccordionItem>
          </Accordion>
        </div>
        <ErrorNotice error={startError} onClose={() => setStartError(null)} />
        {actions.start && (
          <div className="is-step-actions">
            <Button
              kind="primary"
              renderIcon={Upload}
              disabled={starting || sending !== null}
              onClick={() => void start()}
              data-testid="sealed-upload-start"
            >
              {t('sealedUpload.start')}
            </Button>
            {starting && <InlineLoading status="active" description={t('sealedUpload.starting')} />}
          </div>
        )}
      </section>

      {uploads.length > 0 && (
        <section className="is-section">
          <ErrorNotice error={listError} onClose={() => setListError(null)} />
          {discarded && discardNotice && (
            <SuccessNotice
              kind={discardNotice.kind}
              message={t(`sealedUpload.interrupted.${discardNotice.title}`, {
                objectKey: discarded.name,
                bucket: discarded.bucket,
              })}
              subtitle={
                discardNotice.reason &&
                `${t(`sealedUpload.interrupted.${discardNotice.reason}`)} ${t('sealedUpload.interrupted.removeParts')}`
              }
              onClose={() => setDiscarded(null)}
              testId="sealed-upload-discarded"
            />
          )}
          {hasInterrupted && (
            <p id={RESUME_OPTIONS_NOTE_ID} className="is-drop-hint" data-testid="sealed-upload-resume-options">
              {t('sealedUpload.interrupted.resumeOptions', {
                concurrency: form.concurrency.trim() || t('sealedUpload.interrupted.defaultConcurrency'),
                rate: form.limitRateMBps.trim()
                  ? t('sealedUpload.interrupted.rate', { rate: form.limitRateMBps.trim() })
                  : t('sealedUpload.interrupted.noLimit'),
              })}
            </p>
          )}
          <HeadedTable
            title={t('sealedUpload.uploadsTitle')}
            description={t('sealedUpload.uploadsDescription')}
            testId="sealed-upload-table"
            columns={[
              t('job.objectKey'),
              t('job.bucket'),
              t('jobs.state'),
              t('sealedUpload.sent'),
              t('job.etag'),
              t('common.actions'),
            ]}
          >
            {[...uploads].reverse().map((upload) => (
              <UploadRow
                key={upload.transferId}
                upload={upload}
                busy={rowBusy !== null}
                onResume={() => void resumeInterrupted(upload.transferId)}
                onDiscard={() => setDiscarding(upload)}
              />
            ))}
          </HeadedTable>
        </section>
      )}
      {discarding && (
        <ConfirmModal
          heading={t('sealedUpload.interrupted.discardTitle')}
          body={t('sealedUpload.interrupted.discardBody', {
            objectKey: discarding.objectKey || discarding.transferId,
            bucket: discarding.bucket || '—',
          })}
          confirmText={t('sealedUpload.interrupted.discard')}
          onConfirm={() => void discard(discarding)}
          onCancel={() => setDiscarding(null)}
        />
      )}
    </div>
  );
}

/**
 * One upload in the table. An interrupted one (left by an earlier run) shows what its journal confirmed and
 * offers Resume and Discard; when it cannot resume, the reason is said next to the disabled button.
 */
function UploadRow({
  upload,
  busy,
  onResume,
  onDiscard,
}: {
  upload: FileUploadInfo;
  busy: boolean;
  onResume: () => void;
  onDiscard: () => void;
}) {
  const { t, i18n } = useTranslation();
  const interrupted = upload.state === 'interrupted';
  const blocker = interrupted ? resumeBlockerOf(upload) : null;
  const noteId = `sealed-upload-blocked-${upload.transferId}`;
  const name = upload.objectKey || upload.transferId;
  const sent = (() => {
    if (interrupted && upload.bytesTotal !== undefined && !upload.error) {
      const words = t('sealedUpload.interrupted.confirmed', {
        done: formatBytes(upload.bytesConfirmed ?? 0, i18n.language),
        total: formatBytes(upload.bytesTotal, i18n.language),
      });
      return (
        <div className="is-upload-sent">
          <ProgressBar
            size="small"
            hideLabel
            label={t('sealedUpload.interrupted.progressLabel', { objectKey: name })}
            value={confirmedFraction(upload) * 100}
            max={100}
            helperText={words}
          />
        </div>
      );
    }
    return upload.size === undefined ? '—' : formatBytes(upload.size, i18n.language);
  })();
  return (
    <TableRow data-transfer-id={upload.transferId} data-state={upload.state}>
      <TableCell>
        <WrappingName text={name} />
      </TableCell>
      <TableCell>{upload.bucket ? <WrappingName text={upload.bucket} /> : '—'}</TableCell>
      <TableCell>{t(`sealedUpload.states.${upload.state}`)}</TableCell>
      <TableCell data-testid="sealed-upload-row-sent">{sent}</TableCell>
      <TableCell className="is-mono">{upload.etag ?? '—'}</TableCell>
      <TableCell className="is-upload-row-actions">
        {interrupted && (
          <>
            <div className="is-row-buttons">
              <Button
                kind="tertiary"
                size="sm"
                renderIcon={Play}
                disabled={busy || blocker !== null}
                aria-describedby={blocker ? noteId : RESUME_OPTIONS_NOTE_ID}
                onClick={onResume}
                data-testid="sealed-upload-row-resume"
              >
                {t('wizard.resume')}
              </Button>
              <Button
                kind="danger--tertiary"
                size="sm"
                renderIcon={TrashCan}
                disabled={busy}
                onClick={onDiscard}
                data-testid="sealed-upload-row-discard"
              >
                {t('sealedUpload.interrupted.discard')}
              </Button>
            </div>
            {blocker && (
              <p id={noteId} className="is-drop-hint" data-testid="sealed-upload-row-blocked" data-reason={blocker}>
                {t(`sealedUpload.interrupted.blocked.${blocker}`)}
              </p>
            )}
          </>
        )}
      </TableCell>
    </TableRow>
  );
}
