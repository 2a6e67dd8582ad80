import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { AppError } from '../common/errors';
import { ProgressMeter, type ProgressListener } from '../common/progress';
import { CosError, isRetryableCosError, type CosClient } from './cos-client';
import { JournalWriter, readJournal, readJournalHeader, removeJournal, type JournalPart, type JournalState } from './journal';
import { PartReader, type PartSlot } from './part-reader';
import { choosePartSize, isMultipartEtag, multipartEtag, planParts, type PartRange } from './plan';
import { DEFAULT_RETRY_POLICY, backoffDelay, sleep, type RetryPolicy } from './retry';
import { TokenBucket, throttledChunks, throttledStream } from './throttle';
import { UploadControl } from './upload-control';
import { sourceChangedError, statSource } from './upload-source';

/**
 * The resumable multipart upload of one file. The journal is the source of truth for what the server
 * confirmed; a resume sends only the parts it does not hold. The object counts as uploaded only after the
 * completion check (multipart ETag, or reading the object back where the server gives no such ETag).
 */

export interface UploadFileOptions {
  client: CosClient;
  file: string;
  bucket: string;
  key: string;
  journalPath: string;
  /** part size override in MiB (5–5120); default: chosen from the file size */
  partSizeMiB?: number;
  /** parts in flight at once (default 4) */
  concurrency?: number;
  /** cap on the upload rate in MB/s (1 MB = 1,000,000 bytes) */
  limitRateMBps?: number;
  /** aborting stops the upload and keeps the journal, so it can be resumed */
  signal?: AbortSignal;
  /** pause / resume / cancel (cancel aborts the multipart upload and removes the journal) */
  control?: UploadControl;
  onProgress?: ProgressListener;
  /** called once the multipart upload exists (fresh or resumed), so a job can checkpoint the upload id */
  onUploadStarted?: (info: { uploadId: string; partSize: number; partCount: number; resumed: boolean }) => Promise<void> | void;
  retry?: Partial<RetryPolicy>;
  /** don't upload when an identical object is already there (default true) */
  skipIfPresent?: boolean;
  /** SHA-256 of the file if known (e.g. from sealing); checked against the object when it is read back */
  expectedSha256?: string;
  /** worker threads reading and hashing parts; 0 = on the calling thread */
  readerThreads?: number;
  /** user metadata for the object (e.g. the content digest the sandbox import checks) */
  metadata?: Record<string, string>;
  /** recorded in a new journal's header: a file upload's profile, so it can be resumed after a restart */
  profile?: string;
}

export type VerificationMethod = 'multipart-etag' | 'read-back';

export interface UploadResult {
  etag: string;
  size: number;
  partSize: number;
  partCount: number;
  uploadId: string | undefined;
  verified: true;
  verification: VerificationMethod;
  /** the object was already there, identical: nothing was sent */
  skipped: boolean;
  /** part bytes handed to the network in this run (re-sent bytes included) */
  bytesSent: number;
  /** parts confirmed by an earlier run and not sent again */
  resumedParts: number;
  /** wall time until Complete, and of the completion check after it */
  durations: { transferMs: number; verifyMs: number };
}

/** Per-part states in `progress.detail.parts`: one character per part, in part order. */
export const PART_STATE = { pending: '.', reading: 'r', sending: '>', retrying: '!', done: '#' } as const;
export type PartStateChar = (typeof PART_STATE)[keyof typeof PART_STATE];

const CHUNK_SIZE = 256 * 1024;
/**
 * Parts up to this size are read once into a per-slot buffer, hashed and sent from memory (memory: concurrency ×
 * part size). Larger parts (an override, or objects beyond 640 GiB) are hashed through a window of this size and
 * then streamed from the file, so memory stays at concurrency × 64 MiB whatever the part size.
 */
const BUFFERED_PART_LIMIT = 64 * 1024 * 1024;
/** The slowest link we wait for before calling a part stuck (bytes/s); the per-part deadline derives from it. */
const SLOWEST_RATE = 64 * 1024;

