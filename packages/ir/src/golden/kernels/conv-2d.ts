/**
 * CONV_2D, TFLite Micro's reference arithmetic.
 *
 * int8 (per-channel or per-tensor filter, int32 bias), for each output channel c:
 *   acc = bias[c] + sum over in-image taps of filter * (input - input_zero_point)
 *   out = clamp(MultiplyByQuantizedMultiplier(acc, M[c], shift[c]) + output_zero_point, act)
 * with M[c], shift[c] from double(input_scale) * double(filter_scale[c]) / double(output_scale).
 * The filter zero point is not used. Taps outside the image contribute nothing.
 *
 * float32: total accumulated in float32 (product rounded, then sum rounded), then + bias,
 * then clamped to the fused activation's range.
 *
 * int16 activations with int8 filters (16x8; input and output zero points 0), for each c:
 *   acc = sum over in-image taps of filter * input, then + bias[c]
 *   int64 bias (or none): acc in int64, out = MultiplyByQuantizedMultiplier(int64 acc, M[c], shift[c])
 *     (the 16-bit reduced multiplier, one rounding shift);
 *   int32 bias: acc in int32 (wrapping), the int32 double-rounding MultiplyByQuantizedMultiplier;
 *   then clamped to the fused activation. Multipliers as for int8.
 *
 * All run over a copy of the input that is padded with zeros and, for int8, already offset
 * by the input zero point, so that padded taps add exactly zero and the inner loop has no
 * bounds checks. The int8 sums are exact integers, so the order of accumulation is free:
 * the fast path packs two channels per double (see PACK_FIELD below).
 */
import { elementCount, type Graph, type Tensor } from '../../graph.js';
import type { ConvAttrs, Op } from '../../ops.js';
import {
  computeOutSize,
  computePadding,
  f32,
  perChannelMultipliers,
  Requantizer,
  Requantizer64,
} from '../../quant.js';
import { prepareContext, type Buffers, type Kernel, type PrepareContext } from '../kernel.js';
import { activationBounds, perTensorQuant } from './prepare.js';

/** Where a convolution window starts and how far it reaches: shared by conv and depthwise. */
export interface Window {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
  /** Rows and columns of the padded input copy. */
  padH: number;
  padW: number;
}

/** Validate NHWC shapes and the padding scheme against the output tensor; derive padding. */
export function convWindow(
  ctx: PrepareContext,
  input: Tensor,
  output: Tensor,
  kH: number,
  kW: number,
  attrs: { padding: 'same' | 'valid'; strideH: number; strideW: number; dilationH: number; dilationW: number },
): Window {
  if (input.shape.length !== 4 || output.shape.length !== 4) {
    throw ctx.unsupported(`needs 4-D NHWC input and output, got [${input.shape}] and [${output.shape}]`);
  }
  const [batches, inH, inW, inC] = input.shape;
  const { strideH, strideW, dilationH: dilH, dilationW: dilW } = attrs;
  if (strideH < 1 || strideW < 1 || dilH < 1 || dilW < 1) throw ctx.unsupported(`bad stride ${strideH}x${strideW} or dilation ${dilH}x${dilW}`);
  const outH = computeOutSize(attrs.padding, inH, kH, strideH, dilH);
  const outW = computeOutSize(attrs.padding, inW, kW, strideW, dilW);
  if (output.shape[0] !== batches || output.shape[1] !== outH || output.shape[2] !== outW) {
    throw ctx.unsupported(`output shape [${output.shape}] does not match ${attrs.padding} padding of [${input.shape}] (expected ${batches}x${outH}x${outW})`);
  }
  const padTop = computePadding(strideH, dilH, inH, kH, outH);
  const padLeft = computePadding(strideW, dilW, inW, kW, outW);
  const padH = Math.max(1, (outH - 1) * strideH + (kH - 1) * dilH + 1);
  const padW = Math.max(1, (outW - 1) * strideW + (kW - 1) * dilW + 1);
  return { batches, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft, padH, padW };
}

/**
 * Fill the padded copy's interior from the input: dst[b, y + padTop, x + padLeft, c] =
 * src[b, y, x, c] + offset. Rows or columns the windows never reach are left out; the border
 * stays as it was allocated (zero).
 */
