import { z } from 'zod';
import { defineCalls } from './define';
import { EmptyInput } from './common';

export const appCalls = defineCalls({
  appInfo: {
    summary: 'Version, host kind, data folder and tool availability',
    input: EmptyInput,
    output: z.object({
      version: z.string(),
      host: z.enum(['electron', 'web', 'cli', 'test']),
      dataDir: z.string(),
      platform: z.string(),
      tools: z.object({ qemuImg: z.boolean(), cryptsetup: z.boolean() }),
    }),
  },
});
