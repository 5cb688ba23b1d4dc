/**
 * ADD of equal shapes as mli_krn_eltwise_add_sa8. MLI's eltwise has no ReLU: a fused one is
 * mli_krn_relu_sa8 over the output, in place (which MLI documents as safe for relu).
 */
import type { MliEltwisePlan } from '@mliflow/requant';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { mliCall, planTensor, reluCfg } from './common.js';

export function lowerMliAdd(ctx: LowerCtx, plan: MliEltwisePlan): KernelCall {
  const [a, b] = plan.inputs;
  const call = mliCall(
    ctx,
    plan.fn,
    {
      cfgType: null,
      cfg: {},
      tensors: [planTensor('in1', a, false), planTensor('in2', b, false), planTensor('out', plan.output, true)],
      argOrder: ['in1', 'in2', 'out'],
      post: plan.reluFn ? { kernel: plan.reluFn, cfgType: 'mli_relu_cfg', cfg: { type: reluCfg(plan.relu).replace(/^\{ \.type = (.*) \}$/, '$1') }, argOrder: ['out', 'cfg', 'out'] } : undefined,
    },
    { macs: 0 },
  );
  // MLI documents in-place eltwise for an exact overlap: same start, same strides (equal shapes).
  call.inPlaceOk = [
    { output: plan.output.tensor, input: a.tensor },
    { output: plan.output.tensor, input: b.tensor },
  ];
  return call;
}
