import { AppError } from '../common/errors';
import type { ImageFile } from './image-file';
import type { Extent } from './types';

/** Joins adjacent ranges of the same kind so extents() yields as few ranges as the layout allows. */
export class ExtentMerger {
  private pending: Extent | undefined;

  add(offset: number, length: number, allocated: boolean): Extent[] {
    if (length <= 0) return [];
    const pending = this.pending;
    if (pending && pending.allocated === allocated && pending.offset + pending.length === offset) {
      pending.length += length;
      return [];
    }
    this.pending = { offset, length, allocated };
    return pending ? [pending] : [];
  }

  finish(): Extent[] {
    const pending = this.pending;
    this.pending = undefined;
    return pending ? [pending] : [];
  }
}

/** Validates a read request; returns how many bytes it covers once clipped at the virtual size. */
export function checkReadRange(offset: number, length: number, virtualSize: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > virtualSize || (offset === virtualSize && length > 0)) {
    throw new AppError(
      'IMAGE_READ_OUT_OF_RANGE',
      `Read at offset ${offset} is outside the virtual disk (${virtualSize} bytes).`,
      {
        details: { offset, virtualSize },
      },
    );
  }
  return Math.min(length, virtualSize - offset);
}

/** Closes the file, first checking it was not modified while it was read (IMAGE_CHANGED). */
export async function closeChecked(file: ImageFile): Promise<void> {
  try {
    await file.assertUnchanged();
  } finally {
    await file.close();
  }
}
