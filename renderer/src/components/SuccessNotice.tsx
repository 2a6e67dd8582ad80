import { StatusNotice } from './StatusNotice';

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
  if (!message) return null;
  return <StatusNotice kind={kind} title={message} subtitle={subtitle} onClose={onClose} testId={testId} />;
}
