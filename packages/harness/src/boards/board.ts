/** The board every board.json describes: target from data, build with make, run or stub by run.kind. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { EXIT, MliflowError } from '@mliflow/ir';
import { compilerErrorExcerpt, requireTools, shellCommand } from '../toolchain.js';
import { startHardware } from './hardware.js';
import type { Board, BoardSpec, BuildOptions, BuildResult, RunOptions, RunResult, TargetSpec } from './types.js';

/** A build that failed; `log` holds make's whole output. Generated code should always build. */
export class BuildError extends MliflowError {
  override name = 'BuildError';
  readonly log: string;
  constructor(message: string, log: string) {
    super(message, EXIT.generatedCode);
    this.log = log;
  }
}

export class DataBoard implements Board {
  readonly name: string;
  run?: Board['run'];
  flash?: Board['flash'];

  constructor(
    readonly spec: BoardSpec,
    readonly dir: string,
  ) {
    this.name = spec.name;
    // Only the capabilities the board has exist, so callers can test `board.run` before calling it.
    if (spec.run.kind === 'host') {
      this.run = (projectDir, input, output, opts) => this.runHost(projectDir, input, output, opts);
    } else if (spec.run.kind === 'hardware') {
      this.flash = (projectDir, image, opts) => startHardware(this, projectDir, image, opts);
    }
  }

  target(): TargetSpec {
    const { toolchain, memory, run, alignment } = this.spec;
    return {
      name: this.name,
      alignment,
      // The preferred candidates; compileForBoard moves to a later one when these do not fit.
      weightsSection: memory.placement.weights[0]?.section ?? null,
      arenaSection: memory.placement.arena[0]?.section ?? null,
      cc: toolchain.cc,
      cflags: [...toolchain.cflags],
      ldflags: [...toolchain.ldflags],
      hostMain: run.kind === 'host',
    };
  }

  async build(projectDir: string, opts: BuildOptions = {}): Promise<BuildResult> {
    const dir = resolve(projectDir);
    if (!existsSync(join(dir, 'Makefile'))) {
      throw new MliflowError(`${dir}: no Makefile; build expects a project written by writeProject`);
    }
    await requireTools(this.spec, ['cc', 'ar', 'make']);
    const { cc, ar } = this.spec.toolchain;
    const args = [`-j${opts.jobs ?? availableParallelism()}`, `CC=${cc}`, `AR=${ar}`];
    if (opts.cflags) args.push(`CFLAGS=${opts.cflags.join(' ')}`);
    if (opts.ldflags) args.push(`LDFLAGS=${opts.ldflags.join(' ')}`);
    if (opts.makefile) args.unshift('-f', opts.makefile);
    if (opts.goal) args.push(opts.goal);
    const command = shellCommand(['make', '-C', dir, ...args]);
    const started = performance.now();
    const tap = (stream: 'stdout' | 'stderr') =>
      function* (line: unknown) {
        opts.onLine?.(String(line), stream);
        yield line;
      };
    const r = await execa('make', args, {
      cwd: dir,
      all: true,
      reject: false,
      stdin: 'ignore',
      // ASCII quotes in diagnostics whatever the user's locale, so messages and logs match.
      env: { LC_ALL: 'C' },
      ...(opts.onLine ? { stdout: tap('stdout'), stderr: tap('stderr') } : {}),
    });
    const output = String(r.all ?? '');
    if (r.failed) {
      const why = r.exitCode !== undefined ? `make exited with ${r.exitCode}` : r.shortMessage;
      throw new BuildError(
        `build for board "${this.name}" failed in ${dir} (${why}):\n${compilerErrorExcerpt(output)}\nrerun: ${command}`,
        output,
      );
    }
    let executable: string | null = null;
    if (opts.executable) {
      executable = resolve(dir, opts.executable);
      if (!existsSync(executable)) {
        throw new BuildError(`build for board "${this.name}": make succeeded but did not produce ${opts.executable} in ${dir}`, output);
      }
    }
    return { board: this.name, projectDir: dir, executable, command, output, durationMs: performance.now() - started };
  }

  private async runHost(projectDir: string, input: string | Uint8Array, output: string, opts: RunOptions): Promise<RunResult> {
    const dir = resolve(projectDir);
    const exe = resolve(dir, opts.executable);
    if (!existsSync(exe)) throw new MliflowError(`${exe} does not exist; build the project first`);
    const tools = opts.memcheck ? await requireTools(this.spec, ['memcheck']) : null;
    let tmp: string | null = null;
    let inPath: string;
    if (typeof input === 'string') {
      inPath = resolve(input);
    } else {
      tmp = mkdtempSync(join(tmpdir(), 'mliflow-run-'));
      inPath = join(tmp, 'in.bin');
      writeFileSync(inPath, input);
    }
    const outPath = resolve(output);
    // Exit code 99 is reserved for "memcheck found errors", so it cannot be mistaken for the program's own.
    const argv = tools
      ? [tools.memcheck.path, '--quiet', '--error-exitcode=99', '--leak-check=full', '--errors-for-leak-kinds=definite,indirect', exe, inPath, outPath]
      : [exe, inPath, outPath];
    const started = performance.now();
    try {
      const r = await execa(argv[0], argv.slice(1), {
        cwd: dir,
        reject: false,
        stdin: 'ignore',
        timeout: opts.timeoutMs ?? 600_000,
      });
      const durationMs = performance.now() - started;
      if (r.timedOut) throw new MliflowError(`${exe} did not finish within ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s`, EXIT.generatedCode);
      if (r.failed) {
        const tail = String(r.stderr ?? '').trim().split('\n').slice(-15).join('\n');
        const what =
          tools && r.exitCode === 99
            ? `valgrind found memory errors in ${exe}`
            : `${exe} failed (${r.exitCode !== undefined ? `exit code ${r.exitCode}` : (r.signal ?? r.shortMessage)})`;
        throw new MliflowError(`${what}${tail ? `:\n${tail}` : ''}\nrerun: ${shellCommand(argv)}`, EXIT.generatedCode);
      }
      if (!existsSync(outPath)) throw new MliflowError(`${exe} exited cleanly but wrote no ${outPath}`, EXIT.generatedCode);
      return { output: new Uint8Array(readFileSync(outPath)), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), durationMs };
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  }
}
