/**
 * partition: the backend of every operator. With kernels "mli", an operator goes to MLI when
 * @mliflow/requant's planMli accepts it (the plan the golden `mli` numerics interpret too)
 * and the MLI backend lowers its kind; otherwise it stays on the portable kernels with the
 * reason. "mli-only" turns a refusal of an operator MLI has a kernel kind for into an error.
 * Runs before fuse-pad: a conv's plan says itself whether it takes over the PAD before it.
 */
import { isMliPlan, planMli, type MliVariant } from '@mliflow/requant';
import { MLI } from '../backends/mli/index.js';
import { constGraph, unsupported, type Module } from '../module.js';

export type KernelChoice = 'portable' | 'mli' | 'mli-only';

export function partition(m: Module, kernels: KernelChoice, variant: MliVariant | null): void {
  const g = constGraph(m);
  for (const w of m.ops) {
    w.backend = 'portable';
    if (kernels === 'portable' || !variant) continue;
    const p = planMli(g, w.index, variant);
    const reason = !isMliPlan(p) ? p.reason : !MLI[w.op.kind] ? `codegen has no MLI lowering for ${w.op.kind.toUpperCase()} yet` : null;
    if (isMliPlan(p) && reason === null) {
      w.backend = 'mli';
      w.mli = { plan: p };
      continue;
    }
    if (kernels === 'mli-only' && MLI[w.op.kind]) throw unsupported(m, w, `cannot run on MLI: ${reason}`);
    w.mli = { reason: reason! };
  }
  m.passes.push('partition');
}