export async function uploadFile(options: UploadFileOptions): Promise<UploadResult> {
  const { client, file, bucket, key, journalPath } = options;
  const control = options.control ?? new UploadControl();
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new AppError('UPLOAD_CONCURRENCY_INVALID', `Concurrency ${concurrency} is not allowed.`, { hint: 'Use a whole number from 1 to 64.' });
  }
  if (options.limitRateMBps !== undefined && !(options.limitRateMBps > 0)) {
    throw new AppError('UPLOAD_RATE_INVALID', `A rate limit of ${options.limitRateMBps} MB/s is not allowed.`, { hint: 'Use a positive number of MB/s.' });
  }
  // One signal for "stop now": the caller's (keep the journal) or a cancel (discard everything).
  const stopSignal = options.signal ? AbortSignal.any([options.signal, control.cancelSignal]) : control.cancelSignal;
  const throwIfStopped = () => {
    if (stopSignal.aborted) throw stopReason();
  };
  const stopReason = (): unknown =>
    control.state === 'cancelled'
      ? new AppError('UPLOAD_CANCELLED', 'The upload was cancelled.', { hint: 'Start it again to upload from the beginning.' })
      : (options.signal?.reason ?? new AppError('UPLOAD_INTERRUPTED', 'The upload was interrupted; it can be resumed.'));

  const startedAt = performance.now();
  let transferMs = 0;
  const source = await statSource(file);
  let journal = await readJournal(journalPath);

  if (journal && (journal.header.bucket !== bucket || journal.header.key !== key || !sameService(journal.header.endpoint, client.endpoint))) {
    // The destination changed since the interrupted run: that upload can never be completed here.
    await client.abortMultipartUpload(journal.header.bucket, journal.header.key, journal.header.uploadId).catch(() => undefined);
    await removeJournal(journalPath);
    journal = undefined;
  }
  const changed = journal && sourceChangedError(file, journal.header, source);
  if (changed) throw changed;

  const partSize = journal?.header.partSize ?? choosePartSize(source.size, options.partSizeMiB);
  const plan = planParts(source.size, partSize);
  const reader = new PartReader(file, options.readerThreads);
  const states: PartStateChar[] = plan.map(() => PART_STATE.pending);
  const meter = new ProgressMeter('upload', source.size, options.onProgress);
  // The transfer options in force go out with every report: a resumed upload shows which ones it runs with.
  const progressDetail = () => ({
    parts: states.join(''),
    partSize,
    partCount: plan.length,
    paused: control.state === 'paused',
    concurrency,
    limitRateMBps: options.limitRateMBps ?? null,
  });
  const unsubscribe = control.onChange(() => meter.set(doneBytes + inFlightBytes(), progressDetail()));
  let doneBytes = 0;
  const sentInFlight = new Map<number, number>();
  const inFlightBytes = () => {
    let total = 0;
    for (const bytes of sentInFlight.values()) total += bytes;
    return total;
  };
  let bytesSent = 0;
  let writer: JournalWriter | undefined;

  try {
    // A finished journal means the crash came after Complete: only the check is left.
    if (journal?.completed) {
      const partMd5s = orderedMd5s(journal, plan);
      const verification = await verifyObject(client, bucket, key, source.size, plan, partMd5s, options.expectedSha256, stopSignal, policy);
      await removeJournal(journalPath);
      meter.finish(progressDetail());
      return result(verification.etag, verification.method, journal.header.uploadId, false, 0, plan.length);
    }

    let confirmed = new Map<number, JournalPart>();
    let uploadId: string;
    let resumed = false;
    if (journal) {
      const reconciled = await reconcile(client, journal, stopSignal, policy);
      if (reconciled === 'upload-gone') {
        await removeJournal(journalPath);
        journal = undefined;
      } else {
        confirmed = reconciled;
        resumed = true;
      }
    }

    if (journal) {
      uploadId = journal.header.uploadId;
      writer = await JournalWriter.reopen(journalPath);
    } else {
      if (options.skipIfPresent !== false) {
        const present = await existingIdentical(client, reader, bucket, key, source.size, plan, partSize, stopSignal, policy);
        if (present) {
          meter.finish(progressDetail());
          return result(present.etag, present.method, undefined, true, 0, 0);
        }
      }
      throwIfStopped();
      uploadId = await withRetries(() => client.createMultipartUpload(bucket, key, stopSignal, options.metadata), policy, stopSignal);
      writer = await JournalWriter.create(journalPath, {
        uploadId,
        bucket,
        key,
        endpoint: client.endpoint,
        sourcePath: file,
        sourceSize: source.size,
        sourceMtimeMs: source.mtimeMs,
        partSize,
        createdAt: new Date().toISOString(),
        ...(options.profile === undefined ? {} : { profile: options.profile }),
      });
    }
    await options.onUploadStarted?.({ uploadId, partSize, partCount: plan.length, resumed });

    for (const part of plan) {
      if (confirmed.has(part.partNumber)) {
        states[part.partNumber - 1] = PART_STATE.done;
        doneBytes += part.size;
      }
    }
    const resumedParts = confirmed.size;
    meter.set(doneBytes, progressDetail());

    const queue: PartRange[] = plan.filter((part) => !confirmed.has(part.partNumber));
    const bucketLimiter = options.limitRateMBps ? new TokenBucket(options.limitRateMBps * 1_000_000) : undefined;
    const slotSize = partSize > BUFFERED_PART_LIMIT ? BUFFERED_PART_LIMIT : Math.min(partSize, Math.max(1, source.size));
    const failure = new AbortController();
    const runSignal = AbortSignal.any([stopSignal, failure.signal]);
    const activeWriter = writer;

    const sendOne = async (part: PartRange, slot: PartSlot): Promise<void> => {
      const index = part.partNumber - 1;
      let attempt = 0;
      for (;;) {
        await control.whileRunning(runSignal);
        if (runSignal.aborted) throw runSignal.reason;
        states[index] = PART_STATE.reading;
        const read = await reader.read(part.offset, part.size, slot);
        const streamed = part.size > slot.bytes.length;
        const interrupt = AbortSignal.any([runSignal, control.interruptSignal]);
        states[index] = attempt === 0 ? PART_STATE.sending : PART_STATE.retrying;
        sentInFlight.set(part.partNumber, 0);
        const countSent = (bytes: number) => {
          sentInFlight.set(part.partNumber, (sentInFlight.get(part.partNumber) ?? 0) + bytes);
          bytesSent += bytes;
          meter.set(doneBytes + inFlightBytes(), progressDetail());
        };
        const limitedRate = options.limitRateMBps ? options.limitRateMBps * 1_000_000 : Infinity;
        const timeoutMs = 60_000 + Math.ceil((part.size / Math.min(limitedRate, SLOWEST_RATE)) * 1000);
        try {
          const { etag } = await client.uploadPart({
            bucket,
            key,
            uploadId,
            partNumber: part.partNumber,
            body: streamed
              ? throttledStream(createReadStream(file, { start: part.offset, end: part.offset + part.size - 1, highWaterMark: CHUNK_SIZE * 4 }), bucketLimiter, interrupt, countSent)
              : bucketLimiter
                ? throttledChunks(slot.bytes.subarray(0, part.size), bucketLimiter, CHUNK_SIZE, interrupt, countSent)
                : slot.bytes.subarray(0, part.size),
            size: part.size,
            md5: Buffer.from(read.md5, 'hex'),
            timeoutMs,
            signal: interrupt,
          });
          if (!bucketLimiter && !streamed) countSent(part.size);
          await activeWriter.appendPart({ partNumber: part.partNumber, size: part.size, md5: read.md5, etag });
          sentInFlight.delete(part.partNumber);
          doneBytes += part.size;
          states[index] = PART_STATE.done;
          meter.set(doneBytes + inFlightBytes(), progressDetail());
          return;
        } catch (error) {
          sentInFlight.delete(part.partNumber);
          if (runSignal.aborted) throw runSignal.reason;
          if (control.state === 'paused') {
            // Interrupted by pause: not a failure; the part goes out again after resume.
            states[index] = PART_STATE.pending;
            continue;
          }
          attempt += 1;
          if (!isRetryableCosError(error) || attempt >= policy.maxAttempts) throw error;
          states[index] = PART_STATE.retrying;
          meter.set(doneBytes + inFlightBytes(), progressDetail());
          await sleep(backoffDelay(attempt - 1, policy), runSignal);
        }
      }
    };

    let firstError: unknown;
    const worker = async () => {
      const slot = reader.createSlot(slotSize);
      while (queue.length > 0 && !runSignal.aborted) {
        const part = queue.shift();
        if (!part) break;
        try {
          await sendOne(part, slot);
        } catch (error) {
          if (firstError === undefined && !stopSignal.aborted) firstError = error;
          failure.abort(error);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, queue.length)) }, worker));
    if (stopSignal.aborted) throw stopReason();
    if (firstError !== undefined) throw firstError;

    // Every part must be confirmed before Complete names it (s3rver crashes on a part it never got).
    const journalNow = await readJournal(journalPath);
    if (!journalNow) throw new AppError('UPLOAD_JOURNAL_CORRUPT', `The upload journal ${journalPath} disappeared during the upload.`);
    const partMd5s = orderedMd5s(journalNow, plan);
    const completeParts = plan.map((part) => ({ partNumber: part.partNumber, etag: journalNow.parts.get(part.partNumber)?.etag ?? '' }));
    throwIfStopped();
    await withRetries(() => client.completeMultipartUpload(bucket, key, uploadId, completeParts, stopSignal), policy, stopSignal, async (error) => {
      // A Complete whose answer was lost may have succeeded: if the object is there with the right ETag, it did.
      if (error instanceof CosError && error.code === 'COS_UPLOAD_NOT_FOUND') {
        const head = await client.headObject(bucket, key, stopSignal);
        return head !== undefined && head.size === source.size;
      }
      return false;
    });
    transferMs = performance.now() - startedAt;
    const localEtag = multipartEtag(partMd5s);
    await activeWriter.appendCompleted(localEtag);
    await activeWriter.close();
    writer = undefined;

    const verification = await verifyObject(client, bucket, key, source.size, plan, partMd5s, options.expectedSha256, stopSignal, policy);
    await removeJournal(journalPath);
    meter.finish(progressDetail());
    return result(verification.etag, verification.method, uploadId, false, bytesSent, resumedParts);
  } catch (error) {
    if (control.state === 'cancelled') {
      await writer?.close().catch(() => undefined);
      writer = undefined;
      await discardUpload(client, journalPath);
      throw stopReason();
    }
    if (stopSignal.aborted) throw stopReason();
    throw error;
  } finally {
    unsubscribe();
    await writer?.close().catch(() => undefined);
    await reader.close();
  }

  function result(etag: string, method: VerificationMethod, uploadId: string | undefined, skipped: boolean, sent: number, resumedParts: number): UploadResult {
    return {
      etag,
      size: source.size,
      partSize,
      partCount: plan.length,
      uploadId,
      verified: true,
      verification: method,
      skipped,
      bytesSent: sent,
      resumedParts,
      durations: { transferMs, verifyMs: performance.now() - startedAt - transferMs },
    };
  }
}

