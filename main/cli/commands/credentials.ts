import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { isSandboxProfile } from '../../profiles/profile';
import { profileStore, resolveProfile } from '../../profiles/resolve';
import { CredentialStore, type CredentialKind } from '../../secrets/credentials';
import type { CliRuntime } from '../runtime';
import { usageError } from '../runtime';

/**
 * Secrets come from a hidden prompt (a terminal) or from stdin (a pipe), never from arguments, which other
 * users can read in the process list and which land in shell history.
 */
async function readSecretLine(prompt: string, signal: AbortSignal): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return readAllStdin();
  process.stderr.write(prompt);
  return new Promise<string>((resolve, reject) => {
    let value = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      signal.removeEventListener('abort', onAbort);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onAbort = () => finish(new AppError('INTERRUPTED', 'Cancelled; nothing was stored.'));
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new AppError('INTERRUPTED', 'Cancelled; nothing was stored.'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    input.on('data', onData);
  });
}

let stdinLines: string[] | null = null;
async function readAllStdin(): Promise<string> {
  if (stdinLines === null) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    stdinLines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  }
  return stdinLines.shift() ?? '';
}

function refuseSandbox(profile: string): void {
  if (isSandboxProfile(profile)) {
    throw new AppError('SANDBOX_NEEDS_NO_CREDENTIALS', 'The sandbox profile needs no credentials: its API key is known and not secret.', {
      hint: 'Add a profile for your IBM Cloud account with "image-sealer profiles add NAME --region REGION".',
    });
  }
}

export function registerCredentialCommands(program: Command, cli: CliRuntime): void {
  const credentials = program
    .command('credentials')
    .description('a profile\u2019s IBM Cloud API key and COS HMAC keys, kept in the OS keychain');

  credentials
    .command('set')
    .requiredOption('--profile <name>', 'account profile')
    .option('--hmac', 'store COS HMAC keys (access key id, then secret) instead of the API key')
    .description('store a credential: typed at a hidden prompt, or piped on stdin (never an argument)')
    .action(
      cli.action(async ({ runtime, output, signal }, flags: { profile: string; hmac?: boolean }) => {
        refuseSandbox(flags.profile);
        await profileStore(await runtime.app()).get(flags.profile);
        const store = new CredentialStore();
        if (flags.hmac) {
          const accessKeyId = (await readSecretLine('COS HMAC access key id: ', signal)).trim();
          const secretAccessKey = (await readSecretLine('COS HMAC secret access key: ', signal)).trim();
          await store.setHmac(flags.profile, { accessKeyId, secretAccessKey });
          output.result({ profile: flags.profile, kind: 'hmac', stored: true }, `COS HMAC keys of profile "${flags.profile}" stored in the OS keychain.`);
          return;
        }
        const apiKey = await readSecretLine('IBM Cloud API key: ', signal);
        if (apiKey.trim() === '') throw usageError('No API key was given (type it at the prompt or pipe it on stdin).');
        await store.setApiKey(flags.profile, apiKey);
        output.result(
          { profile: flags.profile, kind: 'apikey', stored: true },
          `API key of profile "${flags.profile}" stored in the OS keychain. Check it with "image-sealer credentials test --profile ${flags.profile}".`,
        );
      }),
    );

  credentials
    .command('test')
    .requiredOption('--profile <name>', 'account profile')
    .description('sign in: exchange the stored API key for an IAM token')
    .action(
      cli.action(async ({ runtime, output, signal }, flags: { profile: string }) => {
        const resolved = await resolveProfile(await runtime.app(), flags.profile);
        const info = await (await resolved.iam()).test(signal);
        output.result(
          { profile: flags.profile, ok: true, ...info },
          `Signed in to IBM Cloud IAM (${resolved.profile.iamEndpoint}) with profile "${flags.profile}"${info.accountId ? `, account ${info.accountId}` : ''}; token valid until ${info.expiresAt ?? 'unknown'}.`,
        );
      }),
    );

  credentials
    .command('delete')
    .requiredOption('--profile <name>', 'account profile')
    .option('--apikey', 'only the API key')
    .option('--hmac', 'only the COS HMAC keys')
    .description('delete the profile\u2019s credentials from the keychain')
    .action(
      cli.action(async ({ output }, flags: { profile: string; apikey?: boolean; hmac?: boolean }) => {
        refuseSandbox(flags.profile);
        const kinds: CredentialKind[] = flags.apikey || flags.hmac ? [...(flags.apikey ? ['apikey' as const] : []), ...(flags.hmac ? ['hmac' as const] : [])] : ['apikey', 'hmac'];
        const removed = await new CredentialStore().delete(flags.profile, kinds);
        const what = kinds.filter((kind) => removed[kind]).map((kind) => (kind === 'apikey' ? 'API key' : 'COS HMAC keys'));
        output.result(
          { profile: flags.profile, removed },
          what.length > 0 ? `Deleted from the keychain: ${what.join(', ')} of profile "${flags.profile}".` : `The keychain held no such credentials for "${flags.profile}".`,
        );
      }),
    );

  credentials
    .command('status')
    .requiredOption('--profile <name>', 'account profile')
    .description('whether credentials are stored (never shows them)')
    .action(
      cli.action(async ({ output }, flags: { profile: string }) => {
        if (isSandboxProfile(flags.profile)) {
          output.result({ profile: flags.profile, apikey: true, hmac: true, sandbox: true }, 'The sandbox needs no stored credentials.');
          return;
        }
        const status = await new CredentialStore().status(flags.profile);
        output.result(
          { profile: flags.profile, ...status },
          `API key: ${status.apikey ? 'stored' : 'not stored'}; COS HMAC keys: ${status.hmac ? 'stored' : 'not stored'}.`,
        );
      }),
    );
}
