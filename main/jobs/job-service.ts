import { basename, extname, resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import type { AppContext } from '../app/context';
import { AppError } from '../common/errors';
import { probeImage } from '../image';
import { profileStore } from '../profiles/resolve';
import type { ProbeResult } from '../image/types';
import { targetSpec, type TargetId } from '../targets';
import type { Job, JobOptions } from './job';
import { jobRunner } from './runner';

export interface CreateJobRequest {
  sourcePath: string;
  target: TargetId;
  name?: string;
  profile?: string;
  options?: Partial<JobOptions>;
}

/** A job name from the source file name: what the sealed output and the imported image will be called. */
export function defaultJobName(sourcePath: string): string {
  let base = basename(sourcePath);
  for (;;) {
    const ext = extname(base);
    if (!ext || ext.length > 6) break;
    base = base.slice(0, -ext.length);
  }
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = /^[a-z]/.test(cleaned) ? cleaned : `image-${cleaned}`;
  return name.slice(0, 48).replace(/-+$/, '') || 'image';
}

/** Probes the source, refuses it when the target cannot take it, and records a new job. */
export async function createJob(app: AppContext, request: CreateJobRequest): Promise<{ job: Job; probe: ProbeResult }> {
  const sourcePath = resolve(request.sourcePath);
  const probe = await probeImage(sourcePath, { target: request.target });
  const blocking = probe.problems.filter((problem) => problem.severity === 'error');
  if (blocking.length > 0) {
    throw new AppError('IMAGE_NOT_ACCEPTED', blocking.map((problem) => problem.message).join(' '), {
      details: { problems: blocking.map((problem) => problem.code) },
    });
  }
  const spec = targetSpec(request.target);
  const profiles = profileStore(app);
  const profile = request.profile ?? (await profiles.defaultName());
  await profiles.get(profile);
  const job = await app.jobs.create({
    name: request.name ?? defaultJobName(sourcePath),
    target: request.target,
    profile,
    options: { ...request.options },
  });
  const withSource = await app.jobs.update(job.id, () => ({
    source: {
      path: sourcePath,
      format: probe.format,
      virtualSize: probe.virtualSize,
      fileSize: probe.fileSize,
      mtimeMs: probe.mtimeMs,
    },
  }));
  await app.audit.append({
    type: 'job.created',
    jobId: job.id,
    data: {
      target: spec.id,
      profile: withSource.profile,
      source: sourcePath,
      format: probe.format,
      virtualSize: probe.virtualSize,
      warnings: probe.problems.map((problem) => problem.code),
    },
  });
  app.events.emit({ type: 'job-updated', jobId: job.id, state: withSource.state });
  return { job: withSource, probe };
}

/** Deletes a job's record and what the app made for it; the source image is never touched. */
export async function deleteJob(app: AppContext, jobId: string): Promise<void> {
  const runner = jobRunner(app);
  if (runner.isRunning(jobId)) {
    throw new AppError('JOB_BUSY', `Job ${jobId} is running; pause or cancel it before deleting.`);
  }
  const job = await app.jobs.get(jobId);
  const made = [job.seal?.outputPath, job.seal?.manifestPath].filter(
    (path): path is string => typeof path === 'string' && path !== job.source?.path,
  );
  for (const path of made) await rm(path, { force: true });
  await rm(resolve(app.paths.uploads, `${jobId}.journal`), { force: true });
  await app.jobs.remove(jobId);
  await app.audit.append({ type: 'job.deleted', jobId, data: { removedFiles: made } });
}
