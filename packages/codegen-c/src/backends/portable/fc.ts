/** FULLY_CONNECTED, int8, per-tensor or per-channel filter scales. */
import { f32, isKind } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../passes/lower.js';
import { actRange, call, count, filterScales, multipliers, wrap32 } from './common.js';

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
  const fShape = ctx.shape(fId);
  if (fShape.length !== 2) throw ctx.fail(`filter shape [${fShape}] is not 2-D`);
  const [outDepth, accum] = fShape;
  const inCount = count(ctx.shape(inId));
  if (inCount % accum !== 0) throw ctx.fail(`input of ${inCount} values is not a whole number of ${accum}-value rows`);
  const batches = inCount / accum;
  if (count(ctx.shape(outId)) !== batches * outDepth) throw ctx.fail('output size does not match batches x filter rows');
  const inQ = ctx.q(inId, 'the input');
  const outQ = ctx.q(outId, 'the output');
  const fq = ctx.tensor(fId).quant;
  const perChannel = !!fq && fq.scale.length > 1;
  const scales = filterScales(ctx, fId, outDepth);
  // Per-tensor: TFLite multiplies the two float scales in float first.
  const reals = perChannel ? scales.map((s) => (inQ.scale * s) / outQ.scale) : [f32(inQ.scale * scales[0]) / outQ.scale];
  const { mult, shift } = multipliers(reals);
  const [actMin, actMax] = actRange(ctx, op.attrs.activation, 'int8', outId);
  const w = ctx.constView(fId, 'the filter');
  const bias = bId >= 0 ? ctx.constView(bId, 'the bias') : null;
  const folded = new Int32Array(outDepth);
  for (let o = 0; o < outDepth; o++) {
    let s = 0;
    for (let k = 0; k < accum; k++) s += w[o * accum + k];
    folded[o] = wrap32((bias ? bias[o] : 0) - inQ.zp * s);
  }
  return call(ctx, {
    kernel: 'mlf_fc_s8',
    paramsType: 'mlf_fc_params',
    params: {
      batches,
      accum_depth: accum,
      out_depth: outDepth,
      out_zp: outQ.zp,
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
