/**
 * ADD, TFLite Micro's reference arithmetic, with numpy broadcasting.
 *
 * int8 (left_shift = 20): with twice_max = 2 * max(scale1, scale2) in double,
 *   a_k = MultiplyByQuantizedMultiplierSmallerThanOneExp((q_k - zp_k) << 20, M_k, s_k)
 *         where M_k, s_k quantize scale_k / twice_max
 *   out = clamp(MultiplyByQuantizedMultiplierSmallerThanOneExp(a_1 + a_2, M_o, s_o) + zp_out, act)
 *         where M_o, s_o quantize twice_max / (2^20 * output_scale).
 * int16: the same with left_shift = 15. TFLite Micro always takes this general path; TFLite's
 *   power-of-two path (AddOptions.pot_scale_int16 with power-of-two scales) is not TFLite
 *   Micro's, so pot_scale_int16 is ignored here as it is there.
 * float32: float32 sum, clamped to the fused activation's range.
 */
import { elementCount, type Graph } from '../../graph.js';
import type { Op } from '../../ops.js';
import { mulSmallerThanOneExp, quantizeMultiplier, type QuantizedMultiplier } from '../../quant.js';
import { prepareContext, type Buffers, type Kernel, type PrepareContext } from '../kernel.js';
import { activationBounds, perTensorQuant } from './prepare.js';

/**
 * For each output element, the flat index into each input under numpy broadcasting; null
 * when both inputs have the output's shape.
 */
export function broadcastIndices(ctx: PrepareContext, a: readonly number[], b: readonly number[], out: readonly number[]): [Int32Array, Int32Array] | null {
  const same = (x: readonly number[]) => x.length === out.length && x.every((d, i) => d === out[i]);
  if (same(a) && same(b)) return null;
  const rank = out.length;
  const strides = (s: readonly number[]): number[] => {
    const ext = [...new Array(rank - s.length).fill(1), ...s];
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      if (ext[i] !== out[i] && ext[i] !== 1) throw ctx.unsupported(`cannot broadcast [${s}] to [${out}]`);
      st[i] = ext[i] === 1 ? 0 : acc;
      acc *= ext[i];
    }
    return st;
  };
  if (a.length > rank || b.length > rank) throw ctx.unsupported(`inputs [${a}] and [${b}] have more dimensions than output [${out}]`);
  const sa = strides(a);
  const sb = strides(b);
  const n = elementCount(out);
  const ia = new Int32Array(n);
  const ib = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let pa = 0;
    let pb = 0;
    for (let d = 0; d < rank; d++) {
      pa += idx[d] * sa[d];
      pb += idx[d] * sb[d];
    }
    ia[i] = pa;
    ib[i] = pb;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return [ia, ib];
}

/** ADD's Prepare (TFLite Micro's OpDataAdd). */
export interface AddParams {
  dtype: 'float32' | 'int8' | 'int16';
  /** The fused activation's bounds in the output's domain. */
  actMin: number;
  actMax: number;
  /** int8 and int16 only (zero for float32). */
  leftShift: number;
  input1Offset: number;
  input2Offset: number;
  input1: QuantizedMultiplier;
  input2: QuantizedMultiplier;
  output: QuantizedMultiplier;
  outputZeroPoint: number;
}

/** QuantizeMultiplierSmallerThanOneExp, failing as an unsupported model rather than a crash. */
function smallerThanOne(ctx: PrepareContext, real: number, what: string): QuantizedMultiplier {
  if (!(real > 0 && real < 1)) throw ctx.unsupported(`${what} multiplier ${real} is not in (0, 1)`);
  const q = quantizeMultiplier(real);
  if (q.shift > 0) throw ctx.unsupported(`${what} multiplier has a positive shift`);
  return q;
}

