/**
 * Argument helpers shared by the commands. A module of its own so that command files
 * (commands/*.ts) need nothing at run time from commands.ts, which imports them.
 */
import { UsageError } from '@mliflow/ir';

export function one(positionals: string[], what: string, cmd: string): string {
  if (positionals.length !== 1) throw new UsageError(`${cmd} takes exactly one ${what} (see --help)`);
  return positionals[0];
}

export function positiveInt(v: string | boolean | undefined, option: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${option} must be a positive whole number, got "${String(v)}"`);
  return n;
}
