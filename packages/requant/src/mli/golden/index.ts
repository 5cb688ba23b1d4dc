/**
 * The golden executor's `mli` numerics: every operator planMli maps to embARC MLI 2.0.2 runs
 * with MLI's integer arithmetic, interpreted from its MliOpPlan; the rest keep TFLite's.
 */
import type { Kernel, NumericsSpec } from '@mliflow/ir';
import type { MliVariant } from '../params.js';
import { isMliPlan, planMli, type MliOpPlan } from '../plan.js';
import { convKernel } from './conv.js';
import { eltwiseKernel } from './eltwise.js';
import { fullyConnectedKernel } from './fully-connected.js';
import { permuteKernel } from './permute.js';
import { poolKernel } from './pool.js';
import { softmaxKernel } from './softmax.js';

export function mliKernel(plan: MliOpPlan, v: MliVariant): Kernel {
  switch (plan.kind) {
    case 'conv2d':
    case 'depthwise_conv2d':
      return convKernel(plan, v);
    case 'fully_connected':
      return fullyConnectedKernel(plan, v);
    case 'maxpool':
    case 'avepool':
      return poolKernel(plan, v);
    case 'permute':
      return permuteKernel(plan);
    case 'eltwise_add':
      return eltwiseKernel(plan, v);
    case 'softmax':
      return softmaxKernel(plan, v);
  }
}

export function mliNumericsName(v: MliVariant): string {
  return `mli (round ${v.roundMode}, FULL_ACCU ${v.fullAccu ? 'on' : 'off'})`;
}

export function mliNumerics(v: MliVariant): NumericsSpec {
  const variant = { roundMode: v.roundMode, fullAccu: v.fullAccu };
  return {
    name: mliNumericsName(variant),
    kernel(graph, opIndex) {
      const plan = planMli(graph, opIndex, variant);
      return isMliPlan(plan) ? mliKernel(plan, variant) : null;
    },
  };
}
