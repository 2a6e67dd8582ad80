import { randomBytes, randomFillSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../common/errors';
import { afMerge, afSplit } from './af-splitter';
import { derivePbkdf2, pbkdf2IterationsPerSecond } from './pbkdf2';
import { createXtsCipher, type XtsIvMode } from './xts';

/**
 * LUKS1 headers (LUKS1 On-Disk Format Specification v1.2.3), as cryptsetup and QEMU write them:
 * the 592-byte partition header, 8 key slots with PBKDF2 + anti-forensic split key material encrypted in the
 * volume's own cipher, and the master-key digest that recognises the right passphrase.
 */
export const LUKS_MAGIC = Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]);
export const LUKS_SECTOR = 512;
export const LUKS_PHDR_SIZE = 592;
export const LUKS_NUM_KEYS = 8;
export const LUKS_STRIPES = 4000;
export const LUKS_DIGEST_SIZE = 20;
export const LUKS_SALT_SIZE = 32;
export const LUKS_KEY_ENABLED = 0x00ac71f3;
export const LUKS_KEY_DISABLED = 0x0000dead;
export const LUKS_MIN_ITERATIONS = 1000;
/** Key slots start at 4 KiB and each slot's area is a whole number of 4 KiB (cryptsetup ≥ 1.x and QEMU). */
const KEYSLOT_ALIGN = 4096;

export interface LuksKeySlot {
  active: boolean;
  iterations: number;
  salt: Buffer;
  keyMaterialOffsetSectors: number;
  stripes: number;
}

export interface LuksHeader {
  version: number;
  cipherName: string;
  cipherMode: string;
  hashSpec: string;
  payloadOffsetSectors: number;
  keyBytes: number;
  mkDigest: Buffer;
  mkDigestSalt: Buffer;
  mkDigestIterations: number;
  uuid: string;
  keySlots: LuksKeySlot[];
}

/**
 * - 'cryptsetup': a raw LUKS volume exactly like `cryptsetup luksFormat --type luks1`: key slot areas filled
 *   with random bytes, payload aligned to `alignmentBytes` (1 MiB default → 4096 sectors for a 64-byte key).
 * - 'qemu': QEMU's block/crypto layout (also embedded in qcow2): payload right after the 8 key slot areas
 *   (4040 sectors for a 64-byte key), unused slot areas zero.
 */
export type LuksLayout = 'cryptsetup' | 'qemu';

export interface CreateLuksOptions {
  /** the volume key; 64 bytes → aes-xts-plain64 with AES-256 (what every target here uses) */
  masterKey: Buffer;
  passphrase: Buffer;
  /** PBKDF2 time for the key slot; the master-key digest gets 1/8 of it, as in QEMU and cryptsetup */
  iterTimeMs: number;
  layout: LuksLayout;
  alignmentBytes?: number;
  hashSpec?: 'sha256' | 'sha1' | 'sha512';
  uuid?: string;
  /** skip calibration (tests, or re-creating a header with known costs) */
  iterations?: { keySlot: number; digest: number };
}

export interface CreatedLuks {
  /** every byte from offset 0 up to the payload: phdr, key slot areas, padding */
  headerArea: Buffer;
  header: LuksHeader;
  payloadOffsetSectors: number;
}

export function luksCipherSpec(header: Pick<LuksHeader, 'cipherName' | 'cipherMode' | 'keyBytes' | 'hashSpec'>): string {
  // an XTS key is two AES keys: 64 bytes → AES-256
  return `${header.cipherName}-${header.keyBytes * 4}-${header.cipherMode} (LUKS1, ${header.hashSpec})`;
}

export function keyMaterialSectors(keyBytes: number, stripes = LUKS_STRIPES): number {
  return Math.ceil((keyBytes * stripes) / KEYSLOT_ALIGN) * (KEYSLOT_ALIGN / LUKS_SECTOR);
}

/** Payload offset in sectors for a layout, without building the header (writers plan their files with it). */
export function luksPayloadOffsetSectors(keyBytes: number, layout: LuksLayout, alignmentBytes = 1 << 20): number {
  const end = KEYSLOT_ALIGN / LUKS_SECTOR + LUKS_NUM_KEYS * keyMaterialSectors(keyBytes);
  if (layout === 'qemu') return end;
  const align = Math.max(1, Math.floor(alignmentBytes / LUKS_SECTOR));
  return Math.ceil(end / align) * align;
}

