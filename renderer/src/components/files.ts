import type { SealerApi } from '../../../main/api/contract';
import { hostToken } from '../api';
import { uploadFileToHost } from '../api/web-client';

/**
 * The path main can read for a file the person dropped or picked: Electron gives the real path (preload's
 * webUtils.getPathForFile); the web host has no access to the browser's disk, so the file is streamed to it.
 */
export async function pathForDroppedFile(
  api: SealerApi,
  file: File,
  onProgress?: (fraction: number) => void,
): Promise<string> {
  const direct = api.pathForFile(file);
  if (direct) return direct;
  const token = hostToken();
  if (!token) throw Object.assign(new Error('This page has no session token.'), { code: 'REFUSED' });
  return uploadFileToHost(token, file, onProgress);
}

export function downloadText(fileName: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