export function fillPadded(w: Window, src: ArrayLike<number>, dst: Int32Array | Float32Array | Float64Array, offset: number): void {
  const { batches, inH, inW, inC, padTop, padLeft, padH, padW } = w;
  const yEnd = Math.min(inH, padH - padTop);
  const xEnd = Math.min(inW, padW - padLeft);
  const rowLen = xEnd * inC;
  for (let b = 0; b < batches; b++) {
    for (let y = 0; y < yEnd; y++) {
      let s = ((b * inH + y) * inW) * inC;
      let d = ((b * padH + y + padTop) * padW + padLeft) * inC;
      for (let i = 0; i < rowLen; i++) dst[d++] = src[s++] + offset;
    }
  }
}

/** The filter's scales, checked to be per-tensor or one per channel along `axis`. */
export function filterScales(ctx: PrepareContext, filter: Tensor, axis: number, channels: number): number[] {
  const q = filter.quant;
  if (!q || q.scale.length === 0) throw ctx.unsupported(`int8 filter "${filter.name}" has no quantization`);
  if (q.scale.length > 1 && (q.scale.length !== channels || q.axis !== axis)) {
    throw ctx.unsupported(`filter "${filter.name}" has ${q.scale.length} scales on axis ${q.axis}; expected 1 or ${channels} on axis ${axis}`);
  }
  return q.scale;
}

/** Per-output-channel requantization of the int8 conv, depthwise and fully connected kernels. */
export interface ChannelQuant {
  /** -input_zero_point, added to every input value. */
  inputOffset: number;
  outputZeroPoint: number;
  /** One per output channel (a per-tensor filter's repeated). */
  multiplier: Int32Array;
  shift: Int32Array;
}

/** PopulateConvolutionQuantizationParams: per-tensor input and output, filter scales on `axis`. */
export function channelQuant(ctx: PrepareContext, input: Tensor, filter: Tensor, output: Tensor, axis: number, channels: number): ChannelQuant {
  const inQ = perTensorQuant(ctx, input, 'input');
  const outQ = perTensorQuant(ctx, output, 'output');
  const { multiplier, shift } = perChannelMultipliers(inQ.scale, filterScales(ctx, filter, axis, channels), outQ.scale, channels);
  return { inputOffset: -inQ.zeroPoint, outputZeroPoint: outQ.zeroPoint, multiplier, shift };
}

/** The int8 kernels' dtypes: true for float32 in and out, false for int8 throughout, else unsupported. */
export function isFloatConv(ctx: PrepareContext, input: Tensor, filter: Tensor, output: Tensor): boolean {
  if (input.dtype === 'float32' && output.dtype === 'float32') return true;
  if (input.dtype !== 'int8' || output.dtype !== 'int8' || filter.dtype !== 'int8') {
    throw ctx.unsupported(`${input.dtype} input with ${filter.dtype} filter to ${output.dtype} output is not handled (int8, 16x8 or float32 only)`);
  }
  return false;
}

/** The activation dtype of a conv-like kernel: float32, int8, or int16 with an int8 filter (16x8). */
export function convDtype(ctx: PrepareContext, input: Tensor, filter: Tensor, output: Tensor): 'float32' | 'int8' | 'int16' {
  if (input.dtype === 'int16' && output.dtype === 'int16' && filter.dtype === 'int8') return 'int16';
  return isFloatConv(ctx, input, filter, output) ? 'float32' : 'int8';
}

/** TFLite's 16x8 convolutions apply no zero points: they must be 0. */
export function requireZeroPoints16(ctx: PrepareContext, q: ChannelQuant): void {
  if (q.inputOffset !== 0 || q.outputZeroPoint !== 0) throw ctx.unsupported('16x8 needs zero points of 0 on the int16 input and output');
}

/**
 * A 16x8 kernel's bias, which also picks its accumulator: an int64 bias (or none) means an
 * int64 accumulator and MultiplyByQuantizedMultiplier(int64); an int32 bias an int32 one.
 * (Without a bias, TFLite Micro reads the choice from the options' quantized_bias_type,
 * which the IR does not keep; its default is the int64 one.)
 */
export interface Bias16x8 {
  /** int64 accumulation. */
  wide: boolean;
  /** Exact: int64 values are limited to +-2^47, the range TFLite assumes for the accumulator. */
  values: Float64Array;
}

