/**
 * partition: the backend of every operator. With kernels "mli", an operator of a kind the MLI
 * backend lowers goes to MLI when its plan (backends/mli/plan.ts) accepts it, and stays on
 * the portable kernels with the plan's reason otherwise. "mli-only" turns that reason into
 * an error naming the operator.
 */
import type { MliVariant } from '@mliflow/requant';
import { MLI_KINDS } from '../backends/mli/index.js';
import { planOp } from '../backends/mli/plan.js';
import { constGraph, unsupported, type Module } from '../module.js';

export type KernelChoice = 'portable' | 'mli' | 'mli-only';

export function partition(m: Module, kernels: KernelChoice, variant: MliVariant | null): void {
  const g = constGraph(m);
  for (const w of m.ops) {
    w.backend = 'portable';
    if (kernels === 'portable' || !variant) continue;
    if (!MLI_KINDS.has(w.op.kind)) {
      w.mli = { reason: `MLI has no kernel for ${w.op.kind.toUpperCase()} here` };
      continue;
    }
    const r = planOp(g, w, variant);
    if ('plan' in r) {
      w.backend = 'mli';
      w.mli = { plan: r.plan };
    } else {
      if (kernels === 'mli-only') throw unsupported(m, w, `cannot run on MLI: ${r.reason}`);
      w.mli = { reason: r.reason };
    }
  }
  m.passes.push('partition');
}
