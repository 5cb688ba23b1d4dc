/**
 * TFLite's fixed-point helpers, exactly as TFLite Micro's reference kernels use them
 * (gemmlowp rounding, double-rounding MultiplyByQuantizedMultiplier). Every kernel of the
 * golden executor and every compile-time constant of the C backend goes through these.
 *
 * JavaScript numbers hold integers exactly up to 2^53, so 64-bit products are split.
 */
import type { Activation } from './ops.js';
import type { DType, Quantization } from './graph.js';

const TWO31 = 2147483648;
export const TWO_M31 = 1 / TWO31; // exact: scaling by it is the division by 2^31
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/**
 * gemmlowp::SaturatingRoundingDoublingHighMul: (a*b + nudge) / 2^31 truncated, where nudge
 * is 2^30 for a non-negative product and 1 - 2^30 otherwise; saturates only MIN * MIN.
 * Both cases equal floor((a*b + 2^30) / 2^31), i.e. rounding half up, which the fast path
 * uses: when |a*b| < 2^52 the product, the sum and the scaling are exact in a double, and
 * there is no sign-dependent branch.
 *
 * Otherwise (|a*b| < 2^62) the double p is within 2^8 of a*b, so y, the same formula on p,
 * is off by at most one; a*b + 2^30 - y * 2^31 taken mod 2^32 (Math.imul gives a*b's low
 * 32 bits) then lies within 2^9 of [0, 2^31) and says which way to correct.
 */
export function srdhm(a: number, b: number): number {
  const p = a * b;
  const y = Math.floor((p + 1073741824) * TWO_M31);
  if (p < 4503599627370496 && p > -4503599627370496) return y;
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // d = a*b - y*2^31 mod 2^32, in [-2^30, 2^30) when y is right.
  const d = (Math.imul(a, b) - (y << 31)) | 0;
  return d >= 1073741824 ? y + 1 : d < -1073741824 ? y - 1 : y;
}

/**
 * gemmlowp::RoundingDivideByPOT: x / 2^exponent, rounding half away from zero. For int32 x
 * and exponent < 31: (x >> e) + (remainder > threshold), threshold = mask/2 + (x < 0), with
 * the comparison taken from the sign of threshold - remainder so that no branch depends on
 * the data.
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent < 31) {
    const mask = (1 << exponent) - 1;
    return (x >> exponent) - (((mask >> 1) - (x >> 31) - (x & mask)) >> 31);
  }
  const p = 2 ** exponent;
  const q = Math.floor(x / p);
  const remainder = x - q * p;
  const threshold = Math.floor((p - 1) / 2) + (x < 0 ? 1 : 0);
  return q + (remainder > threshold ? 1 : 0);
}

/** tflite::MultiplyByQuantizedMultiplier(int32 x, int32 m, int shift), double rounding. */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(srdhm(left ? x << left : x, multiplier), right);
}

/** MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0). */
export function mulSmallerThanOneExp(x: number, multiplier: number, leftShift: number): number {
  return roundingDivideByPOT(srdhm(x, multiplier), -leftShift);
}

/**
 * tflite::MultiplyByQuantizedMultiplier(int64 x, int32 m, int shift), used by 16-bit
 * activation kernels: a 16-bit reduced multiplier and a single rounding shift.
 */
export function multiplyByQuantizedMultiplier64(x: bigint, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
  const totalShift = BigInt(15 - shift);
  const v = x * BigInt(reduced) + (1n << (totalShift - 1n));
  return Number(BigInt.asIntN(32, v >> totalShift));
}

/** std::round: half away from zero. */
export function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** std::frexp: x = f * 2^e with 0.5 <= |f| < 1. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  const ax = Math.abs(x);
  let e = Math.max(-1073, Math.floor(Math.log2(ax)) + 1);
  let f = ax * 2 ** -e;
  // log2 can be off by one near powers of two.
  while (f < 0.5) {
    f *= 2;
    e -= 1;
  }
  while (f >= 1) {
    f /= 2;
    e += 1;
  }
  return [x < 0 ? -f : f, e];
}