export function bias16x8(ctx: PrepareContext, bias: Tensor | null, channels: number, allowInt32: boolean): Bias16x8 {
  if (!bias) return { wide: true, values: new Float64Array(channels) };
  if (!bias.data) throw ctx.unsupported(`bias "${bias.name}" is not constant`);
  if (elementCount(bias.shape) !== channels) throw ctx.unsupported(`bias has ${elementCount(bias.shape)} values for ${channels} channels`);
  if (bias.dtype === 'int32' && allowInt32) return { wide: false, values: Float64Array.from(biasInt32(ctx, bias, channels)) };
  if (bias.dtype !== 'int64') throw ctx.unsupported(`bias "${bias.name}" is ${bias.dtype}; the 16x8 kernel takes int64${allowInt32 ? ' or int32' : ''} bias`);
  const raw = new BigInt64Array(bias.data.buffer.slice(bias.data.byteOffset, bias.data.byteOffset + bias.data.byteLength));
  const values = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    if (raw[c] > 1n << 47n || raw[c] < -(1n << 47n)) throw ctx.unsupported(`bias "${bias.name}" value ${raw[c]} is beyond +-2^47`);
    values[c] = Number(raw[c]);
  }
  return { wide: true, values };
}

/**
 * The 16x8 output stage for acc + bias[c]: Requantizer64 for an int64 accumulator, the int8
 * kernels' Requantizer (which wraps its input to int32) for an int32 one.
 */
export function requantizer16x8(bias: Bias16x8, q: ChannelQuant, lo: number, hi: number): Requantizer | Requantizer64 {
  return bias.wide ? new Requantizer64(q.multiplier, q.shift, q.outputZeroPoint, lo, hi) : new Requantizer(q.multiplier, q.shift, q.outputZeroPoint, lo, hi);
}

/** The int32 bias, or zeros when the optional bias is absent. */
export function biasInt32(ctx: PrepareContext, bias: Tensor | null, channels: number): Int32Array {
  if (!bias) return new Int32Array(channels);
  if (bias.dtype !== 'int32') throw ctx.unsupported(`bias "${bias.name}" is ${bias.dtype}; the int8 kernel takes int32 bias`);
  if (!bias.data) throw ctx.unsupported(`bias "${bias.name}" is not constant`);
  if (elementCount(bias.shape) !== channels) throw ctx.unsupported(`bias has ${elementCount(bias.shape)} values for ${channels} channels`);
  return new Int32Array(bias.data.buffer.slice(bias.data.byteOffset, bias.data.byteOffset + bias.data.byteLength));
}

/** Constant float32 data, or int8 data dequantized (per channel when so quantized). */
export function floatConstant(ctx: PrepareContext, t: Tensor): Float32Array {
  if (!t.data) throw ctx.unsupported(`"${t.name}" must be constant`);
  const bytes = t.data.slice();
  if (t.dtype === 'float32') return new Float32Array(bytes.buffer);
  if (t.dtype === 'int8' && t.quant && t.quant.scale.length > 0) {
    // Hybrid float models keep int8 weights; TFLite Micro refuses them, so these are their
    // exact dequantized values, not TFLite's hybrid arithmetic.
    const q = new Int8Array(bytes.buffer);
    const out = new Float32Array(q.length);
    const { scale, zeroPoint, axis } = t.quant;
    const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const n = t.shape[axis];
    for (let i = 0; i < q.length; i++) {
      const c = scale.length > 1 ? Math.floor(i / inner) % n : 0;
      out[i] = f32(scale[c] * (q[i] - (zeroPoint[c] ?? 0)));
    }
    return out;
  }
  throw ctx.unsupported(`"${t.name}" is ${t.dtype}; a float kernel needs float32 (or quantized int8) constants`);
}

export function floatBias(ctx: PrepareContext, bias: Tensor | null, channels: number): Float32Array {
  if (!bias) return new Float32Array(channels);
  const b = floatConstant(ctx, bias);
  if (b.length !== channels) throw ctx.unsupported(`bias has ${b.length} values for ${channels} channels`);
  return b;
}

