/**
 * mli_krn_softmax_sa8 along the last axis. MLI fixes the output at scale 2^-8 and zero point
 * -128 (TFLite's int8 softmax output). Per row, with m = max(x):
 *   t   = round((x - m) * in_scale16 / 2^(in_frac_bits - 13))          (Q2.13, <= 0)
 *   e   = lut[idx] - round((lut[idx] - lut[idx + 1]) * (t & 255) / 2^8), idx = clamp((t >> 8) + 356, 0, 356)
 *   s   = sum(e); n = norm32(s); recip = min(trunc(2^29 / sat16(round(s / 2^(16 - n)))), 32767)
 *   out = sat8(round(recip * e / 2^min(37 - n, 31)) - 128)
 * where lut is exp(x) at x = (i - 356) / 32 in Q15 (softmaxLut). Every rounding is ROUND_MODE.
 */
import type { Buffers, Kernel } from '@mliflow/ir';
import { asrRnd, clamp, norm, INT16_MAX, INT16_MIN } from '../math.js';
import type { MliVariant } from '../params.js';
import type { MliSoftmaxPlan } from '../plan.js';

/** MLI 2.0.2's exp table for softmax: 358 Q15 values of exp((i - 356) / 32), saturated at 1. */
export const SOFTMAX_LUT = { inFracBits: 5, outFracBits: 15, length: 358, inputOffset: 356 } as const;

let lut: Int16Array | null = null;
export function softmaxLut(): Int16Array {
  if (!lut) {
    lut = new Int16Array(SOFTMAX_LUT.length);
    for (let i = 0; i < SOFTMAX_LUT.length; i++) {
      lut[i] = Math.min(Math.round(Math.exp((i - SOFTMAX_LUT.inputOffset) / 2 ** SOFTMAX_LUT.inFracBits) * 2 ** SOFTMAX_LUT.outFracBits), INT16_MAX);
    }
  }
  return lut;
}

export function softmaxKernel(plan: MliSoftmaxPlan, v: MliVariant): Kernel {
  return {
    prepare() {
      const table = softmaxLut();
      const mode = v.roundMode;
      const scale = plan.input.params.scale[0];
      // The LUT's input is Q(15 - (7 - inFracBits)) = Q2.13.
      const fxFrac = 15 - (7 - SOFTMAX_LUT.inFracBits);
      const toFx = plan.input.params.scaleFracBits[0] - fxFrac;
      const shiftIn = fxFrac - SOFTMAX_LUT.inFracBits;
      const mask = (1 << shiftIn) - 1;
      const shape = plan.input.shape;
      const depth = shape[shape.length - 1];
      const rows = shape.reduce((a, b) => a * b, 1) / depth;
      const e = new Int32Array(depth);
      return (buffers: Buffers) => {
        const x = buffers[plan.input.tensor] as Int8Array;
        const out = buffers[plan.output.tensor] as Int8Array;
        for (let r = 0; r < rows; r++) {
          const base = r * depth;
          let m = x[base];
          for (let i = 1; i < depth; i++) m = Math.max(m, x[base + i]);
          let sum = 0;
          for (let i = 0; i < depth; i++) {
            const t = asrRnd((x[base + i] - m) * scale, toFx, mode);
            const idx = clamp((t >> shiftIn) + SOFTMAX_LUT.inputOffset, 0, SOFTMAX_LUT.length - 2);
            const diff = table[idx] - table[idx + 1];
            const res = table[idx] - clamp(asrRnd(diff * (t & mask), shiftIn, mode), INT16_MIN, INT16_MAX);
            e[i] = res;
            sum += res;
          }
          const n = norm(sum, 32);
          const mant = clamp(asrRnd(sum, 16 - n, mode), INT16_MIN, INT16_MAX);
          const recip = Math.min(Math.trunc(2 ** 29 / mant), 32767);
          const shift = Math.min(2 * SOFTMAX_LUT.outFracBits + 15 - n - 8, 31);
          for (let i = 0; i < depth; i++) out[base + i] = clamp(asrRnd(recip * e[i], shift, mode) - 128, -128, 127);
        }
      };
    },
  };
}
