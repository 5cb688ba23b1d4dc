/**
 * The golden executor's numerics as CLI options, stated once for every command that runs it
 * (run, eval, deploy): --numerics tflite|mli, and for mli the library variant it reproduces,
 * --round-mode up|convergent and --full-accu on|off.
 */
import { UsageError, type Numerics } from '@mliflow/ir';
import { mliNumerics, type MliVariant, type RoundMode } from '@mliflow/requant';
import type { OptionSpec, Values } from './commands.js';

/** Without a board to say otherwise: ARC EM's DSP rounding, and MLI's default FULL_ACCU off. */
export const DEFAULT_MLI_VARIANT: MliVariant = { roundMode: 'convergent', fullAccu: false };

export const NUMERICS_OPTIONS: Record<string, OptionSpec> = {
  numerics: {
    type: 'string',
    valueName: 'tflite|mli',
    help: "arithmetic to reproduce: TFLite Micro's reference kernels, or embARC MLI 2.0.2's for the operators MLI runs",
    default: 'tflite',
  },
  'round-mode': { type: 'string', valueName: 'up|convergent', help: `MLI's ROUND_MODE, with --numerics mli (default ${DEFAULT_MLI_VARIANT.roundMode})` },
  'full-accu': { type: 'string', valueName: 'on|off', help: `MLI's FULL_ACCU, with --numerics mli (default ${DEFAULT_MLI_VARIANT.fullAccu ? 'on' : 'off'})` },
};

export function parseRoundMode(v: string | boolean | undefined): RoundMode | undefined {
  if (v === undefined) return undefined;
  if (v !== 'up' && v !== 'convergent') throw new UsageError(`--round-mode ${String(v)} is not known; available: up, convergent`);
  return v;
}

export function parseFullAccu(v: string | boolean | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v !== 'on' && v !== 'off') throw new UsageError(`--full-accu ${String(v)} is not known; available: on, off`);
  return v === 'on';
}

/** The MLI variant from --round-mode and --full-accu, over the given defaults. */
export function parseMliVariant(v: Values, defaults: MliVariant = DEFAULT_MLI_VARIANT): MliVariant {
  return { roundMode: parseRoundMode(v['round-mode']) ?? defaults.roundMode, fullAccu: parseFullAccu(v['full-accu']) ?? defaults.fullAccu };
}

/** --numerics with its variant options, as the golden executor takes them. */
export function parseNumerics(v: Values, defaults: MliVariant = DEFAULT_MLI_VARIANT): { numerics: Numerics; name: string; variant: MliVariant | null } {
  const kind = (v.numerics as string | undefined) ?? 'tflite';
  if (kind === 'tflite') {
    for (const o of ['round-mode', 'full-accu']) {
      if (v[o] !== undefined) throw new UsageError(`--${o} applies to --numerics mli only`);
    }
    return { numerics: 'tflite', name: 'tflite', variant: null };
  }
  if (kind !== 'mli') throw new UsageError(`--numerics ${kind} is not known; available: tflite, mli`);
  const variant = parseMliVariant(v, defaults);
  const spec = mliNumerics(variant);
  return { numerics: spec, name: spec.name, variant };
}
