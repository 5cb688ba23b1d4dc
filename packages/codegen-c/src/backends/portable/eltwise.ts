/** ADD (int8) and RESHAPE when it could not be an alias. */
import { addParams, elementCount, isKind } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { call } from './common.js';

/** Right-aligned 4-D shapes and element strides (0 where broadcast). */
function broadcastStrides(shape: number[], out: number[]): number[] {
  const s = [1, 1, 1, 1].map((_, i) => shape[shape.length - 4 + i] ?? 1);
  const strides = [0, 0, 0, 0];
  let acc = 1;
  for (let d = 3; d >= 0; d--) {
    strides[d] = s[d] === 1 && out[d] !== 1 ? 0 : acc;
    acc *= s[d];
  }
  return strides;
}

export function lowerAdd(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'add')) throw ctx.fail('not ADD');
  const a = ctx.input(0);
  const b = ctx.input(1);
  const outId = ctx.output(0);
  if (ctx.dtype(outId) === 'int16') throw ctx.fail('16-bit ADD has no portable kernel yet');
  ctx.requireDtype(a, 'input 0', 'int8');
  ctx.requireDtype(b, 'input 1', 'int8');
  ctx.requireDtype(outId, 'the output', 'int8');
  const p = ctx.params(addParams);
  const sa = ctx.shape(a);
  const sb = ctx.shape(b);
  const so = ctx.shape(outId);
  const same = sa.length === sb.length && sa.every((d, i) => d === sb[i]);
  if (so.length > 4) throw ctx.fail('broadcasting beyond 4-D is not supported');
  const out4 = [1, 1, 1, 1].map((_, i) => so[so.length - 4 + i] ?? 1);
  const size = elementCount(so);
  if (same && elementCount(sa) !== size) throw ctx.fail('output size differs from the inputs');
  return call(ctx, {
    kernel: 'mlf_add_s8',
    paramsType: 'mlf_add_params',
    params: {
      size,
      broadcast: same ? 0 : 1,
      dims: out4,
      in1_strides: same ? [0, 0, 0, 0] : broadcastStrides(sa, out4),
      in2_strides: same ? [0, 0, 0, 0] : broadcastStrides(sb, out4),
      in1_offset: p.input1Offset,
      in2_offset: p.input2Offset,
      left_shift: p.leftShift,
      in1_mult: p.input1.multiplier,
      in1_shift: p.input1.shift,
      in2_mult: p.input2.multiplier,
      in2_shift: p.input2.shift,
      out_mult: p.output.multiplier,
      out_shift: p.output.shift,
      out_zp: p.outputZeroPoint,
      act_min: p.actMin,
      act_max: p.actMax,
    },
    args: [ctx.arg(a, true), ctx.arg(b, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: same ? [{ output: outId, input: a }, { output: outId, input: b }] : [],
    macs: 0,
    sources: ['mlf_eltwise.c'],
  });
}

export function lowerReshapeCopy(ctx: LowerCtx): KernelCall {
  const inId = ctx.input(0);
  const outId = ctx.output(0);
  if (ctx.bytes(inId) !== ctx.bytes(outId)) throw ctx.fail('reshape changes the byte size');
  return call(ctx, {
    kernel: 'mlf_copy',
    paramsType: 'mlf_copy_params',
    params: { bytes: ctx.bytes(inId) },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: [{ output: outId, input: inId }],
    macs: 0,
    sources: ['mlf_eltwise.c'],
  });
}
