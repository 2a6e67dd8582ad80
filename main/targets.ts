/**
 * The targets table of DESIGN.md, in one place: file format, encryption, DEK size, the secret handed to the
 * encryptor and the plaintext handed to Key Protect's wrap. Getting these encodings wrong makes an image
 * that imports as `encrypted_data_key_invalid`, so nothing else in the code may re-derive them.
 */
import { TARGET_IDS, type TargetId } from './target-ids';

export { TARGET_IDS, type TargetId };

export interface TargetSpec {
  id: TargetId;
  /** the file format written */
  format: 'qcow2-luks' | 'vhd-crypt' | 'luks-raw';
  /** output file name from a base name */
  outputName: (base: string) => string;
  /** DEK sizes in bytes this target accepts; the first is the default */
  dekSizes: readonly number[];
  /** the secret the encryptor (LUKS passphrase or raw XTS key) gets, from the DEK */
  encryptorSecret: (dek: Buffer) => Buffer;
  /** what is sent as Key Protect's `plaintext` (base64 text) when wrapping */
  wrapPlaintext: (dek: Buffer) => string;
  /** inverse of wrapPlaintext: the DEK from what unwrap returns (base64 text) */
  dekFromUnwrapped: (plaintextBase64: string) => Buffer;
  /** maximum virtual size accepted by the import service, bytes */
  maxVirtualSize: number;
  /** minimum virtual size (smaller is rounded up by the service) */
  minVirtualSize: number;
  importApi: 'vpc-images' | 'softlayer-createFromIcos';
}

const GB = 1000 ** 3;

/** P = base64(DEK): 44 ASCII characters for 32 bytes, no newline. */
export function passphraseFromDek(dek: Buffer): Buffer {
  return Buffer.from(dek.toString('base64'), 'ascii');
}

export const TARGETS: Record<TargetId, TargetSpec> = {
  vpc: {
    id: 'vpc',
    format: 'qcow2-luks',
    outputName: (base) => `${base}.qcow2`,
    dekSizes: [32],
    encryptorSecret: passphraseFromDek,
    // The VPC service unwraps to the passphrase itself, so Key Protect must hold base64(P).
    wrapPlaintext: (dek) => passphraseFromDek(dek).toString('base64'),
    dekFromUnwrapped: (plaintext) => Buffer.from(Buffer.from(plaintext, 'base64').toString('ascii'), 'base64'),
    maxVirtualSize: 250 * GB,
    minVirtualSize: 10 * GB,
    importApi: 'vpc-images',
  },
  'classic-vhd': {
    id: 'classic-vhd',
    format: 'vhd-crypt',
    outputName: (base) => `${base}.vhd-0.vhd`,
    dekSizes: [64, 32],
    encryptorSecret: (dek) => Buffer.from(dek),
    wrapPlaintext: (dek) => dek.toString('base64'),
    dekFromUnwrapped: (plaintext) => Buffer.from(plaintext, 'base64'),
    maxVirtualSize: 100 * GB,
    minVirtualSize: 0,
    importApi: 'softlayer-createFromIcos',
  },
  'classic-luks': {
    id: 'classic-luks',
    format: 'luks-raw',
    outputName: (base) => `${base}.raw`,
    dekSizes: [32],
    encryptorSecret: passphraseFromDek,
    wrapPlaintext: (dek) => dek.toString('base64'),
    dekFromUnwrapped: (plaintext) => Buffer.from(plaintext, 'base64'),
    maxVirtualSize: 100 * GB,
    minVirtualSize: 0,
    importApi: 'softlayer-createFromIcos',
  },
};

export function targetSpec(id: TargetId): TargetSpec {
  return TARGETS[id];
}

/** The secret the import service derives from Key Protect's unwrap result (base64 text), per target. */
export function importSecretFromUnwrapped(id: TargetId, plaintextBase64: string): Buffer {
  const spec = TARGETS[id];
  return spec.encryptorSecret(spec.dekFromUnwrapped(plaintextBase64));
}
