import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The text of every file below `dir` whose path `keep` accepts, for tests that check what the sources say. */
export function sourceTexts(dir: string, keep: (path: string) => boolean): string[] {
  const texts: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) texts.push(...sourceTexts(path, keep));
    else if (keep(path)) texts.push(readFileSync(path, 'utf8'));
  }
  return texts;
}
