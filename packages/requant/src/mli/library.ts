/**
 * Where an embARC MLI build lives: `<root>/include` and `<root>/lib/<variant>/libmli.a`, the
 * layout of the prebuilt 2.0.2 (and of a user's own MetaWare build). The root comes from an
 * explicit option or MLI_ROOT; mliflow never guesses it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MliVariant } from './params.js';

/** The lib/ folder name of a variant: e.g. x86_64-round-up-full-accu, x86_64-round-convergent-debug. */
export function mliVariantDir(target: string, v: MliVariant, opts: { debug?: boolean } = {}): string {
  if (opts.debug && v.fullAccu) throw new Error('the debug builds have FULL_ACCU off');
  return `${target}-round-${v.roundMode}${v.fullAccu ? '-full-accu' : ''}${opts.debug ? '-debug' : ''}`;
}

export interface MliLibrary {
  root: string;
  include: string;
  /** The folder holding libmli.a. */
  lib: string;
}

/**
 * The include and lib folders of one variant, or a one-line reason naming what was looked for
 * when the root is not given or lacks the variant.
 */
export function findMliLibrary(root: string | undefined, target: string, v: MliVariant, opts: { debug?: boolean } = {}): MliLibrary | { missing: string } {
  const r = root ?? process.env.MLI_ROOT;
  if (!r) return { missing: 'no MLI library given: pass --mli DIR or set MLI_ROOT (a folder with include/ and lib/<variant>/libmli.a)' };
  const include = join(r, 'include');
  const lib = join(r, 'lib', mliVariantDir(target, v, opts));
  if (!existsSync(join(include, 'mli_api.h'))) return { missing: `${include}/mli_api.h not found (MLI root ${r})` };
  if (!existsSync(join(lib, 'libmli.a'))) return { missing: `${lib}/libmli.a not found: the MLI root ${r} lacks variant ${mliVariantDir(target, v, opts)}` };
  return { root: r, include, lib };
}
