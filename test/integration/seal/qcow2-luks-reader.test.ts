import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { hashVirtualContent, openDiskReader } from '../../../main/image';
import { openQcow2LuksReader } from '../../../main/seal/qcow2-luks-reader';
import { qcow2LuksWriter } from '../../../main/seal/qcow2-luks-writer';
import { convertSource, makeRaw } from './source-images';
import { hasTool, runTool } from './tools';

const haveQemuImg = hasTool('qemu-img');
const MiB = 1 << 20;

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
