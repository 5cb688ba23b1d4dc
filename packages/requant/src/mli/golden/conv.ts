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
      return (buffers: Buffers) => {
        const x = buffers[inId] as Int8Array;
        const out = buffers[outId] as Int8Array;
        let o = 0;
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            const y0 = oy * strideH - padTop;
            const x0 = ox * strideW - padLeft;
            for (let c = 0; c < outC; c++) {
              let acc = 0;
              for (let ky = 0; ky < kH; ky++) {
                const y = y0 + ky * dilationH;
                if (y < 0 || y >= inH) continue;
                for (let kx = 0; kx < kW; kx++) {
                  const xx = x0 + kx * dilationW;
                  if (xx < 0 || xx >= inW) continue;
                  const px = (y * inW + xx) * inC;
                  if (depthwise) {
                    acc += (x[px + c] - zp) * w[(ky * kW + kx) * outC + c];
                  } else if (hwc) {
                    acc += (x[px] - zp) * w[(ky * kW + kx) * outC + c];
                  } else {
                    const wb = ((c * kH + ky) * kW + kx) * inC;
                    for (let ic = 0; ic < inC; ic++) acc += (x[px + ic] - zp) * w[wb + ic];
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
