import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preallocate } from '../../../main/seal/preallocate';

describe('preallocate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'preallocate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reserves the bytes of a file (its size and its blocks), or says it could not', async () => {
    const path = join(dir, 'reserved.bin');
    await writeFile(path, '');
    expect(await preallocate(path, 3 * 1024 * 1024)).toBe(true);
    const reserved = await stat(path);
    expect(reserved.size).toBe(3 * 1024 * 1024);
    expect(reserved.blocks * 512).toBeGreaterThanOrEqual(3 * 1024 * 1024);

    expect(await preallocate(join(dir, 'missing', 'file.bin'), 4096)).toBe(false);
    expect(await preallocate(path, 0)).toBe(false);
    // Far more than any disk here: refused, not an error (the bound can exceed what a seal writes).
    expect(await preallocate(path, 2 ** 52)).toBe(false);
    expect((await stat(path)).size).toBe(3 * 1024 * 1024);
  });
});
