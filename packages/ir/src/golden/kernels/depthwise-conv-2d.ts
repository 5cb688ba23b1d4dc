/**
 * DEPTHWISE_CONV_2D, TFLite Micro's reference arithmetic. Output channel
 * oc = ic * depth_multiplier + m reads input channel ic; the filter is [1, kH, kW, outC].
 *
 * int8: acc = bias[oc] + sum over in-image taps of filter * (input - input_zero_point);
 *   out = clamp(MultiplyByQuantizedMultiplier(acc, M[oc], shift[oc]) + output_zero_point, act)
 * with the per-channel multipliers derived as for CONV_2D (filter scales on axis 3).
 * int16 activations, int8 filter (16x8; zero points 0), int64 bias only (TFLite Micro reads
 * no other): acc = sum over in-image taps of filter * input, + bias[oc], in int64;
 *   out = clamp(MultiplyByQuantizedMultiplier(int64 acc, M[oc], shift[oc]), act).
 * float32: float32 accumulation over taps in (ky, kx) order, + bias, clamped.
 */
import type { Graph } from '../../graph.js';
import type { DepthwiseAttrs, Op } from '../../ops.js';
import { Requantizer, TWO_M31, type Requantizer64 } from '../../quant.js';
import { prepareContext, type Buffers, type Kernel, type PrepareContext } from '../kernel.js';
import {
  bias16x8,
  biasInt32,
  channelQuant,
  convDtype,
  convWindow,
  fillPadded,
  fitsPackedField,
  floatBias,
  floatConstant,
  PACK_FIELD,
  PACK_INV_FIELD,
  requantizer16x8,
  requireZeroPoints16,
  ROUNDER,
  type ConvLikeParams,
  type Window,
} from './conv-2d.js';
import { activationBounds } from './prepare.js';

function depthwiseShape(ctx: PrepareContext) {
  const op = ctx.op as Op<'depthwise_conv_2d'>;
  const attrs: DepthwiseAttrs = op.attrs;
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const output = ctx.output(0);
  if (filter.shape.length !== 4 || filter.shape[0] !== 1) throw ctx.unsupported(`filter must be [1, kH, kW, C], got [${filter.shape}]`);
  if (!filter.data) throw ctx.unsupported('filter must be constant');
  const [, kH, kW, outC] = filter.shape;
  const w = convWindow(ctx, input, output, kH, kW, attrs);
  const dm = attrs.depthMultiplier;
  if (output.shape[3] !== outC || outC !== w.inC * dm) {
    throw ctx.unsupported(`output depth ${output.shape[3]} / filter depth ${outC} is not input depth ${w.inC} x depth multiplier ${dm}`);
  }
  return { attrs, input, filter, output, w, outC, dm };
}

/** DEPTHWISE_CONV_2D's Prepare (filter scales on axis 3). */
export interface DepthwiseParams extends ConvLikeParams {
  depthMultiplier: number;
}

export function depthwiseParams(g: Graph, op: Op, index: number): DepthwiseParams {
  const ctx = prepareContext(g, op, index);
  const { attrs, input, filter, output, w, outC, dm } = depthwiseShape(ctx);
  const dtype = convDtype(ctx, input, filter, output);
  const quant = dtype === 'float32' ? null : channelQuant(ctx, input, filter, output, 3, outC);
  if (dtype === 'int16') requireZeroPoints16(ctx, quant!);
  const bias16 = dtype === 'int16' ? bias16x8(ctx, ctx.optionalInput(2), outC, false) : null;
  const [actMin, actMax] = activationBounds(ctx, attrs.activation, output);
  return { dtype, window: w, outC, depthMultiplier: dm, actMin, actMax, quant, bias16 };
}

