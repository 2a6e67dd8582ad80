import type { XtsIvMode } from './xts';

/** [byte offset in the buffer, byte length (whole sectors), number of the first sector] */
export type XtsRun = readonly [offset: number, length: number, firstSector: number];

/** Messages between worker-pool.ts and xts-worker.ts. */
export type XtsWorkerRequest =
  | { type: 'add-key'; requestId: number; keyId: number; key: ArrayBuffer; ivMode: XtsIvMode }
  | { type: 'remove-key'; requestId: number; keyId: number }
  | { type: 'run'; requestId: number; keyId: number; decrypt: boolean; buffer: ArrayBuffer; runs: XtsRun[] }
  | { type: 'add-memory'; requestId: number; memoryId: number; memory: SharedArrayBuffer }
  | { type: 'remove-memory'; requestId: number; memoryId: number }
  /** In place in a shared memory added before: runs' offsets count from `offset`. */
  | {
      type: 'run-shared';
      requestId: number;
      keyId: number;
      decrypt: boolean;
      memoryId: number;
      offset: number;
      length: number;
      runs: XtsRun[];
    };

export type XtsWorkerReply =
  | { type: 'ok'; requestId: number }
  | { type: 'done'; requestId: number; buffer: ArrayBuffer }
  | { type: 'error'; requestId: number; code: string; message: string };
