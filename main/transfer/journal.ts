import { open, readFile, rm, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../common/errors';
import { fsyncDirectory } from '../common/atomic-file';

/**
 * The per-job upload journal: append-only JSON lines, each fsync'd before the part counts as confirmed.
 * A kill -9 can leave at most a torn last line, which is dropped on open; everything before it is trusted.
 */
export const JournalHeaderSchema = z.object({
  type: z.literal('header'),
  version: z.literal(1),
  uploadId: z.string().min(1),
  bucket: z.string(),
  key: z.string(),
  endpoint: z.string().optional(),
  sourcePath: z.string(),
  sourceSize: z.number().int().nonnegative(),
  sourceMtimeMs: z.number(),
  partSize: z.number().int().positive(),
  createdAt: z.string(),
  /** the profile of a file upload (not a job's), so it can be resumed by its transfer id after a restart; older journals lack it */
  profile: z.string().optional(),
});

export const JournalPartSchema = z.object({
  type: z.literal('part'),
  partNumber: z.number().int().positive(),
  size: z.number().int().nonnegative(),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  etag: z.string(),
});

export const JournalCompletedSchema = z.object({
  type: z.literal('completed'),
  etag: z.string(),
  at: z.string(),
});

const JournalLineSchema = z.discriminatedUnion('type', [JournalHeaderSchema, JournalPartSchema, JournalCompletedSchema]);

export type JournalHeader = z.infer<typeof JournalHeaderSchema>;
export type JournalPart = z.infer<typeof JournalPartSchema>;
export type JournalCompleted = z.infer<typeof JournalCompletedSchema>;

export interface JournalState {
  header: JournalHeader;
  /** confirmed parts by part number (a later line for the same part wins) */
  parts: Map<number, JournalPart>;
  completed: JournalCompleted | undefined;
}

/** Reads a journal; `undefined` when there is none (or only a torn header, i.e. nothing was confirmed). */
export async function readJournal(path: string): Promise<JournalState | undefined> {
  const text = await readJournalText(path);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  // Whatever follows the last newline was never completed by an fsync'd append: a torn tail.
  lines.pop();
  let header: JournalHeader | undefined;
  const parts = new Map<number, JournalPart>();
  let completed: JournalCompleted | undefined;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let parsed: z.infer<typeof JournalLineSchema>;
    try {
      parsed = JournalLineSchema.parse(JSON.parse(line));
    } catch (cause) {
      throw new AppError('UPLOAD_JOURNAL_CORRUPT', `The upload journal ${path} is damaged at line ${index + 1}.`, {
        hint: 'Cancel the upload and start it again; the sealed file itself is not affected.',
        cause,
      });
    }
    if (parsed.type === 'header') {
      if (header) throw corrupt(path, 'it has two headers');
      header = parsed;
    } else if (!header) {
      throw corrupt(path, 'it does not start with a header');
    } else if (parsed.type === 'part') {
      parts.set(parsed.partNumber, parsed);
    } else {
      completed = parsed;
    }
  }
  if (!header) return undefined;
  return { header, parts, completed };
}

/**
 * Only the header of a journal whose later lines may be damaged: enough to tell what the upload was and to
 * abort it. `undefined` when even the first line is unreadable.
 */
export async function readJournalHeader(path: string): Promise<JournalHeader | undefined> {
  const text = await readJournalText(path);
  const newline = text?.indexOf('\n') ?? -1;
  if (text === undefined || newline < 0) return undefined;
  try {
    const parsed = JournalHeaderSchema.safeParse(JSON.parse(text.slice(0, newline)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function readJournalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function corrupt(path: string, why: string): AppError {
  return new AppError('UPLOAD_JOURNAL_CORRUPT', `The upload journal ${path} is damaged: ${why}.`, {
    hint: 'Cancel the upload and start it again; the sealed file itself is not affected.',
  });
}

/** An open journal that appends lines durably, one at a time and in order. */
export class JournalWriter {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Starts a new journal with its header, replacing any previous one. */
  static async create(path: string, header: Omit<JournalHeader, 'type' | 'version'>): Promise<JournalWriter> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(path, 'w', 0o600);
    const writer = new JournalWriter(handle, path);
    await writer.append({ type: 'header', version: 1, ...header });
    await fsyncDirectory(dirname(path));
    return writer;
  }

  /** Reopens an existing journal for appending, first cutting off a torn last line so new lines start clean. */
  static async reopen(path: string): Promise<JournalWriter> {
    const text = await readFile(path);
    const end = text.lastIndexOf(0x0a) + 1;
    const handle = await open(path, 'r+');
    if (end !== text.length) {
      await handle.truncate(end);
      await handle.sync();
    }
    // 'r+' writes at explicit positions; appending goes through write(…, position = current size).
    return new JournalWriter(handle, path);
  }

  appendPart(part: Omit<JournalPart, 'type'>): Promise<void> {
    return this.append({ type: 'part', ...part });
  }

  appendCompleted(etag: string): Promise<void> {
    return this.append({ type: 'completed', etag, at: new Date().toISOString() });
  }

  private append(line: JournalHeader | JournalPart | JournalCompleted): Promise<void> {
    const data = Buffer.from(`${JSON.stringify(line)}\n`);
    const next = this.queue.then(async () => {
      const { size } = await this.handle.stat();
      await this.handle.write(data, 0, data.length, size);
      await this.handle.datasync();
    });
    // Keep the chain alive after a failure so close() still runs; the caller sees the error from `next`.
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close();
  }
}

export async function removeJournal(path: string): Promise<void> {
  await rm(path, { force: true });
}
