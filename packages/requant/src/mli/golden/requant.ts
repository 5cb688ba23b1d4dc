/**
 * MLI 2.0.2's requantization of an int32 accumulator to sa8, shared by conv, depthwise and
 * fully connected (bias_additive, then result_cast, then the ReLU clamp):
 *
 *   FULL_ACCU on:  acc += bias; out = sat16(round(acc * out_mul / 2^out_shift))
 *   FULL_ACCU off: the bias keeps only its top 16 significant bits (truncated);
 *                  out_mul is rounded to 16 bits (shift - 16); the accumulator is pre-shifted
 *                  right with rounding by clamp(shift - 21, 0, 8) and saturated to 16 bits;
 *                  then as above with the remaining shift.
 *   then out = clamp(sat8(sat16(out + zero_point)), relu bounds).
 * Every rounding is the library's ROUND_MODE.
 */
import { addSat32, asrRnd, clamp, INT16_MAX, INT16_MIN, mulShiftToInt16, norm } from '../math.js';
import { convRequant, type MliSaParams, type MliVariant } from '../params.js';

export interface Requant {
  /** Per channel, after adjust_quant_params (FULL_ACCU off: already normalised). */
  mul: Float64Array;
  shift: Int32Array;
  /** The bias as the accumulator receives it. */
  bias: Float64Array;
  outZeroPoint: number;
  lo: number;
  hi: number;
  v: MliVariant;
}

export function makeRequant(
  input: MliSaParams,
  weights: MliSaParams,
  output: MliSaParams,
  channels: number,
  bias: Int32Array,
  bounds: [number, number],
  v: MliVariant,
): Requant {
  const mul = new Float64Array(channels);
  const shift = new Int32Array(channels);
  const b = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const r = convRequant(input, weights, output, c, v);
    mul[c] = r.outMul;
    shift[c] = r.outShift;
    b[c] = v.fullAccu ? bias[c] : truncateBias(bias[c]);
  }
  return { mul, shift, bias: b, outZeroPoint: output.zeroPoint[0], lo: bounds[0], hi: bounds[1], v };
}

/** FULL_ACCU off: keep the bias's top 16 significant bits, dropping the rest (floor). */
function truncateBias(b: number): number {
  const s = Math.max(16 - norm(b, 32), 0);
  return Math.floor(b / 2 ** s) * 2 ** s;
}

/** One output value from channel c's accumulator (the sum of (x - zp) * w over valid taps). */
export function requantize(r: Requant, acc: number, c: number): number {
  const mode = r.v.roundMode;
  const a = addSat32(acc | 0, r.bias[c]);
  let v: number;
  if (r.v.fullAccu) {
    v = mulShiftToInt16(a, r.mul[c], Math.min(r.shift[c], 63), mode);
  } else {
    const mul16 = asrRnd(r.mul[c], 16, mode);
    const shift = r.shift[c] - 16;
    const pre = Math.min(Math.max(shift - 21, 0), 8);
    const a16 = clamp(asrRnd(a, pre, mode), INT16_MIN, INT16_MAX);
    v = mulShiftToInt16(a16, mul16, Math.min(shift - pre, 63), mode);
  }
  const o = clamp(clamp(v + r.outZeroPoint, INT16_MIN, INT16_MAX), -128, 127);
  return o < r.lo ? r.lo : o > r.hi ? r.hi : o;
}

/** The model's int32 bias, or MLI's zeros when the model has none. */
export function biasData(data: Uint8Array | null, channels: number): Int32Array {
  if (!data) return new Int32Array(channels);
  return new Int32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}
