import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../main/common/errors';
import { makeTempDir, run, writeRawDisk } from './image-fixtures';
import { fixVhdChecksum, mapQcow2, probeAndRead } from './hostile-corpus';

/**
 * Property: whatever happens to the metadata of a small valid qcow2 or VHD, probing and reading it either
 * works or fails with an AppError — never another exception, never a hang (each case has a deadline).
 */

const MiB = 1024 * 1024;

interface Base {
  name: string;
  extension: string;
  bytes: Buffer;
  /** [start, end) ranges holding metadata worth mutating */
  hot: Array<[number, number]>;
  vhd: boolean;
}

let dir: string;
let cleanup: () => Promise<void>;
const bases: Base[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('fuzz'));
  const source = join(dir, 'source.img');
  await writeRawDisk(source, 4 * MiB, [
    { offset: 0, length: 40_000, kind: 'text' },
    { offset: 2 * MiB + 4096, length: 70_000, kind: 'random' },
    { offset: 4 * MiB - 1024, length: 1024, kind: 'text' },
  ]);
  const make = async (name: string, args: string[], extension: string) => {
    const out = join(dir, `${name}${extension}`);
    await run('qemu-img', ['convert', '-f', 'raw', ...args, source, out]);
    return readFile(out);
  };
  for (const [name, args] of [
    ['qcow2-v3-4k', ['-O', 'qcow2', '-o', 'compat=1.1,cluster_size=4096']],
    ['qcow2-v2-64k', ['-O', 'qcow2', '-o', 'compat=0.10']],
    ['qcow2-compressed-4k', ['-c', '-O', 'qcow2', '-o', 'compat=1.1,cluster_size=4096']],
  ] as const) {
    const bytes = await make(name, [...args], '.qcow2');
    const map = mapQcow2(bytes);
    const hot: Array<[number, number]> = [[0, map.headerLength + 64]];
    hot.push([map.l1Offset, map.l1Offset + 64]);
    for (const l2 of map.l2Offsets) hot.push([l2, l2 + map.clusterSize]);
    bases.push({ name, extension: '.qcow2', bytes, hot, vhd: false });
  }
  const dynamic = await make('vhd-dynamic', ['-O', 'vpc', '-o', 'subformat=dynamic,force_size=on'], '.vhd');
  bases.push({
    name: 'vhd-dynamic',
    extension: '.vhd',
    bytes: dynamic,
    hot: [
      [0, 512],
      [512, 1536],
      [1536, 2048],
      [dynamic.length - 512, dynamic.length],
    ],
    vhd: true,
  });
  const fixed = await make('vhd-fixed', ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on'], '.vhd');
  bases.push({
    name: 'vhd-fixed',
    extension: '.vhd',
    bytes: fixed,
    hot: [[fixed.length - 512, fixed.length]],
    vhd: true,
  });
}, 60_000);
afterAll(async () => cleanup?.());

const INTERESTING_32 = [0, 1, 0x1ff, 0x200, 0x1000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

const edit = fc.record({
  hotRange: fc.nat(),
  position: fc.nat(),
  kind: fc.constantFrom('byte', 'u32', 'u64', 'bitflip'),
  value: fc.oneof(fc.constantFrom(...INTERESTING_32), fc.nat({ max: 0xffffffff })),
  anywhere: fc.boolean(),
});

const mutation = fc.record({
  base: fc.nat(),
  edits: fc.array(edit, { minLength: 1, maxLength: 6 }),
  // Mostly whole files; one case in five cut short somewhere (per mille of the length).
  cut: fc.oneof(
    { arbitrary: fc.constant(null), weight: 4 },
    { arbitrary: fc.integer({ min: 1, max: 999 }), weight: 1 },
  ),
  fixChecksums: fc.boolean(),
});

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(base: Base, plan: Mutation): Buffer {
  let bytes = Buffer.from(base.bytes);
  for (const change of plan.edits) {
    const [start, end] = change.anywhere ? [0, bytes.length] : base.hot[change.hotRange % base.hot.length];
    const span = Math.max(1, Math.min(end, bytes.length) - start);
    const at = start + (change.position % span);
    if (change.kind === 'byte') bytes[at] = change.value & 0xff;
    else if (change.kind === 'bitflip') bytes[at] ^= 1 << (change.value % 8);
    else if (change.kind === 'u32' && at + 4 <= bytes.length) bytes.writeUInt32BE(change.value >>> 0, at);
    else if (change.kind === 'u64' && at + 8 <= bytes.length)
      bytes.writeBigUInt64BE(BigInt(change.value) << BigInt(change.value % 33), at);
  }
  if (base.vhd && plan.fixChecksums) {
    // Let mutations get past the checksums so the deeper checks are exercised too.
    if (bytes.toString('latin1', 0, 8) === 'conectix') fixVhdChecksum(bytes, 0, 512);
    if (bytes.toString('latin1', 512, 520) === 'cxsparse') fixVhdChecksum(bytes, 512, 1024);
    fixVhdChecksum(bytes, bytes.length - 512, 512);
  }
  if (plan.cut !== null) bytes = bytes.subarray(0, Math.max(1, Math.floor((bytes.length * plan.cut) / 1000)));
  return bytes;
}

describe('fuzzed image metadata', () => {
  it('probe and read either succeed or throw an AppError, within a deadline', async () => {
    let index = 0;
    const outcomes = { ok: 0, refused: new Map<string, number>() };
    await fc.assert(
      fc.asyncProperty(mutation, async (plan) => {
        const base = bases[plan.base % bases.length];
        const path = join(dir, `fuzz-${index++}${base.extension}`);
        await writeFile(path, apply(base, plan));
        try {
          const outcome = await probeAndRead(path, 15_000);
          if (outcome.ok) outcomes.ok += 1;
          else {
            if (!isAppError(outcome.error)) {
              throw new Error(`${base.name}: non-AppError ${String((outcome.error as Error)?.stack ?? outcome.error)}`);
            }
            outcomes.refused.set(outcome.error.code, (outcomes.refused.get(outcome.error.code) ?? 0) + 1);
          }
        } finally {
          await rm(path, { force: true });
        }
      }),
      // IMAGE_FUZZ_SEED / IMAGE_FUZZ_RUNS allow longer exploratory runs; CI uses the fixed defaults.
      {
        seed: Number(process.env.IMAGE_FUZZ_SEED ?? 20261124),
        numRuns: Number(process.env.IMAGE_FUZZ_RUNS ?? 300),
        endOnFailure: true,
      },
    );
    if (process.env.IMAGE_FUZZ_RUNS)
      console.log('fuzz outcomes', outcomes.ok, 'ok;', Object.fromEntries(outcomes.refused));
    // The corpus must exercise both paths, or it proves little.
    expect(outcomes.ok).toBeGreaterThan(10);
    expect(outcomes.refused.size).toBeGreaterThanOrEqual(3);
  }, 240_000);
});
