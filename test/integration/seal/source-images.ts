import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { expect } from 'vitest';
import { runTool } from './tools';

const MiB = 1 << 20;

// Source images shared by the qcow2 + LUKS writer and reader tests.

/** A raw disk with data, all-zero clusters inside data, and holes. */
export async function makeRaw(path: string, size: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.truncate(size);
    const pieces: Array<[number, number]> = [
      [0, 300 * 1024], // starts at 0, ends mid-cluster
      [MiB + 4096, 70 * 1024], // unaligned, spans a cluster boundary
      [3 * MiB, 2 * MiB], // big run
    ];
    for (const [offset, length] of pieces) {
      if (offset >= size) continue;
      const data = randomBytes(Math.min(length, size - offset));
      if (data.length >= 128 * 1024) data.fill(0, 64 * 1024, 128 * 1024); // an all-zero cluster inside data
      await file.write(data, 0, data.length, offset);
    }
    // compressible text, so `qemu-img convert -c` really makes compressed clusters
    const text = Buffer.from(Array.from({ length: 20000 }, (_, i) => `sector text ${i}\n`).join('')).subarray(
      0,
      256 * 1024,
    );
    if (2 * MiB + text.length <= size) await file.write(text, 0, text.length, 2 * MiB);
    // the very last bytes, so a partial last cluster holds data
    await file.write(randomBytes(100), 0, 100, size - 100);
  } finally {
    await file.close();
  }
}

/** `raw` converted by qemu-img to `format` (raw stays as it is). */
export async function convertSource(raw: string, format: string, options: string[]): Promise<string> {
  if (format === 'raw') return raw;
  const out = `${raw}.${format}${options.join('').replace(/[^a-z]/g, '')}`;
  const result = await runTool('qemu-img', ['convert', '-f', 'raw', '-O', format, ...options, raw, out]);
  expect(result.code, result.stderr).toBe(0);
  return out;
}
