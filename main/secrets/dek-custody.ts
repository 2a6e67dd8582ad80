import { AppError } from '../common/errors';

/**
 * Where a job's DEK waits between sealing and a verified wrap. The real custody is the OS keychain
 * (see keychain-custody.ts); the in-memory one serves unit tests and single-process flows that never restart.
 * Implementations hand out copies: callers zero what they receive when done.
 */
export interface DekCustody {
  readonly kind: 'keychain' | 'memory';
  put(jobId: string, dek: Buffer): Promise<void>;
  /** The DEK, or null when the custody holds none for this job. */
  get(jobId: string): Promise<Buffer | null>;
  delete(jobId: string): Promise<void>;
}

export function custodyEntryName(jobId: string): string {
  return `dek:${jobId}`;
}

export class MemoryDekCustody implements DekCustody {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Buffer>();

  async put(jobId: string, dek: Buffer): Promise<void> {
    this.entries.get(jobId)?.fill(0);
    this.entries.set(jobId, Buffer.from(dek));
  }

  async get(jobId: string): Promise<Buffer | null> {
    const dek = this.entries.get(jobId);
    return dek ? Buffer.from(dek) : null;
  }

  async delete(jobId: string): Promise<void> {
    this.entries.get(jobId)?.fill(0);
    this.entries.delete(jobId);
  }
}

export function missingDekError(jobId: string): AppError {
  return new AppError(
    'DEK_NOT_IN_CUSTODY',
    `The data encryption key of job ${jobId} is not in the keychain any more.`,
    {
      hint: 'If the job was already wrapped, nothing is lost. Otherwise the sealed image cannot be wrapped: seal it again, or bring the DEK with --dek-file.',
    },
  );
}
