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
  const read = (f: string): Uint8Array => {
    try {
      return new Uint8Array(readFileSync(join(dir, f)));
    } catch (e) {
      throw new MliflowError(`${join(dir, f)}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  };
  let manifest: VectorManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(read('manifest.json'))) as VectorManifest;
  } catch (e) {
    if (e instanceof MliflowError) throw e;
    throw new MliflowError(`${mf}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof manifest.model !== 'string' || typeof manifest.expected !== 'object' || manifest.expected === null) {
    throw new MliflowError(`${mf}: needs "model" and "expected" fields`);
  }
  const opt = (key: string): Uint8Array | null => {
    const f = manifest.expected[key];
    return f ? read(f) : null;
  };
  return { dir, manifest, inputs: read('inputs.bin'), tflm: opt('tflm-reference'), wasm: opt('tflite-wasm') };
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
