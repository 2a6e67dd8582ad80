import { createHash, randomFillSync } from 'node:crypto';

/**
 * The LUKS1 anti-forensic splitter (LUKS1 On-Disk Format Specification, §2.4; cryptsetup lib/luks1/af.c):
 * the master key is spread over `stripes` blocks so that destroying any one of them destroys the key.
 */

/** H(i as big-endian uint32 ‖ block) over each digest-sized piece, truncated for the last partial piece. */
function diffuse(block: Buffer, hash: string): void {
  const digestSize = createHash(hash).digest().length;
  const counter = Buffer.alloc(4);
  for (let i = 0, offset = 0; offset < block.length; i++, offset += digestSize) {
    const length = Math.min(digestSize, block.length - offset);
    counter.writeUInt32BE(i, 0);
    const digest = createHash(hash).update(counter).update(block.subarray(offset, offset + length)).digest();
    digest.copy(block, offset, 0, length);
  }
}

function xorInto(target: Buffer, source: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i]! ^= source[i]!;
}

export function afSplit(key: Buffer, stripes: number, hash: string): Buffer {
  const size = key.length;
  const out = Buffer.alloc(size * stripes);
  const accumulator = Buffer.alloc(size);
  randomFillSync(out, 0, size * (stripes - 1));
  for (let i = 0; i < stripes - 1; i++) {
    xorInto(accumulator, out.subarray(i * size, (i + 1) * size));
    diffuse(accumulator, hash);
  }
  const last = out.subarray((stripes - 1) * size);
  key.copy(last);
  xorInto(last, accumulator);
  accumulator.fill(0);
  return out;
}

export function afMerge(material: Buffer, keySize: number, stripes: number, hash: string): Buffer {
  if (material.length < keySize * stripes) throw new RangeError('AF material is shorter than keySize × stripes');
  const accumulator = Buffer.alloc(keySize);
  for (let i = 0; i < stripes - 1; i++) {
    xorInto(accumulator, material.subarray(i * keySize, (i + 1) * keySize));
    diffuse(accumulator, hash);
  }
  xorInto(accumulator, material.subarray((stripes - 1) * keySize, stripes * keySize));
  return accumulator;
}
