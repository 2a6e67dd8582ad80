import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { compileXtsTweakModule } from '../../../scripts/build-wasm.mjs';

describe('the compiled XTS tweak module', () => {
  it('is what main/crypto/xts-tweak.wat compiles to (run `node scripts/build-wasm.mjs` after editing the .wat)', async () => {
    const committed = await readFile(new URL('../../../main/crypto/xts-tweak-wasm.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await (compileXtsTweakModule as () => Promise<string>)());
  });
});
