import { execFile } from 'node:child_process';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../../main/common/tools';
import { writeVhdCrypt } from '../../../main/seal/vhd-crypt-writer';
import { MemoryDisk } from '../../unit/classic/memory-disk';
import { KEY256_FILE, readVector, vectorPath } from '../../unit/classic/vectors';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const hasQemu = await toolAvailable('qemu-img');

/**
 * qemu-img knows nothing of vhd-util's encryption, so it reads our container as a plain dynamic VHD: the
 * ciphertext where blocks are stored, zeros elsewhere. Decrypting that with OpenSSL's own XTS, one context per
 * sector and the plain tweak, must give the source back: an independent check of both the VHD structure
 * (qemu's parser) and the encryption (OpenSSL, not our fast XTS).
 */
function decryptWithOpenSsl(ciphertextDisk: Buffer, key: Buffer, storedBlocks: number[]): Buffer {
  const out = Buffer.from(ciphertextDisk);
  const algorithm = key.length === 64 ? 'aes-256-xts' : 'aes-128-xts';
  for (const block of storedBlocks) {
    for (let s = 0; s < 4096; s += 1) {
      const lba = block * 4096 + s;
      const tweak = Buffer.alloc(16);
      tweak.writeUInt32LE(lba, 0);
      const decipher = createDecipheriv(algorithm, key, tweak);
      decipher.update(ciphertextDisk.subarray(lba * 512, (lba + 1) * 512)).copy(out, lba * 512);
    }
  }
  return out;
}

describe.skipIf(!hasQemu)('qemu-img reads the classic-vhd container', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vhd-crypt-qemu-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function info(path: string): Promise<{ format: string; 'virtual-size': number }> {
    const { stdout } = await run('qemu-img', ['info', '--output=json', path]);
    return JSON.parse(stdout) as { format: string; 'virtual-size': number };
  }

  async function qemuRaw(path: string): Promise<Buffer> {
    const raw = `${path}.qemu.raw`;
    await run('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', path, raw]);
    return readFile(raw);
  }

  it('probes our output as vpc with the right size, and as the reference is', async () => {
    const out = join(dir, 'src.vhd-0.vhd');
    await writeVhdCrypt({ reader: new MemoryDisk(readVector('src.raw')), outPath: out, key: readVector(KEY256_FILE) });
    expect(await info(out)).toMatchObject({ format: 'vpc', 'virtual-size': 6 * MiB });
    expect(await info(vectorPath('enc256.vhd'))).toMatchObject({ format: 'vpc', 'virtual-size': 6 * MiB });
    // qemu sees the same ciphertext disk in our file and in vhd-util's
    expect((await qemuRaw(out)).equals(await qemuRaw(vectorPath('enc256.vhd')))).toBe(true);
  });

  it('a 64-byte-key image of odd size decrypts through qemu + OpenSSL XTS to the source', async () => {
    const size = 7 * MiB + 4096;
    const source = randomBytes(size);
    source.fill(0, 2 * MiB, 4 * MiB);
    const key = randomBytes(64);
    const out = join(dir, 'odd.vhd-0.vhd');
    await writeVhdCrypt({ reader: new MemoryDisk(source), outPath: out, key });
    expect(await info(out)).toMatchObject({ format: 'vpc', 'virtual-size': 8 * MiB });
    const ciphertext = await qemuRaw(out);
    expect(ciphertext.subarray(2 * MiB, 4 * MiB).equals(Buffer.alloc(2 * MiB))).toBe(true);
    expect(ciphertext.subarray(0, 512).equals(source.subarray(0, 512))).toBe(false);
    const plain = decryptWithOpenSsl(ciphertext, key, [0, 2, 3]);
    expect(plain.subarray(0, size).equals(source)).toBe(true);
    expect(plain.subarray(size).equals(Buffer.alloc(8 * MiB - size))).toBe(true);
  });

  it('qemu-img check has no checks for vpc (so info/convert above are the container checks)', async () => {
    const out = join(dir, 'check.vhd');
    await writeVhdCrypt({ reader: new MemoryDisk(randomBytes(MiB)), outPath: out, key: randomBytes(32) });
    const result = await run('qemu-img', ['check', '-f', 'vpc', out]).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
    // 63 = "This image format does not support checks"; 0 would mean a newer qemu checked and found it clean.
    expect([0, 63]).toContain(result);
  });
});
