import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { parseFooter, vhdChecksum } from '../../../main/image/vhd-structures';

function footer(options: {
  creator: string;
  size: number;
  cylinders: number;
  heads: number;
  sectors: number;
  type?: number;
}): Buffer {
  const raw = Buffer.alloc(512);
  raw.write('conectix', 0, 'latin1');
  raw.writeUInt32BE(2, 8);
  raw.writeUInt32BE(0x00010000, 12);
  raw.writeBigUInt64BE(0xffffffffffffffffn, 16);
  raw.write(options.creator, 28, 'latin1');
  raw.writeBigUInt64BE(BigInt(options.size), 40);
  raw.writeBigUInt64BE(BigInt(options.size), 48);
  raw.writeUInt16BE(options.cylinders, 56);
  raw[58] = options.heads;
  raw[59] = options.sectors;
  raw.writeUInt32BE(options.type ?? 2, 60);
  raw.writeUInt32BE(vhdChecksum(raw, 64), 64);
  return raw;
}

describe('VHD footer', () => {
  it('computes the checksum as the complement of the byte sum, skipping the checksum field', () => {
    const raw = Buffer.alloc(512);
    raw[0] = 1;
    raw[1] = 2;
    raw.writeUInt32BE(0xdeadbeef, 64);
    expect(vhdChecksum(raw, 64)).toBe(~3 >>> 0);
  });

  it('sizes by geometry for Virtual PC and old QEMU, by current size for the others (as QEMU does)', () => {
    const chs = { size: 10 * 1024 * 1024 + 12345 * 512, cylinders: 300, heads: 16, sectors: 63 };
    expect(parseFooter('/x', footer({ creator: 'vpc ', ...chs }), 'footer').virtualSize).toBe(300 * 16 * 63 * 512);
    expect(parseFooter('/x', footer({ creator: 'qemu', ...chs }), 'footer').virtualSize).toBe(300 * 16 * 63 * 512);
    for (const creator of ['qem2', 'win ', 'd2v ', 'CTXS', 'tap\0']) {
      expect(parseFooter('/x', footer({ creator, ...chs }), 'footer').virtualSize).toBe(chs.size);
    }
    // The maximum geometry means "look at the size field" whatever the creator.
    const max = { size: 200 * 1024 ** 3, cylinders: 65535, heads: 16, sectors: 255 };
    expect(parseFooter('/x', footer({ creator: 'vpc ', ...max }), 'footer').virtualSize).toBe(max.size);
  });

  it('refuses a wrong checksum or a missing cookie with IMAGE_CORRUPT', () => {
    const raw = footer({ creator: 'qem2', size: 1024 * 1024, cylinders: 1, heads: 1, sectors: 1 });
    raw[100] = 1;
    const attempts = [raw, Buffer.alloc(512)];
    for (const attempt of attempts) {
      let thrown: unknown;
      try {
        parseFooter('/x', attempt, 'footer');
      } catch (error) {
        thrown = error;
      }
      expect(isAppError(thrown, 'IMAGE_CORRUPT')).toBe(true);
    }
  });
});
