import { hasFooterCookie } from './vhd-structures';
import { QCOW2_MAGIC } from './qcow2-header';

/** What the first and last bytes of a file say it is; nothing here trusts more than a magic number. */
export type Detected =
  | { kind: 'qcow2' }
  | { kind: 'vhd-start' }
  | { kind: 'vhd-end' }
  | { kind: 'other'; name: string }
  | { kind: 'archive'; name: string }
  | { kind: 'luks' }
  | { kind: 'raw' };

/** How many bytes of the start of the file detect() wants to see. */
export const DETECT_HEAD_BYTES = 1024;

export function detect(head: Buffer, tail: Buffer | undefined): Detected {
  const text = (start: number, end: number) => (head.length >= end ? head.toString('latin1', start, end) : '');
  if (head.length >= 4 && head.readUInt32BE(0) === QCOW2_MAGIC) {
    return head.length >= 8 && head.readUInt32BE(4) === 1
      ? { kind: 'other', name: 'qcow (version 1)' }
      : { kind: 'qcow2' };
  }
  if (hasFooterCookie(head)) return { kind: 'vhd-start' };
  if (tail && hasFooterCookie(tail)) return { kind: 'vhd-end' };

  if (text(0, 6) === 'LUKS\xba\xbe') return { kind: 'luks' };

  const other = otherDiskFormat(head, text);
  if (other) return { kind: 'other', name: other };
  if (tail && tail.length >= 4 && tail.toString('latin1', 0, 4) === 'koly')
    return { kind: 'other', name: 'Apple disk image (dmg)' };

  const archive = archiveFormat(head, text);
  if (archive) return { kind: 'archive', name: archive };
  return { kind: 'raw' };
}

function otherDiskFormat(head: Buffer, text: (start: number, end: number) => string): string | undefined {
  if (text(0, 4) === 'KDMV' || text(0, 4) === 'COWD') return 'VMDK';
  if (text(0, 21) === '# Disk DescriptorFile') return 'VMDK (descriptor)';
  if (text(0, 8) === 'vhdxfile') return 'VHDX';
  if (text(0, 4) === 'QED\0') return 'QED';
  if (head.length >= 0x44 && head.readUInt32LE(0x40) === 0xbeda107f) return 'VDI (VirtualBox)';
  if (text(0, 16) === 'WithoutFreeSpace' || text(0, 16) === 'WithouFreSpacExt') return 'Parallels';
  if (text(0, 22) === 'Bochs Virtual HD Image') return 'Bochs';
  return undefined;
}

function archiveFormat(head: Buffer, text: (start: number, end: number) => string): string | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (text(0, 6) === '\xfd7zXZ\0') return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (text(0, 3) === 'BZh' && head.length >= 10 && head.readUIntBE(4, 6) === 0x314159265359) return 'bzip2';
  if (text(0, 4) === 'PK\x03\x04') return 'zip';
  if (text(0, 6) === '7z\xbc\xaf\x27\x1c') return '7-Zip';
  if (text(257, 262) === 'ustar') return 'tar (an OVA is a tar archive)';
  return undefined;
}
