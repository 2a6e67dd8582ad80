import { InlineNotification } from '@carbon/react';

type NoticeKind = 'info' | 'warning' | 'success' | 'error';

/**
 * A state the page is in, as a one-line notice that stays while the state lasts (no close button): paused,
 * cancelled, done, offline… The title is also what a screen reader hears for the icon.
 */
export function StatusNotice({
  kind,
  title,
  subtitle,
  role,
  testId,
}: {
  kind: NoticeKind;
  title: string;
  subtitle?: string;
  role?: 'alert' | 'status';
  testId?: string;
}) {
  return (
    <InlineNotification
      kind={kind}
      lowContrast
      hideCloseButton
      role={role}
      title={title}
      subtitle={subtitle}
      statusIconDescription={title}
      className="is-notice"
      data-testid={testId}
    />
  );
}
