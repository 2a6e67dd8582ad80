import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no type declarations; the part we use is typed as S3rverConstructor below
import S3rver from 's3rver';
import { multipartAbortMiddleware } from './cos-multipart-abort';

/**
 * The sandbox's Cloud Object Storage: s3rver on 127.0.0.1 with the sandbox bucket, keeping objects under
 * `<dataDir>/sandbox/cos/` so uploads (and unfinished multipart uploads) survive a restart.
 *
 * s3rver 3.7.1 (ENVIRONMENT.md) answers ListParts with 405, does not check Content-MD5, returns a plain MD5
 * ETag for multipart objects, and crashes when Complete names a part it never got. The transfer engine is built
 * around that: its own journal, read-back verification, and Complete only ever names journaled
 * (server-confirmed) parts. AbortMultipartUpload, which s3rver lacks too, is added in front of it.
 */
export interface SandboxCosOptions {
  /** `<dataDir>/sandbox` */
  sandboxDir: string;
  bucket: string;
  /** let a process that started the sandbox only for itself exit when its work is done */
  unref?: boolean;
}

export interface SandboxCos {
  url: string;
  port: number;
  directory: string;
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number; address: string }>;
  /** Koa's middleware list, composed when the server starts listening */
  middleware: unknown[];
  close(): Promise<void>;
  httpServer?: Server;
}

type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export async function startSandboxCos(options: SandboxCosOptions): Promise<SandboxCos> {
  const directory = join(options.sandboxDir, 'cos');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const server = new (S3rver as unknown as S3rverConstructor)({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucket }],
  });
  // Just before s3rver's router, the last middleware its constructor adds.
  server.middleware.splice(server.middleware.length - 1, 0, multipartAbortMiddleware(directory));
  const { port } = await server.run();
  if (options.unref) server.httpServer?.unref();
  // Idle keep-alive sockets must not hold a finished CLI process open.
  if (server.httpServer) server.httpServer.keepAliveTimeout = 1000;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    directory,
    stop: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
