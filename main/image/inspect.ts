import { basename, extname } from 'node:path';
import { AppError } from '../common/errors';
import { ImageFile } from './image-file';
import type { DiskReader, ProbeProblem, SourceFormat } from './types';
import { DETECT_HEAD_BYTES, detect } from './detect';
import { readQcow2Layout } from './qcow2-header';
import { Qcow2Reader } from './qcow2-reader';
import { FlatReader } from './raw-reader';
import { VhdDynamicReader } from './vhd-dynamic-reader';
import {
  VHD_DIFFERENCING,
  VHD_DYNAMIC,
  VHD_FIXED,
  VHD_FOOTER_SIZE,
  footerProblems,
  parseFooter,
  readDynamicLayout,
} from './vhd-structures';
import { qemuImageInfo } from './qemu-info';
import { alreadyEncryptedImage, corruptImage, truncatedImage, unsupportedImage } from './image-errors';

/**
 * An opened and checked source image, before a reader is made from it. probeImage and openDiskReader
 * share this, so what the probe accepts is exactly what the reader reads.
 */
export interface Inspection {
  file: ImageFile;
  format: SourceFormat;
  description: string;
  virtualSize: number;
  problems: ProbeProblem[];
  /** the reader; it owns the file from then on */
  openReader(): Promise<DiskReader>;
  /** bytes of the virtual disk holding data, as far as the format tells (may walk every table) */
  allocatedSize(): Promise<number>;
}

export async function inspectImage(path: string): Promise<Inspection> {
  const file = await ImageFile.open(path);
  try {
    return await inspectOpened(file);
  } catch (error) {
    await file.close().catch(() => undefined);
    throw error;
  }
}

async function inspectOpened(file: ImageFile): Promise<Inspection> {
  const head = await file.readAt(0, Math.min(file.size, DETECT_HEAD_BYTES), 'first bytes');
  const tail =
    file.size >= VHD_FOOTER_SIZE
      ? await file.readAt(file.size - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE, 'last sector')
      : undefined;
  const detected = detect(head, tail);
  switch (detected.kind) {
    case 'qcow2':
      return inspectQcow2(file);
    case 'vhd-start':
      return inspectDynamicVhd(file);
    case 'vhd-end':
      return inspectFixedVhd(file, tail as Buffer);
    case 'luks':
      throw alreadyEncryptedImage(file.path, 'raw', 'it is a LUKS volume');
    case 'archive':
      throw unsupportedImage(
        file.path,
        `This is a ${detected.name} archive, not a disk image.`,
        'Extract the disk image from the archive first and choose the extracted file.',
        { detected: detected.name },
      );
    case 'other':
      return inspectOther(file, detected.name);
    case 'raw':
      refuseMisnamed(file.path);
      return inspectRaw(file);
  }
}

const FORMAT_EXTENSIONS: Record<string, string> = {
  '.qcow2': 'qcow2',
  '.qcow': 'qcow',
  '.qed': 'QED',
  '.vhd': 'VHD',
  '.vpc': 'VHD',
  '.vhdx': 'VHDX',
  '.vmdk': 'VMDK',
  '.vdi': 'VDI',
};

/** A file named like a container format but without its magic is damaged, not a raw disk to seal as is. */
function refuseMisnamed(path: string): void {
  const expected = FORMAT_EXTENSIONS[extname(path).toLowerCase()];
  if (!expected) return;
  throw new AppError(
    'IMAGE_BAD_MAGIC',
    `${basename(path)} is named like a ${expected} image but does not carry the ${expected} signature.`,
    {
      hint: `The file is damaged or mislabelled. If it really is a raw disk, rename it to .raw or .img; otherwise get the ${expected} image again.`,
      details: { path, expected },
    },
  );
}

function inspectRaw(file: ImageFile): Inspection {
  const problems: ProbeProblem[] = [];
  if (file.size % 512 !== 0) {
    problems.push({
      code: 'SIZE_NOT_SECTOR_MULTIPLE',
      severity: 'warning',
      message: `The raw image is ${file.size} bytes, not a whole number of 512-byte sectors; the sealed disk is padded with zeros to the next sector.`,
    });
  }
  return {
    file,
    format: 'raw',
    description: 'raw disk image',
    virtualSize: file.size,
    problems,
    openReader: async () => new FlatReader('raw', file, file.size),
    allocatedSize: async () => file.storedBytes,
  };
}

