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
 * int16 input, int16 output (zero points 0, output scale 1/32768), two 513-entry LUTs
 * (LUTPopulate<int16_t>: exp over [-10, 0], 1/(1+x) over [0, 1]):
 *   M, s = QuantizeMultiplier(double(input_scale) * double(beta) / (10 / 65535));
 *   e = LUTLookup(sat16(MultiplyByQuantizedMultiplier(x - max(row), M, s) + 32767), exp_lut), Q0.15;
 *   sum = sum of e; h = CountLeadingZeros(sum);
 *   r = LUTLookup(sat16((((int64)sum << (h - 1)) + 2^13 >> 14) - 3 * 2^15), one_over_one_plus_x_lut);
 *   out = clamp((e * r + 2^(30 - h)) >> (31 - h), 0, 32767).
 * float32: max subtracted, exp in float32, float32 sum, each exp divided by the sum.
 */
import { elementCount, type Graph } from '../../graph.js';
import type { Op } from '../../ops.js';
import { expOnNegativeValues, fpRescale, getReciprocal } from '../../fixedpoint.js';
import {
  f32,
  lutLookupInt16,
  lutPopulateInt16,
  mulGreaterThanOne,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  srdhm,
} from '../../quant.js';
import { prepareContext, type Buffers, type Kernel } from '../kernel.js';
import { perTensorQuant } from './prepare.js';

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

/** SOFTMAX's Prepare (TFLite Micro's SoftmaxParams). */
export interface SoftmaxParams {
  /** float32, or int8 input with an int8 or int16 output, or int16 throughout. */
  inputDtype: 'float32' | 'int8' | 'int16';
  outputDtype: 'float32' | 'int8' | 'int16';
  rows: number;
  depth: number;
  /** float32: beta as a float. */
  beta: number;
  /** int8 only (zero for float32). */
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
  /** int16 input only: the exp and 1/(1+x) tables. */
  expLut: Int16Array | null;
  oneOverOnePlusXLut: Int16Array | null;
}

const INT16_RANGE = 65535;

/** The int16 softmax's tables (InitializeLutForInt16): the same for every int16 softmax. */
function softmaxLuts(): { expLut: Int16Array; oneOverOnePlusXLut: Int16Array } {
  const outScale = f32(2 / INT16_RANGE);
  return {
    expLut: lutPopulateInt16(f32(10 / INT16_RANGE), 32767, outScale, 0, (v) => f32(Math.exp(v))),
    oneOverOnePlusXLut: lutPopulateInt16(f32(1 / INT16_RANGE), -32768, outScale, 0, (v) => f32(1 / f32(1 + v))),
  };
}

