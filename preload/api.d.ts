import type { SealerApi } from '../main/api/contract';

declare global {
  interface Window {
    /** Present in Electron (from the preload); the web host's page builds the same object itself. */
    api?: SealerApi;
  }
}

export {};
