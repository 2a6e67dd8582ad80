import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { AppError } from '../common/errors';

/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux: gnome-keyring or
 * KWallet) through @napi-rs/keyring. Secrets go there or nowhere: when no keychain is usable this refuses with
 * KEYCHAIN_UNAVAILABLE and never falls back to a file.
 */
export const KEYCHAIN_SERVICE = 'image-sealer';

/** A keychain call waiting longer than this is stuck (typically an unlock prompt nobody can answer). */
const KEYCHAIN_TIMEOUT_MS = 20_000;

export interface Keychain {
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** true when an entry was deleted, false when there was none */
  delete(account: string): Promise<boolean>;
}

// On Linux the library would otherwise fall back to the kernel keyring (keyutils), which forgets everything
// at logout or reboot: a DEK waiting there for a wrap "days later" would be lost. Require the Secret Service.
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

/** The library's low-level reasons, in words a person can act on. */
export function describeKeychainFailure(reason: string): string {
  if (/Failed to connect to socket|DBUS_SESSION_BUS_ADDRESS|autolaunch|No such file or directory/i.test(reason)) {
    return 'no D-Bus session bus can be reached';
  }
  if (/org\.freedesktop\.secrets was not provided|ServiceUnknown|not provided by any/i.test(reason)) {
    return 'no Secret Service (gnome-keyring or KWallet) is running';
  }
  if (/no result found|locked|prompt|dismissed/i.test(reason)) {
    return 'the keyring is locked or has no default collection';
  }
  return reason;
}

export function keychainUnavailable(cause: unknown): AppError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AppError(
    'KEYCHAIN_UNAVAILABLE',
    `The OS keychain is not available: ${describeKeychainFailure(reason)}. Image Sealer keeps API keys and data encryption keys only in the OS keychain and will not store them in files.`,
    { hint: keychainHint(), cause, details: { reason } },
  );
}

export function keychainHint(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'Unlock your login keychain (Keychain Access) and try again.';
    case 'win32':
      return 'Windows Credential Manager must be available to your user account; sign in interactively and try again.';
    default:
      return [
        'Linux needs a Secret Service: install and unlock gnome-keyring (apt install gnome-keyring) or KWallet, and run Image Sealer in a desktop session (DBUS_SESSION_BUS_ADDRESS must point at your session bus).',
        'Headless: dbus-run-session -- sh -c \'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec image-sealer …\'.',
      ].join(' ');
  }
}

function isAmbiguous(error: unknown): boolean {
  return error instanceof Error && /ambiguous/i.test(error.message);
}

export class OsKeychain implements Keychain {
  constructor(readonly service: string = KEYCHAIN_SERVICE) {}

  async get(account: string): Promise<string | null> {
    return this.run(account, (entry, signal) => entry.getPassword(signal));
  }

  async set(account: string, value: string): Promise<void> {
    await this.run(account, (entry, signal) => entry.setPassword(value, signal));
  }

  async delete(account: string): Promise<boolean> {
    return this.run(account, (entry, signal) => entry.deleteCredential(signal));
  }

  private async run<T>(account: string, work: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS);
    try {
      // The constructor already talks to D-Bus on Linux and throws when there is no session bus.
      const entry = new AsyncEntry(this.service, account, ENTRY_OPTIONS);
      return await work(entry, signal);
    } catch (error) {
      if (signal.aborted) {
        throw keychainUnavailable(new Error('the keychain did not answer; it may be locked and waiting for an unlock prompt'));
      }
      if (isAmbiguous(error)) {
        throw new AppError('KEYCHAIN_AMBIGUOUS', `The keychain holds more than one entry "${account}" for ${this.service}.`, {
          hint: 'Remove the duplicates with your keychain manager (e.g. Seahorse) and try again.',
          cause: error,
        });
      }
      throw keychainUnavailable(error);
    }
  }
}

/** Whether the keychain can store, read and delete right now (a round trip on a probe entry). */
export async function probeKeychain(keychain: Keychain = new OsKeychain()): Promise<{ available: boolean; reason?: string }> {
  const account = `probe:${process.pid}`;
  try {
    await keychain.set(account, 'probe');
    const back = await keychain.get(account);
    await keychain.delete(account);
    return back === 'probe' ? { available: true } : { available: false, reason: 'the keychain did not return what was stored' };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
