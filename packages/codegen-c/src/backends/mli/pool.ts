/** AVERAGE_POOL_2D and MAX_POOL_2D as mli_krn_{avepool,maxpool}_hwc_sa8 (HWC, one image). */
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { activation, mliCall } from './common.js';
import type { PoolPlan } from './plan.js';

export function lowerMliPool(ctx: LowerCtx, plan: PoolPlan): KernelCall {
  const inId = ctx.input(0);
  const outId = ctx.output(0);
  const [, inH, inW, c] = ctx.shape(inId);
  const [, outH, outW] = ctx.shape(outId);
  return mliCall(
    ctx,
    plan.fn,
    {
      cfgType: 'mli_pool_cfg',
      cfg: plan.cfg,
      tensors: [activation('in', inId, [inH, inW, c], plan.input, false), activation('out', outId, [outH, outW, c], plan.output, true)],
      argOrder: ['in', 'cfg', 'out'],
    },
    { macs: 0 },
  );
}
