/** CONV_2D and DEPTHWISE_CONV_2D, int8 with per-channel int8 filters (16x8 in conv16x8.ts). */
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { call, convOperands, slideDelta, wrap32 } from './common.js';
import { lowerConv16x8 } from './conv16x8.js';

export function lowerConv(ctx: LowerCtx): KernelCall {
  if (ctx.dtype(ctx.input(0)) === 'int16') return lowerConv16x8(ctx);
  const { op, depthwise, inId, fId, bId, outId, batches, inH, inW, inC, p, padTop, padLeft, cFields, macs } = convOperands(ctx, 'int8');
  const a = op.attrs;
  const { outH, outW, kH, kW } = p.window;
  const { outC, actMin, actMax } = p;
  const quant = p.quant!;
  const depthMult = 'depthMultiplier' in p ? p.depthMultiplier : 1;

  // Fold the input offset into the bias: sum over the whole window per output channel.
  const taps = kH * kW;
  const w = ctx.constView(fId, 'the filter', outC * taps * (depthwise ? 1 : inC));
  const bias = bId >= 0 ? ctx.constView(bId, 'the bias', outC) : null;
  const folded = new Int32Array(outC);
  for (let oc = 0; oc < outC; oc++) {
    let s = 0;
    if (depthwise) {
      for (let t = 0; t < taps; t++) s += w[t * outC + oc];
    } else {
      const base = oc * taps * inC;
      for (let i = 0; i < taps * inC; i++) s += w[base + i];
    }
    folded[oc] = wrap32((bias ? bias[oc] : 0) + quant.inputOffset * s);
  }

  let kernel: string;
  if (depthwise) {
    kernel = kH === 3 && kW === 3 && depthMult === 1 && a.dilationH === 1 && a.dilationW === 1 ? 'mlf_dwconv2d_3x3_s8' : 'mlf_dwconv2d_s8';
  } else {
    const inside = padTop === 0 && padLeft === 0 && (outH - 1) * a.strideH < inH && (outW - 1) * a.strideW < inW;
    kernel = kH === 1 && kW === 1 && inside ? 'mlf_conv2d_1x1_s8' : 'mlf_conv2d_s8';
  }
  // im2col patches: two for the general conv, one for depthwise; none for 1x1.
  const patch = kH * kW * inC;
  const scratchBytes = kernel === 'mlf_conv2d_1x1_s8' ? 0 : depthwise ? patch : 2 * patch;
  const geometry = { inH, inW, inC, outH, outW, outC, kH, kW, strideH: a.strideH, strideW: a.strideW, dilH: a.dilationH, dilW: a.dilationW, padTop, padLeft };
  return call(ctx, {
    kernel,
    paramsType: 'mlf_conv_params',
    params: {
      ...cFields,
      in_zp: -quant.inputOffset,
      out_zp: quant.outputZeroPoint,
      act_min: actMin,
      act_max: actMax,
      filter: { tensor: fId },
      bias: { array: { ctype: 'int32_t', data: folded, what: 'bias with the input offset folded in' } },
      mult: { array: { ctype: 'int32_t', data: quant.multiplier, what: 'output multipliers' } },
      shift: { array: { ctype: 'int32_t', data: quant.shift, what: 'output shifts' } },
      scratch_bytes: scratchBytes,
    },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes,
    inPlaceOk: [],
    slide: batches === 1 ? { output: outId, input: inId, delta: slideDelta(geometry) } : undefined,
    macs,
    sources: [depthwise ? 'mlf_depthwise.c' : 'mlf_conv.c'],
  });
}