export function softmaxParams(g: Graph, op: Op, index: number): SoftmaxParams {
  const ctx = prepareContext(g, op, index);
  const attrs = (ctx.op as Op<'softmax'>).attrs;
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (input.shape.length < 1) throw ctx.unsupported('input must have at least one dimension');
  if (elementCount(input.shape) !== elementCount(output.shape)) throw ctx.unsupported('input and output sizes differ');
  const depth = input.shape[input.shape.length - 1];
  const rows = depth ? elementCount(input.shape) / depth : 0;
  if (input.dtype === 'float32') {
    if (output.dtype !== 'float32') throw ctx.unsupported(`float32 input with ${output.dtype} output`);
    return { inputDtype: 'float32', outputDtype: 'float32', rows, depth, beta: f32(attrs.beta), inputMultiplier: 0, inputLeftShift: 0, diffMin: 0, expLut: null, oneOverOnePlusXLut: null };
  }
  if (input.dtype !== 'int8' && input.dtype !== 'int16') throw ctx.unsupported(`${input.dtype} input is not handled (int8, int16 or float32)`);
  const qi = perTensorQuant(ctx, input, 'input');
  const qo = perTensorQuant(ctx, output, 'output');
  if (input.dtype === 'int16') {
    if (output.dtype !== 'int16') throw ctx.unsupported(`int16 input with ${output.dtype} output is not handled (int16 only)`);
    if (qi.zeroPoint !== 0 || qo.zeroPoint !== 0) throw ctx.unsupported('int16 input and output must have zero point 0');
    if (Math.abs(qo.scale - 1 / 32768) > 0.001 / 32768) throw ctx.unsupported('int16 output must have scale 1/32768');
    // Scales the input difference so that [-65535, 0] spans [-10, 0], the exp table's range.
    const { multiplier, shift } = quantizeMultiplier((qi.scale * f32(attrs.beta)) / (10 / INT16_RANGE));
    return { inputDtype: 'int16', outputDtype: 'int16', rows, depth, beta: 0, inputMultiplier: multiplier, inputLeftShift: shift, diffMin: 0, ...softmaxLuts() };
  }
  if (output.dtype === 'int8') {
    if (qo.zeroPoint !== -128 || qo.scale !== f32(1 / 256)) throw ctx.unsupported('int8 output must have zero point -128 and scale 1/256');
  } else if (output.dtype === 'int16') {
    if (qo.zeroPoint !== -32768 || Math.abs(qo.scale - 1 / 65536) > 0.001 / 65536) {
      throw ctx.unsupported('int16 output of int8 input must have zero point -32768 and scale 1/65536');
    }
  } else {
    throw ctx.unsupported(`int8 input with ${output.dtype} output is not handled`);
  }
  // PreprocessSoftmaxScaling, in double as TFLite computes it; QuantizeMultiplierGreaterThanOne.
  const real = Math.min(attrs.beta * qi.scale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  const { multiplier, shift } = quantizeMultiplier(real);
  if (!(real > 1) || shift < 0) throw ctx.unsupported('input scale too small for the fixed-point softmax');
  // CalculateInputRadius: the most negative difference whose exp is not rounded to zero.
  const diffMin = -Math.floor(((2 ** SCALED_DIFF_INTEGER_BITS - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** shift);
  return { inputDtype: 'int8', outputDtype: output.dtype, rows, depth, beta: 0, inputMultiplier: multiplier, inputLeftShift: shift, diffMin, expLut: null, oneOverOnePlusXLut: null };
}

export const softmax: Kernel = {
  prepare(ctx) {
    const p = softmaxParams(ctx.graph, ctx.op, ctx.index);
    const { outputDtype, rows, depth, beta, inputMultiplier: multiplier, inputLeftShift: shift, diffMin } = p;
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];

    if (outputDtype === 'float32') {
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

    if (p.inputDtype === 'int16') {
      const expLut = p.expLut!;
      const recipLut = p.oneOverOnePlusXLut!;
      const sat16 = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
      return (buffers: Buffers) => {
        const x = buffers[inId] as Int16Array;
        const out = buffers[outId] as Int16Array;
        for (let r = 0; r < rows; r++) {
          const o = r * depth;
          let max = -32768;
          for (let c = 0; c < depth; c++) if (x[o + c] > max) max = x[o + c];
          // The exps go to the output first, as TFLite's kernel caches them there.
          let sum = 0;
          for (let c = 0; c < depth; c++) {
            const e = lutLookupInt16(sat16(multiplyByQuantizedMultiplier(x[o + c] - max, multiplier, shift) + 32767), expLut);
            out[o + c] = e;
            sum = (sum + e) | 0;
          }
          const headroomPlusOne = Math.clz32(sum);
          const shiftedSum = Math.floor((sum * 2 ** (headroomPlusOne - 1) + 8192) / 16384);
          const recip = lutLookupInt16(sat16(shiftedSum - (32768 + 65536)), recipLut);
          const rightShift = 31 - headroomPlusOne;
          const round = 2 ** (rightShift - 1);
          for (let c = 0; c < depth; c++) {
            const v = Math.floor((out[o + c] * recip + round) / 2 ** rightShift);
            out[o + c] = v < 0 ? 0 : v > 32767 ? 32767 : v;
          }
        }
      };
    }
    const outBits = outputDtype === 'int8' ? 8 : 16;
    const outMin = outBits === 8 ? -128 : -32768;
    const outMax = outBits === 8 ? 127 : 32767;
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
