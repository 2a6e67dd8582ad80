import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../../main/common/tools';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { luksRawWriter } from '../../../main/seal/luks-raw-writer';
import { TARGETS } from '../../../main/targets';
import { MemoryDisk } from '../../unit/classic/memory-disk';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const hasTools = (await toolAvailable('cryptsetup')) && (await toolAvailable('qemu-img'));

async function exitCode(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

describe.skipIf(!hasTools)('classic-luks output checked by cryptsetup and qemu-img', () => {
  let dir: string;
  let pool: XtsPool;
  let out: string;
  let sourcePath: string;
  let passFile: string;
  let wrongPassFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'luks-raw-tools-'));
    pool = createXtsPool(2);
    const source = randomBytes(12 * MiB);
    source.fill(0, 2 * MiB, 6 * MiB);
    sourcePath = join(dir, 'source.raw');
    await writeFile(sourcePath, source);
    const dek = randomBytes(32);
    passFile = join(dir, 'pass');
    await writeFile(passFile, TARGETS['classic-luks'].encryptorSecret(dek), { mode: 0o600 });
    wrongPassFile = join(dir, 'wrong');
    await writeFile(wrongPassFile, TARGETS['classic-luks'].encryptorSecret(randomBytes(32)), { mode: 0o600 });
    out = join(dir, 'sealed.raw');
    await luksRawWriter.write({
      reader: new MemoryDisk(source),
      outPath: out,
      secret: TARGETS['classic-luks'].encryptorSecret(dek),
      iterTimeMs: 50,
      pool,
    });
  });

  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('cryptsetup luksDump shows LUKS1 aes / xts-plain64 / sha256, 512-bit key, payload at 4096 sectors', async () => {
    const { stdout } = await run('cryptsetup', ['luksDump', out]);
    expect(stdout).toMatch(/Version:\s+1/);
    expect(stdout).toMatch(/Cipher name:\s+aes/);
    expect(stdout).toMatch(/Cipher mode:\s+xts-plain64/);
    expect(stdout).toMatch(/Hash spec:\s+sha256/);
    expect(stdout).toMatch(/Payload offset:\s+4096/);
    expect(stdout).toMatch(/MK bits:\s+512/);
    expect(stdout).toMatch(/Key Slot 0: ENABLED/);
  });

  it('cryptsetup accepts the passphrase base64(DEK) and refuses another', async () => {
    expect((await exitCode('cryptsetup', ['open', '--test-passphrase', '--key-file', passFile, out])).code).toBe(0);
    expect(
      (await exitCode('cryptsetup', ['open', '--test-passphrase', '--key-file', wrongPassFile, out])).code,
    ).not.toBe(0);
  });

  it('qemu-img compare (driver=luks) finds the payload identical to the source', async () => {
    const result = await exitCode('qemu-img', [
      'compare',
      '--object',
      `secret,id=sec0,file=${passFile}`,
      '--image-opts',
      `driver=raw,file.filename=${sourcePath}`,
      `driver=luks,key-secret=sec0,file.filename=${out}`,
    ]);
    expect(result.stdout).toContain('Images are identical.');
    expect(result.code).toBe(0);
    // (not `compare -s`: qemu's luks driver reports block status unlike raw, and fails strict mode even
    // against its own `convert -O luks` output)
  });

  it('our reader decrypts the volume qemu-img convert -O luks writes (QEMU layout, payload at 4040)', async () => {
    const qemuOut = join(dir, 'qemu.raw');
    // Debian's qemu-img 7.2 sometimes fails to create LUKS with "Unable to get accurate CPU usage": retry.
    for (let attempt = 1; ; attempt += 1) {
      const result = await exitCode('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'luks',
        '--object',
        `secret,id=sec0,file=${passFile}`,
        '-o',
        'key-secret=sec0,iter-time=10',
        sourcePath,
        qemuOut,
      ]);
      if (result.code === 0) break;
      if (attempt >= 4 || !result.stderr.includes('accurate CPU usage'))
        throw new Error(`qemu-img convert failed: ${result.stderr}`);
    }
    const reader = await luksRawWriter.open(qemuOut, await readFile(passFile));
    try {
      expect(reader.virtualSize).toBe(12 * MiB);
      const plain = Buffer.alloc(reader.virtualSize);
      await reader.read(0, plain);
      expect(plain.equals(await readFile(sourcePath))).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('our reader opens a volume formatted by cryptsetup itself', async () => {
    const volume = join(dir, 'cryptsetup.raw');
    await writeFile(volume, Buffer.alloc(4 * MiB));
    await run('cryptsetup', [
      'luksFormat',
      '--type',
      'luks1',
      '--batch-mode',
      '--pbkdf-force-iterations',
      '1000',
      '--key-file',
      passFile,
      volume,
    ]);
    const reader = await luksRawWriter.open(volume, await readFile(passFile));
    try {
      expect(reader.virtualSize).toBe(2 * MiB);
    } finally {
      await reader.close();
    }
  });
});