export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** tflite::QuantizeMultiplier (without TFLITE_SINGLE_ROUNDING, as TFLite Micro builds it). */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const [q, e] = frexp(real);
  let shift = e;
  let fixed = roundAway(q * TWO31);
  if (fixed === TWO31) {
    fixed /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: fixed, shift };
}

/** Round a double to float32, for the places where TFLite computes in float. */
export const f32 = Math.fround;

export function dtypeRange(d: DType): [number, number] {
  switch (d) {
    case 'int8':
      return [-128, 127];
    case 'uint8':
      return [0, 255];
    case 'int16':
      return [-32768, 32767];
    case 'int32':
      return [INT32_MIN, INT32_MAX];
    default:
      throw new Error(`no integer range for ${d}`);
  }
}

/**
 * tflite::CalculateActivationRangeQuantized: the fused activation's bounds in the output's
 * quantized domain, intersected with the dtype's range. TFLite rounds with TfLiteRound on
 * float arithmetic: zero_point + round(bound / scale).
 */
export function activationRangeQuantized(act: Activation, dtype: DType, q: Quantization | null): [number, number] {
  const [qmin, qmax] = dtypeRange(dtype);
  const scale = q ? q.scale[0] : 1;
  const zp = q ? q.zeroPoint[0] : 0;
  const quantize = (v: number): number => zp + roundAway(f32(v / scale));
  switch (act) {
    case 'none':
      return [qmin, qmax];
    case 'relu':
      return [Math.max(qmin, quantize(0)), qmax];
    case 'relu6':
      return [Math.max(qmin, quantize(0)), Math.min(qmax, quantize(6))];
    case 'relu_n1_to_1':
      return [Math.max(qmin, quantize(-1)), Math.min(qmax, quantize(1))];
    default:
      throw new Error(`fused activation ${act} has no quantized range`);
  }
}

/** tflite::CalculateActivationRange for float kernels. */
export function activationRangeFloat(act: Activation): [number, number] {
  switch (act) {
    case 'none':
      return [-Infinity, Infinity];
    case 'relu':
      return [0, Infinity];
    case 'relu6':
      return [0, 6];
    case 'relu_n1_to_1':
      return [-1, 1];
    default:
      throw new Error(`fused activation ${act} has no float range`);
  }
}

/** tflite::QuantizeMultiplierSmallerThanOneExp: a multiplier in (0, 1), shift <= 0. */
export function quantizeMultiplierSmallerThanOneExp(real: number): QuantizedMultiplier {
  if (!(real > 0 && real < 1)) throw new Error(`multiplier ${real} is not in (0, 1)`);
  const q = quantizeMultiplier(real);
  if (q.shift > 0) throw new Error(`multiplier ${real} rounds to a left shift`);
  return q;
}

/** tflite::QuantizeMultiplierGreaterThanOne: a multiplier above 1, shift >= 0. */
export function quantizeMultiplierGreaterThanOne(real: number): QuantizedMultiplier {
  if (!(real > 1)) throw new Error(`multiplier ${real} is not above 1`);
  const q = quantizeMultiplier(real);
  if (q.shift < 0) throw new Error(`multiplier ${real} rounds to a right shift`);
  return q;
}

/** MultiplyByQuantizedMultiplierGreaterThanOne: srdhm(x * 2^leftShift, m), int32 shift. */
export function mulGreaterThanOne(x: number, multiplier: number, leftShift: number): number {
  return srdhm(Math.imul(x, 1 << leftShift), multiplier);
}

/**
 * Per-output-channel requantization of a convolution-like kernel (conv, depthwise, per-
 * channel fully connected): real = input_scale * filter_scale[c] / output_scale, all three
 * widened to double before the product, as PopulateConvolutionQuantizationParams does.
 * A per-tensor filter gets its one scale repeated over `channels`.
 */
export function perChannelMultipliers(
  inputScale: number,
  filterScales: readonly number[],
  outputScale: number,
  channels: number,
): { multiplier: Int32Array; shift: Int32Array } {
  const multiplier = new Int32Array(channels);
  const shift = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const fs = filterScales.length > 1 ? filterScales[c] : filterScales[0];
    const q = quantizeMultiplier((inputScale * fs) / outputScale);
    multiplier[c] = q.multiplier;
    shift[c] = q.shift;
  }
  return { multiplier, shift };
}

