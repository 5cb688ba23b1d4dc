/** FULLY_CONNECTED as mli_krn_fully_connected_sa8_sa8_sa32; weights re-laid [out][in] -> [in][out]. */
import { elementCount, isKind } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { activation, constant, mliCall } from './common.js';
import type { FcPlan } from './plan.js';

export function transpose2d(w: ArrayLike<number>, rows: number, cols: number): Int8Array {
  const out = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

export function lowerMliFc(ctx: LowerCtx, plan: FcPlan): KernelCall {
  if (!isKind(ctx.w.op, 'fully_connected')) throw ctx.fail('not FULLY_CONNECTED');
  const inId = ctx.input(0);
  const fId = ctx.input(1);
  const bId = ctx.optionalInput(2);
  const outId = ctx.output(0);
  const [outDepth, accum] = ctx.shape(fId);
  if (elementCount(ctx.shape(inId)) !== accum) throw ctx.fail(`input has ${elementCount(ctx.shape(inId))} values; the filter takes ${accum}`);
  const w = ctx.constView(fId, 'the filter', outDepth * accum);
  const bias = bId >= 0 ? Int32Array.from(ctx.constView(bId, 'the bias', outDepth)) : new Int32Array(outDepth);
  return mliCall(
    ctx,
    plan.fn,
    {
      cfgType: 'mli_fully_connected_cfg',
      cfg: plan.cfg,
      tensors: [
        activation('in', inId, [accum], plan.input, false),
        constant('w', { ctype: 'int8_t', data: transpose2d(w, outDepth, accum), what: 'weights, [in][out]' }, [accum, outDepth], plan.weights, 'MLI_EL_SA_8'),
        constant('b', { ctype: 'int32_t', data: bias, what: 'bias' }, [outDepth], plan.bias, 'MLI_EL_SA_32'),
        activation('out', outId, [outDepth], plan.output, true),
      ],
      argOrder: ['in', 'w', 'b', 'cfg', 'out'],
    },
    { macs: outDepth * accum },
  );
}