export const depthwiseConv2d: Kernel = {
  prepare(ctx) {
    const { window: w, outC, depthMultiplier: dm, actMin, actMax, quant, bias16 } = depthwiseParams(ctx.graph, ctx.op, ctx.index);
    const filter = ctx.input(1);
    const bias = ctx.optionalInput(2);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    if (!quant) {
      const weights = floatConstant(ctx, filter);
      const biasF = floatBias(ctx, bias, outC);
      const padded = new Float32Array(w.batches * w.padH * w.padW * w.inC);
      const acc = new Float32Array(outC);
      return (buffers: Buffers) => {
        fillPadded(w, buffers[inId] as Float32Array, padded, 0);
        depthwiseFloat(w, padded, weights, biasF, dm, acc, actMin, actMax, buffers[outId] as Float32Array);
      };
    }
    if (bias16) {
      const rq = requantizer16x8(bias16, quant, actMin, actMax);
      const f = Float64Array.from(new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.byteLength));
      const padded = new Float64Array(w.batches * w.padH * w.padW * w.inC);
      const acc = new Float64Array(outC);
      return (buffers: Buffers) => {
        fillPadded(w, buffers[inId] as Int16Array, padded, 0);
        depthwise16x8(w, padded, f, bias16.values, rq, dm, acc, buffers[outId] as Int16Array);
      };
    }
    const biasI = biasInt32(ctx, bias, outC);
    const rq = new Requantizer(quant.multiplier, quant.shift, quant.outputZeroPoint, actMin, actMax, biasI);
    const raw = new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.byteLength);
    const inOffset = quant.inputOffset;
    if (dm === 1 && pairsAreExact(raw, outC, w.kH * w.kW)) {
      const pairs = new Float64Array(w.batches * w.padH * w.padW * w.inC);
      const weightsF = Float64Array.from(raw);
      const taps = tapOffsets(w);
      const accA = new Float64Array(outC);
      const accB = new Float64Array(outC);
      const sum = new Float64Array(outC);
      const by3x3 = taps.length === 9;
      return (buffers: Buffers) => {
        fillPairs(w, buffers[inId] as Int8Array, pairs, inOffset);
        if (by3x3) depthwisePaired3x3(w, pairs, weightsF, taps, biasI, rq, buffers[outId] as Int8Array);
        else depthwisePaired(w, pairs, weightsF, taps, biasI, rq, accA, accB, sum, buffers[outId] as Int8Array);
      };
    }
    const weights = Int32Array.from(raw);
    const padded = new Int32Array(w.batches * w.padH * w.padW * w.inC);
    const acc = new Float64Array(outC);
    return (buffers: Buffers) => {
      fillPadded(w, buffers[inId] as Int8Array, padded, inOffset);
      depthwiseInt(w, padded, weights, biasI, dm, acc, rq, buffers[outId] as Int8Array);
    };
  },
  macs(ctx) {
    const { w, outC } = depthwiseShape(ctx);
    return w.batches * w.outH * w.outW * outC * w.kH * w.kW;
  },
};

/** Taps outer, channels inner: each tap streams a contiguous run of channels and filter. */
function depthwiseInt(w: Window, x: Int32Array, f: Int32Array, bias: Int32Array, dm: number, acc: Float64Array, rq: Requantizer, out: Int8Array): void {
  const { batches, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padH, padW, inC } = w;
  const outC = inC * dm;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < kH; ky++) {
          for (let kx = 0; kx < kW; kx++) {
            const xi = ((b * padH + oy * strideH + ky * dilH) * padW + ox * strideW + kx * dilW) * inC;
            const fi = (ky * kW + kx) * outC;
            if (dm === 1) {
              for (let c = 0; c < outC; c++) acc[c] = (acc[c] + Math.imul(x[xi + c], f[fi + c])) | 0;
            } else {
              for (let ic = 0; ic < inC; ic++) {
                const v = x[xi + ic];
                const oc0 = ic * dm;
                for (let m = 0; m < dm; m++) acc[oc0 + m] = (acc[oc0 + m] + Math.imul(v, f[fi + oc0 + m])) | 0;
              }
            }
          }
        }
        rq.row(acc, outC, bias, out, o);
        o += outC;
      }
    }
  }
}

/** The 16x8 depthwise convolution over the zero-padded input: exact sums in doubles (|tap| <= 2^22). */
function depthwise16x8(
  w: Window,
  x: Float64Array,
  f: Float64Array,
  bias: Float64Array,
  rq: Requantizer | Requantizer64,
  dm: number,
  acc: Float64Array,
  out: Int16Array,
): void {
  const { batches, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padH, padW, inC } = w;
  const outC = inC * dm;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        acc.set(bias);
        for (let ky = 0; ky < kH; ky++) {
          for (let kx = 0; kx < kW; kx++) {
            const xi = ((b * padH + oy * strideH + ky * dilH) * padW + ox * strideW + kx * dilW) * inC;
            const fi = (ky * kW + kx) * outC;
            if (dm === 1) {
              for (let c = 0; c < outC; c++) acc[c] += x[xi + c] * f[fi + c];
            } else {
              for (let ic = 0; ic < inC; ic++) {
                const v = x[xi + ic];
                const oc0 = ic * dm;
                for (let m = 0; m < dm; m++) acc[oc0 + m] += v * f[fi + oc0 + m];
              }
            }
          }
        }
        for (let oc = 0; oc < outC; oc++) out[o++] = rq.one(acc[oc], oc);
      }
    }
  }
}

