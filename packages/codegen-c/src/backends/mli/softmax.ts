/** SOFTMAX over the last axis as mli_krn_softmax_sa8, with its exp table made once at init. */
import type { MliSoftmaxPlan } from '@mliflow/requant';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { mliCall, planTensor } from './common.js';

/** mli_krn_softmax_get_lut_size() of MLI 2.0.2; init refuses a library that needs more. */
const SOFTMAX_LUT_BYTES = 716;

export function lowerMliSoftmax(ctx: LowerCtx, plan: MliSoftmaxPlan): KernelCall {
  const call = mliCall(
    ctx,
    plan.fn,
    {
      cfgType: 'mli_softmax_cfg',
      cfg: { axis: plan.axis },
      tensors: [planTensor('in', plan.input, false), planTensor('out', plan.output, true)],
      argOrder: ['in', 'lut', 'cfg', 'out'],
      lut: { name: 'softmax', create: plan.lut.create, size: plan.lut.size, bytes: SOFTMAX_LUT_BYTES },
    },
    { macs: 0 },
  );
  // MLI documents in-place softmax for an exact overlap (same start, same strides).
  call.inPlaceOk = [{ output: plan.output.tensor, input: plan.input.tensor }];
  return call;
}