/**
 * tflite::GetQuantizedConvolutionMultipler for per-tensor fully connected: the product
 * input_scale * filter_scale is taken in float32 before widening, unlike the per-channel
 * path.
 */
export function perTensorConvMultiplier(inputScale: number, filterScale: number, outputScale: number): QuantizedMultiplier {
  return quantizeMultiplier(f32(inputScale * filterScale) / outputScale);
}

/**
 * Quantize one float as TFLite's kernels do: the quotient in float32, rounded half away
 * from zero, plus the zero point (TfLiteRound(f / scale) + zero_point). Not clamped.
 */
export function quantizeValue(value: number, scale: number, zeroPoint: number): number {
  return zeroPoint + roundAway(f32(value / scale));
}

/** Clamp to a dtype's integer range. */
export function clampTo(dtype: DType, v: number): number {
  const [lo, hi] = dtypeRange(dtype);
  return v < lo ? lo : v > hi ? hi : v;
}

/** The per-tensor scale and zero point of a quantized tensor; null when unquantized. */
export function scaleAndZeroPoint(q: Quantization | null): { scale: number; zeroPoint: number } | null {
  if (!q || q.scale.length === 0) return null;
  return { scale: q.scale[0], zeroPoint: q.zeroPoint.length ? q.zeroPoint[0] : 0 };
}

/**
 * Window geometry shared by convolution and pooling (tflite::ComputePaddingHeightWidth):
 * the output size a padding scheme gives, and the leading padding, which is half the total,
 * rounded down; the extra row or column of odd totals goes at the end.
 */
export function computeOutSize(padding: 'same' | 'valid', inSize: number, filterSize: number, stride: number, dilation: number): number {
  const effective = (filterSize - 1) * dilation + 1;
  return padding === 'same' ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - effective) / stride);
}

export function computePadding(stride: number, dilation: number, inSize: number, filterSize: number, outSize: number): number {
  const effective = (filterSize - 1) * dilation + 1;
  const total = (outSize - 1) * stride + effective - inSize;
  return total > 0 ? Math.floor(total / 2) : 0;
}

/**
 * Per-channel requantization for hot loops: out = clamp(MultiplyByQuantizedMultiplier(
 * acc + bias[c], M[c], shift[c]) + zero_point, act_min, act_max), the same arithmetic as
 * multiplyByQuantizedMultiplier with the per-channel pieces precomputed.
 *
 * With x = acc + bias and M' = M * 2^left, when |x * M'| < 2^52 the doubling high multiply
 * is y = floor((x*M' + 2^30) / 2^31), exact in a double (the left shift folded into M'),
 * and |y| <= 2^21. The rounding right shift by e, half away from zero, is
 * (y + 2^(e-1) - (y < 0)) >> e, which equals (2y + 2^e + (y >> 31)) >> (e + 1) for every
 * e >= 0 (the two numerators differ by at most 1 and the second, when y < 0, is odd, so
 * they never straddle a multiple of 2^(e+1)). Adding zero_point * 2^(e+1) inside the shift
 * adds zero_point outside it. So the fast path is one floor, three integer ops and a clamp.
 *
 * x needs no wrap to int32 there: M' >= 2^21 (or M = 0) and |x * M'| < 2^52 bound |x| below
 * 2^31. Since |y| <= 2^21, any e >= 23 rounds y to 0, so the fast path uses min(e, 23):
 * this keeps the offset within int32 for channels with tiny scales (shifts down to -31).
 * Channels the fast path cannot take (huge shifts or zero points) get M' = Infinity, so
 * their product is never in range and every value takes the general helpers.
 *
 * Channels whose bias alone puts x * M' near or past 2^52 (dead channels of some models:
 * a tiny filter scale, a bias near 2^30) would fail the fast path on every pixel. Given
 * the bias, the constructor lists them as wide: row and row2 skip them in their main loop
 * and compute them afterwards with srdhm's exact wide product and the rounding shift done
 * in doubles (see wide).
 */