/** Float32Array stores round each step to float32, matching the C float accumulation. */
function depthwiseFloat(
  w: Window,
  x: Float32Array,
  f: Float32Array,
  bias: Float32Array,
  dm: number,
  acc: Float32Array,
  lo: number,
  hi: number,
  out: Float32Array,
): void {
  const { batches, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padH, padW, inC } = w;
  const outC = inC * dm;
  const prod = Math.fround;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < kH; ky++) {
          for (let kx = 0; kx < kW; kx++) {
            const xi = ((b * padH + oy * strideH + ky * dilH) * padW + ox * strideW + kx * dilW) * inC;
            const fi = (ky * kW + kx) * outC;
            for (let ic = 0; ic < inC; ic++) {
              const v = x[xi + ic];
              for (let m = 0; m < dm; m++) {
                const oc = ic * dm + m;
                acc[oc] = acc[oc] + prod(v * f[fi + oc]);
              }
            }
          }
        }
        for (let c = 0; c < outC; c++) {
          const v = Math.fround(acc[c] + bias[c]);
          out[o++] = v < lo ? lo : v > hi ? hi : v;
        }
      }
    }
  }
}

/*
 * The paired int8 path (depth multiplier 1). Horizontally adjacent output pixels use the
 * same filter value at the same tap, so the input under the second pixel's window goes in
 * the high field of a double (see PACK_FIELD in conv-2d.ts for why the sums stay exact):
 * one multiply-add accumulates both pixels.
 */
function pairsAreExact(w: Int8Array, channels: number, taps: number): boolean {
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let t = 0; t < taps; t++) s += Math.abs(w[t * channels + c]);
    if (!fitsPackedField(s)) return false;
  }
  return true;
}

/** Offsets of the kH x kW taps from a window's corner in the padded input. */
function tapOffsets(w: Window): Int32Array {
  const out = new Int32Array(w.kH * w.kW);
  for (let ky = 0; ky < w.kH; ky++) {
    for (let kx = 0; kx < w.kW; kx++) out[ky * w.kW + kx] = (ky * w.dilH * w.padW + kx * w.dilW) * w.inC;
  }
  return out;
}

/**
 * The paired image straight from the int8 input: with X the zero-padded input offset by
 * `offset`, pairs[y, x, c] = X[y, x, c] + X[y, x + strideW, c] * 2^26. Positions that are
 * zero on both counts are never written and stay zero from allocation.
 */
function fillPairs(w: Window, src: Int8Array, pairs: Float64Array, offset: number): void {
  const { batches, inH, inW, inC, padTop, padLeft, padH, padW, strideW } = w;
  for (let b = 0; b < batches; b++) {
    for (let y = 0; y < inH && y + padTop < padH; y++) {
      const srcRow = (b * inH + y) * inW * inC;
      const dstRow = (b * padH + y + padTop) * padW * inC;
      for (let px = 0; px < padW; px++) {
        const ix = px - padLeft;
        const ix2 = ix + strideW;
        const lo = ix >= 0 && ix < inW;
        const hi = ix2 >= 0 && ix2 < inW;
        const d = dstRow + px * inC;
        const s1 = srcRow + ix * inC;
        const s2 = srcRow + ix2 * inC;
        if (lo && hi) for (let c = 0; c < inC; c++) pairs[d + c] = src[s1 + c] + offset + (src[s2 + c] + offset) * PACK_FIELD;
        else if (lo) for (let c = 0; c < inC; c++) pairs[d + c] = src[s1 + c] + offset;
        else if (hi) for (let c = 0; c < inC; c++) pairs[d + c] = (src[s2 + c] + offset) * PACK_FIELD;
      }
    }
  }
}

