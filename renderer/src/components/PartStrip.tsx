import { useTranslation } from 'react-i18next';
import type { PartState } from '../format/format';

const LABEL_KEYS: Record<PartState, string> = {
  done: 'wizard.upload.partDone',
  active: 'wizard.upload.partActive',
  pending: 'wizard.upload.partPending',
  failed: 'wizard.upload.partFailed',
};

/** One cell per multipart part: confirmed, sending, waiting or retrying. */
export function PartStrip({ parts }: { parts: PartState[] }) {
  const { t } = useTranslation();
  const done = parts.filter((part) => part === 'done').length;
  return (
    <figure className="is-part-strip" data-testid="part-strip">
      <figcaption>{t('wizard.upload.partsLabel', { done, total: parts.length })}</figcaption>
      <ol aria-label={t('wizard.upload.partStrip')}>
        {parts.map((state, index) => (
          <li key={index} className={`is-part is-part--${state}`} title={t(LABEL_KEYS[state], { n: index + 1 })}>
            <span className="cds--visually-hidden">{t(LABEL_KEYS[state], { n: index + 1 })}</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