/**
 * Cancels an upload that is not running: aborts the multipart upload where the server supports it, drops the
 * journal. Only the header is needed, so a journal damaged further down still gets its upload aborted.
 */
export async function discardUpload(client: CosClient, journalPath: string): Promise<'aborted' | 'unsupported' | 'gone' | 'none'> {
  const header = await readJournalHeader(journalPath).catch(() => undefined);
  if (!header) {
    await removeJournal(journalPath);
    return 'none';
  }
  const outcome = await client.abortMultipartUpload(header.bucket, header.key, header.uploadId).catch(() => 'gone' as const);
  await removeJournal(journalPath);
  return outcome;
}

/**
 * Whether a journal's endpoint is the service we talk to now. The sandbox COS listens on a new loopback port
 * after every restart but keeps its uploads in the same folder, so for loopback the port does not count.
 */
export function sameService(journaled: string | undefined, current: string): boolean {
  if (journaled === undefined || journaled === current) return true;
  const loopback = (url: URL) => url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  try {
    const a = new URL(journaled);
    const b = new URL(current);
    return loopback(a) && loopback(b) && a.protocol === b.protocol;
  } catch {
    return false;
  }
}

async function withRetries<T>(
  run: () => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  /** may turn a failure into success (e.g. a Complete whose reply was lost) */
  recover?: (error: unknown) => Promise<boolean>,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (recover && (await recover(error).catch(() => false))) return undefined as T;
      if (!isRetryableCosError(error) || attempt + 1 >= policy.maxAttempts) throw error;
      await sleep(backoffDelay(attempt, policy), signal);
    }
  }
}

