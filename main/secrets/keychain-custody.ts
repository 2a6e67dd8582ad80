import { AppError } from '../common/errors';
import { custodyEntryName, type DekCustody } from './dek-custody';
import { OsKeychain, type Keychain } from './keychain';

/**
 * The DEK waits in the OS keychain (entry `dek:<jobId>`, value base64 of the DEK) from sealing until a verified
 * wrap, so a job sealed offline can be wrapped after a restart. The base64 text passes through JS strings,
 * which cannot be zeroed; the Buffers this hands out can, and callers do.
 */
export class KeychainDekCustody implements DekCustody {
  readonly kind = 'keychain' as const;

  constructor(private readonly keychain: Keychain = new OsKeychain()) {}

  async put(jobId: string, dek: Buffer): Promise<void> {
    const name = custodyEntryName(jobId);
    await this.keychain.set(name, dek.toString('base64'));
    // A DEK that did not really land in the keychain would make the sealed image useless: read it back.
    const back = await this.get(jobId);
    const same = back !== null && back.equals(dek);
    back?.fill(0);
    if (!same) {
      throw new AppError('KEYCHAIN_WRITE_FAILED', `The keychain did not keep the data encryption key of job ${jobId}.`, {
        hint: 'Check that the keychain is unlocked and has space, then seal again.',
      });
    }
  }

  async get(jobId: string): Promise<Buffer | null> {
    const value = await this.keychain.get(custodyEntryName(jobId));
    return value === null ? null : Buffer.from(value, 'base64');
  }

  async delete(jobId: string): Promise<void> {
    await this.keychain.delete(custodyEntryName(jobId));
  }
}
