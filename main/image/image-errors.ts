import { AppError } from '../common/errors';

/** The errors a damaged or unusable source image produces; one wording per kind so the UI reads the same. */

export function corruptImage(
  path: string,
  format: string,
  what: string,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError('IMAGE_CORRUPT', `The ${format} image is damaged: ${what}.`, {
    hint: 'Check the image with `qemu-img check`, or export it again from its source.',
    details: { path, format, ...details },
  });
}

export function truncatedImage(
  path: string,
  format: string,
  what: string,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError('IMAGE_TRUNCATED', `The ${format} image is incomplete: ${what}.`, {
    hint: 'The copy or download was probably cut short; get the image again and compare its size.',
    details: { path, format, ...details },
  });
}

export function unsupportedImage(
  path: string,
  what: string,
  hint: string,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError('IMAGE_UNSUPPORTED_FORMAT', what, { hint, details: { path, ...details } });
}

export function backingFileImage(path: string, format: string, backing: string | undefined): AppError {
  const name = backing ? ` (${backing})` : '';
  return new AppError(
    'IMAGE_BACKING_FILE',
    `The ${format} image depends on a backing file${name}: on its own it is only a set of differences and cannot be sealed.`,
    {
      hint: 'Flatten it first, for example `qemu-img convert -O qcow2 image.qcow2 flat.qcow2`, and choose the flat file.',
      details: { path, format, backing },
    },
  );
}

export function alreadyEncryptedImage(path: string, format: string, how: string): AppError {
  return new AppError(
    'IMAGE_ALREADY_ENCRYPTED',
    `The ${format} image is already encrypted (${how}). Image Sealer needs the unencrypted image to seal it with your key.`,
    {
      hint: 'Choose the original, unencrypted image. A sealed image cannot be sealed again.',
      details: { path, format, how },
    },
  );
}
