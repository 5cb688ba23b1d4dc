/**
 * Where the embARC MLI library is and which build of it a project links: `--mli DIR` or
 * MLI_ROOT, laid out as include/ and lib/<variant>/libmli.a, with the variant named after the
 * board's CPU prefix, the rounding mode and FULL_ACCU (../shared/mli/README.md's layout).
 */
import { basename, resolve } from 'node:path';
import type { MliLibrary } from '@mliflow/codegen-c';
import { UsageError } from '@mliflow/ir';
import { findMliLibrary } from '@mliflow/requant';
import type { BoardSpec } from './boards/types.js';
import { ToolchainError } from './toolchain.js';

export type Kernels = 'mli' | 'portable';
export type RoundMode = MliLibrary['roundMode'];

/**
 * The MLI build for a board: `root` (--mli) or MLI_ROOT, the board's CPU prefix and the given
 * (or the board's default) rounding and FULL_ACCU. A missing root, header or variant is exit 3
 * with what was looked for.
 */
export function findMli(spec: BoardSpec, opts: { root?: string; roundMode?: RoundMode; fullAccu?: boolean; env?: NodeJS.ProcessEnv } = {}): MliLibrary {
  const board = spec.mli;
  if (!board) throw new UsageError(`board "${spec.name}" has no "mli" entry in its board.json, so it cannot link embARC MLI`);
  const v = { roundMode: opts.roundMode ?? board.roundMode, fullAccu: opts.fullAccu ?? board.fullAccu };
  const given = opts.root ?? (opts.env ?? process.env).MLI_ROOT;
  const found = findMliLibrary(given ?? '', board.cpu, v);
  if ('missing' in found) {
    const flags = `board "${spec.name}", --round-mode ${v.roundMode}, --full-accu ${v.fullAccu ? 'on' : 'off'}`;
    throw new ToolchainError(`embARC MLI for --kernels mli: ${found.missing} (${flags})`, []);
  }
  const root = resolve(found.root);
  return { root, variant: basename(found.lib), ...v, extraLibs: [...board.extraLibs] };
}

export function parseKernels(v: string | boolean | undefined, spec: BoardSpec): Kernels {
  if (v === undefined) return spec.mli?.kernels ?? 'portable';
  if (v !== 'mli' && v !== 'portable') throw new UsageError(`--kernels ${String(v)} is not known; available: mli, portable`);
  return v;
}
