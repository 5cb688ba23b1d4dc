/** The layout of ../shared/vectors: records of raw input bytes and expected outputs. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MliflowError, UsageError } from './errors.js';
import { byteSize, DTYPE_BYTES, recordBytes, tensorLabel, type DType, type Graph } from './graph.js';
import { vectorsStart, xorshift32 } from './prng.js';
import { dtypeRange } from './quant.js';

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

/** One record's tensors (or several records) laid end to end, in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The quantization a float input's int8 draws are dequantized with. */
export interface DrawQuant {
  scale: number;
  zeroPoint: number;
}

/** Without a paired int8 model: q / 128, in [-1, 1). */
const DEFAULT_DRAW_QUANT: DrawQuant = { scale: 1 / 128, zeroPoint: 0 };

/**
 * Seeded random records over each input's full range, as ../shared/vectors holds them
 * (docs/golden-vectors.md): one xorshift32 stream per model, started by `vectorsStart(model,
 * seed)`, one draw per element, records and inputs in order. An integer element is its type's
 * minimum plus the draw modulo 2^bits; a float element is an int8 draw dequantized with
 * `quant[i]` (the paired int8 model's input i), else q / 128. `model` is the file name without
 * `.tflite`, so a shared model with seed 1 gets exactly its shared records.
 */
export function randomRecords(g: Graph, count: number, opts: { model: string; seed?: number; quant?: readonly (DrawQuant | undefined)[] }): Uint8Array {
  const out = new Uint8Array(recordBytes(g, 'inputs') * count);
  const view = new DataView(out.buffer);
  const next = xorshift32(vectorsStart(opts.model, opts.seed ?? 1));
  const put = {
    int8: (o: number, v: number) => view.setInt8(o, v),
    uint8: (o: number, v: number) => view.setUint8(o, v),
    int16: (o: number, v: number) => view.setInt16(o, v, true),
    int32: (o: number, v: number) => view.setInt32(o, v, true),
  };
  const fills = g.inputs.map((id, i) => {
    const t = g.tensors[id];
    const size = DTYPE_BYTES[t.dtype];
    if (t.dtype === 'float32') {
      const { scale, zeroPoint } = opts.quant?.[i] ?? DEFAULT_DRAW_QUANT;
      const int8 = () => -128 + (next() % 256);
      return { size, fill: (o: number) => view.setFloat32(o, scale * (int8() - zeroPoint), true) };
    }
    if (!(t.dtype in put)) throw new UsageError(`graph input ${i} (${tensorLabel(g, id)}) is ${t.dtype}; random records cover int8, uint8, int16, int32 and float32 inputs`);
    const min = dtypeRange(t.dtype)[0];
    const span = 2 ** (8 * size);
    const set = put[t.dtype as keyof typeof put];
    return { size, fill: (o: number) => set(o, min + (next() % span)) };
  });
  let off = 0;
  for (let r = 0; r < count; r++) {
    g.inputs.forEach((id, i) => {
      const { size, fill } = fills[i];
      const end = off + byteSize(g.tensors[id]);
      for (; off < end; off += size) fill(off);
    });
  }
  return out;
}
