/**
 * `npm run bench:seal` — the native engine against `qemu-img convert` and a plain `cp`, on generated images:
 * 2 GiB virtual (half random data, half holes) and 1 GiB fully random.
 *
 * - CPU-bound: source in the page cache, no final sync — the engine's own speed.
 * - durable: source in the page cache too, every run followed by `sync` — what the disk allows.
 * Median of N runs (default 3), all in this run. MB/s are of virtual content (10^6 bytes/s). Peak RSS and CPU
 * seconds come from /usr/bin/time (the native engine runs in a child process for that). In durable mode the
 * native engine writes its data with direct I/O and fsyncs the file, as the sealing service always has it do. The native engine's
 * time starts when it opens the source (its worker threads are already running, as in the app); qemu-img's and
 * cp's include their process start. Each run is prepared (last output deleted, sync, source warmed) right before
 * the tool starts: for cp and qemu-img before the spawn, for the native child once it reports ready. Both LUKS
 * engines use the same --iter-time (qemu-img still spends ~2.4 s on its own PBKDF benchmark whatever it is told,
 * and on this VM then writes into memory the host has taken back, which costs it ~2 s more per GiB).
 *
 * Options: --runs N, --iter-time MS (default 10), --dir DIR (default: a temp dir), --quick (256 MiB images),
 * --keep (keep the generated images), --tools native,cp (only the tools whose names start with these words),
 * --modes durable (only these modes: cpu, durable).
 */
import { execFile, spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const MiB = 1 << 20;

interface Args {
  runs: number;
  iterTime: number;
  dir?: string;
  quick: boolean;
  keep: boolean;
  tools: string[] | null;
  modes: Array<'cpu' | 'durable'>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 3, iterTime: 10, quick: false, keep: false, tools: null, modes: ['cpu', 'durable'] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') args.runs = Math.max(1, Number(argv[++i]));
    else if (arg === '--iter-time') args.iterTime = Math.max(1, Number(argv[++i]));
    else if (arg === '--dir') args.dir = argv[++i];
    else if (arg === '--quick') args.quick = true;
    else if (arg === '--keep') args.keep = true;
    else if (arg === '--tools') args.tools = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg === '--modes') args.modes = (argv[++i] ?? '').split(',').filter((m): m is 'cpu' | 'durable' => m === 'cpu' || m === 'durable');
  }
  return args;
}

interface Sample {
  wallMs: number;
  cpuS: number;
  maxRssMB: number;
}

interface Row {
  image: string;
  mode: 'cpu' | 'durable';
  tool: string;
  virtualSize: number;
  samples: Sample[];
}

/** Pseudo-random bytes fast (AES-CTR keystream): the benchmark must not wait on the kernel's RNG. */
function keystream(): (size: number) => Buffer {
  const cipher = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));
  return (size) => cipher.update(Buffer.alloc(size));
}

async function makeImage(path: string, virtualSize: number, dataEvery: number, dataLength: number): Promise<void> {
  const next = keystream();
  const file = await open(path, 'w');
  try {
    await file.truncate(virtualSize);
    for (let offset = 0; offset < virtualSize; offset += dataEvery) {
      for (let done = 0; done < dataLength; done += 16 * MiB) {
        const chunk = next(Math.min(16 * MiB, dataLength - done));
        await file.write(chunk, 0, chunk.length, offset + done);
      }
    }
  } finally {
    await file.close();
  }
}

/**
 * Runs a command under /usr/bin/time; returns wall ms, CPU seconds (user+sys) and peak RSS. `prepare` runs right
 * before the command starts its work: before the spawn, or — for a command that announces "ready" (the native
 * child with --wait-go) — after its start-up and before it is told to go.
 */
