import { ProgressBar } from '@carbon/react';
import { useTranslation } from 'react-i18next';
import { describeProgress, partStates, type ProgressLike } from '../format/format';
import { PartStrip } from './PartStrip';

/** A progress bar with percentage, bytes, rate and ETA in the person's language, and the upload's part strip. */
export function ProgressPanel({
  progress,
  step,
  showParts = false,
}: {
  progress: (ProgressLike & { detail?: Record<string, unknown> }) | null;
  step: string;
  showParts?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const phaseLabel = progress
    ? t(`phase.${progress.phase}`, { defaultValue: t(`step.${step}`, { defaultValue: t('phase.working') }) })
    : t('phase.working');
  if (!progress) {
    return (
      <div className="is-progress" data-testid="progress-panel">
        <ProgressBar label={phaseLabel} helperText={t('common.working')} />
      </div>
    );
  }
  const words = describeProgress(progress, i18n.language);
  const parts = showParts ? partStates(progress.detail) : [];
  return (
    <div className="is-progress" data-testid="progress-panel">
      <ProgressBar
        label={phaseLabel}
        value={words.value}
        max={100}
        helperText={t('wizard.progress.bytes', { done: words.done, total: words.total })}
      />
      <dl className="is-progress-figures">
        <div>
          <dt>{t('wizard.progress.percent')}</dt>
          <dd data-testid="progress-percent">{words.percent}</dd>
        </div>
        <div>
          <dt>{t('wizard.progress.rate')}</dt>
          <dd data-testid="progress-rate">{words.rate}</dd>
        </div>
        <div>
          <dt>{t('wizard.progress.eta')}</dt>
          <dd data-testid="progress-eta">{words.eta}</dd>
        </div>
      </dl>
      {parts.length > 0 && <PartStrip parts={parts} />}
    </div>
  );
}
