import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from '../common/errors';
import { toolAvailable } from '../common/tools';
import { alreadyEncryptedImage, backingFileImage, unsupportedImage } from './image-errors';

/** What `qemu-img info --output=json` says about formats the native readers do not parse. */
export interface QemuImageInfo {
  format: string;
  virtualSize: number;
  actualSize: number | undefined;
  dirty: boolean;
}

const infoSchema = z.object({
  format: z.string(),
  'virtual-size': z.number().int().nonnegative(),
  'actual-size': z.number().int().nonnegative().optional(),
  'dirty-flag': z.boolean().optional(),
  encrypted: z.boolean().optional(),
  'backing-filename': z.string().optional(),
  'full-backing-filename': z.string().optional(),
});

const INFO_TIMEOUT_MS = 30_000;

export async function qemuImageInfo(path: string, detectedName: string): Promise<QemuImageInfo> {
  if (!(await toolAvailable('qemu-img'))) {
    throw unsupportedImage(
      path,
      `This is a ${detectedName} image. Image Sealer reads raw, qcow2 and VHD images itself; other formats need qemu-img, which is not installed.`,
      'Install qemu-img (package qemu-utils on Debian/Ubuntu, qemu-img on Fedora, `brew install qemu` on macOS), or convert the image to qcow2 elsewhere.',
      { detected: detectedName },
    );
  }
  // An absolute path starts with "/", so qemu-img never reads it as a protocol ("json:", "nbd:", ...).
  const absolute = resolve(path);
  const stdout = await new Promise<string>((done, fail) => {
    execFile(
      'qemu-img',
      ['info', '--output=json', '-U', absolute],
      { timeout: INFO_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (error, out, stderr) => {
        if (error) {
          const reason = stderr.trim().split('\n').pop() ?? error.message;
          fail(
            new AppError('IMAGE_CORRUPT', `qemu-img could not read this ${detectedName} image: ${reason}`, {
              hint: 'Check the image with `qemu-img check`, or export it again from its source.',
              details: { path, detected: detectedName },
              cause: error,
            }),
          );
        } else done(out);
      },
    );
  });
  let parsed: z.infer<typeof infoSchema>;
  try {
    parsed = infoSchema.parse(JSON.parse(stdout));
  } catch (error) {
    throw new AppError(
      'IMAGE_UNSUPPORTED_FORMAT',
      `qemu-img described this ${detectedName} image in a way Image Sealer does not understand.`,
      {
        hint: 'Convert the image to qcow2 with qemu-img and choose the converted file.',
        details: { path },
        cause: error,
      },
    );
  }
  if (parsed.encrypted) throw alreadyEncryptedImage(path, parsed.format, 'qemu-img reports it as encrypted');
  const backing = parsed['full-backing-filename'] ?? parsed['backing-filename'];
  if (backing !== undefined) throw backingFileImage(path, parsed.format, backing);
  return {
    format: parsed.format,
    virtualSize: parsed['virtual-size'],
    actualSize: parsed['actual-size'],
    dirty: parsed['dirty-flag'] ?? false,
  };
}
