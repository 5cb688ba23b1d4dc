/**
 * mli_krn_maxpool_hwc_sa8 and mli_krn_avepool_hwc_sa8 (and their _k2x2/_k3x3 forms) over the
 * window clipped to the input, for plans that avoid 2.0.2's border overrun (planMli refuses
 * the rest). Max pooling copies the input's params to the output. Average pooling, for a
 * window of n valid taps:
 *   mul8 = the top 8 bits of requant_scale * reciprocal(n).mul (rounded, saturated)
 *   acc  = (offset << shift) + sum(mul8 * x)          (int32, shift after both adjustments)
 *   out  = sat8(round(acc / 2^shift))
 * where requant_scale, offset and the base shift are inOutRequant(input, output).
 */
import type { Buffers, Kernel } from '@mliflow/ir';
import { aslSat, asrRnd, clamp, norm } from '../math.js';
import { inOutRequant, reciprocal, type MliVariant } from '../params.js';
import type { MliPoolPlan } from '../plan.js';

export function poolKernel(plan: MliPoolPlan, v: MliVariant): Kernel {
  return {
    prepare() {
      const [inH, inW, C] = plan.input.shape;
      const [outH, outW] = plan.output.shape;
      const { kernelH, kernelW, strideH, strideW, padTop, padLeft } = plan.cfg;
      const inId = plan.input.tensor;
      const outId = plan.output.tensor;
      const max = plan.kind === 'maxpool';
      const rq = inOutRequant(plan.input.params, plan.output.params, v.roundMode);
      // Per valid-tap count: the 8-bit multiplier, the shift and the initial accumulator.
      const perCount = new Map<number, { mul: number; shift: number; init: number }>();
      const forCount = (n: number) => {
        let e = perCount.get(n);
        if (!e) {
          const r = reciprocal(n);
          const prod = rq.scale * r.mul;
          const ns = 24 - norm(prod, 32);
          const mul = clamp(asrRnd(prod, ns, v.roundMode), -128, 127);
          const shift = rq.shift + r.shift - ns;
          e = { mul, shift, init: shift >= 0 ? aslSat(rq.offset, shift, 32) : Math.floor(rq.offset / 2 ** -shift) };
          perCount.set(n, e);
        }
        return e;
      };
      return (buffers: Buffers) => {
        const x = buffers[inId] as Int8Array;
        const out = buffers[outId] as Int8Array;
        for (let oy = 0; oy < outH; oy++) {
          const y0 = Math.max(0, oy * strideH - padTop);
          const y1 = Math.min(inH, oy * strideH - padTop + kernelH);
          for (let ox = 0; ox < outW; ox++) {
            const x0 = Math.max(0, ox * strideW - padLeft);
            const x1 = Math.min(inW, ox * strideW - padLeft + kernelW);
            const o = (oy * outW + ox) * C;
            if (max) {
              for (let c = 0; c < C; c++) {
                let m = -128;
                for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) m = Math.max(m, x[(y * inW + xx) * C + c]);
                out[o + c] = m;
              }
            } else {
              const e = forCount((y1 - y0) * (x1 - x0));
              for (let c = 0; c < C; c++) {
                let acc = e.init;
                for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) acc += e.mul * x[(y * inW + xx) * C + c];
                out[o + c] = clamp(asrRnd(acc | 0, e.shift, v.roundMode), -128, 127);
              }
            }
          }
        }
      };
    },
  };
}
