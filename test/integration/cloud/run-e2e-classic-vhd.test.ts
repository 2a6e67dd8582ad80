import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../../main/common/tools';
import { OsKeychain, probeKeychain } from '../../../main/secrets/keychain';
import { makeTempDir } from '../../helpers/temp-dir';
import { runAndVerify } from './run-e2e';

// The seal step keeps the DEK in the OS keychain until it is wrapped: CI runs this inside a keyring session.
const required = process.env.IMAGE_SEALER_REQUIRE_KEYRING === '1';
const keychain = await probeKeychain(new OsKeychain());
const hasQemu = await toolAvailable('qemu-img');

describe('image-sealer run on the sandbox, target classic-vhd', () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    work = await makeTempDir('run-e2e-classic-vhd-');
  });
  afterAll(async () => {
    await work?.cleanup();
  });

  it('has a keychain when CI says it must', () => {
    if (required) expect(keychain).toEqual({ available: true });
  });

  it.skipIf(!keychain.available || !hasQemu)(
    'turns a generated disk into an available image that other tools decrypt to the source',
    async () => {
      await runAndVerify('classic-vhd', work.dir);
    },
  );
});
