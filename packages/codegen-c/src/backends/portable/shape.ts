/** PAD and TRANSPOSE: data movement with compile-time shapes. */
import { DTYPE_BYTES, isKind, padParams } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { call } from './common.js';

const MAX_DIMS = 6;

function padTo(v: number[], fill: number): number[] {
  return [...v, ...new Array<number>(MAX_DIMS - v.length).fill(fill)];
}

export function lowerPad(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'pad')) throw ctx.fail('not PAD');
  const inId = ctx.input(0);
  const outId = ctx.output(0);
  const dt = ctx.requireDtype(inId, 'the input', 'int8', 'int16', 'int32');
  if (ctx.dtype(outId) !== dt) throw ctx.fail('input and output types differ');
  const inShape = ctx.shape(inId);
  const outShape = ctx.shape(outId);
  const r = inShape.length;
  if (r < 1 || r > MAX_DIMS) throw ctx.fail(`rank ${r} is not supported (1 to ${MAX_DIMS})`);
  const { before, value } = ctx.params(padParams);
  return call(ctx, {
    kernel: 'mlf_pad',
    paramsType: 'mlf_pad_params',
    params: {
      rank: r,
      elem_bytes: DTYPE_BYTES[dt],
      in_dims: padTo(inShape, 1),
      out_dims: padTo(outShape, 1),
      before: padTo(before, 0),
      pad_value: value,
    },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: [],
    macs: 0,
    sources: ['mlf_shape.c'],
  });
}

export function lowerTranspose(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'transpose')) throw ctx.fail('not TRANSPOSE');
  const inId = ctx.input(0);
  const permId = ctx.input(1);
  const outId = ctx.output(0);
  const dt = ctx.requireDtype(inId, 'the input', 'int8', 'int16', 'int32');
  if (ctx.dtype(outId) !== dt) throw ctx.fail('input and output types differ');
  const inShape = ctx.shape(inId);
  const r = inShape.length;
  if (r < 1 || r > MAX_DIMS) throw ctx.fail(`rank ${r} is not supported (1 to ${MAX_DIMS})`);
  const perm = ctx.constNumbers(permId, 'the permutation').map((p) => (p < 0 ? p + r : p));
  if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) throw ctx.fail(`[${perm}] is not a permutation of ${r} axes`);
  const inStrides = new Array<number>(r);
  let acc = 1;
  for (let d = r - 1; d >= 0; d--) {
    inStrides[d] = acc;
    acc *= inShape[d];
  }
  const outDims = perm.map((p) => inShape[p]);
  const outShape = ctx.shape(outId);
  if (outDims.some((d, i) => d !== outShape[i])) throw ctx.fail(`output shape [${outShape}] is not the permuted input [${outDims}]`);
  return call(ctx, {
    kernel: 'mlf_transpose',
    paramsType: 'mlf_transpose_params',
    params: {
      rank: r,
      elem_bytes: DTYPE_BYTES[dt],
      out_dims: padTo(outDims, 1),
      in_strides: padTo(
        perm.map((p) => inStrides[p]),
        0,
      ),
    },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: [],
    macs: 0,
    sources: ['mlf_shape.c'],
  });
}
