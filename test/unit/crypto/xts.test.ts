import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createXtsCipher, xtsSectorIv, type XtsIvMode } from '../../../main/crypto/xts';

/** The reference: OpenSSL's own XTS, one context per 512-byte sector. */
function opensslSectors(key: Buffer, data: Buffer, firstSector: number, ivMode: XtsIvMode, decrypt = false): Buffer {
  const algorithm = key.length === 64 ? 'aes-256-xts' : 'aes-128-xts';
  const out = Buffer.alloc(data.length);
  for (let s = 0; s * 512 < data.length; s++) {
    const iv = xtsSectorIv(firstSector + s, ivMode);
    const context = decrypt ? createDecipheriv(algorithm, key, iv) : createCipheriv(algorithm, key, iv);
    context.update(data.subarray(s * 512, s * 512 + 512)).copy(out, s * 512);
  }
  return out;
}

const SECTOR_STARTS = [0, 1, 63, 64, 1000, 2 ** 31 - 5, 2 ** 32 - 7, 2 ** 32, 2 ** 40 + 12345, 2 ** 52 - 100];

describe('AES-XTS from ECB contexts', () => {
  for (const keyBytes of [64, 32]) {
    for (const ivMode of ['plain64', 'plain'] as const) {
      it(`matches OpenSSL ${keyBytes === 64 ? 'aes-256-xts' : 'aes-128-xts'} ${ivMode} on random vectors`, () => {
        for (let round = 0; round < 4; round++) {
          const key = randomBytes(keyBytes);
          const cipher = createXtsCipher(key, ivMode);
          for (const first of SECTOR_STARTS) {
            // up to 300 sectors spans more than two internal batches and crosses 2^32 for the starts just below it
            const sectors = 1 + ((first + round * 37) % 300);
            const plain = randomBytes(sectors * 512);
            const expected = opensslSectors(key, plain, first, ivMode);
            const encrypted = Buffer.from(cipher.encrypt(Buffer.from(plain), first));
            expect(encrypted.equals(expected)).toBe(true);
            const decrypted = Buffer.from(cipher.decrypt(Buffer.from(encrypted), first));
            expect(decrypted.equals(plain)).toBe(true);
            expect(opensslSectors(key, encrypted, first, ivMode, true).equals(plain)).toBe(true);
          }
          cipher.dispose();
        }
      });
    }
  }

  it('plain wraps the sector number at 2^32, plain64 does not', () => {
    const key = randomBytes(64);
    const data = randomBytes(512);
    const plain = createXtsCipher(key, 'plain');
    const plain64 = createXtsCipher(key, 'plain64');
    const a = Buffer.from(plain.encrypt(Buffer.from(data), 2 ** 32 + 5));
    const b = Buffer.from(plain.encrypt(Buffer.from(data), 5));
    const c = Buffer.from(plain64.encrypt(Buffer.from(data), 2 ** 32 + 5));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('writes into a separate, unaligned output buffer and leaves the input alone', () => {
    const key = randomBytes(64);
    const cipher = createXtsCipher(key);
    const plain = randomBytes(3 * 512);
    const input = Buffer.from(plain);
    const backing = Buffer.alloc(3 * 512 + 3);
    const out = backing.subarray(3);
    cipher.encrypt(input, 77, out);
    expect(input.equals(plain)).toBe(true);
    expect(Buffer.from(out).equals(opensslSectors(key, plain, 77, 'plain64'))).toBe(true);
  });

  it('transforms data in shared memory in place, at an offset, without touching the bytes around it', () => {
    const key = randomBytes(64);
    const cipher = createXtsCipher(key);
    const plain = randomBytes(200 * 512); // more than one internal batch, not a whole number of them
    const shared = Buffer.from(new SharedArrayBuffer(plain.length + 4096));
    shared.fill(0xa5);
    const chunk = shared.subarray(1024, 1024 + plain.length);
    plain.copy(chunk);
    cipher.encrypt(chunk, 4242);
    expect(Buffer.from(chunk).equals(opensslSectors(key, plain, 4242, 'plain64'))).toBe(true);
    expect(shared.subarray(0, 1024).every((byte) => byte === 0xa5)).toBe(true);
    expect(shared.subarray(1024 + plain.length).every((byte) => byte === 0xa5)).toBe(true);
    cipher.decrypt(chunk, 4242);
    expect(Buffer.from(chunk).equals(plain)).toBe(true);
    const privateOut = Buffer.alloc(plain.length);
    cipher.encrypt(chunk, 9, privateOut); // shared in, private out
    expect(privateOut.equals(opensslSectors(key, plain, 9, 'plain64'))).toBe(true);
  });
  it('refuses bad keys, partial sectors and out-of-range sectors', () => {
    expect(() => createXtsCipher(randomBytes(48))).toThrow(/32 or 64 bytes/);
    const half = randomBytes(32);
    expect(() => createXtsCipher(Buffer.concat([half, half]))).toThrow(/equal halves/);
    const cipher = createXtsCipher(randomBytes(64));
    expect(() => cipher.encrypt(Buffer.alloc(100), 0)).toThrow(/512-byte sectors/);
    expect(() => cipher.encrypt(Buffer.alloc(512), -1)).toThrow(/out of range/);
    cipher.dispose();
    expect(() => cipher.encrypt(Buffer.alloc(512), 0)).toThrow(/dispose/);
  });
});
