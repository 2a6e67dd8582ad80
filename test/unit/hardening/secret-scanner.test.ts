import { randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dekNeedles, scanText, scanTree, textNeedle } from '../../helpers/hardening-secrets';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';
import { makeTempDir } from '../../helpers/temp-dir';

/** The scanner the secret-hygiene test relies on must find what it looks for, in every form and position. */
const stats = new ReliabilityRecorder('secret-scanner');
afterAll(() => stats.flush());

describe('secret scanner', () => {
  it('finds each form of a DEK in a file, also across its 4 MiB read chunks, and nothing in clean files', async () => {
    const temp = await makeTempDir('hardening-scanner-');
    try {
      const dek = randomBytes(64);
      const needles = dekNeedles(dek);
      const planted: string[] = [];
      for (const [index, needle] of needles.entries()) {
        const file = join(temp.dir, `planted-${index}.bin`);
        // the secret straddles the chunk boundary in half of the files
        const at = index % 2 === 0 ? 4 * 1024 * 1024 - Math.floor(needle.bytes.length / 2) : 1000;
        const content = randomBytes(at + needle.bytes.length + 1000);
        needle.bytes.copy(content, at);
        await writeFile(file, content);
        planted.push(file);
      }
      await mkdir(join(temp.dir, 'clean'));
      await writeFile(join(temp.dir, 'clean', 'noise.bin'), randomBytes(5 * 1024 * 1024));
      await writeFile(join(temp.dir, 'clean', 'partial.txt'), dek.toString('hex').slice(0, 100));
      await symlink(planted[0]!, join(temp.dir, 'clean', 'link-to-planted'));

      const result = await scanTree([temp.dir], needles);
      for (const [index, needle] of needles.entries()) {
        expect(result.hits, needle.label).toContainEqual({ where: planted[index], label: needle.label });
      }
      // symlinks are not followed, clean files give nothing
      expect(result.hits.filter((hit) => hit.where.includes('/clean/'))).toEqual([]);
      expect(result.filesScanned).toBe(needles.length + 2);
      stats.add('secretScans', result.filesScanned);
      stats.add('inputsTried', needles.length);
    } finally {
      await temp.cleanup();
    }
  });

  it('finds text secrets in strings and names only the label', () => {
    const needles = [textNeedle('API key', 'the-api-key-0123456789')];
    const hits = scanText('{"log":"sent the-api-key-0123456789 to IAM"}', 'stdout', needles);
    expect(hits).toEqual([{ where: 'stdout', label: 'API key' }]);
    expect(scanText('nothing here', 'stderr', needles)).toEqual([]);
  });
});
