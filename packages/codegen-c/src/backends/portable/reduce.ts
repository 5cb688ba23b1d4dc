/** MEAN (int8) and SOFTMAX (int8 -> int8 or int16). */
import { isKind, quantizeMultiplier } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../passes/lower.js';
import { call, count } from './common.js';

export function lowerMean(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'mean')) throw ctx.fail('not MEAN');
  const inId = ctx.input(0);
  const axisId = ctx.input(1);
  const outId = ctx.output(0);
  if (ctx.dtype(inId) === 'int16') throw ctx.fail('16-bit MEAN has no portable kernel yet');
  ctx.requireDtype(inId, 'the input', 'int8');
  ctx.requireDtype(outId, 'the output', 'int8');
  const shape = ctx.shape(inId);
  const r = shape.length;
  const axes = [...new Set(ctx.constNumbers(axisId, 'the axes').map((a) => (a < 0 ? a + r : a)))].sort((x, y) => x - y);
  if (axes.length === 0 || axes.some((a) => a < 0 || a >= r)) throw ctx.fail(`axes out of range for rank ${r}`);
  const lo = axes[0];
  const hi = axes[axes.length - 1];
  for (let d = lo; d <= hi; d++) {
    if (!axes.includes(d) && shape[d] !== 1) throw ctx.fail(`reducing axes [${axes}] that are not contiguous is not supported`);
  }
  const outer = count(shape.slice(0, lo));
  const reduce = axes.reduce((p, a) => p * shape[a], 1);
  const inner = count(shape.slice(hi + 1));
  if (outer * inner !== count(ctx.shape(outId))) throw ctx.fail('output size does not match the reduction');
  const inQ = ctx.q(inId, 'the input');
  const outQ = ctx.q(outId, 'the output');
  const q = quantizeMultiplier(inQ.scale / outQ.scale);
  // TFLite folds 1/count into the multiplier at run time; the same integer steps here.
  let shift = 0; // floor(log2(reduce)), i.e. 63 - CountLeadingZeros(reduce)
  while (2 ** (shift + 1) <= reduce) shift++;
  shift = Math.min(shift, 32, 31 + q.shift);
  const mult = Number((BigInt(q.multiplier) << BigInt(shift)) / BigInt(reduce));
  return call(ctx, {
    kernel: 'mlf_mean_s8',
    paramsType: 'mlf_mean_params',
    params: { outer, reduce, inner, in_zp: inQ.zp, out_zp: outQ.zp, mult, shift: q.shift - shift },
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
  const outType = ctx.requireDtype(outId, 'the output', 'int8', 'int16');
  const inQ = ctx.q(inId, 'the input');
  const outQ = ctx.q(outId, 'the output');
  if (outType === 'int8' && (outQ.zp !== -128 || outQ.scale !== 1 / 256)) throw ctx.fail('an int8 output must have scale 1/256 and zero point -128');
  if (outType === 'int16' && (outQ.zp !== -32768 || Math.abs(outQ.scale - 1 / 65536) > 0.001 / 65536)) {
    throw ctx.fail('an int16 output must have scale 1/65536 and zero point -32768');
  }
  const shape = ctx.shape(inId);
  const depth = shape[shape.length - 1];
  const outer = count(shape) / depth;
  // PreprocessSoftmaxScaling with 5 integer bits.
  const real = Math.min(op.attrs.beta * inQ.scale * 2 ** 26, 2 ** 31 - 1);
  const q = quantizeMultiplier(real);
  if (q.shift < 0) throw ctx.fail('input scale too small for the fixed-point softmax');
  const diffMin = -Math.floor((31 * 2 ** 26) / 2 ** q.shift);
  const s16 = outType === 'int16';
  return call(ctx, {
    kernel: s16 ? 'mlf_softmax_s8_s16' : 'mlf_softmax_s8_s8',
    paramsType: 'mlf_softmax_params',
    params: { outer, depth, in_mult: q.multiplier, in_left_shift: q.shift, diff_min: diffMin },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: s16 ? [] : [{ output: outId, input: inId }],
    macs: 0,
    sources: ['mlf_reduce.c'],
  });
}
