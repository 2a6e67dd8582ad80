import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

/** Independent tools the seal integration tests check our bytes with. */
const execFileAsync = promisify(execFile);

export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name} || test -x /usr/sbin/${name} || test -x /sbin/${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runTool(command: string, args: string[]): Promise<ToolResult> {
  const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { env, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
