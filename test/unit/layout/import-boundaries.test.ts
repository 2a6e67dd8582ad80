import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(path);
  }
  return out;
}

const importsOf = (text: string) =>
  [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (match) => match[1] ?? match[2] ?? match[3],
  );

describe('where code may run', () => {
  it('only main/electron imports electron', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles('main')) {
      if (file.startsWith(join('main', 'electron'))) continue;
      const text = await readFile(join(root, file), 'utf8');
      if (importsOf(text).some((name) => name === 'electron' || name.startsWith('electron/'))) offenders.push(relative(root, join(root, file)));
    }
    expect(offenders).toEqual([]);
  });

  it('the renderer imports nothing from Node (type-only imports of the contract are erased)', async () => {
    const nodeModules = /^(node:|fs$|path$|child_process$|crypto$|os$|net$|http$|worker_threads$|electron$)/;
    const offenders: string[] = [];
    for (const file of await sourceFiles(join('renderer', 'src'))) {
      const text = await readFile(join(root, file), 'utf8');
      for (const name of importsOf(text)) {
        if (nodeModules.test(name)) offenders.push(`${file}: ${name}`);
        // Value imports from main/ may only reach the plain-zod contract, which has no Node dependencies.
        if (name.includes('/main/') && !name.includes('/main/api/contract')) {
          const typeOnly = new RegExp(`import\\s+type[^;]*['"]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`).test(text);
          if (!typeOnly) offenders.push(`${file}: ${name}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the preload exposes window.api only', async () => {
    const text = await readFile(join(root, 'preload', 'index.ts'), 'utf8');
    const exposed = [...text.matchAll(/exposeInMainWorld\(\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
    expect(exposed).toEqual(['api']);
    expect(text).not.toMatch(/process\.env/);
    expect(text).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
  });
});
