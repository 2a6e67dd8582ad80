import { InlineNotification } from '@carbon/react';
import { useTranslation } from 'react-i18next';

type NoticeKind = 'info' | 'warning' | 'success' | 'error';

/**
 * A state the page is in, as a one-line notice: paused, cancelled, done, offline… Without `onClose` it stays
 * while the state lasts; with it, the person can dismiss it. The title is also what a screen reader hears for
 * the icon.
 */
export function StatusNotice({
  kind,
  title,
  subtitle,
  role,
  onClose,
  testId,
}: {
  kind: NoticeKind;
  title: string;
  subtitle?: string;
  role?: 'alert' | 'status';
  onClose?: () => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <InlineNotification
      aria-label={onClose ? t('common.close') : undefined}
      kind={kind}
      lowContrast
      hideCloseButton={!onClose}
      onClose={onClose}
      role={role}
      title={title}
      subtitle={subtitle}
      statusIconDescription={title}
      className="is-notice"
      data-testid={testId}
    />
  );
}
