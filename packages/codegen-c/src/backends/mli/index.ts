/**
 * The MLI backend: calls into embARC MLI 2.0.2, one lowering per operator family, keyed by
 * operator kind like backends/portable. Each lowering lays out the operator's MliOpPlan
 * (@mliflow/requant's planMli, chosen by the partition pass) as mli_tensor and cfg structs;
 * the golden executor's mli numerics interpret the same plan.
 */
import type { MliOpPlan } from '@mliflow/requant';
import type { LowerCtx, LoweringTable } from '../../lower-ctx.js';
import { lowerMliConv } from './conv.js';
import { lowerMliFc } from './fc.js';
import { lowerMliPermute } from './permute.js';
import { lowerMliPool } from './pool.js';
import { lowerMliSoftmax } from './softmax.js';
import { lowerMliAdd } from './eltwise.js';

function planOf<K extends MliOpPlan['kind']>(ctx: LowerCtx, ...kinds: K[]): Extract<MliOpPlan, { kind: K }> {
  const p = ctx.w.mli?.plan;
  if (!p || !(kinds as string[]).includes(p.kind)) throw ctx.fail(`no MLI ${kinds.join('/')} plan for this operator`);
  return p as Extract<MliOpPlan, { kind: K }>;
}

export const MLI: LoweringTable = {
  conv_2d: (ctx) => lowerMliConv(ctx, planOf(ctx, 'conv2d')),
  depthwise_conv_2d: (ctx) => lowerMliConv(ctx, planOf(ctx, 'depthwise_conv2d', 'conv2d')),
  fully_connected: (ctx) => lowerMliFc(ctx, planOf(ctx, 'fully_connected')),
  average_pool_2d: (ctx) => lowerMliPool(ctx, planOf(ctx, 'avepool')),
  max_pool_2d: (ctx) => lowerMliPool(ctx, planOf(ctx, 'maxpool')),
  mean: (ctx) => lowerMliPool(ctx, planOf(ctx, 'avepool')),
  transpose: (ctx) => lowerMliPermute(ctx, planOf(ctx, 'permute')),
  add: (ctx) => lowerMliAdd(ctx, planOf(ctx, 'eltwise_add')),
  softmax: (ctx) => lowerMliSoftmax(ctx, planOf(ctx, 'softmax')),
};
