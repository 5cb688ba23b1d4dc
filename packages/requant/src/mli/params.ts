/**
 * TFLite's float scales as embARC MLI 2.0.2's sa8/sa32 quantization parameters (`el_params.sa`):
 * real = (q - zero_point) * scale * 2^-scale_frac_bits, with an int16 zero point, a positive
 * int16 scale mantissa and int8 fractional bits, per tensor (dim -1) or per channel along `dim`.
 *
 * MLI never sees TFLite's multiplier: conv, depthwise and fully connected derive their output
 * multiplier at run time from the input, weight and output params (`convRequant` states how).
 * So the weight mantissas are chosen, per channel, to bring that derived multiplier closest to
 * TFLite's double(in) * double(w) / double(out); `multiplierReport` gives the error left.
 * The golden `mli` numerics and the MLI lowering both take their params from here.
 */
import { asrRnd, norm, type RoundMode } from './math.js';

export interface MliSaParams {
  /** -1: one value for the tensor; otherwise the axis the per-channel arrays run along. */
  dim: number;
  zeroPoint: number[];
  scale: number[];
  scaleFracBits: number[];
}

/** Which libmli.a: MLI's ROUND_MODE and FULL_ACCU build options. */
export interface MliVariant {
  roundMode: RoundMode;
  fullAccu: boolean;
}

export class MliParamsError extends Error {}

const MANTISSA_MAX = 32767;

/** The closest 15-bit mantissa and fractional bits for a positive float scale. */
export function encodeScale(scale: number): { scale: number; fracBits: number } {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new MliParamsError(`scale ${scale} is not a positive finite number`);
  let f = 14 - Math.floor(Math.log2(scale));
  let m = Math.round(scale * 2 ** f);
  if (m > MANTISSA_MAX) {
    f -= 1;
    m = Math.round(scale * 2 ** f);
  } else if (m < 16384) {
    f += 1;
    m = Math.round(scale * 2 ** f);
    if (m > MANTISSA_MAX) {
      f -= 1;
      m = Math.round(scale * 2 ** f);
    }
  }
  if (f < -128 || f > 127) throw new MliParamsError(`scale ${scale} needs ${f} fractional bits, outside int8`);
  return { scale: m, fracBits: f };
}

/** The value a mantissa and fractional bits stand for. */
export function scaleValue(mantissa: number, fracBits: number): number {
  return mantissa * 2 ** -fracBits;
}

/** sa8 params of an activation tensor: per tensor, TFLite's zero point. */
export function tensorParams(scale: number, zeroPoint: number): MliSaParams {
  if (!Number.isInteger(zeroPoint) || zeroPoint < -32768 || zeroPoint > 32767) {
    throw new MliParamsError(`zero point ${zeroPoint} does not fit int16`);
  }
  const e = encodeScale(scale);
  return { dim: -1, zeroPoint: [zeroPoint], scale: [e.scale], scaleFracBits: [e.fracBits] };
}

/** One channel's output multiplier as MLI derives it: out_mul * 2^-out_shift. */
export interface ChannelRequant {
  outMul: number;
  outShift: number;
}

/**
 * MLI 2.0.2's conv/depthwise/fully-connected requantization (define_quant_params, then
 * adjust_quant_params per output channel): the input mantissa normalised to 31 bits,
 * integer-divided by the output mantissa, rounded to 16 bits, times the weight mantissa.
 * With FULL_ACCU off the product is also normalised to 31 bits (result_cast later keeps its
 * top 16).
 */
export function convRequant(input: MliSaParams, weights: MliSaParams, output: MliSaParams, channel: number, v: MliVariant): ChannelRequant {
  const inM = input.scale[0];
  const n = norm(inM, 32);
  const unfinished = Math.trunc((inM * 2 ** n) / output.scale[0]);
  const n2 = norm(unfinished, 32);
  const ratio = Math.min(Math.max(asrRnd(unfinished, 16 - n2, v.roundMode), -32768), 32767);
  const k = weights.dim < 0 ? 0 : channel;
  let outMul = ratio * weights.scale[k];
  let outShift = input.scaleFracBits[0] + n - output.scaleFracBits[0] - (16 - n2) + weights.scaleFracBits[k];
  if (!v.fullAccu) {
    const nn = norm(outMul, 32);
    outMul *= 2 ** nn;
    outShift += nn;
  }
  return { outMul, outShift };
}

/** The multiplier a ChannelRequant applies, as a real number (FULL_ACCU off keeps 16 bits). */
export function effectiveMultiplier(r: ChannelRequant, v: MliVariant): number {
  if (v.fullAccu) return r.outMul * 2 ** -r.outShift;
  return asrRnd(r.outMul, 16, v.roundMode) * 2 ** -(r.outShift - 16);
}

