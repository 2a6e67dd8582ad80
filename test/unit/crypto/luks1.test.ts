import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { afMerge, afSplit } from '../../../main/crypto/af-splitter';
import {
  createLuks1,
  LUKS_PHDR_SIZE,
  luksPayloadOffsetSectors,
  openLuks1,
  parseLuksHeader,
  type LuksAreaReader,
} from '../../../main/crypto/luks1';

const FAST = { keySlot: 1000, digest: 1000 };

function readerOf(area: Buffer): LuksAreaReader {
  return async (offset, length) => {
    if (offset + length > area.length) throw new RangeError('read past the LUKS area');
    return Buffer.from(area.subarray(offset, offset + length));
  };
}

describe('anti-forensic splitter', () => {
  it('merges back what it split, and any damaged stripe destroys the key', () => {
    for (const size of [32, 64, 20]) {
      const key = randomBytes(size);
      const split = afSplit(key, 4000, 'sha256');
      expect(split.length).toBe(size * 4000);
      expect(afMerge(split, size, 4000, 'sha256').equals(key)).toBe(true);
      split[size * 1234]! ^= 1;
      expect(afMerge(split, size, 4000, 'sha256').equals(key)).toBe(false);
    }
  });

  it('diffuses with big-endian block counters (known answer for 2 stripes)', () => {
    // 2 stripes: out = s0 ‖ (diffuse(s0) XOR key); diffuse = per 32-byte block H(be32(i) ‖ block)
    const key = Buffer.alloc(40, 0xaa);
    const split = afSplit(key, 2, 'sha256');
    const s0 = split.subarray(0, 40);
    const d0 = createHash('sha256').update(Buffer.from([0, 0, 0, 0])).update(s0.subarray(0, 32)).digest();
    const d1 = createHash('sha256').update(Buffer.from([0, 0, 0, 1])).update(s0.subarray(32, 40)).digest().subarray(0, 8);
    const diffused = Buffer.concat([d0, d1]);
    const expectedLast = Buffer.from(diffused.map((b, i) => b ^ key[i]!));
    expect(split.subarray(40).equals(expectedLast)).toBe(true);
  });
});

describe('LUKS1 headers', () => {
  it('lays out payload offsets like cryptsetup (1 MiB aligned) and QEMU', () => {
    expect(luksPayloadOffsetSectors(64, 'cryptsetup')).toBe(4096);
    expect(luksPayloadOffsetSectors(32, 'cryptsetup')).toBe(4096);
    expect(luksPayloadOffsetSectors(64, 'qemu')).toBe(4040);
    expect(luksPayloadOffsetSectors(32, 'qemu')).toBe(8 + 8 * 256);
  });

  for (const layout of ['cryptsetup', 'qemu'] as const) {
    it(`creates a ${layout} header that opens with the passphrase and refuses another`, async () => {
      const masterKey = randomBytes(64);
      const passphrase = Buffer.from(randomBytes(32).toString('base64'));
      const created = await createLuks1({ masterKey, passphrase, iterTimeMs: 10, layout, iterations: FAST });
      expect(created.headerArea.length).toBe(created.payloadOffsetSectors * 512);
      const header = parseLuksHeader(created.headerArea.subarray(0, LUKS_PHDR_SIZE));
      expect(header).toMatchObject({ cipherName: 'aes', cipherMode: 'xts-plain64', hashSpec: 'sha256', keyBytes: 64 });
      expect(header.keySlots.map((s) => s.active)).toEqual([true, false, false, false, false, false, false, false]);
      expect(header.keySlots.map((s) => s.keyMaterialOffsetSectors)).toEqual([8, 512, 1016, 1520, 2024, 2528, 3032, 3536]);
      expect(header.uuid).toMatch(/^[0-9a-f-]{36}$/);
      const opened = await openLuks1(readerOf(created.headerArea), passphrase);
      expect(opened.masterKey.equals(masterKey)).toBe(true);
      await expect(openLuks1(readerOf(created.headerArea), Buffer.from('wrong'))).rejects.toMatchObject({
        code: 'LUKS_WRONG_PASSPHRASE',
      });
    });
  }

  it('calibrates iterations to at least 1000 and refuses bad input', async () => {
    const created = await createLuks1({
      masterKey: randomBytes(32),
      passphrase: Buffer.from('p'),
      iterTimeMs: 1,
      layout: 'qemu',
    });
    expect(created.header.keySlots[0]!.iterations).toBeGreaterThanOrEqual(1000);
    expect(created.header.mkDigestIterations).toBeGreaterThanOrEqual(1000);
    await expect(
      createLuks1({ masterKey: randomBytes(48), passphrase: Buffer.from('p'), iterTimeMs: 1, layout: 'qemu' }),
    ).rejects.toMatchObject({ code: 'LUKS_KEY_SIZE' });
    expect(() => parseLuksHeader(Buffer.alloc(600))).toThrow(/not a LUKS volume/);
    const corrupt = Buffer.from(created.headerArea.subarray(0, LUKS_PHDR_SIZE));
    corrupt.writeUInt32BE(0x12345678, 208);
    expect(() => parseLuksHeader(corrupt)).toThrow(/damaged/);
  });
});
