import type { cloudCalls } from '../contract/cloud';
import {
  listOperatingSystems,
  listProvisionChoices,
  setImportChoices,
  setProvisionChoices,
} from '../../cloud/cloud-service';
import { jobRunner } from '../../jobs/runner';
import { profileStore } from '../../profiles/resolve';
import type { HandlersFor } from './define';

export const cloudHandlers: HandlersFor<typeof cloudCalls> = {
  async listOperatingSystems({ profile, kind }, app) {
    const name = profile ?? (await profileStore(app).defaultName());
    return listOperatingSystems(app, name, kind);
  },
  async startImport({ jobId, os, name }, app) {
    const runner = jobRunner(app);
    if (runner.isRunning(jobId)) return { started: false, job: await app.jobs.get(jobId) };
    const job = await setImportChoices(app, jobId, { os, name });
    // Runs in the background; status changes and the outcome arrive as events.
    runner.run(jobId, { until: 'import' }).catch(() => undefined);
    return { started: true, job };
  },
  async startProvision({ jobId, options }, app) {
    const runner = jobRunner(app);
    if (runner.isRunning(jobId)) return { started: false, job: await app.jobs.get(jobId) };
    const job = await setProvisionChoices(app, jobId, options);
    runner.run(jobId, { until: 'provision' }).catch(() => undefined);
    return { started: true, job };
  },
  async listProvisionChoices({ jobId }, app) {
    return listProvisionChoices(app, jobId);
  },
};