type Reconciled = Map<number, JournalPart> | 'upload-gone';

/**
 * Where the server lists parts (real COS), a journal part counts only if the server holds it with the same ETag
 * and size; where it cannot (s3rver: 405), the journal is trusted, since a part is journaled only after the
 * server confirmed it.
 */
async function reconcile(client: CosClient, journal: JournalState, signal: AbortSignal, policy: RetryPolicy): Promise<Reconciled> {
  const { bucket, key, uploadId } = journal.header;
  let listed;
  try {
    listed = await withRetries(() => client.listParts(bucket, key, uploadId, signal), policy, signal);
  } catch (error) {
    if (error instanceof CosError && error.code === 'COS_UPLOAD_NOT_FOUND') return 'upload-gone';
    throw error;
  }
  if (listed === 'unsupported') return new Map(journal.parts);
  const onServer = new Map(listed.map((part) => [part.partNumber, part]));
  const confirmed = new Map<number, JournalPart>();
  for (const [number, part] of journal.parts) {
    const server = onServer.get(number);
    if (server && server.etag === part.etag && server.size === part.size) confirmed.set(number, part);
  }
  return confirmed;
}

function orderedMd5s(journal: JournalState, plan: readonly PartRange[]): string[] {
  return plan.map((part) => {
    const entry = journal.parts.get(part.partNumber);
    if (!entry || entry.size !== part.size) {
      throw new AppError('UPLOAD_JOURNAL_CORRUPT', `The upload journal has no confirmed record of part ${part.partNumber}.`, {
        hint: 'Cancel the upload and start it again.',
      });
    }
    return entry.md5;
  });
}

