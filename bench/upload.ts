/**
 * `npm run bench:upload`: uploads one file (1 GiB by default) with our engine, ibm-cos-sdk's managed
 * `s3.upload`, and — where installed — rclone and `aws s3 cp`, all with 16 MiB parts, 4 at a time, in the same
 * run, against s3rver and against a discard server (accepts parts and throws them away, so the clients' own
 * cost shows). Prints the median MB/s of ≥ 3 runs, client CPU seconds per GiB and the ratios.
 *
 * Servers run in child processes so their CPU is not the clients'. Our engine and the SDK run in this process
 * (CPU from process.cpuUsage, worker threads included); rclone and aws run as children (CPU from the shell's
 * `times`, i.e. getrusage of children). Our engine's time includes its completion check (a HEAD on the discard
 * server, reading the whole object back on s3rver); the others do no such check.
 *
 * Options: --size-mib N (1024) --runs N (3) --servers discard,s3rver --clients engine,sdk,rclone,aws
 *          --discard-verify (the discard server also checks Content-MD5) --reader-threads N
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IBM from 'ibm-cos-sdk';
import { startSandboxCos } from '../main/sandbox/cos-service';
import { CosClient } from '../main/transfer/cos-client';
import { uploadFile } from '../main/transfer/uploader';
import { startDiscardServer } from '../test/helpers/discard-s3-server';

const BUCKET = 'image-sealer-sandbox';
const MIB = 1024 * 1024;
const PART = 16 * MIB;
const QUEUE = 4;
const ACCESS = 'S3RVER';

type ServerKind = 'discard' | 's3rver';
type ClientKind = 'engine' | 'sdk' | 'rclone' | 'aws';

interface Measurement {
  seconds: number;
  /** our engine: until Complete, without its completion check (the others do no check) */
  transferSeconds?: number;
  cpuSeconds: number;
  note?: string;
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}

// --- server mode: `bench/upload.ts --serve discard|s3rver DIR` prints the URL and serves until killed ---
if (process.argv.includes('--serve')) {
  const kind = option('serve', 'discard') as ServerKind;
  if (kind === 'discard') {
    const server = await startDiscardServer({ verifyMd5: process.argv.includes('--discard-verify') });
    process.stdout.write(`${server.url}\n`);
  } else {
    const cos = await startSandboxCos({ sandboxDir: option('dir', tmpdir()), bucket: BUCKET });
    process.stdout.write(`${cos.url}\n`);
  }
  await new Promise(() => undefined);
}

function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

async function startServer(kind: ServerKind, dir: string): Promise<{ url: string; stop(): void }> {
  const args = ['bin/run-ts.js', 'bench/upload.ts', '--serve', kind, '--dir', dir];
  if (process.argv.includes('--discard-verify')) args.push('--discard-verify');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (data: Buffer) => resolve(data.toString().trim()));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGKILL') };
}

function sdkClient(endpoint: string): IBM.S3 {
  return new IBM.S3({
    endpoint,
    credentials: new IBM.Credentials(ACCESS, ACCESS),
    signatureVersion: 'v4',
    region: 'us-south',
    s3ForcePathStyle: true,
  });
}

async function inProcess(run: () => Promise<{ note?: string; transferSeconds?: number }>): Promise<Measurement> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const { note, transferSeconds } = await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, transferSeconds, cpuSeconds: (used.user + used.system) / 1e6, note };
}

