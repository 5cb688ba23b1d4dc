/** AVERAGE_POOL_2D and MAX_POOL_2D, int8. */
import { isKind } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../passes/lower.js';
import { actRange, call, slideDelta, windowGeometry } from './common.js';

export function lowerPool(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'average_pool_2d') && !isKind(op, 'max_pool_2d')) throw ctx.fail('not a pooling op');
  const a = op.attrs;
  const inId = ctx.input(0);
  const outId = ctx.output(0);
  if (ctx.dtype(inId) === 'int16') throw ctx.fail('16-bit pooling has no portable kernel yet');
  ctx.requireDtype(inId, 'the input', 'int8');
  ctx.requireDtype(outId, 'the output', 'int8');
  const inShape = ctx.shape(inId);
  const outShape = ctx.shape(outId);
  if (inShape.length !== 4 || outShape.length !== 4) throw ctx.fail('expected 4-D input and output');
  const [batches, inH, inW, c] = inShape;
  const [, outH, outW, oc] = outShape;
  if (oc !== c) throw ctx.fail('pooling changes the channel count');
  const inQ = ctx.q(inId, 'the input');
  const outQ = ctx.q(outId, 'the output');
  if (Math.abs(inQ.scale - outQ.scale) > 1e-6 || inQ.zp !== outQ.zp) throw ctx.fail('input and output quantization differ');
  const gy = windowGeometry(a.padding, inH, a.filterH, a.strideH, 1);
  const gx = windowGeometry(a.padding, inW, a.filterW, a.strideW, 1);
  if (gy.out !== outH || gx.out !== outW) throw ctx.fail(`output is ${outH}x${outW} but the window geometry gives ${gy.out}x${gx.out}`);
  const [actMin, actMax] = actRange(ctx, a.activation, 'int8', outId);
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
      pad_top: gy.pad,
      pad_left: gx.pad,
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
            delta: slideDelta({ inH, inW, inC: c, outH, outW, outC: c, kH: a.filterH, kW: a.filterW, strideH: a.strideH, strideW: a.strideW, dilH: 1, dilW: 1, padTop: gy.pad, padLeft: gx.pad }),
          }
        : undefined,
    macs: 0,
    sources: ['mlf_pool.c'],
  });
}
