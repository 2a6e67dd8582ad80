import { useTranslation } from 'react-i18next';
import { statusReasonViews, type RecordedStatusReason } from '../format/status-reasons';
import { useCatalogLookup } from '../i18n/catalog-lookup';

/**
 * IBM's status reasons of an image: a code the catalog words shows what it means in the page's language, with
 * IBM's own (English) message one click away; a code IBM added since keeps IBM's message, as it is all we have.
 */
export function StatusReasons({ reasons }: { reasons: RecordedStatusReason[] }) {
  const { t } = useTranslation();
  const { lookup } = useCatalogLookup();
  const views = statusReasonViews(reasons, lookup);
  return (
    <ul className="is-status-reasons">
      {views.map((view, index) => (
        <li key={`${index}-${view.code}`} data-status-reason={view.code}>
          <code className="is-status-reason-code">{view.code}</code>
          {view.meaning ? (
            <>
              {' — '}
              <span data-testid="status-reason-meaning">{view.meaning}</span>
              {view.message && (
                <details className="is-status-reason-message">
                  <summary>{t('job.ibmMessage')}</summary>
                  <p lang="en">{view.message}</p>
                </details>
              )}
            </>
          ) : (
            view.message && (
              <>
                {': '}
                <span lang="en">{view.message}</span>
              </>
            )
          )}
        </li>
      ))}
    </ul>
  );
}
