import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AppContext } from '../../app/context';
import { AppError } from '../../common/errors';
import { generateDek, keyFingerprint, loadDekFile } from '../../crypto/dek';
import type { XtsPool } from '../../crypto/worker-pool';
import { manifestPathFor, sealImage, type SealResult } from '../../seal/seal';
import { getDekCustody } from '../../secrets/custody';
import { custodyEntryName, type DekCustody } from '../../secrets/dek-custody';
import { targetSpec } from '../../targets';
import type { Job, SealRecord } from '../job';
import type { StepRunner } from './step';

export interface SealStepDeps {
  custody?: (app: AppContext) => DekCustody;
  /** shared XTS workers (e.g. the desktop app's); default: one pool per seal */
  pool?: XtsPool;
}

/** The job's output file: chosen at creation, else `<data dir>/images/<job id>/<name>` with the target's extension. */
export function sealOutputPath(app: AppContext, job: Job): string {
  if (job.options.outputPath) return job.options.outputPath;
  const base = job.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'image';
  return join(app.paths.images, job.id, targetSpec(job.target).outputName(base));
}

/**
 * The seal step: takes the DEK (generated, or the officer's --dek-file), puts it into custody before any work,
 * seals and verifies the source, and records digests, cipher and the custody entry's name — never the DEK.
 * After a crash it cleans what the interrupted run left in the job's own folder and seals again, or adopts an
 * output whose manifest names the DEK in custody.
 */
export function createSealStep(deps: SealStepDeps = {}): StepRunner {
  return async (context) => {
    const { app, job, signal } = context;
    if (!job.source) {
      throw new AppError('JOB_NOT_READY', `Job ${job.id} has no source image.`, { hint: 'Create the job with a source image.' });
    }
    const custody = (deps.custody ?? getDekCustody)(app);
    const outputPath = sealOutputPath(app, job);
    const ownFolder = !job.options.outputPath;
    const dekSource: SealRecord['dekSource'] = job.options.dekFile ? 'file' : 'generated';

    const adopted = await adoptFinishedOutput(job, outputPath, custody, dekSource);
    if (adopted) {
      await context.audit('seal-adopted', { outputPath, keyFingerprint: adopted.keyFingerprint });
      return { seal: adopted };
    }
    await removeLeftovers(outputPath, ownFolder);

    const dek = job.options.dekFile ? await loadDekFile(job.options.dekFile, job.target) : generateDek(job.target, job.options.keyBits);
    let sealed = false;
    try {
      await custody.put(job.id, dek);
      await context.audit('dek-in-custody', { custody: custody.kind, entry: custodyEntryName(job.id), keyFingerprint: keyFingerprint(dek), dekSource });
      await context.audit('seal-started', { engine: job.options.engine, target: job.target, outputPath });
      const result: SealResult = await sealImage({
        sourcePath: job.source.path,
        target: job.target,
        outPath: outputPath,
        dek,
        engine: job.options.engine,
        iterTimeMs: job.options.iterTimeMs,
        verify: job.options.verify,
        signal,
        onProgress: context.progress,
        tmpDir: app.paths.tmp,
        pool: deps.pool,
        expected: job.source.mtimeMs === undefined ? undefined : { fileSize: job.source.fileSize, mtimeMs: job.source.mtimeMs },
      });
      sealed = true;
      await context.audit('sealed', {
        outputSha256: result.outputSha256,
        contentSha256: result.contentSha256,
        keyFingerprint: result.keyFingerprint,
        cipher: result.cipher,
        verified: result.verified,
        durationMs: result.durationMs,
      });
      return {
        seal: {
          outputPath: result.outputPath,
          manifestPath: result.manifestPath,
          engine: result.engine,
          format: result.format,
          cipher: result.cipher,
          outputSize: result.outputSize,
          outputSha256: result.outputSha256,
          contentSha256: result.contentSha256,
          keyFingerprint: result.keyFingerprint,
          dekSize: result.dekSize,
          dekSource,
          verified: result.verified,
          durationMs: result.durationMs,
          dekCustody: custodyEntryName(job.id),
        },
      };
    } finally {
      dek.fill(0);
      // A DEK that sealed nothing must not linger in the keychain.
      if (!sealed) await custody.delete(job.id).catch(() => undefined);
    }
  };
}

export const sealStep: StepRunner = createSealStep();

interface ManifestFields {
  target?: string;
  engine?: 'native' | 'qemu';
  format?: string;
  cipher?: string;
  keyFingerprint?: string;
  dekSize?: number;
  contentSha256?: string;
  verified?: boolean;
  durationMs?: number;
  output?: { size?: number; sha256?: string };
}

/** A crash after the rename but before the job record was saved: the output and its manifest are complete. */
async function adoptFinishedOutput(
  job: Job,
  outputPath: string,
  custody: DekCustody,
  dekSource: SealRecord['dekSource'],
): Promise<SealRecord | null> {
  let manifest: ManifestFields;
  try {
    manifest = JSON.parse(await readFile(manifestPathFor(outputPath), 'utf8')) as ManifestFields;
    await stat(outputPath);
  } catch {
    return null;
  }
  const dek = await custody.get(job.id);
  if (!dek) return null;
  try {
    if (manifest.target !== job.target || manifest.keyFingerprint !== keyFingerprint(dek)) return null;
    if (!manifest.output?.sha256 || manifest.output.size === undefined || !manifest.contentSha256) return null;
    const { size } = await stat(outputPath);
    if (size !== manifest.output.size) return null;
    return {
      outputPath,
      manifestPath: manifestPathFor(outputPath),
      engine: manifest.engine ?? job.options.engine,
      format: manifest.format ?? targetSpec(job.target).format,
      cipher: manifest.cipher ?? '',
      outputSize: size,
      outputSha256: manifest.output.sha256,
      contentSha256: manifest.contentSha256,
      keyFingerprint: manifest.keyFingerprint,
      dekSize: manifest.dekSize ?? dek.length,
      dekSource,
      verified: manifest.verified ?? false,
      durationMs: manifest.durationMs,
      dekCustody: custodyEntryName(job.id),
    };
  } finally {
    dek.fill(0);
  }
}

/** Temporary siblings of an interrupted run; in the job's own folder also a stale output and manifest. */
async function removeLeftovers(outputPath: string, ownFolder: boolean): Promise<void> {
  const dir = dirname(outputPath);
  const name = basename(outputPath);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  const partial = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-f]{12}\\.partial$`);
  for (const entry of entries) {
    if (partial.test(entry)) await rm(join(dir, entry), { force: true });
  }
  if (ownFolder) {
    await rm(outputPath, { force: true });
    await rm(manifestPathFor(outputPath), { force: true });
  }
}
