import { open, readdir, lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Looks for secrets in files, folders and text: every form a key could be written in by mistake (raw bytes,
 * hex either case, base64, base64url, base64 of base64). A hit names the file and the form, never the secret.
 */
export interface SecretNeedle {
  /** what was found, e.g. "DEK (hex)" */
  label: string;
  bytes: Buffer;
}

export interface SecretHit {
  where: string;
  label: string;
}

/** The forms of a DEK worth looking for. The LUKS passphrase of vpc / classic-luks is base64(DEK) itself. */
export function dekNeedles(dek: Buffer, name = 'DEK'): SecretNeedle[] {
  const base64 = dek.toString('base64');
  return [
    { label: `${name} (raw)`, bytes: Buffer.from(dek) },
    { label: `${name} (hex)`, bytes: Buffer.from(dek.toString('hex'), 'ascii') },
    { label: `${name} (HEX)`, bytes: Buffer.from(dek.toString('hex').toUpperCase(), 'ascii') },
    { label: `${name} (base64, also the LUKS passphrase)`, bytes: Buffer.from(base64, 'ascii') },
    // without padding, so a key inside a longer base64 run at another alignment is not required to match
    { label: `${name} (base64url)`, bytes: Buffer.from(dek.toString('base64url'), 'ascii') },
    {
      label: `${name} (base64 of base64: the wrap plaintext)`,
      bytes: Buffer.from(Buffer.from(base64, 'ascii').toString('base64'), 'ascii'),
    },
    // the same in UTF-16LE, as Windows-style APIs and some keychains would store text
    { label: `${name} (base64, UTF-16)`, bytes: Buffer.from(base64, 'utf16le') },
  ];
}

export function textNeedle(label: string, text: string): SecretNeedle {
  return { label, bytes: Buffer.from(text, 'utf8') };
}

export function scanBuffer(content: Buffer, where: string, needles: SecretNeedle[]): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const needle of needles) {
    if (content.indexOf(needle.bytes) !== -1) hits.push({ where, label: needle.label });
  }
  return hits;
}

export function scanText(text: string, where: string, needles: SecretNeedle[]): SecretHit[] {
  return scanBuffer(Buffer.from(text, 'utf8'), where, needles);
}

export interface TreeScan {
  hits: SecretHit[];
  filesScanned: number;
  bytesScanned: number;
}

const CHUNK = 4 * 1024 * 1024;

/** Reads a regular file in overlapping chunks so a secret across a chunk boundary is still found. */
async function scanFile(path: string, needles: SecretNeedle[]): Promise<{ hits: SecretHit[]; bytes: number }> {
  const overlap = Math.max(...needles.map((needle) => needle.bytes.length)) - 1;
  const handle = await open(path, 'r');
  try {
    const found = new Set<string>();
    const buffer = Buffer.alloc(CHUNK + overlap);
    let carried = 0;
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, carried, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const window = buffer.subarray(0, carried + bytesRead);
      for (const hit of scanBuffer(window, path, needles)) found.add(hit.label);
      carried = Math.min(overlap, window.length);
      window.copy(buffer, 0, window.length - carried, window.length);
    }
    return { hits: [...found].map((label) => ({ where: path, label })), bytes: position };
  } finally {
    await handle.close();
  }
}

/**
 * Scans every regular file under `roots` (symlinks are not followed; sockets, fifos and devices are skipped,
 * as are paths for which `skip` answers true). Files that vanish or cannot be read while scanning are skipped:
 * other tests share the temp folder.
 */
export async function scanTree(
  roots: string[],
  needles: SecretNeedle[],
  skip: (path: string) => boolean = () => false,
): Promise<TreeScan> {
  const result: TreeScan = { hits: [], filesScanned: 0, bytesScanned: 0 };
  const visit = async (path: string): Promise<void> => {
    if (skip(path)) return;
    let info;
    try {
      info = await lstat(path);
    } catch {
      return;
    }
    if (info.isDirectory()) {
      let names: string[];
      try {
        names = await readdir(path);
      } catch {
        return;
      }
      for (const name of names) await visit(join(path, name));
      return;
    }
    if (!info.isFile()) return;
    try {
      const scanned = await scanFile(path, needles);
      result.hits.push(...scanned.hits);
      result.filesScanned += 1;
      result.bytesScanned += scanned.bytes;
    } catch {
      // gone or unreadable meanwhile
    }
  };
  for (const root of roots) await visit(root);
  return result;
}

export interface ProcessSnapshot {
  pid: string;
  cmdline: string[];
}

/**
 * The command lines of every process visible now (arguments split at NUL). With `settled`, a process whose
 * command line was already seen and is not a Node process is not read again: tools are spawned by Node
 * (fork, then exec), so only Node processes can still turn into something else. That keeps a tight poll cheap.
 */
export async function processCommandLines(settled?: Map<string, string>): Promise<ProcessSnapshot[]> {
  const out: ProcessSnapshot[] = [];
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return out;
  }
  for (const pid of pids) {
    const known = settled?.get(pid);
    if (known !== undefined && !known.includes('node')) continue;
    try {
      const raw = await readFile(`/proc/${pid}/cmdline`);
      if (raw.length === 0) continue;
      const cmdline = raw
        .toString('utf8')
        .split('\0')
        .filter((part) => part !== '');
      settled?.set(pid, cmdline[0] ?? '');
      out.push({ pid, cmdline });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
