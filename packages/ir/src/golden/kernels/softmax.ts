/**
 * SOFTMAX over the last dimension, TFLite Micro's reference arithmetic.
 *
 * int8 input, int8 output (zero point -128, scale 1/256) or int16 output (zero point -32768,
 * scale 1/65536), gemmlowp fixed point:
 *   M, s = QuantizeMultiplierGreaterThanOne(min(beta * input_scale * 2^26, 2^31 - 1));
 *   diff_min = -floor((2^5 - 1) * 2^26 / 2^s);
 *   for each x with d = x - max(row) >= diff_min:
 *     e = exp_on_negative_values(srdhm(d << s, M) as Q5.26), a Q0.31 value;
 *   sum = sum of e rescaled to Q12.19;
 *   r, bits = GetReciprocal(sum, 12);
 *   out = clamp(RoundingDivideByPOT(srdhm(r, e), bits + 31 - out_bits) + out_min, out range),
 *   and out_min for d < diff_min.
 * float32: max subtracted, exp in float32, float32 sum, each exp divided by the sum.
 */
import { elementCount } from '../../graph.js';
import type { Op } from '../../ops.js';
import { expOnNegativeValues, fpRescale, getReciprocal } from '../../fixedpoint.js';
import { f32, mulGreaterThanOne, quantizeMultiplierGreaterThanOne, roundingDivideByPOT, srdhm } from '../../quant.js';
import type { Buffers, Kernel } from '../kernel.js';

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

export const softmax: Kernel = {
  prepare(ctx) {
    const attrs = (ctx.op as Op<'softmax'>).attrs;
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (input.shape.length < 1) throw ctx.unsupported('input must have at least one dimension');
    if (elementCount(input.shape) !== elementCount(output.shape)) throw ctx.unsupported('input and output sizes differ');
    const depth = input.shape[input.shape.length - 1];
    const rows = depth ? elementCount(input.shape) / depth : 0;
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];

    if (input.dtype === 'float32') {
      if (output.dtype !== 'float32') throw ctx.unsupported(`float32 input with ${output.dtype} output`);
      const beta = f32(attrs.beta);
      return (buffers: Buffers) => {
        const x = buffers[inId] as Float32Array;
        const out = buffers[outId] as Float32Array;
        for (let r = 0; r < rows; r++) {
          const o = r * depth;
          let max = -Infinity;
          for (let c = 0; c < depth; c++) if (x[o + c] > max) max = x[o + c];
          let sum = 0;
          for (let c = 0; c < depth; c++) {
            const e = f32(Math.exp(f32(f32(x[o + c] - max) * beta)));
            out[o + c] = e;
            sum = f32(sum + e);
          }
          for (let c = 0; c < depth; c++) out[o + c] = f32(out[o + c] / sum);
        }
      };
    }

    if (input.dtype !== 'int8') throw ctx.unsupported(`${input.dtype} input is not handled (int8 or float32)`);
    const qi = input.quant;
    const qo = output.quant;
    if (!qi || !qo || qi.scale.length !== 1 || qo.scale.length !== 1) throw ctx.unsupported('int8 softmax needs per-tensor quantization');
    let outBits: number;
    if (output.dtype === 'int8') {
      if (qo.zeroPoint[0] !== -128 || qo.scale[0] !== f32(1 / 256)) throw ctx.unsupported('int8 output must have zero point -128 and scale 1/256');
      outBits = 8;
    } else if (output.dtype === 'int16') {
      if (qo.zeroPoint[0] !== -32768 || Math.abs(qo.scale[0] - 1 / 65536) > 0.001 / 65536) {
        throw ctx.unsupported('int16 output of int8 input must have zero point -32768 and scale 1/65536');
      }
      outBits = 16;
    } else {
      throw ctx.unsupported(`int8 input with ${output.dtype} output is not handled`);
    }
    const outMin = outBits === 8 ? -128 : -32768;
    const outMax = outBits === 8 ? 127 : 32767;
    // PreprocessSoftmaxScaling, in double as TFLite computes it.
    const real = Math.min(attrs.beta * qi.scale[0] * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2 ** 31 - 1);
    const { multiplier, shift } = quantizeMultiplierGreaterThanOne(real);
    const diffMin = -Math.floor(((2 ** SCALED_DIFF_INTEGER_BITS - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** shift);
    // exp() depends only on the difference d in [-255, 0]: tabulate it.
    const expOf = new Int32Array(256);
    for (let d = 0; d >= -255; d--) {
      expOf[-d] = d >= diffMin ? expOnNegativeValues(mulGreaterThanOne(d, multiplier, shift), SCALED_DIFF_INTEGER_BITS) : 0;
    }
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array;
      const out = buffers[outId] as Int8Array | Int16Array;
      for (let r = 0; r < rows; r++) {
        const o = r * depth;
        let max = -128;
        for (let c = 0; c < depth; c++) if (x[o + c] > max) max = x[o + c];
        let sum = 0;
        for (let c = 0; c < depth; c++) {
          const d = x[o + c] - max;
          if (d >= diffMin) sum = (sum + fpRescale(expOf[-d], 0, ACCUMULATION_INTEGER_BITS)) | 0;
        }
        const { raw, bitsOverUnit } = getReciprocal(sum, ACCUMULATION_INTEGER_BITS);
        const exponent = bitsOverUnit + 31 - outBits;
        for (let c = 0; c < depth; c++) {
          const d = x[o + c] - max;
          if (d >= diffMin) {
            const v = roundingDivideByPOT(srdhm(raw, expOf[-d]), exponent) + outMin;
            out[o + c] = v < outMin ? outMin : v > outMax ? outMax : v;
          } else {
            out[o + c] = outMin;
          }
        }
      }
    };
  },
  macs() {
    return 0;
  },
};