function convShape(ctx: PrepareContext) {
  const op = ctx.op as Op<'conv_2d'>;
  const attrs: ConvAttrs = op.attrs;
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const output = ctx.output(0);
  if (filter.shape.length !== 4) throw ctx.unsupported(`filter must be 4-D OHWI, got [${filter.shape}]`);
  if (!filter.data) throw ctx.unsupported('filter must be constant');
  const [outC, kH, kW, filterC] = filter.shape;
  const w = convWindow(ctx, input, output, kH, kW, attrs);
  if (output.shape[3] !== outC) throw ctx.unsupported(`output has ${output.shape[3]} channels, filter ${outC}`);
  if (filterC < 1 || w.inC % filterC !== 0 || outC % (w.inC / filterC) !== 0) {
    throw ctx.unsupported(`input depth ${w.inC} is not a multiple of filter depth ${filterC} with output depth ${outC}`);
  }
  return { attrs, input, filter, output, w, outC, filterC };
}

/** What CONV_2D's and DEPTHWISE_CONV_2D's Prepare share (TFLite Micro's OpDataConv). */
export interface ConvLikeParams {
  dtype: 'float32' | 'int8' | 'int16';
  window: Window;
  outC: number;
  /** The fused activation's bounds in the output's domain. */
  actMin: number;
  actMax: number;
  /** int8 and int16 only. */
  quant: ChannelQuant | null;
  /** int16 only: the bias and the accumulator it selects. */
  bias16: Bias16x8 | null;
}

export interface ConvParams extends ConvLikeParams {
  /** Input channels each filter reads: the input depth, or less for a grouped convolution. */
  filterC: number;
}

export function convParams(g: Graph, op: Op, index: number): ConvParams {
  const ctx = prepareContext(g, op, index);
  const { attrs, input, filter, output, w, outC, filterC } = convShape(ctx);
  const dtype = convDtype(ctx, input, filter, output);
  const quant = dtype === 'float32' ? null : channelQuant(ctx, input, filter, output, 0, outC);
  if (dtype === 'int16') requireZeroPoints16(ctx, quant!);
  const bias16 = dtype === 'int16' ? bias16x8(ctx, ctx.optionalInput(2), outC, true) : null;
  const [actMin, actMax] = activationBounds(ctx, attrs.activation, output);
  return { dtype, window: w, outC, filterC, actMin, actMax, quant, bias16 };
}

export const conv2d: Kernel = {
  prepare(ctx) {
    const { window: w, outC, filterC, actMin, actMax, quant, bias16 } = convParams(ctx.graph, ctx.op, ctx.index);
    const filter = ctx.input(1);
    const bias = ctx.optionalInput(2);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    const groups = w.inC / filterC;
    const perGroup = outC / groups;

    if (!quant) {
      const weights = floatConstant(ctx, filter);
      const biasF = floatBias(ctx, bias, outC);
      const padded = new Float32Array(w.batches * w.padH * w.padW * w.inC);
      return (buffers: Buffers) => {
        fillPadded(w, buffers[inId] as Float32Array, padded, 0);
        convFloat(w, padded, weights, biasF, buffers[outId] as Float32Array, outC, filterC, perGroup, actMin, actMax);
      };
    }
    const raw = new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.byteLength);
    if (bias16) {
      const rq = requantizer16x8(bias16, quant, actMin, actMax);
      const weights = Float64Array.from(raw);
      const padded = new Float64Array(w.batches * w.padH * w.padW * w.inC);
      return (buffers: Buffers) => {
        fillPadded(w, buffers[inId] as Int16Array, padded, 0);
        conv16x8(w, padded, weights, bias16.values, rq, outC, filterC, perGroup, buffers[outId] as Int16Array);
      };
    }
    const biasI = biasInt32(ctx, bias, outC);
    const inOffset = quant.inputOffset;
    const rq = new Requantizer(quant.multiplier, quant.shift, quant.outputZeroPoint, actMin, actMax, biasI);
    const packed = groups === 1 ? packFilter(raw, outC, w.kH * w.kW * filterC) : null;
    if (packed) {
      const runs = filterRuns(w);
      const pixels = pixelBases(w);
      const padded = new Float64Array(w.batches * w.padH * w.padW * w.inC);
      const blocks = Math.ceil(outC / 8) * 8;
      const accA = new Float64Array(blocks);
      const accB = new Float64Array(blocks);
      return (buffers: Buffers) => {
        fillPadded(w, buffers[inId] as Int8Array, padded, inOffset);
        convPacked(padded, packed, runs, pixels, biasI, outC, rq, buffers[outId] as Int8Array, accA, accB);
      };
    }
    const weights = Int32Array.from(raw);
    const padded = new Int32Array(w.batches * w.padH * w.padW * w.inC);
    const acc = new Float64Array(outC);
    return (buffers: Buffers) => {
      fillPadded(w, buffers[inId] as Int8Array, padded, inOffset);
      convInt(w, padded, weights, biasI, outC, filterC, perGroup, acc, rq, buffers[outId] as Int8Array);
    };
  },
  macs(ctx) {
    const { w, outC, filterC } = convShape(ctx);
    return w.batches * w.outH * w.outW * outC * w.kH * w.kW * filterC;
  },
};