export interface ConvLikeMliParams {
  input: MliSaParams;
  weights: MliSaParams;
  bias: MliSaParams;
  output: MliSaParams;
  report: MultiplierReport;
}

/** Per layer: TFLite's multiplier and MLI's, per output channel, and the worst relative error. */
export interface MultiplierReport {
  tflite: number[];
  mli: number[];
  maxRelError: number;
}

/**
 * Params of a conv-like layer. The output is encoded faithfully (its params also give the
 * ReLU bounds). The input mantissa (shared by all channels) and each weight mantissa are
 * searched within +-SEARCH of their faithful values for the smallest error of the multiplier
 * MLI derives: the worst channel first, then the sum. Only the ratio of the scales reaches
 * the arithmetic, so these params describe the layer's call, not the tensors alone.
 * `weightDim` is the per-channel axis in MLI's weight layout (3 for HWCN and HW1N, 1 for fully
 * connected's [in][out]).
 */
export function convLikeParams(
  q: { inScale: number; inZeroPoint: number; weightScales: number[]; outScale: number; outZeroPoint: number; weightDim: number },
  v: MliVariant,
): ConvLikeMliParams {
  const output = tensorParams(q.outScale, q.outZeroPoint);
  const faithfulIn = tensorParams(q.inScale, q.inZeroPoint);
  const perChannel = q.weightScales.length > 1;
  const targets = q.weightScales.map((ws) => (q.inScale * ws) / q.outScale);
  const encoded = q.weightScales.map((ws) => encodeScale(ws));
  let best: { input: MliSaParams; scales: number[]; mli: number[]; worst: number; sum: number } | null = null;
  const m0 = faithfulIn.scale[0];
  for (let im = Math.max(1, m0 - SEARCH); im <= Math.min(MANTISSA_MAX, m0 + SEARCH); im++) {
    const input: MliSaParams = { ...faithfulIn, scale: [im] };
    const scales: number[] = [];
    const mli: number[] = [];
    let worst = 0;
    let sum = 0;
    encoded.forEach((e, c) => {
      const one: MliSaParams = { dim: -1, zeroPoint: [0], scale: [e.scale], scaleFracBits: [e.fracBits] };
      let bm = e.scale;
      let bv = 0;
      let bErr = Infinity;
      for (let m = Math.max(1, e.scale - SEARCH); m <= Math.min(MANTISSA_MAX, e.scale + SEARCH); m++) {
        one.scale[0] = m;
        const got = effectiveMultiplier(convRequant(input, one, output, 0, v), v);
        const err = Math.abs(got - targets[c]) / targets[c];
        // Ties keep the mantissa closest to the faithful one.
        if (err < bErr || (err === bErr && Math.abs(m - e.scale) < Math.abs(bm - e.scale))) {
          bm = m;
          bv = got;
          bErr = err;
        }
      }
      scales.push(bm);
      mli.push(bv);
      worst = Math.max(worst, bErr);
      sum += bErr;
    });
    if (!best || worst < best.worst || (worst === best.worst && sum < best.sum)) best = { input, scales, mli, worst, sum };
  }
  const b = best!;
  const weights: MliSaParams = {
    dim: perChannel ? q.weightDim : -1,
    zeroPoint: encoded.map(() => 0),
    scale: b.scales,
    scaleFracBits: encoded.map((e) => e.fracBits),
  };
  return { input: b.input, weights, bias: biasParams(b.input, weights), output, report: { tflite: targets, mli: b.mli, maxRelError: b.worst } };
}

const SEARCH = 8;

/**
 * sa32 bias params that MLI 2.0.2's debug check (mli_chk_bias_scale_asym) accepts: the bias
 * scale is input scale times weight scale, its mantissa shifted down to fit int16 with the
 * fractional bits adjusted to match. The kernels add the bias as is; only the check reads it.
 */
export function biasParams(input: MliSaParams, weights: MliSaParams): MliSaParams {
  const out: MliSaParams = { dim: weights.dim < 0 ? -1 : 0, zeroPoint: [], scale: [], scaleFracBits: [] };
  weights.scale.forEach((wm, c) => {
    const prod = input.scale[0] * wm;
    const s = Math.max(0, 32 - Math.clz32(prod) - 15);
    const f = input.scaleFracBits[0] + weights.scaleFracBits[c] - s;
    if (f < -128 || f > 127) throw new MliParamsError(`bias needs ${f} fractional bits, outside int8`);
    out.zeroPoint.push(0);
    out.scale.push(asrRnd(prod, s, 'up'));
    out.scaleFracBits.push(f);
  });
  return out;
}

