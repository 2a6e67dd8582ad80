import { InlineNotification } from '@carbon/react';
import { useTranslation } from 'react-i18next';

/** What an action just did, until the person closes it or the next action replaces it. */
export function SuccessNotice({
  message,
  onClose,
  testId,
}: {
  message: string | null;
  onClose: () => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  if (!message) return null;
  return (
    <InlineNotification
      aria-label={t('common.close')}
      kind="success"
      lowContrast
      title={message}
      onClose={onClose}
      statusIconDescription={message}
      className="is-notice"
      data-testid={testId}
    />
  );
}
