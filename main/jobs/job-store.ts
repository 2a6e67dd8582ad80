import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../common/errors';
import { writeFileAtomic } from '../common/atomic-file';
import { JobSchema, JobOptionsSchema, type Job, type JobOptions } from './job';
import type { TargetId } from '../targets';

export interface NewJob {
  name: string;
  target: TargetId;
  profile: string;
  options?: Partial<JobOptions>;
}

const JOB_ID = /^job-[0-9a-z-]{6,60}$/;

/** Jobs as one JSON file each, written atomically; every update is serialized per job. */
export class JobStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: NewJob): Promise<Job> {
    const stamp = this.now();
    const id = `job-${stamp.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
    const job: Job = JobSchema.parse({
      id,
      name: input.name,
      target: input.target,
      profile: input.profile,
      state: 'created',
      createdAt: stamp.toISOString(),
      updatedAt: stamp.toISOString(),
      options: JobOptionsSchema.parse(input.options ?? {}),
    });
    await this.write(job);
    return job;
  }

  async get(id: string): Promise<Job> {
    const job = await this.find(id);
    if (!job) {
      throw new AppError('JOB_NOT_FOUND', `No job with id ${id}.`, {
        hint: 'List jobs with "image-sealer jobs list".',
        details: { jobId: id },
      });
    }
    return job;
  }

  async find(id: string): Promise<Job | null> {
    if (!JOB_ID.test(id)) return null;
    let text: string;
    try {
      text = await readFile(this.file(id), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const parsed = JobSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new AppError('JOB_RECORD_INVALID', `The record of job ${id} is damaged and cannot be read.`, {
        details: { issues: parsed.error.issues.slice(0, 5).map((issue) => issue.message) },
      });
    }
    return parsed.data;
  }

  async list(): Promise<Job[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const jobs: Job[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const job = await this.find(name.slice(0, -5)).catch(() => null);
      if (job) jobs.push(job);
    }
    return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Applies `change` to the current record and writes the result; concurrent updates of one job queue up. */
  update(id: string, change: (job: Job) => Job | Partial<Job>): Promise<Job> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(async () => {
      const current = await this.get(id);
      const patch = change(structuredClone(current));
      const next = JobSchema.parse({ ...current, ...patch, id: current.id, updatedAt: this.now().toISOString() });
      await this.write(next);
      return next;
    });
    this.locks.set(
      id,
      run.catch(() => undefined),
    );
    return run;
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await rm(this.file(id), { force: true });
  }

  private async write(job: Job): Promise<void> {
    await writeFileAtomic(this.file(job.id), `${JSON.stringify(job, null, 2)}\n`);
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}
