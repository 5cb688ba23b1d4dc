/** FULLY_CONNECTED, int8, per-tensor or per-channel filter scales. */
import { fullyConnectedParams, isKind } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { call, requireSymmetricFilter, wrap32 } from './common.js';

export function lowerFullyConnected(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'fully_connected')) throw ctx.fail('not FULLY_CONNECTED');
  const inId = ctx.input(0);
  const fId = ctx.input(1);
  const bId = ctx.optionalInput(2);
  const outId = ctx.output(0);
  if (ctx.dtype(inId) === 'int16') throw ctx.fail('16-bit activations have no portable FULLY_CONNECTED kernel yet');
  if (ctx.dtype(inId) === 'float32') throw ctx.fail('float FULLY_CONNECTED is not supported; quantize the model');
  ctx.requireDtype(inId, 'the input', 'int8');
  ctx.requireDtype(outId, 'the output', 'int8');
  ctx.requireDtype(fId, 'the filter', 'int8');
  if (bId >= 0) ctx.requireDtype(bId, 'the bias', 'int32');
  const p = ctx.params(fullyConnectedParams);
  // The kernel computes every filter row.
  if (p.outDepth !== ctx.shape(fId)[0]) throw ctx.fail('output size does not match batches x filter rows');
  requireSymmetricFilter(ctx, fId);
  const { batches, accum, outDepth, actMin, actMax, perChannel } = p;
  const quant = p.quant!;
  // A per-tensor filter's one multiplier and shift (q_stride 0).
  const mult = perChannel ? quant.multiplier : quant.multiplier.slice(0, 1);
  const shift = perChannel ? quant.shift : quant.shift.slice(0, 1);
  const w = ctx.constView(fId, 'the filter', outDepth * accum);
  const bias = bId >= 0 ? ctx.constView(bId, 'the bias', outDepth) : null;
  const folded = new Int32Array(outDepth);
  for (let o = 0; o < outDepth; o++) {
    let s = 0;
    for (let k = 0; k < accum; k++) s += w[o * accum + k];
    folded[o] = wrap32((bias ? bias[o] : 0) + quant.inputOffset * s);
  }
  return call(ctx, {
    kernel: 'mlf_fc_s8',
    paramsType: 'mlf_fc_params',
    params: {
      batches,
      accum_depth: accum,
      out_depth: outDepth,
      out_zp: quant.outputZeroPoint,
      act_min: actMin,
      act_max: actMax,
      q_stride: perChannel ? 1 : 0,
      filter: { tensor: fId },
      bias: { array: { ctype: 'int32_t', data: folded, what: 'bias with the input offset folded in' } },
      mult: { array: { ctype: 'int32_t', data: mult, what: 'output multipliers' } },
      shift: { array: { ctype: 'int32_t', data: shift, what: 'output shifts' } },
    },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: [],
    macs: batches * outDepth * accum,
    sources: ['mlf_fc.c'],
  });
}
