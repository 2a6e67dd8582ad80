import type { AppContext } from '../app/context';
import { MemoryDekCustody, type DekCustody } from './dek-custody';
import { KeychainDekCustody } from './keychain-custody';

/**
 * The DEK custody every step uses. Always the OS keychain, except when IMAGE_SEALER_DEK_CUSTODY=memory is set
 * for unit tests: memory custody dies with the process, so a job sealed under it can never be wrapped after a
 * restart. There is no file-based custody, on purpose.
 */
const memoryByDataDir = new Map<string, MemoryDekCustody>();
let keychainCustody: KeychainDekCustody | undefined;

export function getDekCustody(app: Pick<AppContext, 'dataDir'>, env: NodeJS.ProcessEnv = process.env): DekCustody {
  if (env.IMAGE_SEALER_DEK_CUSTODY === 'memory') {
    let memory = memoryByDataDir.get(app.dataDir);
    if (!memory) {
      memory = new MemoryDekCustody();
      memoryByDataDir.set(app.dataDir, memory);
    }
    return memory;
  }
  keychainCustody ??= new KeychainDekCustody();
  return keychainCustody;
}
