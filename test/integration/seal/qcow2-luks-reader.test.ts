import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { hashVirtualContent, openDiskReader } from '../../../main/image';
import { openQcow2LuksReader } from '../../../main/seal/qcow2-luks-reader';
import { qcow2LuksWriter } from '../../../main/seal/qcow2-luks-writer';
import { hasTool, runTool } from './tools';

const haveQemuImg = hasTool('qemu-img');
const MiB = 1 << 20;

/** A raw disk with data, all-zero clusters inside data, and holes. */
async function makeRaw(path: string, size: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.truncate(size);
    const pieces: Array<[number, number]> = [
      [0, 300 * 1024], // starts at 0, ends mid-cluster
      [MiB + 4096, 70 * 1024], // unaligned, spans a cluster boundary
      [3 * MiB, 2 * MiB], // big run
    ];
    for (const [offset, length] of pieces) {
      if (offset >= size) continue;
      const data = randomBytes(Math.min(length, size - offset));
      if (data.length >= 128 * 1024) data.fill(0, 64 * 1024, 128 * 1024); // an all-zero cluster inside data
      await file.write(data, 0, data.length, offset);
    }
    // compressible text, so `qemu-img convert -c` really makes compressed clusters
    const text = Buffer.from(Array.from({ length: 20000 }, (_, i) => `sector text ${i}\n`).join('')).subarray(0, 256 * 1024);
    if (2 * MiB + text.length <= size) await file.write(text, 0, text.length, 2 * MiB);
    // the very last bytes, so a partial last cluster holds data
    await file.write(randomBytes(100), 0, 100, size - 100);
  } finally {
    await file.close();
  }
}

describe.skipIf(!haveQemuImg)('qcow2 + LUKS reader', () => {
  let dir: string;
  let pool: XtsPool;
  const passphrase = Buffer.from(randomBytes(32).toString('base64'));
  let secretFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcow2-luks-reader-'));
    pool = createXtsPool(2);
    secretFile = join(dir, 'secret');
    await writeFile(secretFile, passphrase, { mode: 0o600 });
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function convertSource(raw: string, format: string, options: string[]): Promise<string> {
    if (format === 'raw') return raw;
    const out = `${raw}.${format}${options.join('').replace(/[^a-z]/g, '')}`;
    const result = await runTool('qemu-img', ['convert', '-f', 'raw', '-O', format, ...options, raw, out]);
    expect(result.code, result.stderr).toBe(0);
    return out;
  }

  it('reads a LUKS qcow2 written by qemu-img', async () => {
    const raw = join(dir, 'for-qemu.raw');
    await makeRaw(raw, 2 * MiB);
    const out = join(dir, 'by-qemu.qcow2');
    let result = { code: -1, stdout: '', stderr: '' };
    for (let attempt = 0; attempt < 4; attempt++) {
      result = await runTool('qemu-img', [
        'convert', '-f', 'raw', '-O', 'qcow2', '--object', `secret,id=sec0,file=${secretFile}`,
        '-o', 'encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10', raw, out,
      ]);
      if (result.code === 0 || !/accurate CPU usage/.test(result.stderr)) break;
    }
    expect(result.code, result.stderr).toBe(0);
    const source = await openDiskReader(raw);
    const sealed = await openQcow2LuksReader(out, passphrase);
    try {
      expect(await hashVirtualContent(sealed)).toBe(await hashVirtualContent(source));
    } finally {
      await sealed.close();
      await source.close();
    }
  });

  it('refuses files that are not LUKS qcow2 and truncated ones', async () => {
    const raw = join(dir, 'plain.raw');
    await makeRaw(raw, MiB);
    await expect(openQcow2LuksReader(raw, passphrase)).rejects.toMatchObject({ code: 'SEAL_NOT_SEALED_FORMAT' });
    const plainQcow2 = await convertSource(raw, 'qcow2', []);
    await expect(openQcow2LuksReader(plainQcow2, passphrase)).rejects.toMatchObject({ code: 'SEAL_NOT_SEALED_FORMAT' });
    const out = join(dir, 'to-truncate.qcow2');
    const reader = await openDiskReader(raw);
    await qcow2LuksWriter.write({ reader, outPath: out, secret: passphrase, iterTimeMs: 10, pool });
    await reader.close();
    const { size: full } = await stat(out);
    const handle = await open(out, 'r+');
    await handle.truncate(Math.floor(full / 2));
    await handle.close();
    await expect(
      (async () => {
        const sealed = await openQcow2LuksReader(out, passphrase);
        try {
          await hashVirtualContent(sealed);
        } finally {
          await sealed.close();
        }
      })(),
    ).rejects.toMatchObject({ code: expect.stringMatching(/SEAL_(TRUNCATED|NOT_SEALED_FORMAT|CORRUPT)/) });
  });
});
