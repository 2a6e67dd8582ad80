import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { probeImage } from '../../../main/image';

// As on a workstation without qemu-img.
vi.mock('../../../main/common/tools', () => ({ toolAvailable: async () => false }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-sealer-noqemu-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('formats that need qemu-img when it is not installed', () => {
  it('refuses with a message that names the format and says how to get qemu-img', async () => {
    const vmdk = Buffer.alloc(4096);
    vmdk.write('KDMV', 0, 'latin1');
    const path = join(dir, 'disk.vmdk');
    await writeFile(path, vmdk);
    await expect(probeImage(path)).rejects.toMatchObject({
      code: 'IMAGE_UNSUPPORTED_FORMAT',
      message: expect.stringMatching(/VMDK image.*qemu-img, which is not installed/),
      hint: expect.stringMatching(/qemu-utils/),
    });
  });

  it('still reads the formats it knows without qemu-img', async () => {
    const path = join(dir, 'disk.img');
    await writeFile(path, Buffer.alloc(65536, 7));
    await expect(probeImage(path)).resolves.toMatchObject({ format: 'raw', virtualSize: 65536 });
  });
});
