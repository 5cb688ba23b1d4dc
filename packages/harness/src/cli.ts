/**
 * The mliflow command line. Every command has --help; script-facing ones have --json.
 * Exit codes are EXIT in @mliflow/ir; a user error is one line on stderr, never a stack trace.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, MliflowError } from '@mliflow/ir';
import { COMMANDS, type Command } from './commands.js';

const EXIT_CODES =
  'exit codes: 0 ok, 1 a check failed (outputs differ, or the project does not fit the board), 2 bad input or usage,\n' +
  '            3 a required tool is missing, 4 the board needs its hardware (stopped after the compile check),\n' +
  '            5 the generated project failed to build or run, 70 internal error (a bug in mliflow)';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mliflow: pre-quantized models to C for ARC EM boards, checked bit for bit against a golden executor',
    '',
    'usage: pnpm mliflow <command> [options]      (pnpm mliflow <command> --help for details)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    EXIT_CODES,
  ].join('\n');
}

export function commandHelp(c: Command): string {
  const opts = Object.entries(c.options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(24)} ${o.help}${o.default !== undefined ? ` (default: ${String(o.default)})` : ''}`;
  });
  return [`usage: pnpm mliflow ${c.usage}`, '', c.description, '', 'options:', ...opts, `  ${'--help'.padEnd(24)} show this help`].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    process.stderr.write(usage() + '\n');
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write((topic ? commandHelp(topic) : usage()) + '\n');
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`mliflow: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`);
    return EXIT.usage;
  }
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } };
  for (const [k, o] of Object.entries(cmd.options)) options[k] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    // node's messages here run long ("To specify a positional argument..."): keep the first sentence.
    const first = (e as Error).message.split('\n')[0].replace(/\. To specify .*$/, '');
    process.stderr.write(`mliflow ${name}: ${first} (see pnpm mliflow ${name} --help)\n`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(cmd) + '\n');
    return EXIT.ok;
  }
  try {
    return await cmd.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  } catch (e) {
    if (e instanceof MliflowError) {
      process.stderr.write(`mliflow ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    if (process.env.MLIFLOW_DEBUG) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`mliflow ${name}: internal error: ${msg}\n(this is a bug in mliflow; MLIFLOW_DEBUG=1 shows the stack)\n`);
    return EXIT.internal;
  }
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run when invoked as a program (tsx packages/harness/src/cli.ts ...), not when imported.
if (isMain()) {
  // pnpm runs scripts from the repository root; paths on the command line are the user's.
  if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  // A reader that stops early (`| head`) is not an error: stop quietly, as Unix tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const debug = process.env.MLIFLOW_DEBUG && e instanceof Error ? e.stack : undefined;
      process.stderr.write(`mliflow: internal error: ${debug ?? (e instanceof Error ? e.message : String(e))}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
