import { vhdChecksum } from '../../../main/image/vhd-structures';
import { hashVirtualContent, openDiskReader, probeImage } from '../../../main/image';
import { withTimeout } from './image-fixtures';

/**
 * Building blocks for hostile images: a tiny independent qcow2 walker (to find where structures are in a
 * real qemu-img file), byte patching helpers, and the "probe, open, read everything" routine every hostile
 * file goes through.
 */

export interface Qcow2Map {
  clusterSize: number;
  headerLength: number;
  l1Offset: number;
  refcountTableOffset: number;
  /** file offsets of the L2 tables, in L1 order (only allocated ones) */
  l2Offsets: number[];
  /** file offset of the L2 entry and the host offset it maps, for allocated standard clusters */
  dataEntries: Array<{ entryAt: number; host: number }>;
  compressedEntries: Array<{ entryAt: number; host: number }>;
}

const OFFSET_MASK = 0x00fffffffffffe00n;

export function mapQcow2(file: Buffer): Qcow2Map {
  const clusterBits = file.readUInt32BE(20);
  const clusterSize = 2 ** clusterBits;
  const version = file.readUInt32BE(4);
  const l1Size = file.readUInt32BE(36);
  const l1Offset = Number(file.readBigUInt64BE(40));
  const map: Qcow2Map = {
    clusterSize,
    headerLength: version === 3 ? file.readUInt32BE(100) : 72,
    l1Offset,
    refcountTableOffset: Number(file.readBigUInt64BE(48)),
    l2Offsets: [],
    dataEntries: [],
    compressedEntries: [],
  };
  for (let index = 0; index < l1Size; index += 1) {
    const l2 = Number(file.readBigUInt64BE(l1Offset + index * 8) & OFFSET_MASK);
    if (l2 === 0) continue;
    map.l2Offsets.push(l2);
    for (let entry = 0; entry < clusterSize / 8; entry += 1) {
      const entryAt = l2 + entry * 8;
      const value = file.readBigUInt64BE(entryAt);
      if (value & (1n << 62n)) {
        const x = BigInt(62 - (clusterBits - 8));
        map.compressedEntries.push({ entryAt, host: Number(value & ((1n << x) - 1n)) });
      } else if ((value & OFFSET_MASK) !== 0n && (value & 1n) === 0n) {
        map.dataEntries.push({ entryAt, host: Number(value & OFFSET_MASK) });
      }
    }
  }
  return map;
}

export function patch(base: Buffer, edit: (copy: Buffer) => void): Buffer {
  const copy = Buffer.from(base);
  edit(copy);
  return copy;
}

export function truncated(base: Buffer, length: number): Buffer {
  return Buffer.from(base.subarray(0, length));
}

/** Rewrites the VHD checksum of the 512-byte footer or 1024-byte dynamic header at `at`. */
export function fixVhdChecksum(file: Buffer, at: number, length: 512 | 1024): void {
  const region = file.subarray(at, at + length);
  const checksumAt = length === 512 ? 64 : 36;
  region.writeUInt32BE(vhdChecksum(region, checksumAt), checksumAt);
}

export type Outcome = { ok: true; virtualSize: number } | { ok: false; error: unknown };

/** Probe, open and (when small enough) read the whole disk; reads only the ends of absurdly large disks. */
export async function probeAndRead(path: string, timeoutMs = 20_000): Promise<Outcome> {
  const work = async (): Promise<Outcome> => {
    try {
      const probe = await probeImage(path);
      const reader = await openDiskReader(path);
      try {
        if (reader.virtualSize <= 64 * 1024 * 1024) {
          await hashVirtualContent(reader);
        } else {
          let extents = 0;
          for await (const _ of reader.extents()) extents += 1;
          await reader.read(0, Buffer.alloc(Math.min(1024 * 1024, reader.virtualSize)));
          const tail = Math.min(1024 * 1024, reader.virtualSize);
          await reader.read(reader.virtualSize - tail, Buffer.alloc(tail));
          if (extents === 0) throw new Error('no extents');
        }
      } finally {
        await reader.close();
      }
      return { ok: true, virtualSize: probe.virtualSize };
    } catch (error) {
      return { ok: false, error };
    }
  };
  return withTimeout(work(), timeoutMs, `reading ${path}`);
}
