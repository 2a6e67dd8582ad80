import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The reference images made with the real vhd-util live beside the repository: ../shared/vectors/vhd-util. */
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const VECTORS_DIR = resolve(repoRoot, '..', 'shared', 'vectors', 'vhd-util');
export const vectorsPresent = existsSync(resolve(VECTORS_DIR, 'enc256.vhd'));

export function vectorPath(name: string): string {
  return resolve(VECTORS_DIR, name);
}

export function readVector(name: string): Buffer {
  return readFileSync(vectorPath(name));
}

export const KEY256_FILE = 'enc256,aes-xts-plain,256.key';
export const KEY512_FILE = 'enc512,aes-xts-plain,512.key';

/** `vhd-util key -p` output for the vectors' keys, from VHD-CRYPT.md. */
export const KEY_HASH_256 = 'b6308b3c990741b3f8e27dc3d1cf202de58802867dbe0d8b2d54b88eea98533d';
export const KEY_HASH_512 = '90b92b4b3a487bc6d5849046745a85bebfde675b619efcd3ed8afda4ec9a12e5';
