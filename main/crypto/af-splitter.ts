import { createHash, hash as digestOf, randomFillSync } from 'node:crypto';

/**
 * The LUKS1 anti-forensic splitter (LUKS1 On-Disk Format Specification, §2.4; cryptsetup lib/luks1/af.c):
 * the master key is spread over `stripes` blocks so that destroying any one of them destroys the key.
 */

/**
 * H(i as big-endian uint32 ‖ block) over each digest-sized piece, truncated for the last partial piece. A split
 * runs this ~4000 times; the one-shot `crypto.hash` on a reused input buffer costs about half of a `createHash`
 * object per piece (~25 ms of a seal's main thread).
 */
class Diffuser {
  private readonly digestSize: number;
  private readonly input: Buffer;

  constructor(private readonly hash: string) {
    this.digestSize = createHash(hash).digest().length;
    this.input = Buffer.alloc(4 + this.digestSize);
  }

  diffuse(block: Buffer): void {
    const { digestSize, input } = this;
    for (let i = 0, offset = 0; offset < block.length; i++, offset += digestSize) {
      const length = Math.min(digestSize, block.length - offset);
      input.writeUInt32BE(i, 0);
      block.copy(input, 4, offset, offset + length);
      const digest = digestOf(this.hash, input.subarray(0, 4 + length), 'buffer');
      digest.copy(block, offset, 0, length);
      digest.fill(0);
    }
    input.fill(0);
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
  const diffuser = new Diffuser(hash);
  for (let i = 0; i < stripes - 1; i++) {
    xorInto(accumulator, out.subarray(i * size, (i + 1) * size));
    diffuser.diffuse(accumulator);
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
  const diffuser = new Diffuser(hash);
  for (let i = 0; i < stripes - 1; i++) {
    xorInto(accumulator, material.subarray(i * keySize, (i + 1) * keySize));
    diffuser.diffuse(accumulator);
  }
  xorInto(accumulator, material.subarray((stripes - 1) * keySize, stripes * keySize));
  return accumulator;
}
