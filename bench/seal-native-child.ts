/**
 * One native seal in its own process, so the benchmark can measure its peak RSS and CPU time like qemu-img's.
 * Usage: node bin/run-ts.js bench/seal-native-child.ts TARGET SOURCE OUT ITER_TIME_MS [durable]
 * (durable: the writer writes with direct I/O and fsyncs its file, as the sealing service always has it do)
 * Prints {"ms": …} — the time from opening the source to the last byte written (the pool is started before).
 * With --wait-go it prints "ready" once started and seals only when a line arrives on stdin, so the benchmark can
 * prepare the run (delete the last output, sync, warm the source) right before the engine starts, as it does
 * right before it spawns cp or qemu-img.
 */
import { randomBytes } from 'node:crypto';
import { createXtsPool } from '../main/crypto/worker-pool';
import { openDiskReader } from '../main/image';
import { sealedFormatFor } from '../main/seal/open-sealed';
import { targetSpec, type TargetId } from '../main/targets';

const waitForGo = process.argv.includes('--wait-go');
const [target, source, out, iterTime, durable] = process.argv.slice(2).filter((arg) => arg !== '--wait-go') as [
  TargetId,
  string,
  string,
  string,
  string?,
];
const pool = createXtsPool();
// Start the worker threads first: a long-lived app has them running already.
await pool.removeKey(await pool.addKey(randomBytes(64)));
const dek = randomBytes(targetSpec(target).dekSizes[0]!);
const secret = targetSpec(target).encryptorSecret(dek);
if (waitForGo) {
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.pause();
}
const started = performance.now();
const cpuBefore = process.cpuUsage();
// As the sealing service opens it: a raw source's holes come from the file system's extent map.
const reader = await openDiskReader(source, { fileHoles: true });
await sealedFormatFor(target).write({
  reader,
  outPath: out,
  secret,
  iterTimeMs: Number(iterTime),
  pool,
  fsync: durable === 'durable',
});
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await reader.close();
await pool.close();
// cpuMs: user+sys of every thread of this process during the seal alone (start-up excluded).
process.stdout.write(`${JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
