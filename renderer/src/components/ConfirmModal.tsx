import { Modal } from '@carbon/react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';

export interface ConfirmModalProps {
  heading: string;
  body: string;
  /** the primary button: names the irreversible action ("Remove", "Replace") */
  confirmText: string;
  testId?: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A danger modal asking before something that cannot be undone; in a portal so no page layout clips it. */
export function ConfirmModal({ heading, body, confirmText, testId, onConfirm, onCancel }: ConfirmModalProps) {
  const { t } = useTranslation();
  return createPortal(
    <Modal
      open
      danger
      modalHeading={heading}
      primaryButtonText={confirmText}
      secondaryButtonText={t('common.cancel')}
      closeButtonLabel={t('common.close')}
      onRequestClose={onCancel}
      onRequestSubmit={onConfirm}
      data-testid={testId}
    >
      <p>{body}</p>
    </Modal>,
    document.body,
  );
}
