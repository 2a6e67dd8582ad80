import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import {
  BAT_UNUSED,
  batmapChecksum,
  batmapTest,
  buildBat,
  buildBatmap,
  buildBatmapHeader,
  buildDynamicHeader,
  buildFooter,
  chsGeometry,
  computeKeyHash,
  encodeGeometry,
  formatKeyHash,
  keyHashRecordFor,
  newDynamicFooter,
  newDynamicHeader,
  nextBlockBitmapSector,
  parseBat,
  parseBatmapHeader,
  parseDynamicHeader,
  parseFooter,
  plainTweak,
  assertVhdCryptKey,
  vhdChecksum,
  vhdCryptLayout,
  vhdTimestamp,
  STORED_BLOCK_SECTORS,
} from '../../../main/seal/vhd-crypt-format';
import { KEY256_FILE, KEY512_FILE, KEY_HASH_256, KEY_HASH_512, readVector } from './vectors';

const MiB = 1024 * 1024;

function expectAppError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(isAppError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
    return;
  }
  throw new Error(`expected AppError ${code}`);
}

describe('vhd-util reference images (enc256.vhd / enc512.vhd)', () => {
  for (const [name, keyFile, keyHash] of [
    ['enc256.vhd', KEY256_FILE, KEY_HASH_256],
    ['enc512.vhd', KEY512_FILE, KEY_HASH_512],
  ] as const) {
    describe(name, () => {
      const image = readVector(name);
      const key = readVector(keyFile);

      it('has the documented size and identical footer copies at both ends', () => {
        expect(image.length).toBe(4_203_008);
        expect(image.subarray(0, 512).equals(image.subarray(image.length - 512))).toBe(true);
        expect(image.length - 512).toBe(0x402000);
      });

      it('parses the footer: tap 1.3, dynamic, 6 MiB, CHS of the VHD algorithm', () => {
        const footer = parseFooter(image.subarray(image.length - 512));
        expect(footer.creatorApp).toBe('tap\0');
        expect(footer.creatorVersion).toBe(0x00010003);
        expect(footer.creatorOs).toBe(0);
        expect(footer.diskType).toBe(3);
        expect(footer.features).toBe(2);
        expect(footer.formatVersion).toBe(0x00010000);
        expect(footer.dataOffset).toBe(512n);
        expect(footer.currentSize).toBe(6 * MiB);
        expect(footer.originalSize).toBe(6 * MiB);
        expect(footer.geometry).toBe(encodeGeometry(chsGeometry(6 * MiB)));
        expect(footer.geometry).toBe(0x00b40411);
      });

      it('parses the dynamic header, BAT and batmap at the documented offsets', () => {
        const header = parseDynamicHeader(image.subarray(512, 1536));
        expect(header.tableOffset).toBe(1536);
        expect(header.maxTableEntries).toBe(3);
        expect(header.blockSize).toBe(2 * MiB);
        expect(header.dataOffset).toBe(0xffffffffffffffffn);
        expect(Array.from(parseBat(image.subarray(1536, 2048), 3))).toEqual([7, BAT_UNUSED, 4111]);

        const layout = vhdCryptLayout(6 * MiB);
        expect(layout.batmapHeaderOffset).toBe(0x800);
        expect(layout.batmapOffset).toBe(0xa00);
        expect(layout.batmapSectors).toBe(1);
        expect(layout.endOfHeadersSector).toBe(6);
        expect(nextBlockBitmapSector(layout.endOfHeadersSector)).toBe(7);
        expect(nextBlockBitmapSector(7 + STORED_BLOCK_SECTORS)).toBe(4111);
        expect(4111 + STORED_BLOCK_SECTORS).toBe(0x402000 / 512);

        const batmapHeader = parseBatmapHeader(image.subarray(0x800, 0xa00));
        expect(batmapHeader.batmapOffset).toBe(0xa00);
        expect(batmapHeader.batmapSectors).toBe(1);
        expect(batmapHeader.version).toBe(0x00010002);
        expect(batmapHeader.marker).toBe(0);
        const batmap = image.subarray(0xa00, 0xc00);
        expect(batmap[0]).toBe(0xa0);
        expect([0, 1, 2].map((b) => batmapTest(batmap, b))).toEqual([true, false, true]);
        expect(batmapHeader.checksum).toBe(batmapChecksum(batmap, 6 * MiB));
      });

      it('carries the key hash vhd-util key -p prints: zero nonce, SHA-256(nonce ‖ key)', () => {
        const record = parseBatmapHeader(image.subarray(0x800, 0xa00)).keyHash;
        expect(record.cookie).toBe(1);
        expect(formatKeyHash(record)).toBe(`${'0'.repeat(64)} ${keyHash}`);
        expect(computeKeyHash(key).toString('hex')).toBe(keyHash);
        expect(formatKeyHash(keyHashRecordFor(key))).toBe(`${'0'.repeat(64)} ${keyHash}`);
      });

      it('rebuilds footer, header, BAT, batmap header and batmap byte for byte', () => {
        const footer = parseFooter(image.subarray(0, 512));
        const rebuilt = newDynamicFooter(6 * MiB, { uuid: footer.uuid });
        rebuilt.timestamp = footer.timestamp;
        expect(buildFooter(rebuilt).equals(image.subarray(0, 512))).toBe(true);
        expect(buildDynamicHeader(newDynamicHeader(3)).equals(image.subarray(512, 1536))).toBe(true);
        expect(buildBat([7, BAT_UNUSED, 4111]).equals(image.subarray(1536, 2048))).toBe(true);
        const batmap = buildBatmap([true, false, true], 1);
        expect(batmap.equals(image.subarray(0xa00, 0xc00))).toBe(true);
        const batmapHeader = buildBatmapHeader({
          batmapOffset: 0xa00,
          batmapSectors: 1,
          version: 0x00010002,
          checksum: batmapChecksum(batmap, 6 * MiB),
          marker: 0,
          keyHash: keyHashRecordFor(key),
        });
        expect(batmapHeader.equals(image.subarray(0x800, 0xa00))).toBe(true);
      });

      it('keeps each stored block bitmap all ones', () => {
        expect(image.subarray(0xe00, 0x1000).equals(Buffer.alloc(512, 0xff))).toBe(true);
        expect(image.subarray(0x201e00, 0x202000).equals(Buffer.alloc(512, 0xff))).toBe(true);
      });
    });
  }
});

