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
 * float32: float32 accumulation, + bias, clamped to the fused activation's range.
 */
import { elementCount } from '../../graph.js';
import type { Op } from '../../ops.js';
import {
  activationRangeFloat,
  activationRangeQuantized,
  perChannelMultipliers,
  perTensorConvMultiplier,
  Requantizer,
} from '../../quant.js';
import type { Buffers, Kernel, PrepareContext } from '../kernel.js';
import { biasInt32, floatBias, floatConstant } from './conv-2d.js';

function prepareFc(ctx: PrepareContext) {
  const op = ctx.op as Op<'fully_connected'>;
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const bias = ctx.optionalInput(2);
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
  return { attrs: op.attrs, input, filter, bias, output, accum, outDepth, batches };
}

export const fullyConnected: Kernel = {
  prepare(ctx) {
    const { attrs, input, filter, bias, output, accum, outDepth, batches } = prepareFc(ctx);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    if (input.dtype === 'float32' && output.dtype === 'float32') {
      const weights = floatConstant(ctx, filter);
      const biasF = floatBias(ctx, bias, outDepth);
      const [lo, hi] = activationRangeFloat(attrs.activation);
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
            out[b * outDepth + c] = v < lo ? lo : v > hi ? hi : v;
          }
        }
      };
    }
    if (input.dtype !== 'int8' || output.dtype !== 'int8' || filter.dtype !== 'int8') {
      throw ctx.unsupported(`${input.dtype} input with ${filter.dtype} filter to ${output.dtype} output is not handled (int8 or float32 only)`);
    }
    const inQ = input.quant;
    const outQ = output.quant;
    const fQ = filter.quant;
    if (!inQ || inQ.scale.length !== 1 || !outQ || outQ.scale.length !== 1) throw ctx.unsupported('int8 input and output need per-tensor quantization');
    if (!fQ || fQ.scale.length === 0) throw ctx.unsupported('int8 filter has no quantization');
    const perChannel = fQ.scale.length > 1;
    let multiplier: Int32Array;
    let shift: Int32Array;
    let filterOffset = 0;
    if (perChannel) {
      if (fQ.scale.length !== filter.shape[fQ.axis] || fQ.axis !== 0) {
        throw ctx.unsupported(`per-channel filter needs one scale per output row (axis 0), has ${fQ.scale.length} on axis ${fQ.axis}`);
      }
      ({ multiplier, shift } = perChannelMultipliers(inQ.scale[0], fQ.scale, outQ.scale[0], outDepth));
    } else {
      const q = perTensorConvMultiplier(inQ.scale[0], fQ.scale[0], outQ.scale[0]);
      multiplier = new Int32Array(outDepth).fill(q.multiplier);
      shift = new Int32Array(outDepth).fill(q.shift);
      filterOffset = -(fQ.zeroPoint[0] ?? 0);
    }
    const [actMin, actMax] = activationRangeQuantized(attrs.activation, output.dtype, output.quant);
    const rq = new Requantizer(multiplier, shift, outQ.zeroPoint[0], actMin, actMax);
    const biasI = biasInt32(ctx, bias, outDepth);
    const raw = new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.byteLength);
    const weights = new Int32Array(outDepth * accum);
    for (let i = 0; i < weights.length; i++) weights[i] = raw[i] + filterOffset;
    const xs = new Int32Array(accum);
    const acc = new Float64Array(outDepth);
    const inOffset = -inQ.zeroPoint[0];
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
    const { accum, outDepth, batches } = prepareFc(ctx);
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