/** Iteration counts like QEMU's qcrypto_block_luks_create: slot = rate × time, digest = slot / 8, both ≥ 1000. */
export async function calibrateLuksIterations(
  iterTimeMs: number,
  hashSpec: string,
  keyBytes: number,
): Promise<{ keySlot: number; digest: number }> {
  const perSecond = await pbkdf2IterationsPerSecond(hashSpec, keyBytes, Math.min(60, Math.max(15, iterTimeMs)));
  const keySlot = Math.min(0xffffffff, Math.max(LUKS_MIN_ITERATIONS, Math.floor((perSecond * iterTimeMs) / 1000)));
  const digest = Math.min(0xffffffff, Math.max(LUKS_MIN_ITERATIONS, Math.floor((perSecond * iterTimeMs) / 1000 / 8)));
  return { keySlot, digest };
}

function xtsIvMode(cipherMode: string): XtsIvMode {
  if (cipherMode === 'xts-plain64') return 'plain64';
  if (cipherMode === 'xts-plain') return 'plain';
  throw new AppError('LUKS_UNSUPPORTED_CIPHER', `LUKS cipher mode "${cipherMode}" is not supported.`, {
    hint: 'Only aes-xts-plain64 (and aes-xts-plain) volumes can be opened.',
  });
}

/** Encrypts (or decrypts) key material in the volume cipher; sectors count from 0 at the start of the area. */
function transformKeyMaterial(data: Buffer, key: Buffer, cipherMode: string, decrypt: boolean): Buffer {
  const cipher = createXtsCipher(key, xtsIvMode(cipherMode));
  try {
    const padded = Buffer.alloc(Math.ceil(data.length / LUKS_SECTOR) * LUKS_SECTOR);
    data.copy(padded);
    if (decrypt) cipher.decrypt(padded, 0);
    else cipher.encrypt(padded, 0);
    return padded;
  } finally {
    cipher.dispose();
  }
}

/**
 * Calibrates now, while the cores are idle, and returns the header's creation still running: the key slot's
 * PBKDF2 (the whole iter-time) can then overlap other work, such as encrypting the payload. The master key and
 * passphrase must stay intact until `created` settles (it is already observed: await it for its outcome).
 */
export async function startLuks1(options: CreateLuksOptions): Promise<{ created: Promise<CreatedLuks> }> {
  const iterations =
    options.iterations ??
    (await calibrateLuksIterations(options.iterTimeMs, options.hashSpec ?? 'sha256', options.masterKey.length));
  const created = createLuks1({ ...options, iterations });
  created.catch(() => undefined);
  return { created };
}

export async function createLuks1(options: CreateLuksOptions): Promise<CreatedLuks> {
  const { masterKey, passphrase, layout } = options;
  const hashSpec = options.hashSpec ?? 'sha256';
  const keyBytes = masterKey.length;
  if (keyBytes !== 64 && keyBytes !== 32) {
    throw new AppError('LUKS_KEY_SIZE', `A LUKS master key for aes-xts must be 32 or 64 bytes, not ${keyBytes}.`);
  }
  if (passphrase.length === 0) throw new AppError('LUKS_EMPTY_PASSPHRASE', 'The LUKS passphrase is empty.');
  const iterations = options.iterations ?? (await calibrateLuksIterations(options.iterTimeMs, hashSpec, keyBytes));
  const payloadOffsetSectors = luksPayloadOffsetSectors(keyBytes, layout, options.alignmentBytes);
  const slotSectors = keyMaterialSectors(keyBytes);

  const mkDigestSalt = randomBytes(LUKS_SALT_SIZE);
  const mkDigest = await derivePbkdf2(masterKey, mkDigestSalt, iterations.digest, LUKS_DIGEST_SIZE, hashSpec);
  const keySlots: LuksKeySlot[] = [];
  for (let i = 0; i < LUKS_NUM_KEYS; i++) {
    keySlots.push({
      active: i === 0,
      iterations: i === 0 ? iterations.keySlot : 0,
      salt: i === 0 ? randomBytes(LUKS_SALT_SIZE) : Buffer.alloc(LUKS_SALT_SIZE),
      keyMaterialOffsetSectors: KEYSLOT_ALIGN / LUKS_SECTOR + i * slotSectors,
      stripes: LUKS_STRIPES,
    });
  }
  const header: LuksHeader = {
    version: 1,
    cipherName: 'aes',
    cipherMode: 'xts-plain64',
    hashSpec,
    payloadOffsetSectors,
    keyBytes,
    mkDigest,
    mkDigestSalt,
    mkDigestIterations: iterations.digest,
    uuid: options.uuid ?? randomUUID(),
    keySlots,
  };

  const headerArea = Buffer.alloc(payloadOffsetSectors * LUKS_SECTOR);
  if (layout === 'cryptsetup') {
    // cryptsetup wipes every key slot area with random bytes, so unused slots look like used ones.
    const start = KEYSLOT_ALIGN;
    randomFillSync(headerArea, start, LUKS_NUM_KEYS * slotSectors * LUKS_SECTOR);
  }
  encodeLuksHeader(header).copy(headerArea, 0);

  const slot = keySlots[0]!;
  const slotKey = await derivePbkdf2(passphrase, slot.salt, slot.iterations, keyBytes, hashSpec);
  const split = afSplit(masterKey, slot.stripes, hashSpec);
  try {
    const encrypted = transformKeyMaterial(split, slotKey, header.cipherMode, false);
    encrypted.copy(headerArea, slot.keyMaterialOffsetSectors * LUKS_SECTOR);
    encrypted.fill(0);
  } finally {
    slotKey.fill(0);
    split.fill(0);
  }
  return { headerArea, header, payloadOffsetSectors };
}