describe('checksums', () => {
  it('is the NOT of the byte sum with the checksum field counted as zero', () => {
    const buf = Buffer.alloc(16);
    buf[0] = 1;
    buf[1] = 2;
    buf.writeUInt32BE(0xdeadbeef, 4);
    expect(vhdChecksum(buf, 4)).toBe(~3 >>> 0);
  });

  it('rejects a footer or header with one flipped byte', () => {
    const image = readVector('enc256.vhd');
    const footer = Buffer.from(image.subarray(0, 512));
    footer[50] ^= 1;
    expectAppError(() => parseFooter(footer), 'VHD_MALFORMED');
    const header = Buffer.from(image.subarray(512, 1536));
    header[30] ^= 1;
    expectAppError(() => parseDynamicHeader(header), 'VHD_MALFORMED');
    expectAppError(() => parseFooter(Buffer.alloc(512)), 'VHD_MALFORMED');
    expectAppError(() => parseFooter(Buffer.alloc(100)), 'VHD_MALFORMED');
  });

  it('batmap checksum covers the sectors of (size >> 24) bytes, not the header size', () => {
    // 8 GiB + one block: 4097 blocks → ceil(4097/8) = 513 bytes (2 batmap sectors), size >> 24 = 512 → 1 sector
    const size = 8 * 1024 * MiB + 2 * MiB;
    const layout = vhdCryptLayout(size);
    expect(layout.batmapSectors).toBe(2);
    const present = new Array<boolean>(layout.blockCount).fill(false);
    present[4096] = true;
    const batmap = buildBatmap(present, layout.batmapSectors);
    expect(batmapChecksum(batmap, size)).toBe(~0 >>> 0);
  });
});