/** The int8 convolution over the padded, offset input; channels in blocks of four. */
function convInt(
  w: Window,
  x: Int32Array,
  f: Int32Array,
  bias: Int32Array,
  outC: number,
  filterC: number,
  perGroup: number,
  acc: Float64Array,
  rq: Requantizer,
  out: Int8Array,
): void {
  const blocks = filterC === w.inC || perGroup % 4 === 0;
  const { batches, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padH, padW, inC } = w;
  const K = kH * kW * filterC;
  const rowStride = padW * inC;
  // With unit column dilation and one group, a filter row's taps are one contiguous run.
  const contiguous = dilW === 1 && filterC === inC;
  const span = contiguous ? kW * inC : filterC;
  const spans = contiguous ? 1 : kW;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const base = ((b * padH + oy * strideH) * padW + ox * strideW) * inC;
        let c = 0;
        for (; blocks && c + 4 <= outC; c += 4) {
          const g = ((c / perGroup) | 0) * filterC;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          let fi = c * K;
          for (let ky = 0; ky < kH; ky++) {
            const rowBase = base + ky * dilH * rowStride + g;
            for (let s = 0; s < spans; s++) {
              let xi = rowBase + s * dilW * inC;
              const end = xi + span;
              while (xi < end) {
                const v = x[xi++];
                a0 = (a0 + Math.imul(v, f[fi])) | 0;
                a1 = (a1 + Math.imul(v, f[fi + K])) | 0;
                a2 = (a2 + Math.imul(v, f[fi + 2 * K])) | 0;
                a3 = (a3 + Math.imul(v, f[fi + 3 * K])) | 0;
                fi++;
              }
            }
          }
          acc[c] = a0;
          acc[c + 1] = a1;
          acc[c + 2] = a2;
          acc[c + 3] = a3;
        }
        for (; c < outC; c++) {
          const g = ((c / perGroup) | 0) * filterC;
          let a = 0;
          let fi = c * K;
          for (let ky = 0; ky < kH; ky++) {
            const rowBase = base + ky * dilH * rowStride + g;
            for (let s = 0; s < spans; s++) {
              let xi = rowBase + s * dilW * inC;
              const end = xi + span;
              while (xi < end) a = (a + Math.imul(x[xi++], f[fi++])) | 0;
            }
          }
          acc[c] = a;
        }
        rq.row(acc, outC, bias, out, o);
        o += outC;
      }
    }
  }
}

/**
 * The 16x8 convolution over the zero-padded input, channels in blocks of four as convInt.
 * |filter * input| <= 2^22, so every sum is an exact integer in a double.
 */
