/** AVERAGE_POOL_2D, MAX_POOL_2D and MEAN over H and W as mli_krn_{avepool,maxpool}_hwc_sa8. */
import type { MliPoolPlan } from '@mliflow/requant';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { mliCall, planTensor } from './common.js';

export function lowerMliPool(ctx: LowerCtx, plan: MliPoolPlan): KernelCall {
  const c = plan.cfg;
  return mliCall(
    ctx,
    plan.fn,
    {
      cfgType: 'mli_pool_cfg',
      cfg: {
        kernel_width: c.kernelW,
        kernel_height: c.kernelH,
        stride_width: c.strideW,
        stride_height: c.strideH,
        padding_left: c.padLeft,
        padding_right: c.padRight,
        padding_top: c.padTop,
        padding_bottom: c.padBottom,
      },
      tensors: [planTensor('in', plan.input, false), planTensor('out', plan.output, true)],
      argOrder: ['in', 'cfg', 'out'],
    },
    { macs: 0 },
  );
}
