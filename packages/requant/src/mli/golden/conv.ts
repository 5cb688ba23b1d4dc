/**
 * mli_krn_conv2d_hwcn_sa8_sa8_sa32 and mli_krn_depthwise_conv2d_hwcn_sa8_sa8_sa32 (every
 * kernel-size variant computes the same): for each output pixel and channel, the int32 sum of
 * (x - input_zero_point) * w over the taps that fall inside the input (MLI clips the window to
 * the valid area, so padding contributes nothing), then MLI's requantization (requant.ts).
 * Weights are read in the model's layouts (OHWI, 1HWC); the plan's HWCN/HW1N is codegen's.
 */
import type { Buffers, Kernel } from '@mliflow/ir';
import type { MliConvPlan } from '../plan.js';
import type { MliVariant } from '../params.js';
import { biasData, makeRequant, requantize } from './requant.js';

export function convKernel(plan: MliConvPlan, v: MliVariant): Kernel {
  return {
    prepare(ctx) {
      const filter = ctx.input(1);
      const biasT = plan.bias.tensor >= 0 ? ctx.graph.tensors[plan.bias.tensor] : null;
      const [inH, inW, inC] = plan.input.shape;
      const [outH, outW, outC] = plan.output.shape;
      const kH = plan.weights.shape[0];
      const kW = plan.weights.shape[1];
      const { strideH, strideW, padTop, padLeft, dilationH, dilationW } = plan.cfg;
      const depthwise = plan.kind === 'depthwise_conv2d';
      // A single-channel depthwise planned as a conv keeps its 1HWC filter: [ky][kx][c].
      const hwc = plan.weightLayout !== 'OHWI->HWCN';
      const w = new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.byteLength);
      const rq = makeRequant(plan.input.params, plan.weights.params, plan.output.params, outC, biasData(biasT?.data ?? null, outC), plan.reluBounds, v);
      const zp = plan.input.params.zeroPoint[0];
      const inId = plan.input.tensor;
      const outId = plan.output.tensor;
      const xs = new Int32Array(inH * inW * inC);
      return (buffers: Buffers) => {
        const x = buffers[inId] as Int8Array;
        const out = buffers[outId] as Int8Array;
        for (let i = 0; i < xs.length; i++) xs[i] = x[i] - zp;
        let o = 0;
        for (let oy = 0; oy < outH; oy++) {
          const y0 = oy * strideH - padTop;
          // The window clipped to the input: taps ky in [ky0, ky1).
          const ky0 = Math.max(0, Math.ceil(-y0 / dilationH));
          const ky1 = Math.min(kH, Math.floor((inH - 1 - y0) / dilationH) + 1);
          for (let ox = 0; ox < outW; ox++) {
            const x0 = ox * strideW - padLeft;
            const kx0 = Math.max(0, Math.ceil(-x0 / dilationW));
            const kx1 = Math.min(kW, Math.floor((inW - 1 - x0) / dilationW) + 1);
            for (let c = 0; c < outC; c++) {
              let acc = 0;
              for (let ky = ky0; ky < ky1; ky++) {
                const row = (y0 + ky * dilationH) * inW;
                for (let kx = kx0; kx < kx1; kx++) {
                  const px = (row + x0 + kx * dilationW) * inC;
                  if (depthwise) {
                    acc += xs[px + c] * w[(ky * kW + kx) * outC + c];
                  } else if (hwc) {
                    acc += xs[px] * w[(ky * kW + kx) * outC + c];
                  } else {
                    const wb = ((c * kH + ky) * kW + kx) * inC;
                    for (let ic = 0; ic < inC; ic++) acc += xs[px + ic] * w[wb + ic];
                  }
                }
              }
              out[o++] = requantize(rq, acc, c);
            }
          }
        }
      };
    },
    macs() {
      const [outH, outW, outC] = plan.output.shape;
      const [kH, kW, kC] = plan.weights.shape;
      return outH * outW * outC * kH * kW * (plan.kind === 'depthwise_conv2d' ? 1 : kC);
    },
  };
}
