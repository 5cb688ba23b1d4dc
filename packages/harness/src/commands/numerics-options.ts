/**
 * The golden executor's numerics as the command line chooses them, for eval and golden: one
 * function from option values to executor options, so more numerics (MLI's, from
 * numerics.ts) plug in here and nowhere else.
 */
import { UsageError, type ExecutorOptions } from '@mliflow/ir';
import type { OptionSpec, Values } from '../commands.js';

export const NUMERICS_OPTIONS: Record<string, OptionSpec> = {
  numerics: { type: 'string', valueName: 'NAME', help: 'arithmetic to reproduce (tflite: TFLite Micro reference kernels)', default: 'tflite' },
};

export interface ChosenNumerics {
  /** The executor's options (add `file` for messages). */
  options: ExecutorOptions;
  /** The key and file name of its expected outputs in a vectors manifest. */
  expectedKey: string;
  expectedFile: string;
  /** What a report calls it. */
  label: string;
}

export function numericsFromOptions(v: Values): ChosenNumerics {
  const name = (v.numerics as string | undefined) ?? 'tflite';
  if (name !== 'tflite') throw new UsageError(`--numerics ${name} is not known; available: tflite`);
  return { options: { numerics: 'tflite' }, expectedKey: 'tflm-reference', expectedFile: 'expected.tflm.bin', label: 'tflite' };
}
