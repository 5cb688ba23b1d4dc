/**
 * fuse-pad: a PAD of H and W with the zero point, read only by a CONV_2D or
 * DEPTHWISE_CONV_2D, becomes that conv's own padding. The kernels treat taps outside
 * the image as the input zero point, which is exactly what PAD wrote, so the result
 * is unchanged while the padded copy (time and arena) disappears. A conv on MLI follows
 * its plan: it takes the PAD over only where the plan did (MLI needs the padding smaller
 * than the kernel), so generated code and the golden `mli` numerics run the same steps.
 */
import { opLabel } from '@mliflow/ir';
import { zeroPointPad } from '@mliflow/requant';
import { constGraph, consumers, isGraphOutput, rootOf, tensor, type Module } from '../module.js';

export function fusePad(m: Module): void {
  const uses = consumers(m);
  const g = constGraph(m);
  const drop = new Set<number>();
  m.ops.forEach((w, pos) => {
    if (w.op.kind !== 'pad') return;
    const [src] = w.op.inputs;
    const dst = w.op.outputs[0];
    const users = uses.get(rootOf(m, dst)) ?? [];
    if (users.length !== 1 || isGraphOutput(m, dst)) return;
    const cw = m.ops[users[0]];
    if ((cw.op.kind !== 'conv_2d' && cw.op.kind !== 'depthwise_conv_2d') || cw.op.inputs[0] !== dst || cw.padFusion) return;
    const plan = cw.mli?.plan;
    if (plan && !('foldedPad' in plan && plan.foldedPad === w.index)) return;
    const pad = zeroPointPad(g, w.index);
    if (!pad) return;
    const b = tensor(m, dst);
    cw.padFusion = { top: pad.top, left: pad.left, paddedH: b.shape[1], paddedW: b.shape[2], padOp: w.index };
    cw.op = { ...cw.op, inputs: [src, ...cw.op.inputs.slice(1)] };
    m.removed.set(w.index, `fused into ${opLabel(cw.index, cw.op)}`);
    drop.add(pos);
  });
  m.ops = m.ops.filter((_, pos) => !drop.has(pos));
  m.passes.push('fuse-pad');
}
