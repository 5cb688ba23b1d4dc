/** Small synthetic int8 graphs for kernel coverage the shared models do not give. */
import { prng, type DType, type Graph, type Op, type OpAttrs, type OpKind, type Quantization, type Tensor } from '@mliflow/ir';

const bytesOf = (a: Int8Array | Int16Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export class GraphBuilder {
  readonly tensors: Tensor[] = [];
  readonly ops: Op[] = [];
  readonly rand: () => number;

  constructor(seed = 1) {
    this.rand = prng(seed);
  }

  q(scale: number | number[], zp: number | number[] = 0, axis = 0): Quantization {
    const s = (Array.isArray(scale) ? scale : [scale]).map(Math.fround);
    const z = Array.isArray(zp) ? zp : s.map(() => zp);
    return { scale: s, zeroPoint: z, axis };
  }

  tensor(name: string, dtype: DType, shape: number[], quant: Quantization | null, data: Uint8Array | null = null): number {
    return this.tensors.push({ name, dtype, shape, data, quant, isVariable: false }) - 1;
  }

  act(name: string, shape: number[], scale: number, zp: number, dtype: DType = 'int8'): number {
    return this.tensor(name, dtype, shape, this.q(scale, zp));
  }

  int8Const(name: string, shape: number[], quant: Quantization | null): number {
    const n = shape.reduce((a, b) => a * b, 1);
    const d = Int8Array.from({ length: n }, () => Math.round(this.rand() * 254 - 127));
    return this.tensor(name, 'int8', shape, quant, bytesOf(d));
  }

  int32Const(name: string, values: number[], quant: Quantization | null = null): number {
    return this.tensor(name, 'int32', [values.length], quant, bytesOf(Int32Array.from(values)));
  }

  int32ConstShaped(name: string, shape: number[], values: number[]): number {
    return this.tensor(name, 'int32', shape, null, bytesOf(Int32Array.from(values)));
  }

  /** Per-channel (or per-tensor) int8 weights and a matching int32 bias. */
  weights(name: string, shape: number[], axis: number, channels: number, perChannel: boolean, inScale: number): { w: number; b: number; scales: number[] } {
    const scales = Array.from({ length: perChannel ? channels : 1 }, () => Math.fround(0.004 + this.rand() * 0.01));
    const w = this.int8Const(`${name}/w`, shape, this.q(scales, 0, axis));
    const bScales = scales.map((s) => Math.fround(inScale * s));
    const bias = Array.from({ length: channels }, () => Math.round((this.rand() - 0.5) * 4000));
    const b = this.int32Const(`${name}/b`, bias, this.q(bScales, 0));
    return { w, b, scales };
  }

  op<K extends OpKind>(kind: K, inputs: number[], outputs: number[], attrs: OpAttrs[K]): void {
    this.ops.push({ kind, inputs, outputs, attrs, intermediates: [], version: 1 } as Op);
  }

  graph(inputs: number[], outputs: number[]): Graph {
    return { tensors: this.tensors, ops: this.ops, inputs, outputs, description: 'synthetic', version: 3, metadata: [], subgraphName: 'main' };
  }
}

/** Random records of a graph's inputs (raw bytes of every input, in order). */
export function randomRecords(g: Graph, count: number, seed = 7): Uint8Array {
  const rand = prng(seed);
  const parts: number[] = [];
  for (let r = 0; r < count; r++) {
    for (const id of g.inputs) {
      const t = g.tensors[id];
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (t.dtype === 'int8') {
        for (let i = 0; i < n; i++) parts.push(Math.floor(rand() * 256) & 0xff);
      } else if (t.dtype === 'int16') {
        for (let i = 0; i < n; i++) {
          const v = Math.floor(rand() * 65536) & 0xffff;
          parts.push(v & 0xff, v >> 8);
        }
      } else {
        throw new Error(`randomRecords: ${t.dtype} input`);
      }
    }
  }
  return Uint8Array.from(parts);
}
