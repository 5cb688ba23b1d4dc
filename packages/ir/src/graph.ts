/**
 * The graph IR. Quantization is part of every tensor's type, as in TVM's QNN dialect:
 * passes read and rewrite it, never a side table.
 */
import type { Op } from './ops.js';

export type DType = 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'float32' | 'bool';

export const DTYPE_BYTES: Record<DType, number> = {
  int8: 1,
  uint8: 1,
  bool: 1,
  int16: 2,
  int32: 4,
  float32: 4,
  int64: 8,
};

/**
 * Affine quantization: real = scale * (q - zeroPoint). Per-tensor when `scale` has one
 * entry; per-channel along `axis` otherwise. Scales are float32 values, as in the file.
 */
export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  axis: number;
  /** Kept only so that a model written back matches what was read. */
  min?: number[];
  max?: number[];
}

export interface Tensor {
  name: string;
  dtype: DType;
  shape: number[];
  /** Constant data, little-endian, exactly shape's element count times the dtype size. */
  data: Uint8Array | null;
  quant: Quantization | null;
  /** Persistent state across invocations (LSTM and SVDF state). */
  isVariable: boolean;
  /** Shape with -1 for dynamic dimensions, when the file had one. */
  shapeSignature?: number[];
}

export interface Metadata {
  name: string;
  data: Uint8Array;
}

export interface Graph {
  tensors: Tensor[];
  ops: Op[];
  inputs: number[];
  outputs: number[];
  /** Model-level facts that the writer carries through. */
  description: string;
  version: number;
  metadata: Metadata[];
  subgraphName: string;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function byteSize(t: Tensor): number {
  return elementCount(t.shape) * DTYPE_BYTES[t.dtype];
}

export function isPerChannel(q: Quantization | null): boolean {
  return q !== null && q.scale.length > 1;
}

/** A tensor's label for messages: its index and name. */
export function tensorLabel(g: Graph, id: number): string {
  const t = g.tensors[id];
  return t ? `tensor ${id} "${t.name}"` : `tensor ${id}`;
}

type View = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | BigInt64Array;

/** A typed view of constant data. The reader keeps buffers aligned, so views share memory. */
export function constView(t: Tensor): View {
  if (!t.data) throw new Error(`tensor "${t.name}" has no constant data`);
  return typedView(t.dtype, t.data);
}

export function typedView(dtype: DType, b: Uint8Array): View {
  const { buffer, byteOffset, byteLength } = b;
  const aligned = byteOffset % 8 === 0;
  // A copy, not b.slice(): on a Node Buffer slice() is a view into the shared pool.
  const src = aligned ? b : new Uint8Array(b);
  const buf = aligned ? buffer : src.buffer;
  const off = aligned ? byteOffset : 0;
  switch (dtype) {
    case 'int8':
      return new Int8Array(buf, off, byteLength);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buf, off, byteLength);
    case 'int16':
      return new Int16Array(buf, off, byteLength / 2);
    case 'int32':
      return new Int32Array(buf, off, byteLength / 4);
    case 'float32':
      return new Float32Array(buf, off, byteLength / 4);
    case 'int64':
      return new BigInt64Array(buf, off, byteLength / 8);
  }
}

/** Bytes of one record: every input (or output) tensor's bytes, in graph order. */
export function recordBytes(g: Graph, side: 'inputs' | 'outputs'): number {
  return g[side].reduce((sum, id) => sum + byteSize(g.tensors[id]), 0);
}