/**
 * The completion check. Where COS returns the multipart ETag form, it must equal the one computed from our part
 * MD5s; otherwise (s3rver, or a server that re-encrypts) the object is read back and each part range hashed.
 */
async function verifyObject(
  client: CosClient,
  bucket: string,
  key: string,
  size: number,
  plan: readonly PartRange[],
  partMd5s: readonly string[],
  expectedSha256: string | undefined,
  signal: AbortSignal,
  policy: RetryPolicy,
): Promise<{ etag: string; method: VerificationMethod }> {
  const head = await withRetries(() => client.headObject(bucket, key, signal), policy, signal);
  if (!head) throw new AppError('UPLOAD_VERIFY_FAILED', `The object ${key} is missing from bucket ${bucket} after the upload completed.`, { hint: 'Resume the job to upload it again.' });
  if (head.size !== size) {
    throw new AppError('UPLOAD_VERIFY_FAILED', `The stored object has ${head.size} bytes; the file has ${size}.`, { hint: 'Resume the job to upload it again.' });
  }
  const localEtag = multipartEtag(partMd5s);
  if (isMultipartEtag(head.etag)) {
    if (head.etag !== localEtag) {
      throw new AppError('UPLOAD_VERIFY_FAILED', `The stored object's ETag ${head.etag} differs from the local ${localEtag}.`, {
        hint: 'Resume the job to upload it again.',
      });
    }
    return { etag: localEtag, method: 'multipart-etag' };
  }
  const readBack = await hashObject(client, bucket, key, plan, expectedSha256 !== undefined, signal);
  const badPart = plan.findIndex((_part, index) => readBack.partMd5s[index] !== partMd5s[index]);
  if (readBack.size !== size || badPart >= 0) {
    throw new AppError(
      'UPLOAD_VERIFY_FAILED',
      badPart >= 0 ? `Part ${badPart + 1} of the stored object differs from the file.` : `The stored object has ${readBack.size} bytes; the file has ${size}.`,
      { hint: 'Resume the job to upload it again.' },
    );
  }
  if (expectedSha256 !== undefined && readBack.sha256 !== expectedSha256.toLowerCase()) {
    throw new AppError('UPLOAD_VERIFY_FAILED', 'The stored object\'s SHA-256 differs from the sealed file\'s.', { hint: 'Resume the job to upload it again.' });
  }
  return { etag: head.etag ?? localEtag, method: 'read-back' };
}

