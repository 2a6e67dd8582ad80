import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

interface PlatformConfig {
  target: (string | { target: string })[];
  icon: string;
  desktop?: { entry: Record<string, string> };
}
interface BuilderConfig {
  appId: string;
  productName: string;
  asar: boolean;
  files: string[];
  afterPack: string;
  directories: { buildResources: string };
  linux: PlatformConfig;
  win: PlatformConfig;
  mac: PlatformConfig;
}

const root = process.cwd();
const yamlText = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
const config = parse(yamlText) as BuilderConfig;

function targetNames(platform: PlatformConfig): string[] {
  return platform.target.map((target) => (typeof target === 'string' ? target : target.target));
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it('matches electron-builder’s own configuration schema', async () => {
    const require = createRequire(join(root, 'package.json'));
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(parse(yamlText), new DebugLogger(false))).resolves.toBeUndefined();
    const broken = parse(yamlText) as BuilderConfig & { linux: { notAnOption?: boolean } };
    broken.linux.notAnOption = true;
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/configuration/);
  });

  it('builds AppImage and deb for Linux, NSIS for Windows, dmg for macOS', () => {
    expect(targetNames(config.linux)).toEqual(['AppImage', 'deb']);
    expect(targetNames(config.win)).toEqual(['nsis']);
    expect(targetNames(config.mac)).toEqual(['dmg']);
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(config.productName).toBe('Image Sealer');
  });

  it('ships only the built bundles, inside an asar archive', () => {
    expect(config.asar).toBe(true);
    expect(config.files).toContain('out/**/*');
    expect(config.files).toContain('package.json');
    for (const pattern of config.files as string[])
      expect(pattern).not.toMatch(/^(main|renderer|preload|test|bench)\//);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main.startsWith('out/')).toBe(true);
  });

  it('points at icons that exist and have the sizes the platforms need', () => {
    expect(config.directories.buildResources).toBe('resources');
    expect(pngSize(join(root, config.mac.icon))).toEqual({ width: 1024, height: 1024 });
    expect(pngSize(join(root, config.win.icon)).width).toBeGreaterThanOrEqual(256);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(join(root, config.linux.icon, `${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    expect(config.linux.desktop?.entry.Name).toBe('Image Sealer');
    expect(config.linux.desktop?.entry.Categories).toContain('Utility');
  });

  it('flips the fuses in an afterPack hook that exists', () => {
    expect(config.afterPack).toBe('./resources/packaging/after-pack.mjs');
    expect(existsSync(join(root, config.afterPack))).toBe(true);
  });
});

describe('the afterPack hook', () => {
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  let dir: string | null = null;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  /** A stand-in Electron binary: filler bytes around a V1 fuse wire with Electron's default states. */
  async function fakeElectron(path: string): Promise<void> {
    const defaults = '101100011'; // RunAsNode on, cookies off, NODE_OPTIONS on, inspect on, integrity off, asar-only off, …
    const wire = Buffer.concat([
      Buffer.from(SENTINEL),
      Buffer.from([1, defaults.length]),
      Buffer.from(defaults, 'ascii'),
    ]);
    await writeFile(path, Buffer.concat([Buffer.alloc(70_000, 0x90), wire, Buffer.alloc(5_000, 0x90)]));
  }

  it('turns RunAsNode, NODE_OPTIONS and inspect off, asar integrity and asar-only on, and leaves the rest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'after-pack-'));
    const binary = join(dir, 'image-sealer');
    await fakeElectron(binary);
    const hook = (await import(pathToFileURL(join(root, config.afterPack)).href)) as {
      default: (context: unknown) => Promise<void>;
      electronBinaryPath: (context: unknown) => string;
    };
    const context = {
      appOutDir: dir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { executableName: 'image-sealer', appInfo: { productFilename: 'Image Sealer' } },
    };
    expect(hook.electronBinaryPath(context)).toBe(binary);
    await hook.default(context);
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.DISABLE); // untouched
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.ENABLE); // untouched
    // Nothing else in the file changed.
    const bytes = await readFile(binary);
    expect(bytes.subarray(0, 70_000).every((byte) => byte === 0x90)).toBe(true);
  });

  it('finds the binary on Windows and the bundle on macOS', async () => {
    const hook = (await import(pathToFileURL(join(root, config.afterPack)).href)) as {
      electronBinaryPath: (context: unknown) => string;
      fuseConfig: (platform: string, arch: string) => Record<string, unknown>;
    };
    const packager = { appInfo: { productFilename: 'Image Sealer' } };
    expect(hook.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe(
      join('/o', 'Image Sealer.exe'),
    );
    expect(hook.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe(
      join('/o', 'Image Sealer.app'),
    );
    expect(hook.fuseConfig('darwin', 'arm64').resetAdHocDarwinSignature).toBe(true);
    expect(hook.fuseConfig('linux', 'x64').resetAdHocDarwinSignature).toBe(false);
  });
});
