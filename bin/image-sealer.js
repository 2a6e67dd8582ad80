#!/usr/bin/env node
// The CLI runs from the TypeScript sources through tsx, so `npx image-sealer` works right after `npm install`.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

register();
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { main } = await import(join(root, 'main', 'cli', 'index.ts'));
await main(process.argv);
