/** FULLY_CONNECTED as mli_krn_fully_connected_sa8_sa8_sa32; weights re-laid [out][in] -> [in][out]. */
import type { MliFullyConnectedPlan } from '@mliflow/requant';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { constant, mliCall, planTensor, reluCfg } from './common.js';

export function transpose2d(w: ArrayLike<number>, rows: number, cols: number): Int8Array {
  const out = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

export function lowerMliFc(ctx: LowerCtx, plan: MliFullyConnectedPlan): KernelCall {
  const [accum, outDepth] = plan.weights.shape;
  const w = ctx.constView(plan.weights.tensor, 'the filter', outDepth * accum);
  const bias = plan.bias.tensor >= 0 ? Int32Array.from(ctx.constView(plan.bias.tensor, 'the bias', outDepth)) : new Int32Array(outDepth);
  return mliCall(
    ctx,
    plan.fn,
    {
      cfgType: 'mli_fully_connected_cfg',
      cfg: { relu: reluCfg(plan.relu) },
      tensors: [
        planTensor('in', plan.input, false),
        constant('w', { ctype: 'int8_t', data: transpose2d(w, outDepth, accum), what: 'weights, [in][out]' }, plan.weights.shape, plan.weights.params, 'MLI_EL_SA_8'),
        constant('b', { ctype: 'int32_t', data: bias, what: 'bias' }, plan.bias.shape, plan.bias.params, 'MLI_EL_SA_32'),
        planTensor('out', plan.output, true),
      ],
      argOrder: ['in', 'w', 'b', 'cfg', 'out'],
    },
    { macs: outDepth * accum },
  );
}
