/** CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, 16x8 (int16 activations, int8 filters). */
import { fullyConnectedParams, isKind } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { call, convOperands, requireTypes } from './common.js';

/** The bias as int64 C values (int32 biases too: `wide` tells the kernel which accumulator). */
function biasArray(values: Float64Array) {
  return { array: { ctype: 'int64_t' as const, data: values, what: 'bias' } };
}

export function lowerConv16x8(ctx: LowerCtx): KernelCall {
  const { depthwise, inId, fId, outId, p, cFields, macs } = convOperands(ctx, 'int16');
  const quant = p.quant!;
  const bias = p.bias16!;
  return call(ctx, {
    kernel: depthwise ? 'mlf_dwconv2d_s16' : 'mlf_conv2d_s16',
    paramsType: 'mlf_conv16x8_params',
    params: {
      ...cFields,
      act_min: p.actMin,
      act_max: p.actMax,
      wide: bias.wide ? 1 : 0,
      filter: { tensor: fId },
      bias: biasArray(bias.values),
      mult: { array: { ctype: 'int32_t', data: quant.multiplier, what: 'output multipliers' } },
      shift: { array: { ctype: 'int32_t', data: quant.shift, what: 'output shifts' } },
    },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: [],
    macs,
    sources: ['mlf_16x8.c'],
  });
}

export function lowerFullyConnected16x8(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'fully_connected')) throw ctx.fail('not FULLY_CONNECTED');
  const inId = ctx.input(0);
  const fId = ctx.input(1);
  const outId = ctx.output(0);
  requireTypes(ctx, 'int16', inId, fId, outId);
  const p = ctx.params(fullyConnectedParams);
  if (p.outDepth !== ctx.shape(fId)[0]) throw ctx.fail('output size does not match batches x filter rows');
  const { batches, accum, outDepth, perChannel } = p;
  const quant = p.quant!;
  const bias = p.bias16!;
  // Fold the input offset into the bias: exact in int64, and the same modulo 2^32 as
  // TFLite's wrapping int32 accumulator.
  const w = ctx.constView(fId, 'the filter', outDepth * accum);
  const folded = new Float64Array(outDepth);
  for (let o = 0; o < outDepth; o++) {
    let s = 0;
    for (let k = 0; k < accum; k++) s += w[o * accum + k];
    const v = bias.values[o] + quant.inputOffset * s;
    folded[o] = bias.wide ? v : v | 0;
  }
  return call(ctx, {
    kernel: 'mlf_fc_s16',
    paramsType: 'mlf_fc16x8_params',
    params: {
      batches,
      accum_depth: accum,
      out_depth: outDepth,
      out_zp: quant.outputZeroPoint,
      act_min: p.actMin,
      act_max: p.actMax,
      q_stride: perChannel ? 1 : 0,
      wide: bias.wide ? 1 : 0,
      filter: { tensor: fId },
      bias: biasArray(folded),
      mult: { array: { ctype: 'int32_t', data: perChannel ? quant.multiplier : quant.multiplier.slice(0, 1), what: 'output multipliers' } },
      shift: { array: { ctype: 'int32_t', data: perChannel ? quant.shift : quant.shift.slice(0, 1), what: 'output shifts' } },
    },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: [],
    macs: batches * outDepth * accum,
    sources: ['mlf_16x8.c'],
  });
}