function depthwisePaired(
  w: Window,
  q: Float64Array,
  f: Float64Array,
  taps: Int32Array,
  bias: Int32Array,
  rq: Requantizer,
  accA: Float64Array,
  accB: Float64Array,
  sum: Float64Array,
  out: Int8Array,
): void {
  const { batches, outH, outW, strideH, strideW, padH, padW, inC } = w;
  const nTaps = taps.length;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const rowBase = (b * padH + oy * strideH) * padW * inC;
      for (let ox = 0; ox < outW; ox += 2) {
        const base = rowBase + ox * strideW * inC;
        sum.fill(0);
        for (let t = 0; t < nTaps; t++) {
          const qi = base + taps[t];
          const fi = t * inC;
          for (let c = 0; c < inC; c++) sum[c] += f[fi + c] * q[qi + c];
        }
        for (let c = 0; c < inC; c++) {
          const a = sum[c];
          const hi = a * PACK_INV_FIELD + ROUNDER - ROUNDER; // see unpack4 in conv-2d.ts
          accA[c] = a - hi * PACK_FIELD;
          accB[c] = hi;
        }
        const o = ((b * outH + oy) * outW + ox) * inC;
        if (ox + 1 < outW) rq.row2(accA, accB, inC, bias, out, o, o + inC);
        else rq.row(accA, inC, bias, out, o);
      }
    }
  }
}

/**
 * The paired path for 3x3 filters, one channel at a time along an output row: the nine
 * weights and the channel's requantization constants stay in registers, and each pixel
 * pair is requantized as soon as its sum is ready (Requantizer.row's fast path, inlined).
 */
function depthwisePaired3x3(w: Window, q: Float64Array, f: Float64Array, taps: Int32Array, bias: Int32Array, rq: Requantizer, out: Int8Array): void {
  const { batches, outH, outW, strideH, strideW, padH, padW, inC } = w;
  const { scaled, offset, shiftPlus, actMin, actMax } = rq;
  const t0 = taps[0], t1 = taps[1], t2 = taps[2], t3 = taps[3], t4 = taps[4];
  const t5 = taps[5], t6 = taps[6], t7 = taps[7], t8 = taps[8];
  const step = 2 * strideW * inC;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const rowBase = (b * padH + oy * strideH) * padW * inC;
      const outRow = (b * outH + oy) * outW * inC;
      for (let c = 0; c < inC; c++) {
        const w0 = f[c], w1 = f[inC + c], w2 = f[2 * inC + c], w3 = f[3 * inC + c], w4 = f[4 * inC + c];
        const w5 = f[5 * inC + c], w6 = f[6 * inC + c], w7 = f[7 * inC + c], w8 = f[8 * inC + c];
        const bc = bias[c], m = scaled[c], add = offset[c], sh = shiftPlus[c];
        let i = rowBase + c;
        let o = outRow + c;
        for (let ox = 0; ox < outW; ox += 2) {
          const second = ox + 1 < outW;
          const s =
            w0 * q[i + t0] + w1 * q[i + t1] + w2 * q[i + t2] + w3 * q[i + t3] + w4 * q[i + t4] +
            w5 * q[i + t5] + w6 * q[i + t6] + w7 * q[i + t7] + w8 * q[i + t8];
          const hi = s * PACK_INV_FIELD + ROUNDER - ROUNDER; // see unpack4 in conv-2d.ts
          const lo = s - hi * PACK_FIELD;
          const pA = (lo + bc) * m;
          const pB = (hi + bc) * m;
          if (Math.abs(pA) < 4503599627370496 && Math.abs(pB) < 4503599627370496) {
            const yA = Math.floor((pA + 1073741824) * TWO_M31) | 0;
            let v = ((yA << 1) + add + (yA >> 31)) >> sh;
            let over = v - actMax;
            v -= over & ~(over >> 31);
            let under = actMin - v;
            out[o] = v + (under & ~(under >> 31));
            if (second) {
              const yB = Math.floor((pB + 1073741824) * TWO_M31) | 0;
              v = ((yB << 1) + add + (yB >> 31)) >> sh;
              over = v - actMax;
              v -= over & ~(over >> 31);
              under = actMin - v;
              out[o + inC] = v + (under & ~(under >> 31));
            }
          } else {
            out[o] = rq.one(lo + bc, c);
            if (second) out[o + inC] = rq.one(hi + bc, c);
          }
          i += step;
          o += 2 * inC;
        }
      }
    }
  }
}
