// electron-builder `afterPack` hook: flips Electron's fuses in the packaged binary before it is signed, so a
// shipped Image Sealer cannot be turned into a general Node runtime or have its code swapped or inspected.
import { join } from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';

/** The fuses every package ships with (see issue 8, "Packaging"). */
export function fuseConfig(platform, arch) {
  return {
    version: FuseVersion.V1,
    // Apple Silicon refuses a binary whose ad-hoc signature no longer matches; re-sign it ad hoc after flipping.
    resetAdHocDarwinSignature: platform === 'darwin' && arch === 'arm64',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
  };
}

const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

/** Where the Electron binary (or the .app bundle) sits inside the unpacked app folder. */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return join(appOutDir, packager.executableName ?? packager.appInfo.productFilename);
  }
}

export default async function afterPack(context) {
  const arch = typeof context.arch === 'number' ? ARCH_NAMES[context.arch] : context.arch;
  const binary = electronBinaryPath(context);
  await flipFuses(binary, fuseConfig(context.electronPlatformName, arch));
}