function writeString(target: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'ascii');
  if (bytes.length >= length) throw new RangeError(`LUKS header field "${value}" is too long`);
  bytes.copy(target, offset);
}

function readString(source: Buffer, offset: number, length: number): string {
  const field = source.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('ascii');
}

export function encodeLuksHeader(header: LuksHeader): Buffer {
  const out = Buffer.alloc(LUKS_PHDR_SIZE);
  LUKS_MAGIC.copy(out, 0);
  out.writeUInt16BE(header.version, 6);
  writeString(out, 8, 32, header.cipherName);
  writeString(out, 40, 32, header.cipherMode);
  writeString(out, 72, 32, header.hashSpec);
  out.writeUInt32BE(header.payloadOffsetSectors, 104);
  out.writeUInt32BE(header.keyBytes, 108);
  header.mkDigest.copy(out, 112, 0, LUKS_DIGEST_SIZE);
  header.mkDigestSalt.copy(out, 132, 0, LUKS_SALT_SIZE);
  out.writeUInt32BE(header.mkDigestIterations, 164);
  writeString(out, 168, 40, header.uuid);
  header.keySlots.forEach((slot, i) => {
    const base = 208 + i * 48;
    out.writeUInt32BE(slot.active ? LUKS_KEY_ENABLED : LUKS_KEY_DISABLED, base);
    out.writeUInt32BE(slot.iterations, base + 4);
    slot.salt.copy(out, base + 8, 0, LUKS_SALT_SIZE);
    out.writeUInt32BE(slot.keyMaterialOffsetSectors, base + 40);
    out.writeUInt32BE(slot.stripes, base + 44);
  });
  return out;
}

export function isLuksHeader(bytes: Buffer): boolean {
  return bytes.length >= LUKS_MAGIC.length && bytes.subarray(0, LUKS_MAGIC.length).equals(LUKS_MAGIC);
}

