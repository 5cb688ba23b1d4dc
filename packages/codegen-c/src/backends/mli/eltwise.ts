/** ADD of equal shapes as mli_krn_eltwise_add_sa8. */
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { activation, mliCall } from './common.js';
import type { EltwisePlan } from './plan.js';

export function lowerMliAdd(ctx: LowerCtx, plan: EltwisePlan): KernelCall {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const outId = ctx.output(0);
  const shape = ctx.shape(outId);
  return mliCall(
    ctx,
    plan.fn,
    {
      cfgType: null,
      cfg: {},
      tensors: [activation('in1', a, shape, plan.input, false), activation('in2', b, ctx.shape(b), plan.input2, false), activation('out', outId, shape, plan.output, true)],
      argOrder: ['in1', 'in2', 'out'],
    },
    { macs: 0 },
  );
}
