/** The layout of ../shared/vectors: records of raw input bytes and expected outputs. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MliflowError, UsageError } from './errors.js';
import type { DType } from './graph.js';

export interface VectorTensor {
  index: number;
  dtype: DType;
  shape: number[];
  scale: number[];
  zeroPoint: number[];
}

export interface VectorManifest {
  model: string;
  count: number;
  random: number;
  real: number;
  seed: number;
  inputs: VectorTensor[];
  outputs: VectorTensor[];
  /** Which expected files exist: 'tflm-reference' and 'tflite-wasm'. */
  expected: Record<string, string>;
  unavailable?: Record<string, string>;
}

export interface VectorSet {
  dir: string;
  manifest: VectorManifest;
  inputs: Uint8Array;
  /** TFLite Micro's reference-kernel outputs, the bit-exact ground truth, when present. */
  tflm: Uint8Array | null;
  /** The TFLite runtime's (XNNPACK) outputs, when present. */
  wasm: Uint8Array | null;
}

export function loadVectors(dir: string): VectorSet {
  const mf = join(dir, 'manifest.json');
  if (!existsSync(mf)) throw new MliflowError(`${dir}: no manifest.json; not a vectors directory`);
  const manifest = JSON.parse(readFileSync(mf, 'utf8')) as VectorManifest;
  const opt = (key: string): Uint8Array | null => {
    const f = manifest.expected[key];
    return f ? new Uint8Array(readFileSync(join(dir, f))) : null;
  };
  return {
    dir,
    manifest,
    inputs: new Uint8Array(readFileSync(join(dir, 'inputs.bin'))),
    tflm: opt('tflm-reference'),
    wasm: opt('tflite-wasm'),
  };
}

/**
 * How many whole records `bytes` holds, checked: a file of records must be non-empty and a
 * whole number of records. `count`, when given, takes that many from the front.
 */
export function recordCount(bytes: number, recordBytes: number, what: string, count?: number): number {
  if (bytes === 0) throw new UsageError(`${what}: the file is empty; it should hold ${recordBytes}-byte records`);
  if (recordBytes === 0 || bytes % recordBytes !== 0) {
    throw new UsageError(`${what}: ${bytes} bytes is not a whole number of ${recordBytes}-byte records`);
  }
  const n = bytes / recordBytes;
  if (count !== undefined && count > n) throw new UsageError(`${what}: --count ${count} asks for more than its ${n} records`);
  return count ?? n;
}
