import { formatProgressLine } from '../common/format';
import type { ErrorShape } from '../common/errors';
import type { Progress } from '../common/progress';

/**
 * Everything the CLI prints goes through here. With `--json` every line is one JSON object: progress lines,
 * then one result line (or an error line). Scripts depend on these names.
 */
export class CliOutput {
  private progressShown = false;

  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {}

  progress(progress: Progress, step?: string): void {
    if (this.json) {
      this.writeLine({
        event: 'progress',
        ...(step ? { step } : {}),
        phase: progress.phase,
        bytesDone: progress.bytesDone,
        bytesTotal: progress.bytesTotal,
        rate: Math.round(progress.rate),
        eta: progress.eta === null ? null : Math.round(progress.eta),
      });
      return;
    }
    if (!this.stderr.isTTY) return;
    const columns = this.stderr.columns ?? 100;
    const line = formatProgressLine(progress, Math.max(10, Math.min(30, columns - 70)));
    this.stderr.write(`\r${line.slice(0, columns - 1)}\u001b[K`);
    this.progressShown = true;
  }

  /** A line of text for people (stderr in JSON mode so stdout stays machine-readable). */
  info(text: string): void {
    this.endProgress();
    if (this.json) return;
    this.stdout.write(`${text}\n`);
  }

  warn(text: string): void {
    this.endProgress();
    if (this.json) this.writeLine({ event: 'warning', message: text });
    else this.stderr.write(`warning: ${text}\n`);
  }

  /** The final answer of a command. `text` is what people see; `data` is what `--json` prints. */
  result(data: Record<string, unknown>, text?: string): void {
    this.endProgress();
    if (this.json) this.writeLine({ event: 'result', ...data });
    else if (text !== undefined) this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  error(shape: ErrorShape): void {
    this.endProgress();
    if (this.json) {
      this.writeLine({ event: 'error', code: shape.code, message: shape.message, ...(shape.hint ? { hint: shape.hint } : {}) });
      return;
    }
    this.stderr.write(`error: ${shape.message}\n`);
    if (shape.hint) this.stderr.write(`  ${shape.hint}\n`);
    this.stderr.write(`  (code ${shape.code})\n`);
  }

  private endProgress(): void {
    if (this.progressShown) {
      this.stderr.write('\n');
      this.progressShown = false;
    }
  }

  private writeLine(value: Record<string, unknown>): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }
}

/** A plain text table for people. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (cell ?? '').padEnd(widths[column])).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
