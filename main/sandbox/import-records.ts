import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-file';

/**
 * The sandbox import services' resources (images, templates, instances) as one JSON file each, so they survive
 * a restart of the sandbox like IBM's do. Reads come from memory; every change is written through atomically.
 */
export class SandboxRecords<T extends { id: string | number }> {
  private readonly items = new Map<string, T>();

  private constructor(private readonly dir: string) {}

  static async open<T extends { id: string | number }>(dir: string): Promise<SandboxRecords<T>> {
    const records = new SandboxRecords<T>(dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      try {
        const item = JSON.parse(await readFile(join(dir, name), 'utf8')) as T;
        records.items.set(String(item.id), item);
      } catch {
        // A damaged record is skipped rather than taking the whole sandbox down.
      }
    }
    return records;
  }

  get(id: string | number): T | undefined {
    const item = this.items.get(String(id));
    return item ? structuredClone(item) : undefined;
  }

  all(): T[] {
    return [...this.items.values()].map((item) => structuredClone(item));
  }

  async put(item: T): Promise<T> {
    this.items.set(String(item.id), structuredClone(item));
    await writeFileAtomic(this.file(item.id), `${JSON.stringify(item, null, 2)}\n`);
    return item;
  }

  async update(id: string | number, change: (item: T) => T): Promise<T | undefined> {
    const current = this.get(id);
    if (!current) return undefined;
    return this.put(change(current));
  }

  async remove(id: string | number): Promise<void> {
    this.items.delete(String(id));
    await rm(this.file(id), { force: true });
  }

  private file(id: string | number): string {
    return join(this.dir, `${String(id).replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }
}

/** Runs image checks one at a time (each reads and decrypts a whole image; two cores are enough for one). */
export class CheckQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  run<T>(work: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const next = this.tail.then(work).finally(() => {
      this.pending -= 1;
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every queued check has finished. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }
}
