/**
 * MEAN over constant axes, TFLite Micro's reference arithmetic.
 *
 * int8/int16: sum the n reduced inputs in int32; with M, shift = QuantizeMultiplier(
 *   double(input_scale) / double(output_scale)), fold the division by n into the multiplier:
 *   k = min(floor(log2 n), 32, 31 + shift), M' = (int64(M) << k) / n (truncated), shift' = shift - k;
 *   out = clamp(MultiplyByQuantizedMultiplier(sum - input_zero_point * n, M', shift') + output_zero_point).
 * float32: float32 sum in input order, divided by float(n).
 */
import { constView, elementCount, type DType, type Graph } from '../../graph.js';
import type { Op } from '../../ops.js';
import { dtypeRange, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../quant.js';
import { prepareContext, type Buffers, type Kernel } from '../kernel.js';
import { perTensorQuant } from './prepare.js';

/** MEAN's Prepare (TFLite Micro's OpDataReduce). */
export interface MeanParams {
  dtype: 'float32' | 'int8' | 'int16';
  /** The reduced axes, non-negative, ascending, without repeats. */
  axes: number[];
  /** Input elements per output element. */
  count: number;
  /** Quantized only (zero for float32): M', shift' with the division by count folded in. */
  multiplier: number;
  shift: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
}

export function meanParams(g: Graph, op: Op, index: number): MeanParams {
  const ctx = prepareContext(g, op, index);
  const attrs = (ctx.op as Op<'mean'>).attrs;
  const input = ctx.input(0);
  const axisT = ctx.input(1);
  const output = ctx.output(0);
  const dt: DType = input.dtype;
  if (dt !== output.dtype) throw ctx.unsupported(`input is ${dt} but output is ${output.dtype}`);
  if (dt !== 'int8' && dt !== 'int16' && dt !== 'float32') throw ctx.unsupported(`${dt} is not handled (int8, int16 or float32)`);
  if (!axisT.data || axisT.dtype !== 'int32') throw ctx.unsupported('axis must be a constant int32 tensor');
  const rank = input.shape.length;
  const axes = new Set<number>();
  for (const a of constView(axisT) as Int32Array) {
    const r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) throw ctx.unsupported(`axis ${a} is out of range for rank ${rank}`);
    axes.add(r);
  }
  const kept = input.shape.filter((_, i) => !axes.has(i));
  const expected = attrs.keepDims ? input.shape.map((d, i) => (axes.has(i) ? 1 : d)) : kept;
  if (elementCount(output.shape) !== elementCount(kept) || (attrs.keepDims && expected.some((d, i) => d !== output.shape[i]))) {
    throw ctx.unsupported(`output [${output.shape}] is not [${input.shape}] reduced over axes [${[...axes]}]`);
  }
  const nOut = elementCount(kept);
  const count = nOut ? elementCount(input.shape) / nOut : 0;
  const base = { axes: [...axes].sort((a, b) => a - b), count };
  if (dt === 'float32') return { ...base, dtype: dt, multiplier: 0, shift: 0, inputZeroPoint: 0, outputZeroPoint: 0 };
  const qi = perTensorQuant(ctx, input, 'input');
  const qo = perTensorQuant(ctx, output, 'output');
  let { multiplier, shift } = quantizeMultiplier(qi.scale / qo.scale);
  if (count > 0) {
    const k = Math.min(31 - Math.clz32(count), 32, 31 + shift);
    multiplier = Number((BigInt(multiplier) << BigInt(k)) / BigInt(count));
    shift -= k;
  }
  return { ...base, dtype: dt, multiplier, shift, inputZeroPoint: qi.zeroPoint, outputZeroPoint: qo.zeroPoint };
}

export const mean: Kernel = {
  prepare(ctx) {
    const params = meanParams(ctx.graph, ctx.op, ctx.index);
    const input = ctx.input(0);
    const { dtype: dt, count, multiplier, shift } = params;
    const rank = input.shape.length;
    const axes = new Set(params.axes);
    const nIn = elementCount(input.shape);
    const nOut = elementCount(ctx.output(0).shape);
    // The output element each input element sums into, in input order.
    const dst = new Int32Array(nIn);
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < nIn; i++) {
      let p = 0;
      for (let d = 0; d < rank; d++) if (!axes.has(d)) p = p * input.shape[d] + idx[d];
      dst[i] = p;
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < input.shape[d]) break;
        idx[d] = 0;
      }
    }
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    if (dt === 'float32') {
      const acc = new Float32Array(nOut);
      return (buffers: Buffers) => {
        const x = buffers[inId] as Float32Array;
        const out = buffers[outId] as Float32Array;
        acc.fill(0);
        for (let i = 0; i < nIn; i++) acc[dst[i]] += x[i]; // a Float32Array store rounds each sum
        for (let j = 0; j < nOut; j++) out[j] = Math.fround(acc[j] / count);
      };
    }
    const inZpTimesN = params.inputZeroPoint * count;
    const outZp = params.outputZeroPoint;
    const [lo, hi] = dtypeRange(dt);
    const sum = new Int32Array(nOut);
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array | Int16Array;
      const out = buffers[outId] as Int8Array | Int16Array;
      sum.fill(0);
      for (let i = 0; i < nIn; i++) sum[dst[i]] += x[i];
      for (let j = 0; j < nOut; j++) {
        const v = multiplyByQuantizedMultiplier((sum[j] - inZpTimesN) | 0, multiplier, shift) + outZp;
        out[j] = v < lo ? lo : v > hi ? hi : v;
      }
    };
  },
  macs() {
    return 0;
  },
};
