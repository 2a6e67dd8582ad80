import type { SealerApi } from '../../../main/api/contract';
import { createWebApi } from './web-client';

/** `window.api` from the Electron preload, or the web host's client built from the token in the page. */
export function getApi(): SealerApi {
  if (window.api) return window.api;
  const token = document.querySelector<HTMLMetaElement>('meta[name="image-sealer-token"]')?.content;
  if (!token) throw new Error('This page must be opened from the address Image Sealer printed.');
  window.api = createWebApi(token);
  return window.api;
}

export function hostToken(): string | null {
  return document.querySelector<HTMLMetaElement>('meta[name="image-sealer-token"]')?.content ?? null;
}

export type { ApiCallError } from './web-client';