async function inspectQcow2(file: ImageFile): Promise<Inspection> {
  const { layout, problems } = await readQcow2Layout(file);
  const reader = await Qcow2Reader.open(file, layout);
  const clusterText = unitSize(layout.clusterSize);
  return {
    file,
    format: 'qcow2',
    description: `qcow2 v${layout.version} (${clusterText} clusters)`,
    virtualSize: layout.virtualSize,
    problems,
    openReader: async () => reader,
    allocatedSize: () => reader.allocatedBytes(),
  };
}

async function inspectDynamicVhd(file: ImageFile): Promise<Inspection> {
  const start = await file.readAt(0, Math.min(VHD_FOOTER_SIZE, file.size), 'VHD footer copy');
  if (start.length < VHD_FOOTER_SIZE) throw truncatedImage(file.path, 'VHD', 'the file is shorter than a VHD footer');
  const footer = parseFooter(file.path, start, 'footer copy at the start of the file');
  if (footer.diskType === VHD_FIXED) {
    throw corruptImage(
      file.path,
      'VHD',
      'the footer says "fixed" but the file is laid out as a dynamic VHD (footer copy at the start)',
    );
  }
  if (footer.diskType !== VHD_DYNAMIC && footer.diskType !== VHD_DIFFERENCING) {
    throw corruptImage(
      file.path,
      'VHD',
      `the disk type is ${footer.diskType} (known: 2 fixed, 3 dynamic, 4 differencing)`,
    );
  }
  const layout = await readDynamicLayout(file, footer);
  return {
    file,
    format: 'vhd-dynamic',
    description: `VHD dynamic (${unitSize(layout.blockSize)} blocks)`,
    virtualSize: footer.virtualSize,
    problems: footerProblems(footer),
    openReader: async () => new VhdDynamicReader(file, layout),
    allocatedSize: async () => Math.min(footer.virtualSize, layout.allocatedBlocks * layout.blockSize),
  };
}

function inspectFixedVhd(file: ImageFile, tail: Buffer): Inspection {
  const footer = parseFooter(file.path, tail, 'footer');
  if (footer.diskType === VHD_DYNAMIC || footer.diskType === VHD_DIFFERENCING) {
    throw corruptImage(
      file.path,
      'VHD',
      'the footer says "dynamic" but the file has no footer copy at its start, as a dynamic VHD must',
    );
  }
  if (footer.diskType !== VHD_FIXED) {
    throw corruptImage(
      file.path,
      'VHD',
      `the disk type is ${footer.diskType} (known: 2 fixed, 3 dynamic, 4 differencing)`,
    );
  }
  const dataBytes = file.size - VHD_FOOTER_SIZE;
  if (footer.virtualSize > dataBytes) {
    throw truncatedImage(
      file.path,
      'VHD',
      `the footer gives a ${footer.virtualSize}-byte disk but the file holds only ${dataBytes} bytes of data`,
    );
  }
  return {
    file,
    format: 'vhd-fixed',
    description: 'VHD fixed',
    virtualSize: footer.virtualSize,
    problems: footerProblems(footer),
    openReader: async () => new FlatReader('vhd-fixed', file, footer.virtualSize),
    allocatedSize: async () => Math.min(footer.virtualSize, file.storedBytes),
  };
}

async function inspectOther(file: ImageFile, name: string): Promise<Inspection> {
  const info = await qemuImageInfo(file.path, name);
  const problems: ProbeProblem[] = [
    {
      code: 'READ_THROUGH_QEMU_IMG',
      severity: 'warning',
      message: `This ${info.format} image is read through qemu-img; the native engine does not read it, so the qemu-img engine seals it.`,
    },
  ];
  if (info.dirty) {
    problems.push({
      code: 'IMAGE_DIRTY',
      severity: 'warning',
      message: 'The image was not closed cleanly; copy it again from a stopped machine if you can.',
    });
  }
  return {
    file,
    format: 'other',
    description: `${info.format} (read through qemu-img)`,
    virtualSize: info.virtualSize,
    problems,
    openReader: async () => {
      await file.close();
      throw unsupportedImage(
        file.path,
        `The native reader does not read ${info.format} images.`,
        `Choose the qemu-img engine, or convert the image first: \`qemu-img convert -O qcow2 image new.qcow2\`.`,
        { format: info.format },
      );
    },
    allocatedSize: async () => Math.min(info.virtualSize, info.actualSize ?? info.virtualSize),
  };
}

/** A power-of-two size in the largest unit it fills: "512 B", "64 KiB", "2 MiB". */
function unitSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