export class Requantizer {
  // `declare`: no class-field definitions, which would first set each property to
  // undefined and leave it with a generic representation that slows the hot loop.
  declare readonly outZp: number;
  declare readonly actMin: number;
  declare readonly actMax: number;
  // Read-only per-channel pieces, public so that kernels can inline the fast path with
  // them hoisted out of a loop over pixels (see row for the arithmetic).
  /** M * 2^left, or Infinity for a channel that always takes the general path. */
  declare readonly scaled: Float64Array;
  /** 2^e + zero_point * 2^(e+1): the rounding offset with the zero point folded in. */
  declare readonly offset: Int32Array;
  /** e + 1. */
  declare readonly shiftPlus: Int32Array;
  private declare readonly m32: Int32Array;
  private declare readonly shift: Int32Array;
  /** scaled, but 0 for the wide channels, which row and row2 redo after their main loop. */
  private declare readonly rowScaled: Float64Array;
  private declare readonly wideChannels: Int32Array;
  /** For right shifts, 2^e + zero_point * 2^(e+1) and 2^-(e+1) with e unclamped. */
  private declare readonly wideOffset: Float64Array;
  private declare readonly wideScale: Float64Array;

  constructor(multiplier: Int32Array, shift: Int32Array, outZp: number, actMin: number, actMax: number, bias?: Int32Array) {
    if (actMin < -(2 ** 30) || actMax > 2 ** 30) throw new Error('Requantizer bounds must be within 2^30');
    const n = multiplier.length;
    this.outZp = outZp;
    this.actMin = actMin;
    this.actMax = actMax;
    this.m32 = Int32Array.from(multiplier);
    this.shift = Int32Array.from(shift);
    this.scaled = new Float64Array(n);
    this.offset = new Int32Array(n);
    this.shiftPlus = new Int32Array(n);
    this.rowScaled = new Float64Array(n);
    this.wideOffset = new Float64Array(n);
    this.wideScale = new Float64Array(n);
    const wide: number[] = [];
    for (let c = 0; c < n; c++) {
      const s = shift[c];
      if (s < -31 || s > 30) throw new Error(`shift ${s} is out of range`);
      const l = s > 0 ? s : 0;
      const e = Math.min(s > 0 ? 0 : -s, 23);
      const scaled = multiplier[c] * 2 ** l;
      const offset = 2 ** e + outZp * 2 ** (e + 1);
      // (y << 1) + offset + (y >> 31) must stay within int32 for |y| <= 2^21.
      const fast = Math.abs(offset) + 2 ** 22 + 1 < 2 ** 31 && (scaled === 0 || Math.abs(scaled) >= 2 ** 21);
      this.scaled[c] = fast ? scaled : Infinity;
      this.offset[c] = fast ? offset : 0;
      this.shiftPlus[c] = e + 1;
      this.wideOffset[c] = 2 ** -s + outZp * 2 ** (1 - s);
      this.wideScale[c] = 2 ** (s - 1);
      const isWide = bias !== undefined && s <= 0 && multiplier[c] !== INT32_MIN && Math.abs(bias[c] * multiplier[c]) >= 2 ** 51;
      if (isWide) wide.push(c);
      this.rowScaled[c] = isWide ? 0 : this.scaled[c];
    }
    this.wideChannels = Int32Array.from(wide);
  }

  /** Channel c of one accumulator, requantized, offset and clamped. */
  one(acc: number, c: number): number {
    const x = acc | 0;
    const p = x * this.scaled[c];
    let v: number;
    if (p < 4503599627370496 && p > -4503599627370496) {
      const y = Math.floor((p + 1073741824) * TWO_M31) | 0;
      v = ((y << 1) + this.offset[c] + (y >> 31)) >> this.shiftPlus[c];
    } else if (this.shift[c] <= 0) {
      v = this.wide(x, c);
    } else {
      v = multiplyByQuantizedMultiplier(x, this.m32[c], this.shift[c]) + this.outZp;
    }
    return v < this.actMin ? this.actMin : v > this.actMax ? this.actMax : v;
  }

