import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  path: string;
  size: number;
  contentType: string;
}

/**
 * Resolves a URL path inside `root`, refusing anything that escapes it (../, encoded dots, absolute paths,
 * NUL bytes, symlinks pointing outside). Returns null when there is no such file.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((segment) => segment.length > 0);
  if (segments.some((segment) => segment === '..' || segment === '.')) return null;
  const rootReal = await realpath(root).catch(() => null);
  if (!rootReal) return null;
  const candidate = resolve(rootReal, ...segments);
  if (candidate !== rootReal && !candidate.startsWith(rootReal + sep)) return null;
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return null;
  }
  if (real !== rootReal && !real.startsWith(rootReal + sep)) return null;
  const info = await stat(real);
  if (info.isDirectory()) return resolveStaticFile(root, join(urlPath, 'index.html'));
  if (!info.isFile()) return null;
  return {
    path: real,
    size: info.size,
    contentType: CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
  };
}

export function openStatic(file: StaticFile) {
  return createReadStream(file.path);
}

export function readStaticText(file: StaticFile): Promise<string> {
  return readFile(file.path, 'utf8');
}
