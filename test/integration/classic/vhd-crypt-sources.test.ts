import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../../main/common/tools';
import { openDiskReader } from '../../../main/image/open-reader';
import { BAT_UNUSED, parseBat } from '../../../main/seal/vhd-crypt-format';
import { openVhdCryptReader } from '../../../main/seal/vhd-crypt-reader';
import { writeVhdCrypt } from '../../../main/seal/vhd-crypt-writer';
import { KEY256_FILE, KEY512_FILE, readVector, vectorPath } from '../../unit/classic/vectors';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const hasQemu = await toolAvailable('qemu-img');

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

async function decrypt(path: string, key: Buffer): Promise<Buffer> {
  const reader = await openVhdCryptReader(path, key);
  try {
    const out = Buffer.alloc(reader.virtualSize);
    await reader.read(0, out);
    return out;
  } finally {
    await reader.close();
  }
}

async function sealFrom(sourcePath: string, outPath: string, key: Buffer): Promise<void> {
  const reader = await openDiskReader(sourcePath);
  try {
    await writeVhdCrypt({ reader, outPath, key });
  } finally {
    await reader.close();
  }
}

describe('classic-vhd from every source format the app reads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vhd-crypt-sources-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("from qemu-img's dynamic VHD src.vhd (what vhd-util copy takes): same blocks and ciphertext as enc256.vhd", async () => {
    const out = join(dir, 'from-vhd.vhd-0.vhd');
    await sealFrom(vectorPath('src.vhd'), out, readVector(KEY256_FILE));
    const ours = await readFile(out);
    const reference = readVector('enc256.vhd');
    expect(Array.from(parseBat(ours.subarray(1536), 3))).toEqual([7, BAT_UNUSED, 4111]);
    expect(ours.subarray(0x1000, 0x201000).equals(reference.subarray(0x1000, 0x201000))).toBe(true);
    expect(ours.subarray(0x202000, 0x402000).equals(reference.subarray(0x202000, 0x402000))).toBe(true);
    expect(sha256(await decrypt(out, readVector(KEY256_FILE)))).toBe(sha256(readVector('src.raw')));
  });

  it('from a raw file', async () => {
    const out = join(dir, 'from-raw.vhd-0.vhd');
    await sealFrom(vectorPath('src.raw'), out, readVector(KEY512_FILE));
    expect(sha256(await decrypt(out, readVector(KEY512_FILE)))).toBe(sha256(readVector('src.raw')));
  });

  it.skipIf(!hasQemu)(
    'from qcow2 and fixed VHD sources, including a size that is not a multiple of 2 MiB',
    async () => {
      const size = 5 * MiB + 3 * 512;
      const plain = randomBytes(size);
      plain.fill(0, 2 * MiB, 4 * MiB);
      const rawPath = join(dir, 'odd.raw');
      await writeFile(rawPath, plain);
      const qcow2 = join(dir, 'odd.qcow2');
      await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', rawPath, qcow2]);
      const fixed = join(dir, 'odd-fixed.vhd');
      await run('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'vpc',
        '-o',
        'subformat=fixed,force_size=on',
        rawPath,
        fixed,
      ]);
      const key = randomBytes(64);
      for (const source of [qcow2, fixed]) {
        const out = `${source}.vhd-0.vhd`;
        await sealFrom(source, out, key);
        const decrypted = await decrypt(out, key);
        expect(decrypted.length).toBe(6 * MiB);
        expect(decrypted.subarray(0, size).equals(plain), source).toBe(true);
        expect(decrypted.subarray(size).equals(Buffer.alloc(6 * MiB - size)), source).toBe(true);
        const bat = parseBat((await readFile(out)).subarray(1536), 3);
        expect(bat[1], source).toBe(BAT_UNUSED);
      }
    },
  );
});
