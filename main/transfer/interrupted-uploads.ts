import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, isAppError } from '../common/errors';
import { readJournal, readJournalHeader, type JournalHeader } from './journal';
import { TRANSFER_ID_PATTERN } from './transfer-id';
import { resumeBlocker } from './upload-source';

/**
 * File uploads an earlier run left unfinished, found from their journals in the uploads folder (a process that
 * stops, or is killed, mid-upload leaves the journal and the open multipart upload behind). Only reads: what
 * to do with them is up to the caller. Journals of jobs, named by job id, are not file uploads and are skipped.
 */
export interface InterruptedUpload {
  transferId: string;
  journalPath: string;
  /** what the journal says the upload was; undefined when even its first line is unreadable */
  header: JournalHeader | undefined;
  /** the sum of the parts the server confirmed */
  bytesConfirmed: number;
  /** the file's size when the upload started */
  bytesTotal: number;
  /** why the file as it is now cannot continue the upload (missing, not a file, changed); undefined if it can */
  sourceProblem: AppError | undefined;
  /** why the journal cannot be trusted: such an upload can only be discarded */
  damage: AppError | undefined;
}

const JOURNAL_SUFFIX = '.journal';
const DISCARD_HINT = 'Discard the interrupted upload and start it again; the sealed file itself is not affected.';

export function fileUploadJournalPath(uploadsDir: string, transferId: string): string {
  return join(uploadsDir, `${transferId}${JOURNAL_SUFFIX}`);
}

/** Every file upload with a journal in `uploadsDir` except those in `skip` (e.g. the ones running now), oldest first. */
export async function findInterruptedUploads(
  uploadsDir: string,
  skip: ReadonlySet<string>,
): Promise<InterruptedUpload[]> {
  let names: string[];
  try {
    names = await readdir(uploadsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const transferIds = names
    .filter((name) => name.endsWith(JOURNAL_SUFFIX))
    .map((name) => name.slice(0, -JOURNAL_SUFFIX.length))
    .filter((transferId) => TRANSFER_ID_PATTERN.test(transferId) && !skip.has(transferId));
  const found = await Promise.all(transferIds.map((transferId) => readInterruptedUpload(uploadsDir, transferId)));
  return found
    .filter((upload): upload is InterruptedUpload => upload !== undefined)
    .sort(
      (a, b) =>
        (a.header?.createdAt ?? '').localeCompare(b.header?.createdAt ?? '') ||
        a.transferId.localeCompare(b.transferId),
    );
}

/**
 * One file upload's journal, read as an interrupted upload; undefined when there is none (or it holds no whole
 * header, so nothing was ever confirmed). A journal that cannot be read comes back with `damage`, not thrown, so
 * one bad file does not hide the others.
 */
export async function readInterruptedUpload(
  uploadsDir: string,
  transferId: string,
): Promise<InterruptedUpload | undefined> {
  const journalPath = fileUploadJournalPath(uploadsDir, transferId);
  let journal;
  try {
    journal = await readJournal(journalPath);
  } catch (error) {
    const header = await readJournalHeader(journalPath).catch(() => undefined);
    return {
      transferId,
      journalPath,
      header,
      bytesConfirmed: 0,
      bytesTotal: header?.sourceSize ?? 0,
      sourceProblem: undefined,
      damage: isAppError(error, 'UPLOAD_JOURNAL_CORRUPT')
        ? new AppError(error.code, error.message, { hint: DISCARD_HINT })
        : new AppError(
            'UPLOAD_JOURNAL_UNREADABLE',
            `The upload journal ${journalPath} cannot be read: ${(error as Error).message}`,
            {
              hint: 'Check the permissions of the data folder, or discard the interrupted upload.',
              cause: error,
            },
          ),
    };
  }
  if (!journal) return undefined;
  let bytesConfirmed = 0;
  for (const part of journal.parts.values()) bytesConfirmed += part.size;
  return {
    transferId,
    journalPath,
    header: journal.header,
    bytesConfirmed,
    bytesTotal: journal.header.sourceSize,
    sourceProblem: await resumeBlocker(journal.header.sourcePath, journal.header),
    damage: undefined,
  };
}