/** Runs a command under `sh`, whose `times` builtin reports the CPU its children used (getrusage). */
async function childProcess(argv: string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const start = performance.now();
  const script = '"$@" > /dev/null 2> "$ERRFILE"; code=$?; times; exit $code';
  const errFile = join(tmpdir(), `bench-upload-${process.pid}.err`);
  const child = spawn('sh', ['-c', script, 'sh', ...argv], { env: { ...env, ERRFILE: errFile }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (data: Buffer) => (out += data.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seconds = (performance.now() - start) / 1000;
  if (code !== 0) {
    const { readFile } = await import('node:fs/promises');
    throw new Error(`${argv[0]} failed (${code}): ${(await readFile(errFile, 'utf8').catch(() => '')).slice(0, 400)}`);
  }
  const lines = out.trim().split('\n');
  const children = lines[lines.length - 1].trim().split(/\s+/).map(parseTimes);
  return { seconds, cpuSeconds: children[0] + children[1] };
}

function parseTimes(text: string): number {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
}

async function measure(client: ClientKind, endpoint: string, file: string, key: string, work: string): Promise<Measurement> {
  switch (client) {
    case 'engine': {
      const cos = new CosClient({ endpoint, region: 'us-south', auth: { kind: 'hmac', accessKeyId: ACCESS, secretAccessKey: ACCESS } });
      try {
        return await inProcess(async () => {
          const result = await uploadFile({
            client: cos,
            file,
            bucket: BUCKET,
            key,
            journalPath: join(work, `${key}.journal`),
            partSizeMiB: PART / MIB,
            concurrency: QUEUE,
            readerThreads: process.argv.includes('--reader-threads') ? Number(option('reader-threads', '2')) : undefined,
          });
          return {
            note: `check by ${result.verification}: +${(result.durations.verifyMs / 1000).toFixed(2)} s, ${(size(file) / 1e6 / ((result.durations.transferMs + result.durations.verifyMs) / 1000)).toFixed(0)} MB/s with it`,
            transferSeconds: result.durations.transferMs / 1000,
          };
        });
      } finally {
        await cos.close();
      }
    }
    case 'sdk': {
      const s3 = sdkClient(endpoint);
      return inProcess(async () => {
        await s3.upload({ Bucket: BUCKET, Key: key, Body: createReadStream(file) }, { partSize: PART, queueSize: QUEUE }).promise();
        return {};
      });
    }
    case 'rclone': {
      const configFile = join(work, 'rclone.conf');
      await writeFile(configFile, '');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        RCLONE_CONFIG: configFile,
        RCLONE_CONFIG_BENCH_TYPE: 's3',
        RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
        RCLONE_CONFIG_BENCH_ENV_AUTH: 'false',
        RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: ACCESS,
        RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: ACCESS,
        RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
        RCLONE_CONFIG_BENCH_REGION: 'us-south',
        RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
      };
      delete env.AWS_CA_BUNDLE;
      return childProcess(
        ['rclone', 'copyto', file, `bench:${BUCKET}/${key}`, '--s3-chunk-size', '16M', '--s3-upload-concurrency', String(QUEUE), '--s3-upload-cutoff', '16M', '--s3-no-check-bucket'],
        env,
      );
    }
    case 'aws': {
      const configFile = join(work, 'aws.config');
      await writeFile(
        configFile,
        ['[default]', 'region = us-south', 's3 =', '    multipart_chunksize = 16MB', '    multipart_threshold = 16MB', `    max_concurrent_requests = ${QUEUE}`, '    addressing_style = path', ''].join('\n'),
      );
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws.credentials'),
        AWS_ACCESS_KEY_ID: ACCESS,
        AWS_SECRET_ACCESS_KEY: ACCESS,
      };
      // as a user runs it: only part size and concurrency are set (BENCH_AWS_CHECKSUM=when_required drops botocore's per-part CRC32)
      if (process.env.BENCH_AWS_CHECKSUM) env.AWS_REQUEST_CHECKSUM_CALCULATION = process.env.BENCH_AWS_CHECKSUM;
      return childProcess([which('aws') ?? 'aws', 's3', 'cp', file, `s3://${BUCKET}/${key}`, '--endpoint-url', endpoint, '--only-show-errors'], env);
    }
  }
}

function size(file: string): number {
  return statSync(file).size;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const sizeMiB = Number(option('size-mib', '1024'));
  const runs = Math.max(1, Number(option('runs', '3')));
  const servers = option('servers', 'discard,s3rver').split(',') as ServerKind[];
  const wanted = option('clients', 'engine,sdk,rclone,aws').split(',') as ClientKind[];
  const clients = wanted.filter((client) => {
    if ((client === 'rclone' || client === 'aws') && !which(client)) {
      console.log(`(${client} is not installed: skipped)`);
      return false;
    }
    return true;
  });
  const work = await mkdtemp(join(tmpdir(), 'bench-upload-'));
  const file = join(work, 'image.bin');
  const size = sizeMiB * MIB;
  // random bytes, so nothing along the way can compress them; written in 64 MiB steps
  const handle = await open(file, 'w');
  const { randomFillSync } = await import('node:crypto');
  const block = Buffer.alloc(64 * MIB);
  for (let written = 0; written < size; written += block.length) {
    randomFillSync(block);
    await handle.write(block, 0, Math.min(block.length, size - written));
  }
  await handle.close();
  for await (const _chunk of createReadStream(file)) {
    // warm the page cache so the first client does not pay for the disk
  }

  console.log(`bench:upload — ${sizeMiB} MiB, ${PART / MIB} MiB parts, ${QUEUE} at a time, median of ${runs} runs; host ${process.platform} ${process.arch}, node ${process.version}`);
  console.log(`discard server ${process.argv.includes('--discard-verify') ? 'checks' : 'does not check'} Content-MD5\n`);
  const table: { server: ServerKind; client: ClientKind; mbps: number; mbpsWithCheck: number; cpuPerGiB: number; note: string }[] = [];
  try {
    for (const server of servers) {
      const running = await startServer(server, join(work, `server-${server}`));
      try {
        const results = new Map<ClientKind, Measurement[]>(clients.map((client) => [client, []]));
        for (let run = 0; run < runs; run += 1) {
          // interleaved, so background load on the machine spreads over all clients alike
          for (const client of clients) {
            const key = `${client}-${run}.bin`;
            try {
              const measured = await measure(client, running.url, file, key, work);
              results.get(client)?.push(measured);
              console.log(`  ${server.padEnd(7)} ${client.padEnd(6)} run ${run + 1}: ${(size / 1e6 / (measured.transferSeconds ?? measured.seconds)).toFixed(0).padStart(5)} MB/s, ${((measured.cpuSeconds * 1024) / sizeMiB).toFixed(2)} CPU s/GiB${measured.note ? ` (${measured.note})` : ''}`);
            } catch (error) {
              console.log(`  ${server} ${client} run ${run + 1} failed: ${(error as Error).message}`);
            }
            if (server === 's3rver') {
              await sdkClient(running.url).deleteObject({ Bucket: BUCKET, Key: key }).promise().catch(() => undefined);
            }
          }
        }
        for (const client of clients) {
          const measured = results.get(client) ?? [];
          if (measured.length === 0) continue;
          table.push({
            server,
            client,
            mbps: median(measured.map((m) => size / 1e6 / (m.transferSeconds ?? m.seconds))),
            mbpsWithCheck: median(measured.map((m) => size / 1e6 / m.seconds)),
            cpuPerGiB: median(measured.map((m) => (m.cpuSeconds * 1024) / sizeMiB)),
            note: measured.length < runs ? `${measured.length} of ${runs} runs` : '',
          });
        }
      } finally {
        running.stop();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  console.log('\n| server | client | MB/s (median) | client CPU s/GiB | engine ÷ client (MB/s) |');
  console.log('|---|---|---:|---:|---:|');
  // MB/s of our engine: until Complete; its completion check (HEAD, or reading the object back on s3rver) is
  // shown apart because no other client checks anything. CPU includes the check.
  for (const row of table) {
    const engine = table.find((other) => other.server === row.server && other.client === 'engine');
    const ratio = engine && row.client !== 'engine' ? `${(engine.mbps / row.mbps).toFixed(2)}×` : '';
    const name = { engine: 'image-sealer engine', sdk: 'ibm-cos-sdk s3.upload', rclone: 'rclone', aws: 'aws s3 cp' }[row.client];
    const mbps = row.client === 'engine' ? `${row.mbps.toFixed(0)} (${row.mbpsWithCheck.toFixed(0)} with check)` : row.mbps.toFixed(0);
    console.log(`| ${row.server} | ${name} | ${mbps} | ${row.cpuPerGiB.toFixed(2)} | ${ratio}${row.note ? ` (${row.note})` : ''} |`);
  }
  for (const server of servers) {
    const rows = table.filter((row) => row.server === server);
    const engine = rows.find((row) => row.client === 'engine');
    const others = rows.filter((row) => row.client !== 'engine');
    if (!engine || others.length === 0) continue;
    const best = others.reduce((a, b) => (a.mbps >= b.mbps ? a : b));
    console.log(`${server}: engine ${engine.mbps.toFixed(0)} MB/s vs best other (${best.client}) ${best.mbps.toFixed(0)} MB/s = ${(engine.mbps / best.mbps).toFixed(2)}×`);
  }
}

if (!process.argv.includes('--serve')) {
  await main();
  process.exit(0);
}
