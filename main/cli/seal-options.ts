import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadDekFile } from '../crypto/dek';
import type { JobOptions } from '../jobs/job';
import { TARGET_IDS, type TargetId } from '../targets';
import { parsePositiveInt, usageError } from './runtime';

/** The sealing options `seal` and `run` share, declared and parsed in one place. */
export interface SealFlags {
  target: string;
  out?: string;
  dekFile?: string;
  engine?: string;
  iterTime?: string;
  keyBits?: string;
  verify: boolean;
}

export function addSealOptions(command: Command): Command {
  return command
    .requiredOption('--target <target>', `where the image goes: ${TARGET_IDS.join(' | ')}`, 'vpc')
    .option('--out <file>', 'where to write the sealed image (default: in the data directory, per job)')
    .option('--dek-file <file>', 'bring your own data encryption key (raw bytes or base64 text)')
    .option('--engine <engine>', 'sealing engine: native or qemu', 'native')
    .option('--iter-time <ms>', 'PBKDF2 time per LUKS key slot in ms (default 2000)')
    .option('--key-bits <bits>', 'classic-vhd key size: 256 or 512 (default 512)')
    .option('--no-verify', 'skip decrypting the output again to check it (not recommended)');
}

export function parseTarget(value: string): TargetId {
  if (!(TARGET_IDS as readonly string[]).includes(value)) {
    throw usageError(`--target must be one of ${TARGET_IDS.join(', ')}, not "${value}".`);
  }
  return value as TargetId;
}

export function parseEngine(value: string | undefined): 'native' | 'qemu' {
  if (value === undefined || value === 'native') return 'native';
  if (value === 'qemu') return 'qemu';
  throw usageError(`--engine must be native or qemu, not "${value}".`);
}

export function parseKeyBits(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value !== '256' && value !== '512') throw usageError(`--key-bits must be 256 or 512, not "${value}".`);
  return Number(value);
}

/** The job options of the seal step; a bad key file is refused now, before a job exists for it. */
export async function sealOptionsFromFlags(flags: SealFlags): Promise<{ target: TargetId; options: Partial<JobOptions> }> {
  const target = parseTarget(flags.target);
  const options: Partial<JobOptions> = {
    engine: parseEngine(flags.engine),
    keyBits: parseKeyBits(flags.keyBits),
    dekFile: flags.dekFile ? resolve(flags.dekFile) : undefined,
    outputPath: flags.out ? resolve(flags.out) : undefined,
    iterTimeMs: parsePositiveInt('--iter-time', flags.iterTime),
    verify: flags.verify,
  };
  if (options.dekFile) (await loadDekFile(options.dekFile, target)).fill(0);
  return { target, options };
}
