/**
 * embARC MLI 2.0.2's fixed-point primitives (its portable `mli_math` layer), as the library's
 * sa8 kernels use them. The rounding of every right shift is a build option of the library
 * (ROUND_MODE): 'up' adds half and floors; 'convergent' rounds ties to even.
 *
 * Values are JavaScript numbers holding integers; a 64-bit product goes through BigInt only
 * when it does not fit a double exactly.
 */

export type RoundMode = 'up' | 'convergent';

export const INT16_MIN = -32768;
export const INT16_MAX = 32767;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO53 = 9007199254740992;

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** mli_math_norm_fx: redundant sign bits of x in a `bits`-bit container (bits - 1 for 0). */
export function norm(x: number, bits: 16 | 32): number {
  if (x === 0) return bits - 1;
  const v = x < 0 ? ~x : x;
  const l = 32 - Math.clz32(v); // significant bits
  return bits - 1 - l;
}

/**
 * mli_math_asr_rnd_fx on a `bits`-bit container: x / 2^n rounded by `mode`; a negative n is a
 * saturating left shift; n past the container's width gives 0. The result of the rounding
 * add saturates as the library's does (only reachable at the container's top).
 */
export function asrRnd(x: number, n: number, mode: RoundMode, bits: 16 | 32 | 64 = 32): number {
  if (n < 0) return aslSat(x, -n, bits);
  if (n === 0) return x;
  if (n > bits - 1) return 0;
  if (Math.abs(x) < TWO53 && n <= 52) {
    const p = 2 ** n;
    const q = Math.floor(x / p);
    const rem = x - q * p;
    const half = p / 2;
    if (mode === 'up') {
      // (x + half) saturates at the container's maximum before the shift.
      const max = bits === 16 ? INT16_MAX : bits === 32 ? INT32_MAX : Number.MAX_SAFE_INTEGER;
      if (bits !== 64 && x + half > max) return Math.floor(max / p);
      return rem >= half ? q + 1 : q;
    }
    return rem > half || (rem === half && (q & 1) !== 0) ? q + 1 : q;
  }
  return Number(asrRndBig(BigInt(x), n, mode));
}

function asrRndBig(x: bigint, n: number, mode: RoundMode): bigint {
  const p = 1n << BigInt(n);
  let q = x >> BigInt(n); // floor
  const rem = x - q * p;
  const half = p >> 1n;
  if (mode === 'up') {
    if (rem >= half) q += 1n;
  } else if (rem > half || (rem === half && (q & 1n) !== 0n)) {
    q += 1n;
  }
  return q;
}

/** mli_math_asl_fx: x * 2^n saturated to the container. */
export function aslSat(x: number, n: number, bits: 32 | 64 | 16): number {
  if (x === 0) return 0;
  const v = x * 2 ** n;
  if (bits === 32) return clamp(v, INT32_MIN, INT32_MAX);
  if (bits === 16) return clamp(v, INT16_MIN, INT16_MAX);
  // 64-bit: callers clamp to 16 bits right after, so a double's range is enough.
  return v;
}

/** mli_math_add_fx on int32: saturating. */
export function addSat32(a: number, b: number): number {
  return clamp(a + b, INT32_MIN, INT32_MAX);
}

/** mli_math_sat_fx(x, 32 - bits) on int32: clamp to a signed `bits`-bit range. */
export function satBits(x: number, bits: number): number {
  const hi = 2 ** (bits - 1);
  return clamp(x, -hi, hi - 1);
}

/**
 * mli_math_cast_fx<int64, int16>(x * m, shift): the product of an int32 accumulator and an
 * int32 multiplier, shifted right with rounding, saturated to int16.
 */
export function mulShiftToInt16(x: number, m: number, shift: number, mode: RoundMode): number {
  const p = x * m;
  if (shift <= 0) return clamp(p * 2 ** -shift, INT16_MIN, INT16_MAX);
  if (Math.abs(p) < TWO53 && shift <= 52) return clamp(asrRnd(p, shift, mode, 64), INT16_MIN, INT16_MAX);
  const q = asrRndBig(BigInt(x) * BigInt(m), Math.min(shift, 63), mode);
  return q < -32768n ? INT16_MIN : q > 32767n ? INT16_MAX : Number(q);
}
