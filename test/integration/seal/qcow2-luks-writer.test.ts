import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXtsPool, type XtsPool } from '../../../main/crypto/worker-pool';
import { hashVirtualContent, openDiskReader, type Extent } from '../../../main/image';
import { fileDataRanges } from '../../../main/image/file-holes';
import { openQcow2LuksReader } from '../../../main/seal/qcow2-luks-reader';
import { qcow2LuksWriter } from '../../../main/seal/qcow2-luks-writer';
import { sectorPadded } from '../../../main/seal/sector-padded-reader';
import { convertSource, makeRaw } from './source-images';
import { hasTool, runTool } from './tools';

const haveQemuImg = hasTool('qemu-img');
const MiB = 1 << 20;

describe.skipIf(!haveQemuImg)('native qcow2 + LUKS writer, checked by qemu-img', () => {
  let dir: string;
  let pool: XtsPool;
  const passphrase = Buffer.from(randomBytes(32).toString('base64'));
  let secretFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcow2-luks-'));
    pool = createXtsPool(2);
    secretFile = join(dir, 'secret');
    await writeFile(secretFile, passphrase, { mode: 0o600 });
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });


  async function sealAndCheck(source: string, driver: string, fileHoles = false): Promise<void> {
    const out = join(dir, `sealed-${Math.random().toString(36).slice(2)}.qcow2`);
    const reader = await openDiskReader(source, { fileHoles });
    let sourceDigest: string;
    try {
      const result = await qcow2LuksWriter.write({ reader, outPath: out, secret: passphrase, iterTimeMs: 10, pool });
      expect(result.cipher).toBe('aes-256-xts-plain64 (LUKS1, sha256)');
      sourceDigest = await hashVirtualContent(sectorPadded(reader));
    } finally {
      await reader.close();
    }
    const secret = `secret,id=sec0,file=${secretFile}`;
    const image = `driver=qcow2,encrypt.key-secret=sec0,file.filename=${out}`;
    const check = await runTool('qemu-img', ['check', '--object', secret, '--image-opts', image]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('No errors were found on the image.');
    const compare = await runTool('qemu-img', [
      'compare', '--object', secret, '--image-opts', `driver=${driver},file.filename=${source}`, image,
    ]);
    expect(compare.code, compare.stdout + compare.stderr).toBe(0);
    expect(compare.stdout).toContain('Images are identical.');
    const info = JSON.parse((await runTool('qemu-img', ['info', '--output=json', out])).stdout) as {
      format: string;
      encrypted: boolean;
      'format-specific': { data: { encrypt: Record<string, unknown> } };
    };
    expect(info.format).toBe('qcow2');
    expect(info.encrypted).toBe(true);
    expect(info['format-specific'].data.encrypt).toMatchObject({
      format: 'luks',
      'cipher-alg': 'aes-256',
      'cipher-mode': 'xts',
      'ivgen-alg': 'plain64',
      'hash-alg': 'sha256',
    });
    // our own reader decrypts to the same content
    const sealed = await openQcow2LuksReader(out, passphrase, { pool });
    try {
      expect(await hashVirtualContent(sealed)).toBe(sourceDigest);
    } finally {
      await sealed.close();
    }
    await expect(openQcow2LuksReader(out, Buffer.from('wrong'))).rejects.toMatchObject({ code: 'SEAL_WRONG_KEY' });
  }

  const size = 6 * MiB + 3 * 512; // not a multiple of the 64 KiB cluster
  const cases: Array<{ name: string; format: string; options: string[]; driver: string }> = [
    { name: 'raw', format: 'raw', options: [], driver: 'raw' },
    { name: 'qcow2', format: 'qcow2', options: [], driver: 'qcow2' },
    { name: 'qcow2 with compressed clusters', format: 'qcow2', options: ['-c'], driver: 'qcow2' },
    { name: 'qcow2 v2 with 4 KiB clusters', format: 'qcow2', options: ['-o', 'compat=0.10,cluster_size=4096'], driver: 'qcow2' },
    { name: 'VHD fixed', format: 'vpc', options: ['-o', 'subformat=fixed,force_size=on'], driver: 'vpc' },
    { name: 'VHD dynamic', format: 'vpc', options: ['-o', 'subformat=dynamic,force_size=on'], driver: 'vpc' },
  ];
  for (const testCase of cases) {
    it(`seals a ${testCase.name} source`, async () => {
      const raw = join(dir, `src-${testCase.name.replace(/\W+/g, '-')}.raw`);
      await makeRaw(raw, size);
      const source = await convertSource(raw, testCase.format, testCase.options);
      if (testCase.options.includes('-c')) {
        const sourceCheck = await runTool('qemu-img', ['check', source]);
        expect(sourceCheck.stdout).toMatch(/[1-9][\d.]*% compressed clusters/);
      }
      // A fixed VHD is a raw disk plus a footer: sealed, like raw, from the file system's hole map.
      await sealAndCheck(source, testCase.driver, testCase.name === 'VHD fixed');
    });
  }

  it('seals a fully sparse disk and one whose size is not whole sectors', async () => {
    const sparse = join(dir, 'sparse.raw');
    const file = await open(sparse, 'w');
    await file.truncate(8 * MiB);
    await file.close();
    await sealAndCheck(sparse, 'raw');
    const odd = join(dir, 'odd.raw');
    await writeFile(odd, randomBytes(MiB + 1234));
    await sealAndCheck(odd, 'raw');
  });

  it('seals a sparse raw disk from the file system\'s hole map (as the sealing service opens it), holes unread', async () => {
    const raw = join(dir, 'holes.raw');
    await makeRaw(raw, 16 * MiB);
    const reader = await openDiskReader(raw, { fileHoles: true });
    const extents: Extent[] = [];
    try {
      for await (const extent of reader.extents()) extents.push(extent);
    } finally {
      await reader.close();
    }
    const mapped = await fileDataRanges(raw, 16 * MiB);
    if (mapped) {
      // makeRaw wrote ~3 MiB of its 16: the rest is reported as holes (whole file-system blocks around the data)
      const holeBytes = extents.filter((e) => !e.allocated).reduce((sum, e) => sum + e.length, 0);
      expect(holeBytes).toBeGreaterThan(10 * MiB);
      expect(extents.find((e) => e.allocated && e.offset <= 3 * MiB && e.offset + e.length >= 5 * MiB)).toBeDefined();
    } else {
      // no FIEMAP here (not Linux, no filefrag, tmpfs): everything is read, as before
      expect(extents).toEqual([{ offset: 0, length: 16 * MiB, allocated: true }]);
    }
    await sealAndCheck(raw, 'raw', true);
  });

});