export function addParams(g: Graph, op: Op, index: number): AddParams {
  const ctx = prepareContext(g, op, index);
  const attrs = (ctx.op as Op<'add'>).attrs;
  const in1 = ctx.input(0);
  const in2 = ctx.input(1);
  const output = ctx.output(0);
  if (in1.dtype !== output.dtype || in2.dtype !== output.dtype) {
    throw ctx.unsupported(`inputs ${in1.dtype} and ${in2.dtype} with output ${output.dtype}: all must match`);
  }
  if (output.dtype !== 'float32' && output.dtype !== 'int8' && output.dtype !== 'int16') {
    throw ctx.unsupported(`${output.dtype} is not handled (int8, int16 or float32)`);
  }
  const [actMin, actMax] = activationBounds(ctx, attrs.activation, output);
  if (output.dtype === 'float32') {
    const none = { multiplier: 0, shift: 0 };
    return { dtype: 'float32', actMin, actMax, leftShift: 0, input1Offset: 0, input2Offset: 0, input1: none, input2: none, output: none, outputZeroPoint: 0 };
  }
  const q1 = perTensorQuant(ctx, in1, 'input 0');
  const q2 = perTensorQuant(ctx, in2, 'input 1');
  const qo = perTensorQuant(ctx, output, 'output');
  const leftShift = output.dtype === 'int16' ? 15 : 20;
  const twiceMax = 2 * Math.max(q1.scale, q2.scale);
  return {
    dtype: output.dtype,
    actMin,
    actMax,
    leftShift,
    input1Offset: -q1.zeroPoint,
    input2Offset: -q2.zeroPoint,
    input1: smallerThanOne(ctx, q1.scale / twiceMax, 'input 0'),
    input2: smallerThanOne(ctx, q2.scale / twiceMax, 'input 1'),
    output: smallerThanOne(ctx, twiceMax / ((1 << leftShift) * qo.scale), 'output'),
    outputZeroPoint: qo.zeroPoint,
  };
}

export const add: Kernel = {
  prepare(ctx) {
    const p = addParams(ctx.graph, ctx.op, ctx.index);
    const in1 = ctx.input(0);
    const in2 = ctx.input(1);
    const output = ctx.output(0);
    const [id1, id2] = ctx.op.inputs;
    const outId = ctx.op.outputs[0];
    const bc = broadcastIndices(ctx, in1.shape, in2.shape, output.shape);
    const n = elementCount(output.shape);
    const { actMin, actMax, leftShift, input1Offset: off1, input2Offset: off2, input1: m1, input2: m2, output: mo, outputZeroPoint: outZp } = p;
    if (p.dtype === 'float32') {
      return (buffers: Buffers) => {
        const a = buffers[id1] as Float32Array;
        const b = buffers[id2] as Float32Array;
        const out = buffers[outId] as Float32Array;
        for (let i = 0; i < n; i++) {
          const v = Math.fround(bc ? a[bc[0][i]] + b[bc[1][i]] : a[i] + b[i]);
          out[i] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
      };
    }
    if (p.dtype === 'int16') {
      const scaled = (q: number, offset: number, m: QuantizedMultiplier): number => mulSmallerThanOneExp(Math.imul(q + offset, 1 << leftShift), m.multiplier, m.shift);
      return (buffers: Buffers) => {
        const a = buffers[id1] as Int16Array;
        const b = buffers[id2] as Int16Array;
        const out = buffers[outId] as Int16Array;
        for (let i = 0; i < n; i++) {
          const sum = (scaled(bc ? a[bc[0][i]] : a[i], off1, m1) + scaled(bc ? b[bc[1][i]] : b[i], off2, m2)) | 0;
          const v = mulSmallerThanOneExp(sum, mo.multiplier, mo.shift) + outZp;
          out[i] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
      };
    }
    // The result depends only on the two int8 inputs: tabulate all 256 x 256 pairs.
    const t1 = new Int32Array(256);
    const t2 = new Int32Array(256);
    for (let q = -128; q < 128; q++) {
      t1[q & 255] = mulSmallerThanOneExp((q + off1) * (1 << leftShift), m1.multiplier, m1.shift);
      t2[q & 255] = mulSmallerThanOneExp((q + off2) * (1 << leftShift), m2.multiplier, m2.shift);
    }
    const table = new Int8Array(65536);
    for (let i = 0; i < 256; i++) {
      for (let j = 0; j < 256; j++) {
        const v = mulSmallerThanOneExp((t1[i] + t2[j]) | 0, mo.multiplier, mo.shift) + outZp;
        table[(i << 8) | j] = v < actMin ? actMin : v > actMax ? actMax : v;
      }
    }
    return (buffers: Buffers) => {
      const a = buffers[id1] as Int8Array;
      const b = buffers[id2] as Int8Array;
      const out = buffers[outId] as Int8Array;
      if (bc) {
        const [ia, ib] = bc;
        for (let i = 0; i < n; i++) out[i] = table[((a[ia[i]] & 255) << 8) | (b[ib[i]] & 255)];
      } else {
        for (let i = 0; i < n; i++) out[i] = table[((a[i] & 255) << 8) | (b[i] & 255)];
      }
    };
  },
  macs() {
    return 0;
  },
};
