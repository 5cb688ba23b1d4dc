/**
 * CONV_2D and DEPTHWISE_CONV_2D as mli_krn_conv2d_hwcn / mli_krn_depthwise_conv2d_hwcn (sa8
 * in and out, sa8 per-channel weights, sa32 bias), from the operator's MLI plan. The filter is
 * re-laid at compile time: OHWI -> HWCN for conv; depthwise's 1HWC is already HW1N in memory.
 */
import type { MliConvPlan } from '@mliflow/requant';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { constant, mliCall, planTensor, reluCfg } from './common.js';

/** OHWI (TFLite's conv filter) to HWCN (MLI's), as a new array. */
export function ohwiToHwcn(w: ArrayLike<number>, o: number, h: number, wd: number, i: number): Int8Array {
  const out = new Int8Array(o * h * wd * i);
  for (let oc = 0; oc < o; oc++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < wd; x++) {
        for (let c = 0; c < i; c++) out[((y * wd + x) * i + c) * o + oc] = w[((oc * h + y) * wd + x) * i + c];
      }
    }
  }
  return out;
}

export function lowerMliConv(ctx: LowerCtx, plan: MliConvPlan): KernelCall {
  const [kH, kW, inC, outC] = plan.weights.shape;
  const w = ctx.constView(plan.weights.tensor, 'the filter', kH * kW * inC * outC);
  const hwcn = plan.weightLayout === 'OHWI->HWCN' ? ohwiToHwcn(w, outC, kH, kW, inC) : Int8Array.from(w);
  const bias = plan.bias.tensor >= 0 ? Int32Array.from(ctx.constView(plan.bias.tensor, 'the bias', outC)) : new Int32Array(outC);
  const c = plan.cfg;
  const [outH, outW] = plan.output.shape;
  return mliCall(
    ctx,
    plan.fn,
    {
      cfgType: 'mli_conv2d_cfg',
      cfg: {
        relu: reluCfg(c.relu),
        stride_width: c.strideW,
        stride_height: c.strideH,
        padding_left: c.padLeft,
        padding_right: c.padRight,
        padding_top: c.padTop,
        padding_bottom: c.padBottom,
        dilation_width: c.dilationW,
        dilation_height: c.dilationH,
      },
      tensors: [
        planTensor('in', plan.input, false),
        constant('w', { ctype: 'int8_t', data: hwcn, what: `filter, ${plan.weightLayout}` }, plan.weights.shape, plan.weights.params, 'MLI_EL_SA_8'),
        constant('b', { ctype: 'int32_t', data: bias, what: 'bias' }, plan.bias.shape, plan.bias.params, 'MLI_EL_SA_32'),
        planTensor('out', plan.output, true),
      ],
      argOrder: ['in', 'w', 'b', 'cfg', 'out'],
    },
    { macs: outH * outW * outC * kH * kW * inC },
  );
}
