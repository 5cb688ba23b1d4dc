/** Where the shared models and vectors live: ../shared beside the repository root. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VectorSet } from '@mliflow/ir';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = process.env.MLIFLOW_SHARED ?? resolve(REPO_ROOT, '..', 'shared');
export const MODELS = join(SHARED, 'models');
export const VECTORS = join(SHARED, 'vectors');

export function sharedModels(): string[] {
  if (!existsSync(MODELS)) throw new Error(`the shared models are missing: expected them in ${MODELS}`);
  return readdirSync(MODELS)
    .filter((f) => f.endsWith('.tflite'))
    .map((f) => f.replace(/\.tflite$/, ''))
    .sort();
}

/**
 * The int8 shared models: the quantized ones, with integer inputs and outputs and TFLite Micro
 * reference outputs in ../shared/vectors (keyword_scrambled_8bit's are int16 and int32).
 * `io: 'int8'` keeps those whose inputs and outputs are all int8.
 */
export function int8Models(opts: { io?: 'int8' } = {}): string[] {
  const io: string[] = opts.io ? [opts.io] : ['int8', 'int16', 'int32'];
  return sharedModels().filter((m) => {
    const mf = join(VECTORS, m, 'manifest.json');
    if (!existsSync(mf)) return false;
    const v = JSON.parse(readFileSync(mf, 'utf8')) as VectorSet['manifest'];
    return [...v.inputs, ...v.outputs].every((t) => io.includes(t.dtype)) && v.expected['tflm-reference'] !== undefined;
  });
}
