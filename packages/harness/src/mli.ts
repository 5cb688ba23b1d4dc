/**
 * Where the embARC MLI library is and which build of it a project links: `--mli DIR` or
 * MLI_ROOT, laid out as include/ and lib/<variant>/libmli.a, with the variant named after the
 * board's CPU prefix, the rounding mode and FULL_ACCU (../shared/mli/README.md's layout).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MliLibrary } from '@mliflow/codegen-c';
import { UsageError } from '@mliflow/ir';
import type { BoardSpec } from './boards/types.js';
import { ToolchainError } from './toolchain.js';

export type Kernels = 'mli' | 'portable';
export type RoundMode = MliLibrary['roundMode'];

/** The lib/ subfolder of a build: "x86_64-round-up-full-accu". */
export function mliVariant(cpu: string, roundMode: RoundMode, fullAccu: boolean): string {
  return `${cpu}-round-${roundMode}${fullAccu ? '-full-accu' : ''}`;
}

/** One line, exit 3: what was looked for and where. */
function missing(what: string): ToolchainError {
  return new ToolchainError(what, []);
}

/**
 * The MLI build for a board: `root` (--mli) or MLI_ROOT, the board's CPU prefix and the given
 * (or the board's default) rounding and FULL_ACCU. Checks that the headers and the library exist.
 */
export function findMli(spec: BoardSpec, opts: { root?: string; roundMode?: RoundMode; fullAccu?: boolean; env?: NodeJS.ProcessEnv } = {}): MliLibrary {
  const board = spec.mli;
  if (!board) throw new UsageError(`board "${spec.name}" has no "mli" entry in its board.json, so it cannot link embARC MLI`);
  const given = opts.root ?? (opts.env ?? process.env).MLI_ROOT;
  if (!given) throw missing(`embARC MLI is needed for --kernels mli: pass --mli DIR or set MLI_ROOT to a folder holding include/mli_api.h and lib/<variant>/libmli.a`);
  const root = resolve(given);
  const roundMode = opts.roundMode ?? board.roundMode;
  const fullAccu = opts.fullAccu ?? board.fullAccu;
  const variant = mliVariant(board.cpu, roundMode, fullAccu);
  const header = join(root, 'include', 'mli_api.h');
  if (!existsSync(header)) throw missing(`embARC MLI: ${header} not found (--mli/MLI_ROOT is ${given}; expected include/ and lib/<variant>/ in it)`);
  const lib = join(root, 'lib', variant, 'libmli.a');
  if (!existsSync(lib)) throw missing(`embARC MLI: ${lib} not found: board "${spec.name}" with --round-mode ${roundMode} --full-accu ${fullAccu ? 'on' : 'off'} needs variant ${variant}`);
  return { root, variant, roundMode, fullAccu, extraLibs: [...board.extraLibs] };
}

export function parseKernels(v: string | boolean | undefined, spec: BoardSpec): Kernels {
  if (v === undefined) return spec.mli?.kernels ?? 'portable';
  if (v !== 'mli' && v !== 'portable') throw new UsageError(`--kernels ${String(v)} is not known; available: mli, portable`);
  return v;
}

export function parseRoundMode(v: string | boolean | undefined): RoundMode | undefined {
  if (v === undefined) return undefined;
  if (v !== 'up' && v !== 'convergent') throw new UsageError(`--round-mode ${String(v)} is not known; available: up, convergent`);
  return v;
}

export function parseOnOff(v: string | boolean | undefined, option: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new UsageError(`--${option} takes on or off, not "${String(v)}"`);
}
