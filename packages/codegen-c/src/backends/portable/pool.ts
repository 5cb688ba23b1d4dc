/** AVERAGE_POOL_2D and MAX_POOL_2D, int8. */
import { isKind, poolParams } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { call, slideDelta } from './common.js';

export function lowerPool(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'average_pool_2d') && !isKind(op, 'max_pool_2d')) throw ctx.fail('not a pooling op');
  const a = op.attrs;
  const inId = ctx.input(0);
  const outId = ctx.output(0);
  if (ctx.dtype(inId) === 'int16') throw ctx.fail('16-bit pooling has no portable kernel yet');
  ctx.requireDtype(inId, 'the input', 'int8');
  ctx.requireDtype(outId, 'the output', 'int8');
  const { window: w, actMin, actMax } = ctx.params(poolParams);
  const { batches, inH, inW, C: c, outH, outW, padTop, padLeft } = w;
  const avg = op.kind === 'average_pool_2d';
  return call(ctx, {
    kernel: avg ? 'mlf_avgpool_s8' : 'mlf_maxpool_s8',
    paramsType: 'mlf_pool_params',
    params: {
      batches,
      in_h: inH,
      in_w: inW,
      c,
      out_h: outH,
      out_w: outW,
      k_h: a.filterH,
      k_w: a.filterW,
      stride_h: a.strideH,
      stride_w: a.strideW,
      pad_top: padTop,
      pad_left: padLeft,
      act_min: actMin,
      act_max: actMax,
    },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    inPlaceOk: [],
    slide:
      batches === 1
        ? {
            output: outId,
            input: inId,
            delta: slideDelta({ inH, inW, inC: c, outH, outW, outC: c, kH: a.filterH, kW: a.filterW, strideH: a.strideH, strideW: a.strideW, dilH: 1, dilW: 1, padTop, padLeft }),
          }
        : undefined,
    macs: 0,
    sources: ['mlf_pool.c'],
  });
}