async function timed(command: string, args: string[], timeFile: string, prepare: () => Promise<void>): Promise<Sample & { stdout: string }> {
  const waitsForGo = args.includes('--wait-go');
  if (!waitsForGo) await prepare();
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, command, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let announcedReady = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (waitsForGo && !announcedReady && stdout.includes('ready\n')) {
      announcedReady = true;
      void prepare().then(() => child.stdin.write('go\n'));
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr.slice(-500)}`);
  const [user, system, rssKb] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallMs, cpuS: user! + system!, maxRssMB: rssKb! / 1024, stdout };
}

async function syncAll(): Promise<number> {
  const started = performance.now();
  await execFileAsync('sync');
  return performance.now() - started;
}

async function warm(path: string): Promise<void> {
  // Read the source once so CPU-bound runs start from the page cache.
  await execFileAsync('sh', ['-c', `cat "$1" > /dev/null`, 'sh', path]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = args.dir ?? (await mkdtemp(join(tmpdir(), 'image-sealer-bench-')));
  await mkdir(dir, { recursive: true });
  const timeFile = join(dir, 'time.out');
  const secretFile = join(dir, 'secret');
  await writeFile(secretFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const scale = args.quick ? 8 : 1;
  const images = [
    { name: `${2048 / scale} MiB half data/half holes`, file: join(dir, 'half.raw'), size: (2048 * MiB) / scale, every: 128 * MiB / scale, length: 64 * MiB / scale },
    { name: `${1024 / scale} MiB fully random`, file: join(dir, 'random.raw'), size: (1024 * MiB) / scale, every: (1024 * MiB) / scale, length: (1024 * MiB) / scale },
  ];
  console.log(`bench dir ${dir}; generating images…`);
  for (const image of images) {
    const existing = await stat(image.file).catch(() => null);
    if (!existing || existing.size !== image.size) await makeImage(image.file, image.size, image.every, image.length);
  }
  const runTs = join(process.cwd(), 'bin', 'run-ts.js');
  const nativeChild = join(process.cwd(), 'bench', 'seal-native-child.ts');
  const out = join(dir, 'out');

  let durableMode = false;
  const tools: Array<{ name: string; run: (source: string, prepare: () => Promise<void>) => Promise<Sample> }> = [
    {
      name: 'native vpc',
      run: async (source, prepare) => {
        const mode = durableMode ? ['durable'] : [];
        const result = await timed(process.execPath, [runTs, nativeChild, '--wait-go', 'vpc', source, out, String(args.iterTime), ...mode], timeFile, prepare);
        return { ...result, wallMs: (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { ms: number }).ms };
      },
    },
    {
      name: 'qemu-img vpc',
      run: (source, prepare) =>
        timed(
          'qemu-img',
          ['convert', '-f', 'raw', '-O', 'qcow2', '--object', `secret,id=sec0,file=${secretFile}`, '-o', `encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=${args.iterTime}`, source, out],
          timeFile,
          prepare,
        ),
    },
    { name: 'cp', run: (source, prepare) => timed('cp', [source, out], timeFile, prepare) },
  ];
  const classicTools: Array<{ name: string; run: (source: string, prepare: () => Promise<void>) => Promise<Sample> }> = [
    {
      name: 'native classic-luks',
      run: async (source, prepare) => {
        const result = await timed(process.execPath, [runTs, nativeChild, '--wait-go', 'classic-luks', source, out, String(args.iterTime)], timeFile, prepare);
        return { ...result, wallMs: (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { ms: number }).ms };
      },
    },
    {
      name: 'qemu-img classic-luks',
      run: (source, prepare) =>
        timed('qemu-img', ['convert', '-f', 'raw', '-O', 'luks', '--object', `secret,id=sec0,file=${secretFile}`, '-o', `key-secret=sec0,iter-time=${args.iterTime}`, source, out], timeFile, prepare),
    },
    {
      name: 'native classic-vhd',
      run: async (source, prepare) => {
        const result = await timed(process.execPath, [runTs, nativeChild, '--wait-go', 'classic-vhd', source, out, String(args.iterTime)], timeFile, prepare);
        return { ...result, wallMs: (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { ms: number }).ms };
      },
    },
  ];

  const rows: Row[] = [];
  const attempt = async (run: () => Promise<Sample>): Promise<Sample> => {
    // Debian's qemu-img 7.2 sometimes fails its PBKDF timing ("Unable to get accurate CPU usage"): retry.
    for (let i = 0; ; i++) {
      try {
        return await run();
      } catch (error) {
        if (i >= 4 || !String(error).includes('accurate CPU usage')) throw error;
        await rm(out, { force: true });
      }
    }
  };
  for (const image of images) {
    for (const mode of args.modes) {
      durableMode = mode === 'durable';
      const set = (mode === 'cpu' && image === images[0] ? [...tools, ...classicTools] : tools).filter(
        (tool) => !args.tools || args.tools.some((word) => tool.name.startsWith(word)),
      );
      const byTool = new Map<string, Row>();
      for (const tool of set) {
        const row: Row = { image: image.name, mode, tool: tool.name, virtualSize: image.size, samples: [] };
        byTool.set(tool.name, row);
        rows.push(row);
      }
      // Interleave the tools run by run, so a burst of load elsewhere hits all of them alike.
      for (let run = 0; run < args.runs; run++) {
        for (const tool of set) {
          // Every tool starts right after the same preparation: no dirty pages left, the source in the page cache
          // (CPU-bound mode), and the last output just deleted. That last point matters on this VM: memory freed
          // more than about a second earlier has been handed back to the host, and writing 1 GiB into such pages
          // took 2.4 s instead of 0.2 s here — a tool that started later than another would pay it alone.
          // The source is warmed in both modes: durable runs measure writing to the disk, not reading from it.
          // This VM pages out memory nobody touched for a few seconds (a DAMON "pageout" scheme, up to 128 MiB/s),
          // so a source left alone during a 12-second qemu-img run is partly back on the disk.
          const prepare = async () => {
            await rm(out, { force: true });
            await syncAll();
            await warm(image.file);
          };
          const sample = await attempt(() => tool.run(image.file, prepare));
          if (mode === 'durable') sample.wallMs += await syncAll();
          byTool.get(tool.name)!.samples.push(sample);
          process.stdout.write('.');
        }
      }
      await rm(out, { force: true });
    }
  }
  process.stdout.write('\n\n');

  const table: string[][] = [];
  const medianOf = (image: string, mode: string, tool: string) => {
    const row = rows.find((r) => r.image === image && r.mode === mode && r.tool === tool);
    return row ? median(row.samples.map((s) => s.wallMs)) : NaN;
  };
  for (const row of rows) {
    const wall = median(row.samples.map((s) => s.wallMs));
    const walls = row.samples.map((s) => s.wallMs);
    table.push([
      row.image,
      row.mode === 'cpu' ? 'CPU-bound' : 'durable+sync',
      row.tool,
      `${(wall / 1000).toFixed(2)} s`,
      `${(Math.min(...walls) / 1000).toFixed(2)}–${(Math.max(...walls) / 1000).toFixed(2)} s`,
      `${mbps(row.virtualSize, wall).toFixed(0)} MB/s`,
      `${median(row.samples.map((s) => s.cpuS)).toFixed(2)} s`,
      `${Math.max(...row.samples.map((s) => s.maxRssMB)).toFixed(0)} MB`,
    ]);
  }
  // The range shows how much this machine's speed moved during the run: on a shared VM it can swing by half.
  const headers = ['image', 'mode', 'tool', 'median time', 'range', 'virtual MB/s', 'CPU (user+sys)', 'peak RSS'];
  const widths = headers.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) console.log(line(row));
  console.log('');
  for (const image of images) {
    for (const mode of args.modes) {
      const native = medianOf(image.name, mode, 'native vpc');
      const qemu = medianOf(image.name, mode, 'qemu-img vpc');
      const cp = medianOf(image.name, mode, 'cp');
      console.log(
        `${image.name}, ${mode === 'cpu' ? 'CPU-bound' : 'durable+sync'}: native/qemu-img speed ×${(qemu / native).toFixed(2)}; ` +
          `native time / cp time ${(native / cp).toFixed(2)} (speed native/cp ×${(cp / native).toFixed(2)})`,
      );
    }
  }
  const load = (await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ').slice(0, 3).join(' ');
  console.log(`\n${args.runs} runs each, median; iter-time ${args.iterTime} ms for both LUKS engines; load average at the end: ${load}`);
  if (!args.keep && !args.dir) await rm(dir, { recursive: true, force: true });
}

await main();
