import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLuks1, openLuks1 } from '../../../main/crypto/luks1';
import { createXtsCipher } from '../../../main/crypto/xts';
import { hasTool, runTool } from './tools';

const haveCryptsetup = hasTool('cryptsetup');
const haveQemuImg = hasTool('qemu-img');

describe('LUKS1 volumes checked by cryptsetup and qemu-img', () => {
  let dir: string;
  const passphrase = Buffer.from(randomBytes(32).toString('base64'));
  const masterKey = randomBytes(64);
  const payload = randomBytes(1 << 20);
  let volume: string;
  let plain: string;
  let keyFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'luks1-tools-'));
    volume = join(dir, 'vol.raw');
    plain = join(dir, 'plain.raw');
    keyFile = join(dir, 'pass');
    const created = await createLuks1({ masterKey, passphrase, iterTimeMs: 10, layout: 'cryptsetup' });
    // dm-crypt numbers payload sectors from 0 at the payload offset
    const encrypted = Buffer.from(createXtsCipher(masterKey, 'plain64').encrypt(Buffer.from(payload), 0));
    await writeFile(volume, Buffer.concat([created.headerArea, encrypted]));
    await writeFile(plain, payload);
    await writeFile(keyFile, passphrase, { mode: 0o600 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!haveCryptsetup)('cryptsetup luksDump reads our header', async () => {
    const dump = await runTool('cryptsetup', ['luksDump', volume]);
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stdout).toMatch(/Version:\s+1/);
    expect(dump.stdout).toMatch(/Cipher name:\s+aes/);
    expect(dump.stdout).toMatch(/Cipher mode:\s+xts-plain64/);
    expect(dump.stdout).toMatch(/Hash spec:\s+sha256/);
    expect(dump.stdout).toMatch(/Payload offset:\s+4096/);
    expect(dump.stdout).toMatch(/MK bits:\s+512/);
    expect(dump.stdout).toMatch(/Key Slot 0: ENABLED/);
    expect(dump.stdout).toMatch(/Key Slot 1: DISABLED/);
  });

  it.skipIf(!haveCryptsetup)('cryptsetup accepts the passphrase and refuses another', async () => {
    const ok = await runTool('cryptsetup', ['open', '--test-passphrase', '--key-file', keyFile, volume]);
    expect(ok.code, ok.stderr).toBe(0);
    const wrongFile = join(dir, 'wrong');
    await writeFile(wrongFile, 'not the passphrase');
    const wrong = await runTool('cryptsetup', ['open', '--test-passphrase', '--key-file', wrongFile, volume]);
    expect(wrong.code).not.toBe(0);
  });

  it.skipIf(!haveQemuImg)('qemu-img reads the payload through driver=luks', async () => {
    const secret = `secret,id=sec0,file=${keyFile}`;
    const compare = await runTool('qemu-img', [
      'compare', '--object', secret, '--image-opts',
      `driver=raw,file.filename=${plain}`,
      `driver=luks,key-secret=sec0,file.filename=${volume}`,
    ]);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toContain('Images are identical.');
  });

  it.skipIf(!haveQemuImg)('opens a LUKS volume written by qemu-img', async () => {
    const made = join(dir, 'qemu.luks');
    let created = { code: -1, stdout: '', stderr: '' };
    for (let attempt = 0; attempt < 4; attempt++) {
      // Debian's qemu-img 7.2 sometimes fails its PBKDF timing ("Unable to get accurate CPU usage"): retry
      created = await runTool('qemu-img', [
        'create', '-f', 'luks', '--object', `secret,id=sec0,file=${keyFile}`, '-o', 'key-secret=sec0,iter-time=10', made, '1M',
      ]);
      if (created.code === 0 || !/accurate CPU usage/.test(created.stderr)) break;
    }
    expect(created.code, created.stderr).toBe(0);
    const handle = await open(made, 'r');
    try {
      const read = async (offset: number, length: number) => {
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, offset);
        return buffer;
      };
      const opened = await openLuks1(read, passphrase);
      expect(opened.header.payloadOffsetSectors).toBe(4040);
      expect(opened.masterKey.length).toBe(64);
      await expect(openLuks1(read, Buffer.from('nope'))).rejects.toMatchObject({ code: 'LUKS_WRONG_PASSPHRASE' });
    } finally {
      await handle.close();
    }
  });
});