export function parseLuksHeader(bytes: Buffer): LuksHeader {
  if (bytes.length < LUKS_PHDR_SIZE || !isLuksHeader(bytes)) {
    throw new AppError('LUKS_NOT_LUKS', 'This is not a LUKS volume: the LUKS magic is missing.', {
      hint: 'Check that you picked the sealed image and the right target.',
    });
  }
  const version = bytes.readUInt16BE(6);
  if (version !== 1) {
    throw new AppError('LUKS_UNSUPPORTED_VERSION', `LUKS version ${version} is not supported; only LUKS1 is.`);
  }
  const keySlots: LuksKeySlot[] = [];
  for (let i = 0; i < LUKS_NUM_KEYS; i++) {
    const base = 208 + i * 48;
    const state = bytes.readUInt32BE(base);
    if (state !== LUKS_KEY_ENABLED && state !== LUKS_KEY_DISABLED) {
      throw new AppError('LUKS_CORRUPT_HEADER', `LUKS key slot ${i} has an invalid state; the header is damaged.`);
    }
    keySlots.push({
      active: state === LUKS_KEY_ENABLED,
      iterations: bytes.readUInt32BE(base + 4),
      salt: Buffer.from(bytes.subarray(base + 8, base + 40)),
      keyMaterialOffsetSectors: bytes.readUInt32BE(base + 40),
      stripes: bytes.readUInt32BE(base + 44),
    });
  }
  return {
    version,
    cipherName: readString(bytes, 8, 32),
    cipherMode: readString(bytes, 40, 32),
    hashSpec: readString(bytes, 72, 32),
    payloadOffsetSectors: bytes.readUInt32BE(104),
    keyBytes: bytes.readUInt32BE(108),
    mkDigest: Buffer.from(bytes.subarray(112, 132)),
    mkDigestSalt: Buffer.from(bytes.subarray(132, 164)),
    mkDigestIterations: bytes.readUInt32BE(164),
    uuid: readString(bytes, 168, 40),
    keySlots,
  };
}

const SUPPORTED_HASHES = new Set(['sha1', 'sha256', 'sha512']);

/** Reads `length` bytes at byte `offset` of the LUKS area (offset 0 = the phdr). */
export type LuksAreaReader = (offset: number, length: number) => Promise<Buffer>;

/**
 * Verifies a passphrase against the active key slots and returns the master key (the caller zeroes it).
 * A passphrase no slot accepts → AppError LUKS_WRONG_PASSPHRASE.
 */
export async function openLuks1(read: LuksAreaReader, passphrase: Buffer): Promise<{ header: LuksHeader; masterKey: Buffer }> {
  const header = parseLuksHeader(await read(0, LUKS_PHDR_SIZE));
  if (header.cipherName !== 'aes') {
    throw new AppError('LUKS_UNSUPPORTED_CIPHER', `LUKS cipher "${header.cipherName}" is not supported; only aes is.`);
  }
  xtsIvMode(header.cipherMode);
  if (!SUPPORTED_HASHES.has(header.hashSpec)) {
    throw new AppError('LUKS_UNSUPPORTED_CIPHER', `LUKS hash "${header.hashSpec}" is not supported.`);
  }
  if (header.keyBytes !== 32 && header.keyBytes !== 64) {
    throw new AppError('LUKS_CORRUPT_HEADER', `LUKS key size ${header.keyBytes} bytes is not valid for aes-xts.`);
  }
  for (const slot of header.keySlots) {
    if (!slot.active) continue;
    if (slot.stripes < 1 || slot.stripes > 100_000 || slot.iterations < 1) {
      throw new AppError('LUKS_CORRUPT_HEADER', 'A LUKS key slot has impossible parameters; the header is damaged.');
    }
    const materialLength = header.keyBytes * slot.stripes;
    const material = await read(slot.keyMaterialOffsetSectors * LUKS_SECTOR, Math.ceil(materialLength / LUKS_SECTOR) * LUKS_SECTOR);
    const slotKey = await derivePbkdf2(passphrase, slot.salt, slot.iterations, header.keyBytes, header.hashSpec);
    let split: Buffer | undefined;
    let candidate: Buffer | undefined;
    try {
      split = transformKeyMaterial(material, slotKey, header.cipherMode, true);
      candidate = afMerge(split, header.keyBytes, slot.stripes, header.hashSpec);
      const digest = await derivePbkdf2(candidate, header.mkDigestSalt, header.mkDigestIterations, LUKS_DIGEST_SIZE, header.hashSpec);
      if (timingSafeEqual(digest, header.mkDigest)) {
        const masterKey = candidate;
        candidate = undefined;
        return { header, masterKey };
      }
    } catch (error) {
      // Key material decrypted with the wrong key may be an XTS key with equal halves; that is a mismatch too.
      if (!(error instanceof AppError && error.code === 'XTS_KEY_WEAK')) throw error;
    } finally {
      slotKey.fill(0);
      split?.fill(0);
      candidate?.fill(0);
      material.fill(0);
    }
  }
  throw new AppError('LUKS_WRONG_PASSPHRASE', 'The passphrase does not open any key slot of this LUKS volume.', {
    hint: 'Check that the DEK (or DEK file) is the one this image was sealed with, and the target matches.',
  });
}
