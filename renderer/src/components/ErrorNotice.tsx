import { InlineNotification } from '@carbon/react';
import { useTranslation } from 'react-i18next';
import { toErrorView } from '../format/errors';

/** A failed call, in words: a localized title from the code table, the app's message and its hint. */
export function ErrorNotice({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  const view = toErrorView(error);
  return (
    <InlineNotification
      aria-label={t('common.close')}
      kind="error"
      lowContrast
      role="alert"
      title={t(view.titleKey)}
      hideCloseButton={!onClose}
      onClose={() => {
        onClose?.();
        return true;
      }}
      statusIconDescription={t(view.titleKey)}
      className="is-notice"
    >
      <div className="is-error-body" data-error-code={view.code}>
        {view.message && <p>{view.message}</p>}
        {view.hint && <p className="is-error-hint">{view.hint}</p>}
        <p className="is-error-code">{t('errors.code', { code: view.code })}</p>
      </div>
    </InlineNotification>
  );
}
