/**
 * fuse-pad: a PAD of H and W with the zero point, read only by a CONV_2D or
 * DEPTHWISE_CONV_2D, becomes that conv's own padding. The kernels treat taps outside
 * the image as the input zero point, which is exactly what PAD wrote, so the result
 * is unchanged while the padded copy (time and arena) disappears.
 */
import { elementCount, opLabel, typedView } from '@mliflow/ir';
import { constData, consumers, isGraphOutput, rootOf, tensor, type Module } from '../module.js';

export function fusePad(m: Module): void {
  const uses = consumers(m);
  const drop = new Set<number>();
  m.ops.forEach((w, pos) => {
    if (w.op.kind !== 'pad') return;
    const [src, padsId, valueId] = w.op.inputs;
    const dst = w.op.outputs[0];
    const users = uses.get(rootOf(m, dst)) ?? [];
    if (users.length !== 1 || isGraphOutput(m, dst)) return;
    const cw = m.ops[users[0]];
    if ((cw.op.kind !== 'conv_2d' && cw.op.kind !== 'depthwise_conv_2d') || cw.op.inputs[0] !== dst || cw.padFusion) return;
    const a = tensor(m, src);
    const b = tensor(m, dst);
    if (a.dtype !== 'int8' || b.dtype !== 'int8' || a.shape.length !== 4 || !a.quant || !b.quant) return;
    if (a.quant.scale[0] !== b.quant.scale[0] || a.quant.zeroPoint[0] !== b.quant.zeroPoint[0]) return;
    const padsData = constData(m, padsId);
    if (!padsData) return;
    const pt = tensor(m, padsId);
    const pads = Array.from(typedView(pt.dtype, padsData) as ArrayLike<number | bigint>, Number);
    if (pads.length !== 8 || pads.some((p) => p < 0)) return;
    // Only H and W may be padded.
    if (pads[0] || pads[1] || pads[6] || pads[7]) return;
    if (valueId !== undefined && valueId >= 0) {
      const v = constData(m, valueId);
      if (!v || elementCount(tensor(m, valueId).shape) !== 1 || new Int8Array(v.buffer, v.byteOffset, 1)[0] !== b.quant.zeroPoint[0]) return;
    }
    cw.padFusion = { top: pads[2], left: pads[4], paddedH: b.shape[1], paddedW: b.shape[2], padOp: w.index };
    cw.op = { ...cw.op, inputs: [src, ...cw.op.inputs.slice(1)] };
    m.removed.set(w.index, `fused into ${opLabel(cw.index, cw.op)}`);
    drop.add(pos);
  });
  m.ops = m.ops.filter((_, pos) => !drop.has(pos));
  m.passes.push('fuse-pad');
}
