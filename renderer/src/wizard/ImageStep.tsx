import { Button, FileUploaderDropContainer, InlineLoading, TextInput } from '@carbon/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { asList, asRecord, num, optionalCall, str } from '../api/optional-calls';
import { Facts } from '../components/Facts';
import { ErrorNotice } from '../components/ErrorNotice';
import { pathForDroppedFile } from '../components/files';
import { formatBytes, formatPercent } from '../format/format';
import { useApi } from '../state/api-context';
import type { PendingSource } from '../state/pending-source';

export interface ProbeView {
  format?: string;
  virtualSize?: number;
  fileSize?: number;
  allocatedSize?: number;
  problems: string[];
}

export function toProbeView(value: unknown): ProbeView {
  const record = asRecord(value);
  const inner = asRecord(record.probe ?? record.image ?? record);
  return {
    format: str(inner, 'format'),
    virtualSize: num(inner, 'virtualSize'),
    fileSize: num(inner, 'fileSize', 'size'),
    allocatedSize: num(inner, 'allocatedSize', 'allocated'),
    problems: asList(inner.problems ?? record.problems).map((problem) => str(problem, 'message', 'code') ?? ''),
  };
}

export function ImageStep({
  source,
  probe,
  onSource,
}: {
  source: PendingSource | null;
  probe: ProbeView | null;
  onSource: (source: PendingSource, probe: ProbeView | null) => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [path, setPath] = useState(source?.path ?? '');
  const [sending, setSending] = useState<number | null>(null);
  const [probing, setProbing] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const probeCall = optionalCall(api, 'probeImage', 'probe');

  const choose = async (next: PendingSource) => {
    setError(null);
    let view: ProbeView | null = null;
    if (probeCall) {
      setProbing(true);
      try {
        view = toProbeView(await probeCall({ path: next.path }));
      } catch (caught) {
        setError(caught);
        setProbing(false);
        return;
      }
      setProbing(false);
    }
    setPath(next.path);
    onSource(next, view);
  };

  const onFile = async (file: File) => {
    setError(null);
    setSending(0);
    try {
      const hostPath = await pathForDroppedFile(api, file, (fraction) => setSending(fraction));
      await choose({ path: hostPath, name: file.name, size: file.size });
    } catch (caught) {
      setError(caught);
    } finally {
      setSending(null);
    }
  };

  return (
    <div data-testid="step-image">
      <div className="is-drop-zone">
        <p className="cds--file--label">{t('wizard.image.dropTitle')}</p>
        <p className="cds--label-description">{t('wizard.image.dropHint')}</p>
        <FileUploaderDropContainer
          labelText={t('wizard.image.choose')}
          name="image"
          multiple={false}
          accept={[]}
          data-testid="image-drop"
          onAddFiles={(_event, { addedFiles }) => {
            const file = addedFiles[0];
            if (file) void onFile(file);
          }}
        />
      </div>
      <form
        className="is-path-row"
        onSubmit={(event) => {
          event.preventDefault();
          if (path.trim()) void choose({ path: path.trim(), name: path.trim().replace(/^.*[\\/]/, '') });
        }}
      >
        <TextInput
          id="image-path"
          labelText={t('wizard.image.pathLabel')}
          placeholder={t('wizard.image.pathPlaceholder')}
          value={path}
          onChange={(event) => setPath(event.target.value)}
        />
        <Button type="submit" kind="secondary" disabled={!path.trim()}>
          {t('wizard.image.usePath')}
        </Button>
      </form>
      {sending !== null && (
        <InlineLoading
          status="active"
          description={t('wizard.image.sending', { percent: formatPercent(sending, i18n.language) })}
        />
      )}
      {probing && <InlineLoading status="active" description={t('wizard.image.probing')} />}
      <ErrorNotice error={error} onClose={() => setError(null)} />
      {source && (
        <Facts
          title={t('wizard.image.probeTitle')}
          facts={[
            { label: t('wizard.image.selected'), value: source.path, mono: true, testId: 'selected-path' },
            ...(probe
              ? [
                  { label: t('wizard.image.format'), value: probe.format, testId: 'probe-format' },
                  {
                    label: t('wizard.image.virtualSize'),
                    value: probe.virtualSize === undefined ? undefined : formatBytes(probe.virtualSize, i18n.language),
                    testId: 'probe-virtual-size',
                  },
                  {
                    label: t('wizard.image.fileSize'),
                    value: probe.fileSize === undefined ? undefined : formatBytes(probe.fileSize, i18n.language),
                  },
                  {
                    label: t('wizard.image.problems'),
                    value: probe.problems.length ? probe.problems.join('; ') : t('wizard.image.noProblems'),
                  },
                ]
              : [
                  {
                    label: t('wizard.image.fileSize'),
                    value: source.size === undefined ? undefined : formatBytes(source.size, i18n.language),
                  },
                  { label: t('wizard.image.probeTitle'), value: t('wizard.image.probeUnavailable') },
                ]),
          ]}
        />
      )}
    </div>
  );
}
