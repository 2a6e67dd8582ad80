import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { sealImage } from '../../../main/seal/seal';
import { verifySealedImage } from '../../../main/seal/verify';
import { targetSpec } from '../../../main/targets';
import { hasTool, runTool } from './tools';

const haveQemuImg = hasTool('qemu-img');
const MiB = 1 << 20;

async function makeSource(path: string, size: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.truncate(size);
    await file.write(randomBytes(MiB), 0, MiB, 0);
    await file.write(randomBytes(700 * 1024), 0, 700 * 1024, 3 * MiB + 512);
  } finally {
    await file.close();
  }
}

describe.skipIf(!haveQemuImg)('sealing service', () => {
  let dir: string;
  let pool: XtsPool;
  let raw: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seal-service-'));
    pool = createXtsPool(2);
    raw = join(dir, 'disk.raw');
    await makeSource(raw, 5 * MiB + 4096);
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function freshDir(name: string): Promise<string> {
    const sub = join(dir, name);
    await mkdir(sub);
    return sub;
  }

  it('seals for vpc natively, verifies twice, writes a manifest without the key and leaves no temp file', async () => {
    const out = join(await freshDir('vpc'), 'disk.qcow2');
    const phases = new Set<string>();
    const result = await sealImage({
      sourcePath: raw,
      target: 'vpc',
      outPath: out,
      iterTimeMs: 10,
      pool,
      onProgress: (progress) => phases.add(progress.phase),
    });
    const dek = result.generatedDek!;
    expect(dek.length).toBe(32);
    expect(result).toMatchObject({ outputPath: out, engine: 'native', format: 'qcow2-luks', verified: true });
    expect(result.checks).toEqual({ nativeDecrypt: true, qemuCompare: true });
    expect(result.keyFingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(phases.has('encrypt')).toBe(true);
    expect(phases.has('verify')).toBe(true);
    expect((await readdir(join(dir, 'vpc'))).sort()).toEqual(['disk.qcow2', 'disk.qcow2.manifest.json']);
    const manifestText = await readFile(`${out}.manifest.json`, 'utf8');
    const manifest = JSON.parse(manifestText) as Record<string, unknown>;
    expect(manifest).toMatchObject({ target: 'vpc', engine: 'native', keyFingerprint: result.keyFingerprint, contentSha256: result.contentSha256 });
    expect(manifestText).not.toContain(dek.toString('base64'));
    expect(manifestText).not.toContain(dek.toString('hex'));
    const sha = await runTool('sha256sum', [out]);
    expect(sha.stdout.split(' ')[0]).toBe(result.outputSha256);

    // independent check with the passphrase the targets table derives
    const secretFile = join(dir, 'vpc', 'pass');
    await writeFile(secretFile, targetSpec('vpc').encryptorSecret(dek), { mode: 0o600 });
    const compare = await runTool('qemu-img', [
      'compare', '--object', `secret,id=sec0,file=${secretFile}`, '--image-opts',
      `driver=raw,file.filename=${raw}`, `driver=qcow2,encrypt.key-secret=sec0,file.filename=${out}`,
    ]);
    expect(compare.stdout).toContain('Images are identical.');

    const verified = await verifySealedImage({ sealedPath: out, sourcePath: raw, target: 'vpc', dek, pool });
    expect(verified.contentSha256).toBe(result.contentSha256);
    await expect(verifySealedImage({ sealedPath: out, sourcePath: raw, target: 'vpc', dek: randomBytes(32), pool })).rejects.toMatchObject({
      code: 'SEAL_WRONG_KEY',
      message: expect.stringMatching(/key does not open/),
    });
    const other = join(dir, 'vpc', 'other.raw');
    await makeSource(other, 5 * MiB + 4096);
    await expect(verifySealedImage({ sealedPath: out, sourcePath: other, target: 'vpc', dek, pool })).rejects.toMatchObject({
      code: 'SEAL_VERIFY_MISMATCH',
    });
  });

  it('seals with the qemu-img engine and a DEK brought by the officer', async () => {
    const out = join(await freshDir('qemu'), 'disk.qcow2');
    const dek = randomBytes(32);
    const result = await sealImage({ sourcePath: raw, target: 'vpc', outPath: out, dek, engine: 'qemu', iterTimeMs: 10, pool });
    expect(result.generatedDek).toBeUndefined();
    expect(result).toMatchObject({ engine: 'qemu', verified: true, checks: { nativeDecrypt: true, qemuCompare: true } });
    expect(dek.every((b) => b === 0)).toBe(false); // the caller's DEK is the caller's to zero
    const info = JSON.parse((await runTool('qemu-img', ['info', '--output=json', out])).stdout) as {
      'format-specific': { data: { encrypt: { format: string } } };
    };
    expect(info['format-specific'].data.encrypt.format).toBe('luks');
  });

  it('seals for classic-luks and classic-vhd through the same service', async () => {
    const sub = await freshDir('classic');
    const luks = await sealImage({ sourcePath: raw, target: 'classic-luks', outPath: join(sub, 'disk.raw'), iterTimeMs: 10, pool });
    expect(luks).toMatchObject({ format: 'luks-raw', verified: true });
    const vhd = await sealImage({ sourcePath: raw, target: 'classic-vhd', outPath: join(sub, 'disk.vhd-0.vhd'), iterTimeMs: 10, pool });
    expect(vhd).toMatchObject({ format: 'vhd-crypt', verified: true, dekSize: 64 });
    expect(vhd.checks.nativeDecrypt).toBe(true);
  });

  it('cancel leaves no output, manifest or temporary file', async () => {
    const sub = await freshDir('cancel');
    const big = join(sub, 'big.raw');
    const file = await open(big, 'w');
    await file.truncate(48 * MiB);
    for (let i = 0; i < 48; i += 4) await file.write(randomBytes(2 * MiB), 0, 2 * MiB, i * MiB);
    await file.close();
    const controller = new AbortController();
    const sealing = sealImage({
      sourcePath: big,
      target: 'vpc',
      outPath: join(sub, 'big.qcow2'),
      iterTimeMs: 10,
      pool,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === 'encrypt' && progress.bytesDone > 0) controller.abort();
      },
    });
    await expect(sealing).rejects.toMatchObject({ code: 'SEAL_CANCELLED' });
    expect(await readdir(sub)).toEqual(['big.raw']);
  });

  it('cancel of the qemu-img engine kills it and leaves nothing', async () => {
    const sub = await freshDir('cancel-qemu');
    const big = join(sub, 'big.raw');
    const file = await open(big, 'w');
    await file.truncate(64 * MiB);
    for (let i = 0; i < 64; i += 2) await file.write(randomBytes(MiB), 0, MiB, i * MiB);
    await file.close();
    const controller = new AbortController();
    const sealing = sealImage({
      sourcePath: big,
      target: 'vpc',
      outPath: join(sub, 'big.qcow2'),
      engine: 'qemu',
      iterTimeMs: 10,
      pool,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300); // inside qemu-img's PBKDF benchmark or its copy
    await expect(sealing).rejects.toMatchObject({ code: 'SEAL_CANCELLED' });
    expect(await readdir(sub)).toEqual(['big.raw']);
  });

  it('refuses truncated, corrupt and oversize sources and existing outputs, leaving nothing', async () => {
    const sub = await freshDir('refuse');
    const qcow2 = join(sub, 'src.qcow2');
    expect((await runTool('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2])).code).toBe(0);
    const truncated = join(sub, 'truncated.qcow2');
    await writeFile(truncated, (await readFile(qcow2)).subarray(0, 300 * 1024));
    await expect(sealImage({ sourcePath: truncated, target: 'vpc', iterTimeMs: 10, pool })).rejects.toMatchObject({
      code: expect.stringMatching(/^IMAGE_(TRUNCATED|CORRUPT)$/),
    });
    const corrupt = join(sub, 'corrupt.qcow2');
    const bytes = await readFile(qcow2);
    bytes.writeUInt32BE(31, 20); // cluster_bits out of range
    await writeFile(corrupt, bytes);
    await expect(sealImage({ sourcePath: corrupt, target: 'vpc', iterTimeMs: 10, pool })).rejects.toMatchObject({
      code: expect.stringMatching(/^IMAGE_/),
    });
    const oversize = join(sub, 'huge.raw');
    await writeFile(oversize, '');
    await truncate(oversize, 260 * 1000 ** 3);
    await expect(sealImage({ sourcePath: oversize, target: 'vpc', iterTimeMs: 10, pool })).rejects.toMatchObject({
      code: 'SEAL_SOURCE_REFUSED',
      message: expect.stringMatching(/at most 250 GB/),
    });
    const existing = join(sub, 'exists.qcow2');
    await writeFile(existing, 'keep me');
    await expect(sealImage({ sourcePath: raw, target: 'vpc', outPath: existing, iterTimeMs: 10, pool })).rejects.toMatchObject({
      code: 'SEAL_OUTPUT_EXISTS',
    });
    expect(await readFile(existing, 'utf8')).toBe('keep me');
    expect((await readdir(sub)).sort()).toEqual(['corrupt.qcow2', 'exists.qcow2', 'huge.raw', 'src.qcow2', 'truncated.qcow2']);
  });
});