  /**
   * Unclamped output of a right-shift channel (M != INT32_MIN) for any int32 x: the rounding
   * shift of the fast path taken in doubles, exact as every term is below 2^34.
   */
  private wide(x: number, c: number): number {
    const y = srdhm(x, this.m32[c]);
    return Math.floor((2 * y + (y >> 31) + this.wideOffset[c]) * this.wideScale[c]);
  }

  /**
   * out[o + c] for c < n from acc[c] + bias[c]. acc holds integers (any int32, or the
   * packed kernels' exact sums). The clamp uses sign masks rather than branches: outputs
   * saturate often and unpredictably (ReLU), and mispredictions would dominate (Math.min/max
   * measured slower here).
   */
  row(acc: Float64Array, n: number, bias: Int32Array, out: Int8Array, o: number): void {
    const { rowScaled: scaled, offset, shiftPlus, actMin, actMax } = this;
    let inRange = true;
    for (let c = 0; c < n; c++) {
      const p = (acc[c] + bias[c]) * scaled[c];
      inRange = inRange && Math.abs(p) < 4503599627370496;
      const y = Math.floor((p + 1073741824) * TWO_M31) | 0;
      let v = ((y << 1) + offset[c] + (y >> 31)) >> shiftPlus[c];
      const over = v - actMax;
      v -= over & ~(over >> 31);
      const under = actMin - v;
      v += under & ~(under >> 31);
      out[o + c] = v;
    }
    // Rare: redo the out-of-range channels through the general path, kept out of the loop
    // above so that the loop has no call.
    if (!inRange) this.fixRow(acc, n, bias, out, o);
    if (this.wideChannels.length) this.wideRow(acc, n, bias, out, o);
  }

  /** The general path for the channels whose product is out of the fast path's range. */
  private fixRow(acc: Float64Array, n: number, bias: Int32Array, out: Int8Array, o: number): void {
    const scaled = this.rowScaled;
    for (let c = 0; c < n; c++) {
      const x = acc[c] + bias[c];
      // Negated so that NaN (0 * Infinity) also takes the general path.
      if (!(Math.abs(x * scaled[c]) < 4503599627370496)) out[o + c] = this.one(x, c);
    }
  }

  /** The wide channels below n. */
  private wideRow(acc: Float64Array, n: number, bias: Int32Array, out: Int8Array, o: number): void {
    const { wideChannels, actMin, actMax } = this;
    for (let k = 0; k < wideChannels.length; k++) {
      const c = wideChannels[k];
      if (c >= n) break;
      const v = this.wide((acc[c] + bias[c]) | 0, c);
      out[o + c] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  }

  /** row for two pixels at once (out[oA + c] from accA, out[oB + c] from accB), each channel's constants loaded once. */
  row2(accA: Float64Array, accB: Float64Array, n: number, bias: Int32Array, out: Int8Array, oA: number, oB: number): void {
    const { rowScaled: scaled, offset, shiftPlus, actMin, actMax } = this;
    let inRange = true;
    for (let c = 0; c < n; c++) {
      const m = scaled[c];
      const add = offset[c];
      const sh = shiftPlus[c];
      const bc = bias[c];
      const pA = (accA[c] + bc) * m;
      const pB = (accB[c] + bc) * m;
      inRange = inRange && Math.abs(pA) < 4503599627370496 && Math.abs(pB) < 4503599627370496;
      const yA = Math.floor((pA + 1073741824) * TWO_M31) | 0;
      let v = ((yA << 1) + add + (yA >> 31)) >> sh;
      let over = v - actMax;
      v -= over & ~(over >> 31);
      let under = actMin - v;
      out[oA + c] = v + (under & ~(under >> 31));
      const yB = Math.floor((pB + 1073741824) * TWO_M31) | 0;
      v = ((yB << 1) + add + (yB >> 31)) >> sh;
      over = v - actMax;
      v -= over & ~(over >> 31);
      under = actMin - v;
      out[oB + c] = v + (under & ~(under >> 31));
    }
    if (!inRange) {
      this.fixRow(accA, n, bias, out, oA);
      this.fixRow(accB, n, bias, out, oB);
    }
    if (this.wideChannels.length) {
      this.wideRow(accA, n, bias, out, oA);
      this.wideRow(accB, n, bias, out, oB);
    }
  }
}

/**
 * tflite::LUTPopulate<int16_t> (float): a 513-entry table of `transform` over the int16
 * input range, sampled at 512 steps, each entry nudged by half the interpolation error at
 * its step's midpoint. Every operation in float32, as TFLite computes it.
 */
export function lutPopulateInt16(inputScale: number, inputZeroPoint: number, outputScale: number, outputZeroPoint: number, transform: (v: number) => number): Int16Array {
  const inMin = f32(inputScale * (-32768 - inputZeroPoint));
  const inMax = f32(inputScale * (32767 - inputZeroPoint));
  const outMin = f32(outputScale * (-32768 - outputZeroPoint));
  const outMax = f32(outputScale * (32767 - outputZeroPoint));
  const steps = 512;
  const step = f32(f32(inMax - inMin) / steps);
  const halfStep = f32(step / 2);
  const inv = f32(65536 / f32(outMax - outMin));
  const clamp = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
  const lut = new Int16Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const x = f32(inMin + f32(i * step));
    const val = transform(x);
    const valMid = transform(f32(x + halfStep));
    const valNext = transform(f32(inMin + f32((i + 1) * step)));
    const sample = roundAway(f32(val * inv));
    const midInterp = roundAway(f32(f32(f32(valNext * inv) + sample) / 2));
    const mid = roundAway(f32(valMid * inv));
    const bias = roundAway(f32(f32(midInterp - mid) / 2));
    lut[i] = clamp(f32(sample - bias));
  }
  lut[steps] = clamp(roundAway(f32(transform(inMax) * inv)));
  return lut;
}

