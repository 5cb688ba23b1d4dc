/** TRANSPOSE as mli_krn_permute_sa8. */
import type { MliPermutePlan } from '@mliflow/requant';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { mliCall, planTensor } from './common.js';

export function lowerMliPermute(ctx: LowerCtx, plan: MliPermutePlan): KernelCall {
  return mliCall(
    ctx,
    plan.fn,
    {
      cfgType: 'mli_permute_cfg',
      cfg: { perm_dim: `{${plan.perm.join(', ')}}` },
      tensors: [planTensor('in', plan.input, false), planTensor('out', plan.output, true)],
      argOrder: ['in', 'cfg', 'out'],
    },
    { macs: 0 },
  );
}
