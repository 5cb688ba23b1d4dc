/**
 * partition: the backend of every operator. With kernels "mli", an operator goes to MLI when
 * @mliflow/requant's planMli accepts it (the plan the golden `mli` numerics interpret too)
 * and the MLI backend lowers its kind; otherwise it stays on the portable kernels with the
 * reason. "mli-only" turns a refusal of an operator MLI has a kernel kind for into an error.
 *
 * A PAD that fuse-pad folded into a conv becomes more padding in the plan's cfg: MLI pads
 * with the input zero point, exactly what the PAD wrote, so the golden's plan (conv over the
 * padded tensor) and MLI's call (conv over the unpadded one) compute the same.
 */
import { isMliPlan, planMli, type MliConvPlan, type MliOpPlan, type MliVariant } from '@mliflow/requant';
import { MLI } from '../backends/mli/index.js';
import { constGraph, tensor, unsupported, type Module, type WorkOp } from '../module.js';

export type KernelChoice = 'portable' | 'mli' | 'mli-only';

export function partition(m: Module, kernels: KernelChoice, variant: MliVariant | null): void {
  const g = constGraph(m);
  for (const w of m.ops) {
    w.backend = 'portable';
    if (kernels === 'portable' || !variant) continue;
    const p = planMli(g, w.index, variant);
    let reason: string | null = null;
    if (!isMliPlan(p)) reason = p.reason;
    else if (!MLI[w.op.kind]) reason = `codegen has no MLI lowering for ${w.op.kind.toUpperCase()} yet`;
    const plan = isMliPlan(p) && !reason ? withFusedPad(m, w, p) : null;
    if (plan && typeof plan === 'string') reason = plan;
    if (plan && typeof plan !== 'string') {
      w.backend = 'mli';
      w.mli = { plan };
      continue;
    }
    if (kernels === 'mli-only' && MLI[w.op.kind]) throw unsupported(m, w, `cannot run on MLI: ${reason}`);
    w.mli = { reason: reason! };
  }
  m.passes.push('partition');
}

/** The plan with a folded PAD moved into the cfg's padding, or why MLI cannot take it. */
function withFusedPad(m: Module, w: WorkOp, p: MliOpPlan): MliOpPlan | string {
  const f = w.padFusion;
  if (!f) return p;
  if (p.kind !== 'conv2d' && p.kind !== 'depthwise_conv2d') return `the folded PAD #${f.padOp} has no place in an MLI ${p.kind}`;
  const src = w.op.inputs[0];
  const [, inH, inW, inC] = tensor(m, src).shape;
  const c = p.cfg;
  const cfg = {
    ...c,
    padTop: c.padTop + f.top,
    padBottom: c.padBottom + (f.paddedH - inH - f.top),
    padLeft: c.padLeft + f.left,
    padRight: c.padRight + (f.paddedW - inW - f.left),
  };
  const [kH, kW] = p.weights.shape;
  const effH = (kH - 1) * c.dilationH + 1;
  const effW = (kW - 1) * c.dilationW + 1;
  if (cfg.padTop >= effH || cfg.padBottom >= effH || cfg.padLeft >= effW || cfg.padRight >= effW) {
    return `with the folded PAD #${f.padOp}, padding ${cfg.padTop},${cfg.padBottom},${cfg.padLeft},${cfg.padRight} (top, bottom, left, right) reaches the kernel size; MLI requires it smaller`;
  }
  const plan: MliConvPlan = { ...p, cfg, input: { ...p.input, tensor: src, shape: [inH, inW, inC] } };
  return plan;
}