// Expected values: libvhd's vhd_chs() run by hand (it truncates, unlike qemu's vpc driver which rounds up).
describe('CHS geometry (VHD specification algorithm)', () => {
  it.each([
    [6 * MiB, 180, 4, 17],
    [10 * 1024 * MiB, 20805, 16, 63],
    [100 * 1000 ** 3, 47870, 16, 255],
    [127 * 1024 * MiB, 65278, 16, 255],
    [3 * 1024 * 1024 * MiB, 65535, 16, 255],
    [20 * MiB, 602, 4, 17],
    [300 * MiB, 609, 16, 63],
    [1024 * MiB, 2080, 16, 63],
  ])('size %d → %d/%d/%d', (size, cylinders, heads, sectorsPerTrack) => {
    expect(chsGeometry(size)).toEqual({ cylinders, heads, sectorsPerTrack });
  });
});

describe('layout', () => {
  it('rounds the virtual size up to whole 2 MiB blocks as vhd-util does', () => {
    const layout = vhdCryptLayout(5 * MiB + 512);
    expect(layout.blockCount).toBe(3);
    expect(layout.virtualSize).toBe(6 * MiB);
  });

  it('pads the BAT to whole sectors and places the batmap after it', () => {
    const layout = vhdCryptLayout(129 * 2 * MiB);
    expect(layout.batBytes).toBe(1024);
    expect(layout.batmapHeaderOffset).toBe(1536 + 1024);
    expect(layout.batmapOffset).toBe(1536 + 1024 + 512);
    expect(layout.endOfHeadersSector).toBe((1536 + 1024 + 512 + 512) / 512);
  });

  it('aligns every block so its data starts on 4 KiB', () => {
    for (let end = 0; end < 64; end += 1) {
      const s = nextBlockBitmapSector(end);
      expect(s).toBeGreaterThanOrEqual(end);
      expect(s - end).toBeLessThan(8);
      expect((s + 1) % 8).toBe(0);
    }
  });

  it('refuses a size that is not a positive integer', () => {
    expectAppError(() => vhdCryptLayout(0), 'VHD_SIZE_INVALID');
  });
});

describe('keys', () => {
  it('accepts 32 and 64 random bytes', () => {
    assertVhdCryptKey(readVector(KEY256_FILE));
    assertVhdCryptKey(readVector(KEY512_FILE));
  });

  it('refuses other sizes, including a key file with a trailing newline', () => {
    expectAppError(() => assertVhdCryptKey(Buffer.alloc(16, 1)), 'VHD_KEY_SIZE');
    expectAppError(
      () => assertVhdCryptKey(Buffer.concat([readVector(KEY256_FILE), Buffer.from('\n')])),
      'VHD_KEY_SIZE',
    );
    expectAppError(() => assertVhdCryptKey(Buffer.alloc(0)), 'VHD_KEY_SIZE');
  });

  it('refuses a key whose halves are equal', () => {
    const half = readVector(KEY256_FILE);
    expectAppError(() => assertVhdCryptKey(Buffer.concat([half, half])), 'VHD_KEY_WEAK');
  });

  it('builds the plain tweak: LBA low 32 bits little-endian, then zeros', () => {
    expect(plainTweak(8192).toString('hex')).toBe('00200000' + '0'.repeat(24));
    expect(plainTweak(0x1_0000_0001).toString('hex')).toBe('01000000' + '0'.repeat(24));
  });

  it('counts VHD timestamps from 2000-01-01 UTC', () => {
    expect(vhdTimestamp(new Date('2000-01-01T00:00:10Z'))).toBe(10);
  });
});
