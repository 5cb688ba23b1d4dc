/** MEAN (int8) and SOFTMAX (int8 -> int8 or int16). */
import { elementCount, isKind, meanParams, softmaxParams } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { call } from './common.js';

export function lowerMean(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'mean')) throw ctx.fail('not MEAN');
  const inId = ctx.input(0);
  const outId = ctx.output(0);
  if (ctx.dtype(inId) === 'int16') throw ctx.fail('16-bit MEAN has no portable kernel yet');
  ctx.requireDtype(inId, 'the input', 'int8');
  ctx.requireDtype(outId, 'the output', 'int8');
  const p = ctx.params(meanParams);
  const shape = ctx.shape(inId);
  const axes = p.axes;
  if (axes.length === 0) throw ctx.fail('MEAN over no axes is not supported');
  const lo = axes[0];
  const hi = axes[axes.length - 1];
  for (let d = lo; d <= hi; d++) {
    if (!axes.includes(d) && shape[d] !== 1) throw ctx.fail(`reducing axes [${axes}] that are not contiguous is not supported`);
  }
  const outer = elementCount(shape.slice(0, lo));
  const reduce = axes.reduce((n, a) => n * shape[a], 1);
  const inner = elementCount(shape.slice(hi + 1));
  if (outer * inner !== elementCount(ctx.shape(outId))) throw ctx.fail('output size does not match the reduction');
  return call(ctx, {
    kernel: 'mlf_mean_s8',
    paramsType: 'mlf_mean_params',
    params: { outer, reduce, inner, in_zp: p.inputZeroPoint, out_zp: p.outputZeroPoint, mult: p.multiplier, shift: p.shift },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: [],
    macs: 0,
    sources: ['mlf_reduce.c'],
  });
}

export function lowerSoftmax(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'softmax')) throw ctx.fail('not SOFTMAX');
  const inId = ctx.input(0);
  const outId = ctx.output(0);
  if (ctx.dtype(inId) === 'int16') throw ctx.fail('16-bit-input SOFTMAX has no portable kernel yet');
  ctx.requireDtype(inId, 'the input', 'int8');
  ctx.requireDtype(outId, 'the output', 'int8', 'int16');
  const p = ctx.params(softmaxParams);
  const s16 = p.outputDtype === 'int16';
  return call(ctx, {
    kernel: s16 ? 'mlf_softmax_s8_s16' : 'mlf_softmax_s8_s8',
    paramsType: 'mlf_softmax_params',
    params: { outer: p.rows, depth: p.depth, in_mult: p.inputMultiplier, in_left_shift: p.inputLeftShift, diff_min: p.diffMin },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: s16 ? [] : [{ output: outId, input: inId }],
    macs: 0,
    sources: ['mlf_reduce.c'],
  });
}
