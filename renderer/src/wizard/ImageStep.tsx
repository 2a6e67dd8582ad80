import { Button, FileUploaderDropContainer, InlineLoading, Link, Tag, TextInput } from '@carbon/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Facts } from '../components/Facts';
import { ErrorNotice } from '../components/ErrorNotice';
import { pathForDroppedFile } from '../components/files';
import { formatBytes, formatPercent } from '../format/format';
import { useApi } from '../state/api-context';
import type { PendingSource } from '../state/pending-source';
import { routeHref } from '../state/router';

export type ProbeView = Awaited<ReturnType<ReturnType<typeof useApi>['probeImage']>>;

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

  const choose = async (next: PendingSource) => {
    setError(null);
    setProbing(true);
    try {
      const view = await api.probeImage({ path: next.path });
      setPath(next.path);
      onSource(next, view);
    } catch (caught) {
      setError(caught);
    } finally {
      setProbing(false);
    }
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
      <p className="is-drop-hint">
        <Link href={routeHref({ page: 'upload' })} data-testid="wizard-upload-sealed">
          {t('wizard.image.haveSealed')}
        </Link>
      </p>
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
                  {
                    label: t('wizard.image.format'),
                    value: t(`wizard.image.formats.${probe.format}`, { description: probe.description }),
                    testId: 'probe-format',
                  },
                  {
                    label: t('wizard.image.virtualSize'),
                    value: formatBytes(probe.virtualSize, i18n.language),
                    testId: 'probe-virtual-size',
                  },
                  { label: t('wizard.image.fileSize'), value: formatBytes(probe.fileSize, i18n.language) },
                  { label: t('wizard.image.allocated'), value: formatBytes(probe.allocatedSize, i18n.language) },
                  {
                    label: t('wizard.image.problems'),
                    value: probe.problems.length ? (
                      <ul className="is-problems">
                        {probe.problems.map((problem) => (
                          <li key={problem.code} data-severity={problem.severity}>
                            <Tag size="sm" type={problem.severity === 'error' ? 'red' : 'warm-gray'}>
                              {t(`wizard.image.severity.${problem.severity}`)}
                            </Tag>{' '}
                            {problem.message}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      t('wizard.image.noProblems')
                    ),
                    testId: 'probe-problems',
                  },
                ]
              : []),
          ]}
        />
      )}
    </div>
  );
}