async function hashObject(
  client: CosClient,
  bucket: string,
  key: string,
  plan: readonly PartRange[],
  withSha256: boolean,
  signal: AbortSignal,
): Promise<{ size: number; partMd5s: string[]; sha256: string | undefined }> {
  const stream = await client.getObjectStream(bucket, key, signal);
  const sha256 = withSha256 ? createHash('sha256') : undefined;
  const partMd5s: string[] = [];
  let index = 0;
  let inPart = 0;
  let md5 = createHash('md5');
  let size = 0;
  for await (const data of stream) {
    let chunk = data as Buffer;
    size += chunk.length;
    sha256?.update(chunk);
    while (chunk.length > 0) {
      const want = (plan[index]?.size ?? Infinity) - inPart;
      const take = Math.min(want, chunk.length);
      md5.update(chunk.subarray(0, take));
      inPart += take;
      chunk = chunk.subarray(take);
      if (inPart === plan[index]?.size) {
        partMd5s.push(md5.digest('hex'));
        md5 = createHash('md5');
        inPart = 0;
        index += 1;
      }
    }
  }
  if (plan.length === 1 && plan[0].size === 0 && partMd5s.length === 0) partMd5s.push(md5.digest('hex'));
  return { size, partMd5s, sha256: sha256?.digest('hex') };
}

/**
 * Skip if present: an object of the same size whose multipart ETag matches ours, or (where the server gives
 * no multipart ETag, e.g. the sandbox) whose bytes read back hash to the same part MD5s, is not sent again.
 */
async function existingIdentical(
  client: CosClient,
  reader: PartReader,
  bucket: string,
  key: string,
  size: number,
  plan: readonly PartRange[],
  partSize: number,
  signal: AbortSignal,
  policy: RetryPolicy,
): Promise<{ etag: string; method: VerificationMethod } | undefined> {
  const head = await withRetries(() => client.headObject(bucket, key, signal), policy, signal);
  if (!head || head.size !== size) return undefined;
  if (isMultipartEtag(head.etag) && !head.etag?.endsWith(`-${plan.length}`)) return undefined;
  const slot = reader.createSlot(Math.min(partSize, BUFFERED_PART_LIMIT, Math.max(1, size)));
  const partMd5s: string[] = [];
  for (const part of plan) {
    if (signal.aborted) throw signal.reason;
    const read = await reader.read(part.offset, part.size, slot);
    partMd5s.push(read.md5);
  }
  try {
    return await verifyObject(client, bucket, key, size, plan, partMd5s, undefined, signal, policy);
  } catch (error) {
    if (error instanceof AppError && error.code === 'UPLOAD_VERIFY_FAILED') return undefined;
    throw error;
  }
}