function conv16x8(
  w: Window,
  x: Float64Array,
  f: Float64Array,
  bias: Float64Array,
  rq: Requantizer | Requantizer64,
  outC: number,
  filterC: number,
  perGroup: number,
  out: Int16Array,
): void {
  const blocks = filterC === w.inC || perGroup % 4 === 0;
  const { batches, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padH, padW, inC } = w;
  const K = kH * kW * filterC;
  const rowStride = padW * inC;
  const contiguous = dilW === 1 && filterC === inC;
  const span = contiguous ? kW * inC : filterC;
  const spans = contiguous ? 1 : kW;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const base = ((b * padH + oy * strideH) * padW + ox * strideW) * inC;
        let c = 0;
        for (; blocks && c + 4 <= outC; c += 4) {
          const g = ((c / perGroup) | 0) * filterC;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          let fi = c * K;
          for (let ky = 0; ky < kH; ky++) {
            const rowBase = base + ky * dilH * rowStride + g;
            for (let s = 0; s < spans; s++) {
              let xi = rowBase + s * dilW * inC;
              const end = xi + span;
              while (xi < end) {
                const v = x[xi++];
                a0 += v * f[fi];
                a1 += v * f[fi + K];
                a2 += v * f[fi + 2 * K];
                a3 += v * f[fi + 3 * K];
                fi++;
              }
            }
          }
          out[o + c] = rq.one(a0 + bias[c], c);
          out[o + c + 1] = rq.one(a1 + bias[c + 1], c + 1);
          out[o + c + 2] = rq.one(a2 + bias[c + 2], c + 2);
          out[o + c + 3] = rq.one(a3 + bias[c + 3], c + 3);
        }
        for (; c < outC; c++) {
          const g = ((c / perGroup) | 0) * filterC;
          let a = 0;
          let fi = c * K;
          for (let ky = 0; ky < kH; ky++) {
            const rowBase = base + ky * dilH * rowStride + g;
            for (let s = 0; s < spans; s++) {
              let xi = rowBase + s * dilW * inC;
              const end = xi + span;
              while (xi < end) a += x[xi++] * f[fi++];
            }
          }
          out[o + c] = rq.one(a + bias[c], c);
        }
        o += outC;
      }
    }
  }
}

function convFloat(
  w: Window,
  x: Float32Array,
  f: Float32Array,
  bias: Float32Array,
  out: Float32Array,
  outC: number,
  filterC: number,
  perGroup: number,
  lo: number,
  hi: number,
): void {
  const { batches, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padH, padW, inC } = w;
  const K = kH * kW * filterC;
  const rowStride = padW * inC;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const base = ((b * padH + oy * strideH) * padW + ox * strideW) * inC;
        for (let c = 0; c < outC; c++) {
          const g = ((c / perGroup) | 0) * filterC;
          let total = 0;
          let fi = c * K;
          for (let ky = 0; ky < kH; ky++) {
            for (let kx = 0; kx < kW; kx++) {
              let xi = base + ky * dilH * rowStride + kx * dilW * inC + g;
              for (let ic = 0; ic < filterC; ic++) total = f32(total + f32(x[xi++] * f[fi++]));
            }
          }
          const v = f32(total + bias[c]);
          out[o++] = v < lo ? lo : v > hi ? hi : v;
        }
      }
    }
  }
}

/*
 * The packed int8 path. Two output channels share one double: the filter value of channel
 * j goes in the low field and that of channel j + 4 in the high field, 2^26 above, so one
 * floating multiply-add accumulates both dot products. Every partial sum is an integer of
 * magnitude below 2^52, hence exact, as long as each channel's worst case sum |w| * 255
 * (|input - zero point| <= 255) stays below 2^25; the caller checks that per channel and
 * otherwise uses the plain int32 path. The low field is recovered by rounding to the
 * nearest multiple of 2^26, which is unambiguous for |low| < 2^25. Depthwise packs two
 * pixels instead of two channels, under the same bound.
 */
export const PACK_FIELD = 67108864; // 2^26
export const PACK_INV_FIELD = 1 / PACK_FIELD;
/** x + ROUNDER - ROUNDER rounds x to the nearest integer for |x| < 2^51. */
export const ROUNDER = 6755399441055744; // 1.5 * 2^52

/** Whether dot products whose weights have this sum of magnitudes fit a packed field. */
export function fitsPackedField(sumAbsWeights: number): boolean {
  return sumAbsWeights * 255 < 33554432;
}

/** Filter [C][K] packed into blocks of 8 channels: [C/8][K][4] doubles; null if unsafe. */
function packFilter(w: Int8Array, channels: number, K: number): Float64Array | null {
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.abs(w[c * K + k]);
    if (!fitsPackedField(s)) return null;
  }
  const blocks = Math.ceil(channels / 8);
  const out = new Float64Array(blocks * K * 4);
  for (let b = 0; b < blocks; b++) {
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < 4; j++) {
        const lo = b * 8 + j;
        const hi = lo + 4;
        const vLo = lo < channels ? w[lo * K + k] : 0;
        const vHi = hi < channels ? w[hi * K + k] : 0;
        out[(b * K + k) * 4 + j] = vLo + vHi * PACK_FIELD;
      }
    }
  }
  return out;
}

