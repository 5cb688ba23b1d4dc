/** The mliflow CLI as a real child process, for tests: asynchronous, so the worker stays responsive. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../../test/paths.js';

export const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
export const CLI = join(REPO_ROOT, 'packages', 'harness', 'src', 'cli.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number; prefix?: string[] } = {}): Promise<CliResult> {
  const [cmd, ...pre] = opts.prefix ?? [];
  const file = cmd ?? TSX;
  const argv = cmd ? [...pre, TSX, CLI, ...args] : [CLI, ...args];
  return new Promise((resolve) => {
    execFile(file, argv, { cwd: REPO_ROOT, encoding: 'utf8', timeout: opts.timeout ?? 300_000, maxBuffer: 64 << 20, env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A one-line error with exit code 2 naming `what`, and no stack frames. */
export function expectCleanError(r: CliResult, ...what: (string | RegExp)[]): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const w of what) expect(r.stderr).toMatch(w);
}
