import { sleep } from './retry';

/**
 * A token bucket shared by all parallel part uploads, so `--limit-rate` caps the sum of their rates.
 * The bucket holds at most one second of tokens: after an idle spell it allows a short burst, no more.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = 0;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((t - this.last) / 1000) * this.bytesPerSecond);
    this.last = t;
  }

  /** Spends `bytes` of tokens and says how many ms to wait before sending them (0: at once). */
  reserve(bytes: number): number {
    this.refill();
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.bytesPerSecond) * 1000);
  }

  /** Resolves once `bytes` may be sent. Requests larger than the bucket go into debt and wait it out. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(bytes);
    if (wait > 0) await sleep(wait, signal);
  }
}

/** Hands `buffer` out in slices, each only once the bucket allows it. */
export async function* throttledChunks(
  buffer: Buffer,
  bucket: TokenBucket,
  chunkSize: number,
  signal: AbortSignal | undefined,
  onChunk: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += chunkSize) {
    const chunk = buffer.subarray(offset, Math.min(buffer.length, offset + chunkSize));
    await bucket.take(chunk.length, signal);
    onChunk(chunk.length);
    yield chunk;
  }
}

/** Passes a stream's chunks on, each once the bucket (if any) allows it, counting what went out. */
export async function* throttledStream(
  source: AsyncIterable<Buffer>,
  bucket: TokenBucket | undefined,
  signal: AbortSignal | undefined,
  onChunk: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    if (signal?.aborted) throw signal.reason;
    if (bucket) await bucket.take(chunk.length, signal);
    onChunk(chunk.length);
    yield chunk;
  }
}
