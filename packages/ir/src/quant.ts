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
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** gemmlowp::SaturatingRoundingDoublingHighMul: round((a*b) / 2^31), saturating one case. */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a*b = a*bh*2^16 + a*bl, both partial products exact in a double.
  const bh = b >> 16;
  const bl = b & 0xffff;
  const hi = a * bh;
  const ab = a * b; // only its sign is used; the sign of an inexact product is still right
  const nudge = ab >= 0 ? 1073741824 : -1073741823;
  const lo = a * bl + nudge;
  const q1 = Math.floor(hi / 32768);
  const rem = (hi - q1 * 32768) * 65536 + lo;
  const fq = Math.floor(rem / TWO31);
  const q = q1 + fq;
  const r = rem - fq * TWO31;
  // C integer division truncates toward zero.
  return q < 0 && r !== 0 ? q + 1 : q;
}

/** gemmlowp::RoundingDivideByPOT: x / 2^exponent, rounding half away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 31) {
    const mask = (1 << exponent) - 1;
    const remainder = x & mask;
    const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
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
