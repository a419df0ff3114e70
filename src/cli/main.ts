/** `tidemark <command>`: dispatch, signals, and one place that turns errors into exit codes. */
import type { Command, CliContext } from './command.ts';
import { EXIT, UsageError } from './command.ts';
import { ConfigError } from '../config/config-error.ts';
import { errorMessage } from '../engine/errors.ts';
import { syncCommand } from './commands/sync.ts';
import { migrateCommand } from './commands/migrate.ts';
import { demoCommand } from './commands/demo.ts';
import { simulateCommand } from './commands/simulate.ts';
import { doctorCommand } from './commands/doctor.ts';
import { reconcileCommand } from './commands/reconcile.ts';
import { repairCommand } from './commands/repair.ts';
import { startCommand, workerCommand } from './commands/worker.ts';
import { triggerCommand } from './commands/trigger.ts';
import { dlqCommand } from './commands/dlq.ts';
import { schedulesCommand } from './commands/schedules.ts';
import { serveCommand } from './commands/serve.ts';
import { tokenCommand } from './commands/token.ts';
import { replicaCommand } from './commands/replica.ts';

const COMMANDS: readonly Command[] = [
  syncCommand,
  startCommand,
  workerCommand,
  triggerCommand,
  schedulesCommand,
  dlqCommand,
  serveCommand,
  tokenCommand,
  replicaCommand,
  migrateCommand,
  reconcileCommand,
  repairCommand,
  doctorCommand,
  demoCommand,
  simulateCommand,
];

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: tidemark <command> [options]    (tidemark <command> --help for details)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Docs: docs/cli.md, docs/configuration.md',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], overrides: Partial<CliContext> = {}): Promise<number> {
  const [name, ...rest] = argv;
  const stdout = overrides.stdout ?? process.stdout;
  const stderr = overrides.stderr ?? process.stderr;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    stdout.write(helpText());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    stderr.write(`tidemark: unknown command "${name}"\n\n${helpText()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout.write(`${command.usage}\n`);
    return EXIT.ok;
  }
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C stops at once
    stderr.write(`\ntidemark: ${signal} received, stopping after the current batch…\n`);
    controller.abort(new DOMException(`${signal} received`, 'AbortError'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await command.run({
      argv: rest,
      stdout,
      stderr,
      env: overrides.env ?? process.env,
      interactive: overrides.interactive ?? Boolean((stderr as NodeJS.WriteStream).isTTY),
      signal: overrides.signal ?? controller.signal,
    });
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`tidemark ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      stderr.write(`tidemark ${command.name}: ${error.message}\n`);
      return EXIT.usage;
    }
    stderr.write(`tidemark ${command.name}: ${errorMessage(error)}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
