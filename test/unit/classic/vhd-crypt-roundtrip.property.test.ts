import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVhdCryptReader } from '../../../main/seal/vhd-crypt-reader';
import { writeVhdCrypt } from '../../../main/seal/vhd-crypt-writer';
import { MemoryDisk } from './memory-disk';

const MiB = 1024 * 1024;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vhd-crypt-property-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('classic-vhd round trip (property)', () => {
  it('any size and any scattering of data decrypts to the source followed by zeros', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 * MiB }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 70_000 })), {
          maxLength: 6,
        }),
        fc.boolean(),
        async (size, writes, longKey) => {
          const source = Buffer.alloc(size);
          for (const [where, length] of writes) {
            const offset = Math.min(size - 1, Math.floor(where * size));
            randomBytes(Math.min(length, size - offset)).copy(source, offset);
          }
          const key = randomBytes(longKey ? 64 : 32);
          const out = join(dir, `p${run++}.vhd`);
          const result = await writeVhdCrypt({
            reader: new MemoryDisk(source),
            outPath: out,
            key,
            window: 1 + (run % 5),
          });
          const reader = await openVhdCryptReader(out, key);
          try {
            expect(reader.virtualSize).toBe(Math.ceil(size / (2 * MiB)) * 2 * MiB);
            const plain = Buffer.alloc(reader.virtualSize);
            await reader.read(0, plain);
            expect(plain.subarray(0, size).equals(source)).toBe(true);
            expect(plain.subarray(size).every((byte) => byte === 0)).toBe(true);
            let nonZeroBlocks = 0;
            for (let b = 0; b * 2 * MiB < size; b += 1) {
              if (source.subarray(b * 2 * MiB, Math.min(size, (b + 1) * 2 * MiB)).some((byte) => byte !== 0))
                nonZeroBlocks += 1;
            }
            expect(result.storedBlocks).toBe(nonZeroBlocks);
          } finally {
            await reader.close();
            await rm(out);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
