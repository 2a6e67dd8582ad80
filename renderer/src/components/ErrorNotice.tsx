import { InlineNotification } from '@carbon/react';
import { useTranslation } from 'react-i18next';
import { localizeErrorView, toErrorView } from '../format/errors';
import { useCatalogLookup } from '../i18n/catalog-lookup';

/**
 * A failed call, in words: a localized title from the code table, then the message and hint in the page's
 * language where the catalog words the code, with main's English text one click away to quote to support.
 */
export function ErrorNotice({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const { t } = useTranslation();
  const { language, lookup } = useCatalogLookup();
  if (error === null || error === undefined) return null;
  const view = localizeErrorView(toErrorView(error), language, lookup);
  // Carbon's InlineNotification refuses interactive children, so the disclosure of main's English text sits
  // right under it, in the same block.
  return (
    <div className="is-error-notice" data-testid="error-notice">
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
          {view.message && <p data-testid="error-message">{view.message}</p>}
          {view.hint && <p className="is-error-hint">{view.hint}</p>}
          <p className="is-error-code">{t('errors.code', { code: view.code })}</p>
        </div>
      </InlineNotification>
      {view.original && (
        <details className="is-error-original" data-testid="error-original">
          <summary>{t('errors.original')}</summary>
          <p lang="en">{view.original.message}</p>
          {view.original.hint && <p lang="en">{view.original.hint}</p>}
        </details>
      )}
    </div>
  );
}
