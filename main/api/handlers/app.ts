import { readFileSync } from 'node:fs';
import { appCalls } from '../contract/app';
import { toolAvailable } from '../../common/tools';
import type { HandlersFor } from './define';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return process.env.npm_package_version ?? '0.0.0';
  }
}

export const appHandlers: HandlersFor<typeof appCalls> = {
  async appInfo(_input, app) {
    return {
      version: packageVersion(),
      host: app.host,
      dataDir: app.dataDir,
      platform: process.platform,
      tools: { qemuImg: await toolAvailable('qemu-img'), cryptsetup: await toolAvailable('cryptsetup') },
    };
  },
};
