import { InlineNotification } from '@carbon/react';
import { useTranslation } from 'react-i18next';

/**
 * What an action just did, until the person closes it or the next action replaces it; `warning` when it was done
 * but left something for the person to see to (said in the subtitle).
 */
export function SuccessNotice({
  message,
  subtitle,
  kind = 'success',
  onClose,
  testId,
}: {
  message: string | null;
  subtitle?: string;
  kind?: 'success' | 'warning';
  onClose: () => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  if (!message) return null;
  return (
    <InlineNotification
      aria-label={t('common.close')}
      kind={kind}
      lowContrast
      title={message}
      subtitle={subtitle}
      onClose={onClose}
      statusIconDescription={message}
      className="is-notice"
      data-testid={testId}
    />
  );
}
