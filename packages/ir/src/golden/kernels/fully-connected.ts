/**
 * FULLY_CONNECTED, TFLite Micro's reference arithmetic. The filter is [outDepth, accumDepth];
 * every output row b is a dot product of input row b with each filter row.
 *
 * int8, per-tensor filter:
 *   acc = bias[c] + sum (filter + filter_offset) * (input - input_zero_point)
 *   out = clamp(MultiplyByQuantizedMultiplier(acc, M, shift) + output_zero_point, act)
 *   with M, shift from double(float(input_scale * filter_scale)) / double(output_scale).
 * int8, per-channel filter: no filter offset, and M[c], shift[c] from
 *   double(input_scale) * double(filter_scale[c]) / double(output_scale).
 * int16 input and output, int8 filter (16x8): the same sums, offsets and multipliers, with
 *   an int64 bias (or none): acc in int64, MultiplyByQuantizedMultiplier(int64 acc, M, shift);
 *   an int32 bias: acc in int32 (wrapping), the int32 MultiplyByQuantizedMultiplier.
 * float32: float32 accumulation, + bias, clamped to the fused activation's range.
 */
import { elementCount, type Graph } from '../../graph.js';
import type { Op } from '../../ops.js';
import { perChannelMultipliers, perTensorConvMultiplier, Requantizer } from '../../quant.js';
import { prepareContext, type Buffers, type Kernel, type PrepareContext } from '../kernel.js';
import { bias16x8, biasInt32, convDtype, floatBias, floatConstant, requantizer16x8, type Bias16x8, type ChannelQuant } from './conv-2d.js';
import { activationBounds, perTensorQuant } from './prepare.js';

function fcShape(ctx: PrepareContext) {
  const op = ctx.op as Op<'fully_connected'>;
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const output = ctx.output(0);
  if (filter.shape.length !== 2) throw ctx.unsupported(`filter must be 2-D, got [${filter.shape}]`);
  if (!filter.data) throw ctx.unsupported('filter must be constant');
  if (output.shape.length < 1) throw ctx.unsupported('output must have at least one dimension');
  const [filterRows, accum] = filter.shape;
  const outDepth = output.shape[output.shape.length - 1];
  const batches = elementCount(output.shape) / outDepth;
  if (outDepth > filterRows) throw ctx.unsupported(`output depth ${outDepth} exceeds the filter's ${filterRows} rows`);
  if (elementCount(input.shape) !== batches * accum) {
    throw ctx.unsupported(`input [${input.shape}] is not ${batches} rows of ${accum}`);
  }
  return { attrs: op.attrs, input, filter, output, accum, outDepth, batches };
}

/** FULLY_CONNECTED's Prepare (TFLite Micro's OpDataFullyConnected). */
export interface FullyConnectedParams {
  dtype: 'float32' | 'int8' | 'int16';
  batches: number;
  accum: number;
  outDepth: number;
  /** A multiplier per output row, and no filter offset. */
  perChannel: boolean;
  /** -filter_zero_point (per-tensor filters; 0 otherwise). */
  filterOffset: number;
  /** The fused activation's bounds in the output's domain. */
  actMin: number;
  actMax: number;
  /** int8 and int16 only; a per-tensor multiplier is repeated over the output rows. */
  quant: ChannelQuant | null;
  /** int16 only: the bias and the accumulator it selects. */
  bias16: Bias16x8 | null;
}

export function fullyConnectedParams(g: Graph, op: Op, index: number): FullyConnectedParams {
  const ctx = prepareContext(g, op, index);
  const { attrs, input, filter, output, accum, outDepth, batches } = fcShape(ctx);
  const [actMin, actMax] = activationBounds(ctx, attrs.activation, output);
  const base = { batches, accum, outDepth, actMin, actMax };
  const dtype = convDtype(ctx, input, filter, output);
  if (dtype === 'float32') return { ...base, dtype, perChannel: false, filterOffset: 0, quant: null, bias16: null };
  const inQ = perTensorQuant(ctx, input, 'input');
  const outQ = perTensorQuant(ctx, output, 'output');
  const fQ = filter.quant;
  if (!fQ || fQ.scale.length === 0) throw ctx.unsupported('int8 filter has no quantization');
  const perChannel = fQ.scale.length > 1;
  let multiplier: Int32Array;
  let shift: Int32Array;
  let filterOffset = 0;
  if (perChannel) {
    if (fQ.scale.length !== filter.shape[fQ.axis] || fQ.axis !== 0) {
      throw ctx.unsupported(`per-channel filter needs one scale per output row (axis 0), has ${fQ.scale.length} on axis ${fQ.axis}`);
    }
    ({ multiplier, shift } = perChannelMultipliers(inQ.scale, fQ.scale, outQ.scale, outDepth));
  } else {
    const q = perTensorConvMultiplier(inQ.scale, fQ.scale[0], outQ.scale);
    multiplier = new Int32Array(outDepth).fill(q.multiplier);
    shift = new Int32Array(outDepth).fill(q.shift);
    filterOffset = -(fQ.zeroPoint[0] ?? 0);
  }
  const quant = { inputOffset: -inQ.zeroPoint, outputZeroPoint: outQ.zeroPoint, multiplier, shift };
  const bias16 = dtype === 'int16' ? bias16x8(ctx, ctx.optionalInput(2), outDepth, true) : null;
  return { ...base, dtype, perChannel, filterOffset, quant, bias16 };
}

