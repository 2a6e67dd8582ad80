import { auditToCsv } from '../../audit/audit-log';
import { auditCalls } from '../contract/audit';
import type { HandlersFor } from './define';

export const auditHandlers: HandlersFor<typeof auditCalls> = {
  async listAudit({ limit }, app) {
    const entries = await app.audit.entries();
    return entries.slice(-limit).reverse();
  },
  async verifyAudit(_input, app) {
    return app.audit.verify();
  },
  async exportAudit({ format }, app) {
    const entries = await app.audit.entries();
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    return {
      format,
      content: format === 'csv' ? auditToCsv(entries) : `${JSON.stringify(entries, null, 2)}\n`,
      fileName: `image-sealer-audit-${stamp}.${format}`,
    };
  },
};