/** MLI's fused ReLU kinds (mli_relu_type). */
export type MliRelu = 'none' | 'gen' | 'relu6' | 'relu1';

/**
 * The clamp bounds MLI derives from the output's params (mli_prv_get_relu_limits): six and
 * one are converted with a truncating integer division, not TFLite's rounding.
 */
export function reluBounds(relu: MliRelu, output: MliSaParams): [number, number] {
  const zero = output.zeroPoint[0];
  const scale = output.scale[0];
  const shift = output.scaleFracBits[0];
  const min = -128;
  const max = 127;
  switch (relu) {
    case 'none':
      return [min, max];
    case 'gen':
      return [Math.max(zero, min), max];
    case 'relu6': {
      const six = shift >= 0 ? (shift < 28 ? Math.trunc((6 * 2 ** shift) / scale) : max) : shift > -3 ? Math.trunc((6 >> -shift) / scale) : 0;
      return [Math.max(zero, min), Math.min(six + zero, max)];
    }
    case 'relu1': {
      const one = shift >= 0 ? (shift < 30 ? Math.trunc(2 ** shift / scale) : max) : 0;
      return [Math.max(zero - one, min), Math.min(one + zero, max)];
    }
  }
}

/** MLI's in-to-out requantization for kernels without weights (s8asym_quant_params). */
export interface InOutRequant {
  /** int16 multiplier. */
  scale: number;
  shift: number;
  /** out_zero_point - scale * in_zero_point, in output units, int16. */
  offset: number;
}

/**
 * define_requant_params (average pooling and friends): the input mantissa shifted to the
 * top of 32 bits less the output's 16-bit headroom, integer-divided by the output mantissa,
 * normalised back to 16 bits.
 */
export function inOutRequant(input: MliSaParams, output: MliSaParams, mode: RoundMode): InOutRequant {
  const inM = input.scale[0];
  const outM = output.scale[0];
  const pre = norm(inM, 32) - norm(outM, 16);
  const q = Math.trunc((inM * 2 ** pre) / outM);
  const normShift = 16 - norm(q, 32);
  const scale = Math.min(Math.max(asrRnd(q, normShift, mode), -32768), 32767);
  const shift = pre + input.scaleFracBits[0] - output.scaleFracBits[0] - normShift;
  const zpScaled = Math.min(Math.max(asrRnd(scale * input.zeroPoint[0], shift, mode), -32768), 32767);
  const offset = Math.min(Math.max(output.zeroPoint[0] - zpScaled, -32768), 32767);
  return { scale, shift, offset };
}

/**
 * Average pooling's 1/n as MLI 2.0.2 takes it: a 15-bit mantissa of 2^shift / n, truncated,
 * with shift = 14 + ceil(log2 n) (the library tabulates n < 32 and computes the rest the same
 * way).
 */
export function reciprocal(n: number): { mul: number; shift: number } {
  if (n <= 1) return { mul: 16384, shift: 14 };
  const shift = 14 + Math.ceil(Math.log2(n) - 1e-12);
  return { mul: Math.floor(2 ** shift / n), shift };
}

/** One operand's scaling in MLI's sa8 eltwise add: (x - zero_point) * scale16, shifted right by preShift. */
export interface EltwiseOperand {
  scale16: number;
  preShift: number;
}

/**
 * mli_krn_eltwise_add_sa8's per-operand scaling (eltwise_prepare_and_run): the operand's
 * mantissa normalised to 31 bits, integer-divided by the output mantissa, normalised to 16
 * bits, then shifted down (rounded, in 16 bits) so that the pre-shift stays within 23 bits.
 */
export function eltwiseAddOperand(input: MliSaParams, output: MliSaParams, mode: RoundMode): EltwiseOperand {
  const m = input.scale[0];
  const n = norm(m, 32);
  const sf = Math.trunc((m * 2 ** n) / output.scale[0]);
  let pre = n + input.scaleFracBits[0] - output.scaleFracBits[0];
  const ns = 16 - norm(sf, 32);
  let scale16 = Math.min(Math.max(asrRnd(sf, ns, mode), -32768), 32767);
  pre -= ns;
  const sh = Math.max(pre - 23, 0) + Math.min(31 + pre, 0);
  scale16 = sh > 15 ? 0 : sh < 0 ? Math.min(Math.max(scale16 * 2 ** -sh, -32768), 32767) : asrRnd(scale16, sh, mode, 16);
  return { scale16, preShift: pre - sh };
}
