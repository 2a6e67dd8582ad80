import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { auditToCsv } from '../../audit/audit-log';
import type { CliRuntime } from '../runtime';
import { usageError } from '../runtime';

export function registerAuditCommands(program: Command, cli: CliRuntime): void {
  const audit = program.command('audit').description('verify and export the tamper-evident audit log');

  audit
    .command('verify')
    .description('check the hash chain; names the first bad line')
    .action(
      cli.action(async ({ runtime, output }) => {
        const app = await runtime.app();
        const result = await app.audit.verify();
        if (!result.ok) {
          throw new AppError(
            'AUDIT_CHAIN_BROKEN',
            `The audit log was altered: line ${result.firstBadLine ?? '?'} ${result.reason ?? ''}.`,
            { details: { ...result } },
          );
        }
        output.result({ ...result, path: app.audit.path }, `Audit log intact: ${result.entries} entries, head ${result.headHash.slice(0, 16)}…`);
      }),
    );

  audit
    .command('export')
    .description('print or write the whole log')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(
      cli.action(async ({ runtime, output }, options: { format: string; out?: string }) => {
        if (options.format !== 'json' && options.format !== 'csv') throw usageError('--format must be json or csv.');
        const app = await runtime.app();
        const entries = await app.audit.entries();
        const content = options.format === 'csv' ? auditToCsv(entries) : `${JSON.stringify(entries, null, 2)}\n`;
        if (options.out) {
          await writeFile(options.out, content, { mode: 0o600 });
          output.result({ entries: entries.length, out: options.out, format: options.format }, `Wrote ${entries.length} entries to ${options.out}.`);
        } else if (runtime.globals().json) {
          output.result({ entries, format: options.format });
        } else {
          process.stdout.write(content);
        }
      }),
    );
}