/** Contiguous runs of a window in the padded input: offset from the pixel, then length. */
function filterRuns(w: Window): Int32Array {
  const { kH, kW, dilH, dilW, padW, inC } = w;
  const row = padW * inC;
  const runs: number[] = [];
  for (let ky = 0; ky < kH; ky++) {
    if (dilW === 1) runs.push(ky * dilH * row, kW * inC);
    else for (let kx = 0; kx < kW; kx++) runs.push(ky * dilH * row + kx * dilW * inC, inC);
  }
  return Int32Array.from(runs);
}

/** Where each output pixel's window starts in the padded input. */
function pixelBases(w: Window): Int32Array {
  const { batches, outH, outW, strideH, strideW, padH, padW, inC } = w;
  const out = new Int32Array(batches * outH * outW);
  let p = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) out[p++] = ((b * padH + oy * strideH) * padW + ox * strideW) * inC;
    }
  }
  return out;
}

/** Two output pixels by eight channels at a time over the padded, offset input. */
function convPacked(
  x: Float64Array,
  f: Float64Array,
  runs: Int32Array,
  pixels: Int32Array,
  bias: Int32Array,
  outC: number,
  rq: Requantizer,
  out: Int8Array,
  accA: Float64Array,
  accB: Float64Array,
): void {
  const nPix = pixels.length;
  const nRuns = runs.length;
  let K = 0;
  for (let r = 1; r < nRuns; r += 2) K += runs[r];
  const blocks = Math.ceil(outC / 8);
  for (let p = 0; p < nPix; p += 2) {
    const second = p + 1 < nPix;
    const base0 = pixels[p];
    const base1 = second ? pixels[p + 1] : base0;
    for (let b = 0; b < blocks; b++) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      let fi = b * K * 4;
      for (let r = 0; r < nRuns; r += 2) {
        let i0 = base0 + runs[r];
        let i1 = base1 + runs[r];
        const end = i0 + runs[r + 1];
        while (i0 < end) {
          const v = x[i0++];
          const u = x[i1++];
          const w0 = f[fi];
          const w1 = f[fi + 1];
          const w2 = f[fi + 2];
          const w3 = f[fi + 3];
          fi += 4;
          a0 += v * w0;
          a1 += v * w1;
          a2 += v * w2;
          a3 += v * w3;
          b0 += u * w0;
          b1 += u * w1;
          b2 += u * w2;
          b3 += u * w3;
        }
      }
      const c = b * 8;
      unpack4(accA, c, a0, a1, a2, a3);
      unpack4(accB, c, b0, b1, b2, b3);
    }
    if (second) rq.row2(accA, accB, outC, bias, out, p * outC, (p + 1) * outC);
    else rq.row(accA, outC, bias, out, p * outC);
  }
}

/**
 * Split four packed accumulators into channels c..c+3 (low fields) and c+4..c+7 (high).
 * Adding and subtracting 1.5 * 2^52 rounds a / 2^26 to the nearest integer (|a| < 2^52, and
 * no ties since |low| < 2^25): that is the high field, and the rest is the low one.
 */
function unpack4(acc: Float64Array, c: number, a0: number, a1: number, a2: number, a3: number): void {
  let hi = a0 * PACK_INV_FIELD + ROUNDER - ROUNDER;
  acc[c] = a0 - hi * PACK_FIELD;
  acc[c + 4] = hi;
  hi = a1 * PACK_INV_FIELD + ROUNDER - ROUNDER;
  acc[c + 1] = a1 - hi * PACK_FIELD;
  acc[c + 5] = hi;
  hi = a2 * PACK_INV_FIELD + ROUNDER - ROUNDER;
  acc[c + 2] = a2 - hi * PACK_FIELD;
  acc[c + 6] = hi;
  hi = a3 * PACK_INV_FIELD + ROUNDER - ROUNDER;
  acc[c + 3] = a3 - hi * PACK_FIELD;
  acc[c + 7] = hi;
}
