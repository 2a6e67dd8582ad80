import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { MAX_PARTS, MIB, choosePartSize, isMultipartEtag, multipartEtag, normalizeEtag, planParts } from '../../../main/transfer/plan';

const GIB = 1024 * MIB;

describe('part size', () => {
  it('is 16 MiB for images up to ~156 GiB and grows to keep within 10,000 parts', () => {
    expect(choosePartSize(0)).toBe(16 * MIB);
    expect(choosePartSize(10 * GIB)).toBe(16 * MIB);
    expect(choosePartSize(156 * GIB)).toBe(16 * MIB);
    const big = 250 * 1000 ** 3; // 250 GB, the VPC maximum
    const part = choosePartSize(big);
    expect(part % MIB).toBe(0);
    expect(Math.ceil(big / part)).toBeLessThanOrEqual(MAX_PARTS);
    expect(Math.ceil(big / (part - MIB))).toBeGreaterThan(MAX_PARTS);
  });

  it('never needs more than 10,000 parts, for any size up to 10 TB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 1000 ** 4 }), (size) => {
        const part = choosePartSize(size);
        return part >= 16 * MIB && planParts(size, part).length <= MAX_PARTS;
      }),
    );
  });

  it('accepts an override from 5 MiB to 5 GiB and refuses others with a reason', () => {
    expect(choosePartSize(100 * MIB, 5)).toBe(5 * MIB);
    expect(choosePartSize(100 * MIB, 5120)).toBe(5 * GIB);
    for (const bad of [4, 5121, 0, 1.5, -16]) {
      const error = (() => {
        try {
          choosePartSize(100 * MIB, bad);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isAppError(error, 'UPLOAD_PART_SIZE_INVALID')).toBe(true);
    }
    // 100 GiB in 5 MiB parts would be 20,480 parts
    expect(() => choosePartSize(100 * GIB, 5)).toThrow(/at most 10000/);
  });
});

describe('part ranges', () => {
  it('cover the file exactly, in order, with only the last part short', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * 10 ** 9 }), fc.integer({ min: 5, max: 64 }), (size, partMiB) => {
        const parts = planParts(size, partMiB * MIB);
        let offset = 0;
        parts.forEach((part, index) => {
          expect(part.partNumber).toBe(index + 1);
          expect(part.offset).toBe(offset);
          if (index < parts.length - 1) expect(part.size).toBe(partMiB * MIB);
          offset += part.size;
        });
        expect(offset).toBe(size);
      }),
      { numRuns: 200 },
    );
  });

  it('gives an empty file one empty part (Complete needs one)', () => {
    expect(planParts(0, 16 * MIB)).toEqual([{ partNumber: 1, offset: 0, size: 0 }]);
  });
});

describe('multipart ETag', () => {
  it('is the MD5 of the binary part MD5s followed by -N, as S3/COS compute it', () => {
    const parts = [Buffer.alloc(5 * MIB, 1), Buffer.from('tail')];
    const md5s = parts.map((part) => createHash('md5').update(part).digest('hex'));
    const expected = createHash('md5').update(Buffer.concat(md5s.map((md5) => Buffer.from(md5, 'hex')))).digest('hex');
    expect(multipartEtag(md5s)).toBe(`${expected}-2`);
    // a known value: the multipart ETag of one empty part
    expect(multipartEtag(['d41d8cd98f00b204e9800998ecf8427e'])).toBe('59adb24ef3cdbe0297f05b395827453f-1');
  });

  it('is recognized and compared bare', () => {
    expect(normalizeEtag('"ABCDEF0123456789abcdef0123456789-12"')).toBe('abcdef0123456789abcdef0123456789-12');
    expect(isMultipartEtag('abcdef0123456789abcdef0123456789-12')).toBe(true);
    expect(isMultipartEtag('abcdef0123456789abcdef0123456789')).toBe(false);
    expect(isMultipartEtag(undefined)).toBe(false);
  });
});
