#!/usr/bin/env node
/**
 * The mliflow command line. Every command has --help; script-facing ones have --json.
 * Exit codes: 0 success, 1 a check failed (outputs differ, or the project does not fit the board), 2 bad input or usage,
 * 3 a required tool is missing, 70 an internal error (a bug: please report it).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MliflowError, UsageError } from '@mliflow/ir';
import { COMMANDS, type Command } from './commands.js';

export const EXIT = { ok: 0, mismatch: 1, usage: 2, missingTool: 3, internal: 70 } as const;

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mliflow: deploy pre-quantized models on ARC EM boards through embARC MLI',
    '',
    'usage: pnpm mliflow <command> [options]      (pnpm mliflow <command> --help for details)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 ok, 1 a check failed (outputs differ, or does not fit the board), 2 bad input or usage, 3 missing tool, 70 internal error',
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
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? EXIT.ok : EXIT.usage;
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
    process.stderr.write(`mliflow ${name}: ${(e as Error).message.split('\n')[0]}\n${commandHelp(cmd).split('\n')[0]}\n`);
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

// Run when invoked as a program (tsx packages/harness/src/cli.ts ...), not when imported.
const invoked = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (invoked) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mliflow: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}

export { UsageError };
