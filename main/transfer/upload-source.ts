import { stat } from 'node:fs/promises';
import { AppError } from '../common/errors';
import type { JournalHeader } from './journal';

/**
 * The file an upload sends, and the rule for resuming one: the parts a journal confirmed count only while the
 * file is the one they were read from, i.e. has the size and modification time the journal's header recorded.
 * Anything else would complete an object made of two different files.
 */
export interface SourceStat {
  size: number;
  mtimeMs: number;
}

export async function statSource(file: string): Promise<SourceStat> {
  try {
    const info = await stat(file);
    if (!info.isFile())
      throw new AppError('UPLOAD_SOURCE_NOT_FILE', `${file} is not a file.`, {
        hint: 'Choose the sealed image file.',
        details: { path: file },
      });
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('UPLOAD_SOURCE_MISSING', `The file to upload, ${file}, does not exist.`, {
        hint: 'Seal the image again or choose the sealed file where it is now.',
        details: { path: file },
      });
    }
    throw error;
  }
}

/** Why a journal's parts no longer match the file, or undefined when they still do. */
export function sourceChangedError(
  file: string,
  header: Pick<JournalHeader, 'sourceSize' | 'sourceMtimeMs'>,
  source: SourceStat,
): AppError | undefined {
  if (header.sourceSize === source.size && header.sourceMtimeMs === source.mtimeMs) return undefined;
  return new AppError(
    'UPLOAD_SOURCE_CHANGED',
    `The file ${file} changed since its upload started (size or modification time differ), so the parts already sent no longer match it.`,
    {
      hint: 'If the change is intended, cancel the upload and start it again; otherwise restore the sealed file.',
      details: {
        path: file,
        journalSize: header.sourceSize,
        fileSize: source.size,
        journalMtimeMs: header.sourceMtimeMs,
        fileMtimeMs: source.mtimeMs,
      },
    },
  );
}

/** What keeps a journaled upload of `file` from resuming (missing, not a file, changed), or undefined. */
export async function resumeBlocker(
  file: string,
  header: Pick<JournalHeader, 'sourceSize' | 'sourceMtimeMs'>,
): Promise<AppError | undefined> {
  let source: SourceStat;
  try {
    source = await statSource(file);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return sourceChangedError(file, header, source);
}
