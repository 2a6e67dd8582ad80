import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dekSizeFor, generateDek, keyFingerprint, loadDekFile } from '../../../main/crypto/dek';

describe('DEKs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dek-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates the sizes the targets table asks for', () => {
    expect(generateDek('vpc').length).toBe(32);
    expect(generateDek('classic-luks').length).toBe(32);
    expect(generateDek('classic-vhd').length).toBe(64);
    expect(generateDek('classic-vhd', 256).length).toBe(32);
    expect(() => dekSizeFor('vpc', 512)).toThrow(/256-bit DEK/);
  });

  it('fingerprints with the first 8 hex of SHA-256', () => {
    expect(keyFingerprint(Buffer.from('abc'))).toBe('ba7816bf');
  });

  it('loads raw bytes and base64 text (with a newline), and refuses anything else', async () => {
    const dek = randomBytes(32);
    await writeFile(join(dir, 'raw'), dek);
    await writeFile(join(dir, 'b64'), `${dek.toString('base64')}\n`);
    expect((await loadDekFile(join(dir, 'raw'), 'vpc')).equals(dek)).toBe(true);
    expect((await loadDekFile(join(dir, 'b64'), 'vpc')).equals(dek)).toBe(true);
    const vhdKey = randomBytes(64);
    await writeFile(join(dir, 'vhd'), vhdKey);
    expect((await loadDekFile(join(dir, 'vhd'), 'classic-vhd')).equals(vhdKey)).toBe(true);
    await expect(loadDekFile(join(dir, 'vhd'), 'vpc')).rejects.toMatchObject({ code: 'DEK_FILE_INVALID' });
    await writeFile(join(dir, 'short'), randomBytes(31));
    await expect(loadDekFile(join(dir, 'short'), 'vpc')).rejects.toMatchObject({ code: 'DEK_FILE_INVALID' });
    await writeFile(join(dir, 'zeros'), Buffer.alloc(32));
    await expect(loadDekFile(join(dir, 'zeros'), 'vpc')).rejects.toMatchObject({ code: 'DEK_WEAK' });
    const half = randomBytes(32);
    await writeFile(join(dir, 'halves'), Buffer.concat([half, half]));
    await expect(loadDekFile(join(dir, 'halves'), 'classic-vhd')).rejects.toMatchObject({ code: 'DEK_WEAK' });
    await expect(loadDekFile(join(dir, 'missing'), 'vpc')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
