import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { detect } from '../../../main/image/detect';

function head(bytes: string | Buffer, at = 0, size = 1024): Buffer {
  const buffer = Buffer.alloc(size);
  (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes).copy(buffer, at);
  return buffer;
}

describe('detect', () => {
  it('knows qcow2, qcow v1 and VHD by their magic numbers', () => {
    expect(detect(head('QFI\xfb\0\0\0\x03'), undefined)).toEqual({ kind: 'qcow2' });
    expect(detect(head('QFI\xfb'), undefined)).toEqual({ kind: 'qcow2' });
    expect(detect(Buffer.from('QFI\xfb', 'latin1'), undefined)).toEqual({ kind: 'qcow2' });
    expect(detect(head('QFI\xfb\0\0\0\x01'), undefined)).toEqual({ kind: 'other', name: 'qcow (version 1)' });
    expect(detect(head('conectix'), head('conectix', 0, 512))).toEqual({ kind: 'vhd-start' });
    expect(detect(head('\xeb\x63\x90'), head('conectix', 0, 512))).toEqual({ kind: 'vhd-end' });
  });

  it('sends other disk formats to qemu-img', () => {
    const vdi = head('<<< Oracle VM VirtualBox Disk Image >>>');
    vdi.writeUInt32LE(0xbeda107f, 0x40);
    expect(detect(vdi, undefined)).toEqual({ kind: 'other', name: 'VDI (VirtualBox)' });
    expect(detect(head('KDMV'), undefined)).toMatchObject({ kind: 'other', name: 'VMDK' });
    expect(detect(head('# Disk DescriptorFile\n'), undefined)).toMatchObject({ kind: 'other' });
    expect(detect(head('QED\0'), undefined)).toMatchObject({ kind: 'other', name: 'QED' });
    expect(detect(head('vhdxfile'), undefined)).toMatchObject({ kind: 'other', name: 'VHDX' });
    expect(detect(head(''), head('koly', 0, 512))).toMatchObject({ kind: 'other' });
  });

  it('recognises archives and LUKS volumes', () => {
    expect(detect(gzipSync(Buffer.alloc(100)), undefined)).toMatchObject({ kind: 'archive', name: 'gzip' });
    expect(detect(head('\xfd7zXZ\0'), undefined)).toMatchObject({ kind: 'archive', name: 'xz' });
    expect(detect(head('ustar', 257), undefined)).toMatchObject({ kind: 'archive' });
    expect(detect(head('LUKS\xba\xbe\0\x01'), undefined)).toEqual({ kind: 'luks' });
  });

  it('falls back to raw for anything else, including a boot sector', () => {
    const mbr = Buffer.alloc(1024);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    expect(detect(mbr, mbr.subarray(512))).toEqual({ kind: 'raw' });
    expect(detect(head('BZh9'), undefined)).toEqual({ kind: 'raw' });
    expect(detect(Buffer.from([1]), undefined)).toEqual({ kind: 'raw' });
  });
});
