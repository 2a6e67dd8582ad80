/**
 * Every failure a person can meet carries a stable code (for scripts, the CLI's `--json` error line and the
 * UI's message table) and a sentence that says what happened and what to do. Nothing below the API layer
 * throws a bare Error at a person.
 */
export class AppError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export interface ErrorShape {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** Turns anything thrown into the shape that crosses the API boundary, without stack traces. */
export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof AppError) {
    const shape: ErrorShape = { code: error.code, message: error.message };
    if (error.hint !== undefined) shape.hint = error.hint;
    if (error.details !== undefined) shape.details = error.details;
    return shape;
  }
  const errno = error as NodeJS.ErrnoException | undefined;
  if (errno && typeof errno.code === 'string' && typeof errno.message === 'string') {
    return { code: `SYSTEM_${errno.code}`, message: systemMessage(errno) };
  }
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}

function systemMessage(error: NodeJS.ErrnoException): string {
  const where = error.path ? ` (${error.path})` : '';
  switch (error.code) {
    case 'ENOSPC':
      return `The disk is full${where}. Free some space and resume the job; nothing was lost.`;
    case 'ENOENT':
      return `File or folder not found${where}.`;
    case 'EACCES':
    case 'EPERM':
      return `Permission denied${where}. Check the file's permissions.`;
    case 'EISDIR':
      return `Expected a file but found a folder${where}.`;
    case 'ECONNREFUSED':
      return 'The service refused the connection. Check the endpoint and that the service is running.';
    case 'ECONNRESET':
      return 'The connection was reset by the other side. The step can be resumed.';
    case 'ETIMEDOUT':
      return 'The request timed out. Check the network and resume.';
    default:
      return error.message;
  }
}

export function isAppError(error: unknown, code?: string): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
