/**
 * gemmlowp's fixed-point arithmetic on raw int32 values, as TFLite's reference kernels use
 * it (softmax, and the recurrent kernels). A value with `integerBits` integer bits stands
 * for raw / 2^(31 - integerBits). Products go through srdhm, sums wrap like int32.
 *
 * Exported names are part of a shared contract: append new functions at the end, never
 * rename or reorder existing ones.
 */
import { INT32_MAX, INT32_MIN, roundingDivideByPOT, srdhm } from './quant.js';

/** FixedPoint<int32, I>::One(): the largest raw value when there are no integer bits. */
export function fpOne(integerBits: number): number {
  return integerBits === 0 ? INT32_MAX : 1 << (31 - integerBits);
}

/** FixedPoint<int32, I>::ConstantPOT<exponent>(): 2^exponent. */
export function fpConstantPOT(integerBits: number, exponent: number): number {
  return 1 << (31 - integerBits + exponent);
}

/** FixedPoint product: integer bits add up, raw = srdhm(a, b). */
export const fpMul = srdhm;

/** int32 addition with two's-complement wrap, as the C++ does it in practice. */
export function fpAdd(a: number, b: number): number {
  return (a + b) | 0;
}

export function fpSub(a: number, b: number): number {
  return (a - b) | 0;
}

/** gemmlowp::RoundingHalfSum for int32: (a + b) / 2 rounded half away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact in a double
  const sign = sum >= 0 ? 1 : -1;
  return Math.trunc((sum + sign) / 2);
}

/** gemmlowp::SaturatingRoundingMultiplyByPOT: x * 2^exponent, saturating up, rounding down. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x << exponent;
}

/** gemmlowp::Rescale<dstIntegerBits>: same real value, different integer bits. */
export function fpRescale(x: number, srcIntegerBits: number, dstIntegerBits: number): number {
  return saturatingRoundingMultiplyByPOT(x, srcIntegerBits - dstIntegerBits);
}

/** gemmlowp::ExactMulByPot: a plain shift (arithmetic to the right). */
export function exactMulByPot(x: number, exponent: number): number {
  return exponent >= 0 ? x << exponent : x >> -exponent;
}

const EXP_MINUS_ONE_EIGHTH = 1895147668; // exp(-1/8) in Q0.31
const ONE_THIRD = 715827883; // 1/3 in Q0.31

/** exp(a) for a in [-1/4, 0), a and the result in Q0.31: Taylor series around -1/8. */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const x = fpAdd(a, fpConstantPOT(0, -3));
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = saturatingRoundingMultiplyByPOT(x4, -2);
  const poly = saturatingRoundingMultiplyByPOT(fpAdd(srdhm(fpAdd(x4Over4, x3), ONE_THIRD), x2), -1);
  return fpAdd(EXP_MINUS_ONE_EIGHTH, srdhm(EXP_MINUS_ONE_EIGHTH, fpAdd(x, poly)));
}

// exp(-2^k) in Q0.31 for k = -2..4, applied bit by bit to the input's multiple of 1/4.
const EXP_BARREL: readonly (readonly [number, number])[] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** gemmlowp::exp_on_negative_values: exp(a) for a <= 0 with `integerBits`; result Q0.31. */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = fpConstantPOT(integerBits, -2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusQuarter = fpSub(a & mask, oneQuarter);
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(fpRescale(aModQuarterMinusQuarter, integerBits, 0));
  const remainder = fpSub(aModQuarterMinusQuarter, a);
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent && remainder & (1 << (fractionalBits + exponent))) {
      result = srdhm(result, multiplier);
    }
  }
  if (integerBits > 5 && a < -(1 << (36 - integerBits))) result = 0;
  if (a === 0) result = INT32_MAX;
  return result;
}

/** gemmlowp::one_over_one_plus_x_for_x_in_0_1: 1/(1+a), a and the result in Q0.31. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  // Newton-Raphson in Q2.29, starting from 48/17 - 32/17 * d.
  const c48Over17 = 1515870810;
  const cNeg32Over17 = -1010580540;
  const one2 = fpOne(2);
  let x = fpAdd(c48Over17, srdhm(halfDenominator, cNeg32Over17));
  for (let i = 0; i < 3; i++) {
    const oneMinus = fpSub(one2, srdhm(halfDenominator, x));
    x = fpAdd(x, fpRescale(srdhm(x, oneMinus), 4, 2));
  }
  return fpRescale(exactMulByPot(x, -1), 2, 0);
}

/** Count of leading zero bits of x read as uint32 (32 for 0). */
export function countLeadingZeros32(x: number): number {
  return Math.clz32(x);
}

/**
 * tflite::GetReciprocal: 1/x for x with `integerDigits` integer bits, as a Q0.31 scale
 * and the number of bits above one it was shifted by: 1/x = raw / 2^31 / 2^bitsOverUnit.
 */
export function getReciprocal(x: number, integerDigits: number): { raw: number; bitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const bitsOverUnit = integerDigits - headroomPlusOne;
  const shiftedSumMinusOne = ((x << headroomPlusOne) - INT32_MIN) | 0;
  return { raw: oneOverOnePlusXForXIn01(shiftedSumMinusOne), bitsOverUnit };
}
