/**
 * CONV_2D and DEPTHWISE_CONV_2D as mli_krn_conv2d_hwcn / mli_krn_depthwise_conv2d_hwcn (sa8
 * in and out, sa8 per-channel weights, sa32 bias). The filter is re-laid at compile time:
 * OHWI -> HWCN for conv; depthwise's 1HWC is already HW1N in memory. A PAD folded by fuse-pad
 * becomes padding in the cfg: MLI pads with the input zero point, as the PAD did.
 */
import { convParams, depthwiseParams, isKind } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { activation, constant, mliCall } from './common.js';
import type { ConvPlan } from './plan.js';

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

export function lowerMliConv(ctx: LowerCtx, plan: ConvPlan): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'conv_2d') && !isKind(op, 'depthwise_conv_2d')) throw ctx.fail('not a convolution');
  const depthwise = op.kind === 'depthwise_conv_2d';
  const inId = ctx.input(0);
  const fId = ctx.input(1);
  const bId = ctx.optionalInput(2);
  const outId = ctx.output(0);
  const source = ctx.w.padFusion ? ctx.graph.ops[ctx.w.index] : op;
  const p = depthwise ? ctx.params(depthwiseParams, source) : ctx.params(convParams, source);
  const { outH, outW, kH, kW } = p.window;
  const outC = p.outC;
  const [, inH, inW, inC] = ctx.shape(inId);

  const w = ctx.constView(fId, 'the filter', outC * kH * kW * (depthwise ? 1 : inC));
  const hwcn = depthwise ? Int8Array.from(w) : ohwiToHwcn(w, outC, kH, kW, inC);
  const bias = bId >= 0 ? Int32Array.from(ctx.constView(bId, 'the bias', outC)) : new Int32Array(outC);
  const wShape = depthwise ? [kH, kW, 1, outC] : [kH, kW, inC, outC];
  return mliCall(
    ctx,
    plan.fn,
    {
      cfgType: 'mli_conv2d_cfg',
      cfg: plan.cfg,
      tensors: [
        activation('in', inId, [inH, inW, inC], plan.input, false),
        constant('w', { ctype: 'int8_t', data: hwcn, what: depthwise ? 'filter, HW1N' : 'filter, HWCN' }, wShape, plan.weights, 'MLI_EL_SA_8'),
        constant('b', { ctype: 'int32_t', data: bias, what: 'bias' }, [outC], plan.bias, 'MLI_EL_SA_32'),
        activation('out', outId, [outH, outW, outC], plan.output, true),
      ],
      argOrder: ['in', 'w', 'b', 'cfg', 'out'],
    },
    { macs: outH * outW * outC * kH * kW * (depthwise ? 1 : inC) },
  );
}