/** tflite::LUTLookup for int16: the entry at value's top 9 bits, interpolated by its low 7. */
export function lutLookupInt16(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const offset = value & 0x7f;
  const base = lut[index];
  const slope = ((lut[index + 1] - base) << 16) >> 16;
  return (((base + ((slope * offset + 64) >> 7)) << 16) >> 16);
}

/**
 * Per-channel requantization of int64 accumulators (16x8 kernels with int64 bias): out =
 * clamp(MultiplyByQuantizedMultiplier(int64 x, M[c], shift[c]) + zero_point, act_min, act_max),
 * with each channel's reduced multiplier and rounding shift precomputed. `one` has the same
 * contract as Requantizer's, so kernels take either.
 */
export class Requantizer64 {
  declare readonly outZp: number;
  declare readonly actMin: number;
  declare readonly actMax: number;
  private declare readonly m32: Int32Array;
  private declare readonly shift: Int32Array;
  private declare readonly reduced: Float64Array;
  /** 2^(total_shift - 1) and 2^-total_shift. */
  private declare readonly round: Float64Array;
  private declare readonly scale: Float64Array;

  constructor(multiplier: Int32Array, shift: Int32Array, outZp: number, actMin: number, actMax: number) {
    const n = multiplier.length;
    this.outZp = outZp;
    this.actMin = actMin;
    this.actMax = actMax;
    this.m32 = Int32Array.from(multiplier);
    this.shift = Int32Array.from(shift);
    this.reduced = new Float64Array(n);
    this.round = new Float64Array(n);
    this.scale = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      const m = multiplier[c];
      const t = 15 - shift[c];
      this.reduced[c] = m < 0x7fff0000 ? (m + (1 << 15)) >> 16 : 0x7fff;
      this.round[c] = 2 ** (t - 1);
      this.scale[c] = 2 ** -t;
    }
  }

  /** Channel c of one accumulator (a safe integer), requantized, offset and clamped. */
  one(x: number, c: number): number {
    const p = x * this.reduced[c];
    const y =
      p < 4503599627370496 && p > -4503599627370496
        ? Math.floor((p + this.round[c]) * this.scale[c]) | 0
        : multiplyByQuantizedMultiplier64(BigInt(x), this.m32[c], this.shift[c]);
    const v = y + this.outZp;
    return v < this.actMin ? this.actMin : v > this.actMax ? this.actMax : v;
  }
}