export const fullyConnected: Kernel = {
  prepare(ctx) {
    const { accum, outDepth, batches, filterOffset, actMin, actMax, quant, bias16 } = fullyConnectedParams(ctx.graph, ctx.op, ctx.index);
    const filter = ctx.input(1);
    const bias = ctx.optionalInput(2);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    if (!quant) {
      const weights = floatConstant(ctx, filter);
      const biasF = floatBias(ctx, bias, outDepth);
      return (buffers: Buffers) => {
        const x = buffers[inId] as Float32Array;
        const out = buffers[outId] as Float32Array;
        const f32 = Math.fround;
        for (let b = 0; b < batches; b++) {
          for (let c = 0; c < outDepth; c++) {
            let total = 0;
            let xi = b * accum;
            let fi = c * accum;
            for (let d = 0; d < accum; d++) total = f32(total + f32(x[xi++] * weights[fi++]));
            const v = f32(total + biasF[c]);
            out[b * outDepth + c] = v < actMin ? actMin : v > actMax ? actMax : v;
          }
        }
      };
    }
    if (bias16) {
      const rq = requantizer16x8(bias16, quant, actMin, actMax);
      const raw = new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.byteLength);
      const weights = Float64Array.from(raw, (v) => v + filterOffset);
      const xs = new Float64Array(accum);
      const inOffset = quant.inputOffset;
      const biasV = bias16.values;
      return (buffers: Buffers) => {
        const x = buffers[inId] as Int16Array;
        const out = buffers[outId] as Int16Array;
        for (let b = 0; b < batches; b++) {
          for (let d = 0, xi = b * accum; d < accum; d++) xs[d] = x[xi + d] + inOffset;
          for (let c = 0; c < outDepth; c++) {
            // |(filter + offset) * (input + offset)| < 2^25: the sum is exact in a double.
            let acc = biasV[c];
            for (let d = 0, fi = c * accum; d < accum; d++) acc += weights[fi++] * xs[d];
            out[b * outDepth + c] = rq.one(acc, c);
          }
        }
      };
    }
    const rq = new Requantizer(quant.multiplier, quant.shift, quant.outputZeroPoint, actMin, actMax);
    const biasI = biasInt32(ctx, bias, outDepth);
    const raw = new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.byteLength);
    const weights = new Int32Array(outDepth * accum);
    for (let i = 0; i < weights.length; i++) weights[i] = raw[i] + filterOffset;
    const xs = new Int32Array(accum);
    const acc = new Float64Array(outDepth);
    const inOffset = quant.inputOffset;
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array;
      const out = buffers[outId] as Int8Array;
      for (let b = 0; b < batches; b++) {
        for (let d = 0, xi = b * accum; d < accum; d++) xs[d] = x[xi + d] + inOffset;
        fcRow(xs, weights, biasI, accum, outDepth, rq, out, b * outDepth, acc);
      }
    };
  },
  macs(ctx) {
    const { accum, outDepth, batches } = fcShape(ctx);
    return batches * accum * outDepth;
  },
};

function fcRow(xs: Int32Array, f: Int32Array, bias: Int32Array, accum: number, outDepth: number, rq: Requantizer, out: Int8Array, o: number, acc: Float64Array): void {
  for (let c = 0; c < outDepth; c++) {
    let a = 0;
    let fi = c * accum;
    for (let d = 0; d < accum; d++) a = (a + Math.imul(f[fi++], xs[d])) | 0;
    acc[c] = a;
  }
  rq.row(acc, outDepth, bias, out, o);
}
