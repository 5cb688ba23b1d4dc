/**
 * The MLI backend: calls into embARC MLI 2.0.2, one lowering per operator family, keyed by
 * operator kind like backends/portable. Each lowering lays out the operator's MLI plan
 * (plan.ts, chosen by the partition pass) as mli_tensor and cfg structs.
 */
import type { LowerCtx, LoweringTable } from '../../lower-ctx.js';
import { lowerMliConv } from './conv.js';
import { lowerMliAdd } from './eltwise.js';
import { lowerMliFc } from './fc.js';
import type { OpPlan } from './plan.js';
import { lowerMliPool } from './pool.js';

function planOf<F extends OpPlan['family']>(ctx: LowerCtx, family: F): Extract<OpPlan, { family: F }> {
  const p = ctx.w.mli?.plan;
  if (!p || p.family !== family) throw ctx.fail(`no MLI ${family} plan for this operator`);
  return p as Extract<OpPlan, { family: F }>;
}

export const MLI: LoweringTable = {
  conv_2d: (ctx) => lowerMliConv(ctx, planOf(ctx, 'conv')),
  depthwise_conv_2d: (ctx) => lowerMliConv(ctx, planOf(ctx, 'conv')),
  fully_connected: (ctx) => lowerMliFc(ctx, planOf(ctx, 'fc')),
  average_pool_2d: (ctx) => lowerMliPool(ctx, planOf(ctx, 'pool')),
  max_pool_2d: (ctx) => lowerMliPool(ctx, planOf(ctx, 'pool')),
  add: (ctx) => lowerMliAdd(ctx, planOf(ctx, 'eltwise')),
};

/** Operator kinds the MLI backend can lower (when the plan accepts the operator). */
export const MLI_KINDS = new Set(Object.keys(MLI));
