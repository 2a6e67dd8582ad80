import { parentPort } from 'node:worker_threads';
import { createXtsCipher, type XtsCipher } from './xts';
import type { XtsWorkerReply, XtsWorkerRequest } from './xts-worker-protocol';

/** One thread of the XTS pool: holds the pool's keys as ECB contexts and transforms buffers in place. */
const port = parentPort;
if (!port) throw new Error('xts-worker must run in a worker thread');

const ciphers = new Map<number, XtsCipher>();

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
        const cipher = ciphers.get(request.keyId);
        if (!cipher) throw new Error(`unknown key ${request.keyId}`);
        const data = new Uint8Array(request.buffer);
        for (const [offset, length, firstSector] of request.runs) {
          const part = data.subarray(offset, offset + length);
          if (request.decrypt) cipher.decrypt(part, firstSector);
          else cipher.encrypt(part, firstSector);
        }
        port.postMessage({ type: 'done', requestId: request.requestId, buffer: request.buffer } satisfies XtsWorkerReply, [
          request.buffer,
        ]);
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

function reply(message: XtsWorkerReply): void {
  port!.postMessage(message);
}
