import { parentPort } from 'node:worker_threads';
import { createXtsCipher, type XtsCipher } from './xts';
import type { XtsRun, XtsWorkerReply, XtsWorkerRequest } from './xts-worker-protocol';

/** One thread of the XTS pool: holds the pool's keys as ECB contexts and transforms buffers in place. */
const port = parentPort;
if (!port) throw new Error('xts-worker must run in a worker thread');

const ciphers = new Map<number, XtsCipher>();
const memories = new Map<number, SharedArrayBuffer>();

port.on('message', (request: XtsWorkerRequest) => {
  try {
    switch (request.type) {
      case 'add-key': {
        const key = new Uint8Array(request.key);
        try {
          ciphers.get(request.keyId)?.dispose();
          ciphers.set(request.keyId, createXtsCipher(key, request.ivMode));
        } finally {
          key.fill(0);
        }
        reply({ type: 'ok', requestId: request.requestId });
        return;
      }
      case 'remove-key': {
        ciphers.get(request.keyId)?.dispose();
        ciphers.delete(request.keyId);
        reply({ type: 'ok', requestId: request.requestId });
        return;
      }
      case 'run': {
        transform(request.keyId, new Uint8Array(request.buffer), request.runs, request.decrypt);
        port.postMessage({ type: 'done', requestId: request.requestId, buffer: request.buffer } satisfies XtsWorkerReply, [
          request.buffer,
        ]);
        return;
      }
      case 'add-memory': {
        memories.set(request.memoryId, request.memory);
        reply({ type: 'ok', requestId: request.requestId });
        return;
      }
      case 'remove-memory': {
        memories.delete(request.memoryId);
        reply({ type: 'ok', requestId: request.requestId });
        return;
      }
      case 'run-shared': {
        const memory = memories.get(request.memoryId);
        if (!memory) throw new Error(`unknown shared memory ${request.memoryId}`);
        transform(request.keyId, new Uint8Array(memory, request.offset, request.length), request.runs, request.decrypt);
        reply({ type: 'ok', requestId: request.requestId });
        return;
      }
    }
  } catch (error) {
    const shape = error as { code?: unknown; message?: unknown };
    reply({
      type: 'error',
      requestId: request.requestId,
      code: typeof shape.code === 'string' ? shape.code : 'XTS_WORKER_FAILED',
      message: typeof shape.message === 'string' ? shape.message : String(error),
    });
  }
});

function transform(keyId: number, data: Uint8Array, runs: readonly XtsRun[], decrypt: boolean): void {
  const cipher = ciphers.get(keyId);
  if (!cipher) throw new Error(`unknown key ${keyId}`);
  for (const [offset, length, firstSector] of runs) {
    const part = data.subarray(offset, offset + length);
    if (decrypt) cipher.decrypt(part, firstSector);
    else cipher.encrypt(part, firstSector);
  }
}

function reply(message: XtsWorkerReply): void {
  port!.postMessage(message);
}
