/**
 * Test helper: an int8 model turned into TFLite's 16x8 form (int16 activations with zero
 * point 0, int8 weights, int64 biases), so that the 16x8 kernels run on real models' shapes
 * and weights. Each int16 scale covers its int8 tensor's range; biases are rescaled to the
 * new input scale. Softmax outputs take the int16 softmax's fixed scale 1/32768. This is not
 * a re-quantization scheme (that is packages/requant's job), only realistic test graphs.
 */
import type { Graph, Tensor } from '@mliflow/ir';

const f32 = Math.fround;

/** The int16 scale covering an int8 tensor's range around zero point 0. */
function scale16(scale: number, zp: number): number {
  return f32((scale * Math.max(Math.abs(-128 - zp), Math.abs(127 - zp))) / 32767);
}

export function to16x8(g: Graph, opts: { int32Bias?: boolean } = {}): Graph {
  const tensors: Tensor[] = g.tensors.map((t) => ({ ...t }));
  const isActivation = (t: Tensor): boolean => t.dtype === 'int8' && (!t.data || t.isVariable) && !!t.quant && t.quant.scale.length === 1;
  const old = g.tensors;
  for (let i = 0; i < tensors.length; i++) {
    const t = old[i];
    if (!isActivation(t)) continue;
    tensors[i] = { ...t, dtype: 'int16', quant: { scale: [scale16(t.quant!.scale[0], t.quant!.zeroPoint[0] ?? 0)], zeroPoint: [0], axis: 0 } };
  }
  for (const op of g.ops) {
    if (op.kind === 'softmax' && tensors[op.outputs[0]].dtype === 'int16') {
      tensors[op.outputs[0]] = { ...tensors[op.outputs[0]], quant: { scale: [f32(1 / 32768)], zeroPoint: [0], axis: 0 } };
    }
    if ((op.kind === 'conv_2d' || op.kind === 'depthwise_conv_2d' || op.kind === 'fully_connected') && op.inputs[2] >= 0) {
      const id = op.inputs[2];
      const b = old[id];
      const inOld = old[op.inputs[0]].quant!.scale[0];
      const inNew = tensors[op.inputs[0]].quant!.scale[0];
      const w = old[op.inputs[1]].quant!;
      const src = new Int32Array(b.data!.buffer.slice(b.data!.byteOffset, b.data!.byteOffset + b.data!.byteLength));
      const ratio = inOld / inNew;
      const scales = b.quant!.scale.map((_, c) => f32(inNew * (w.scale.length > 1 ? w.scale[c] : w.scale[0])));
      const quant = { scale: scales, zeroPoint: scales.map(() => 0), axis: 0 };
      // Depthwise 16x8 takes int64 bias only (TFLite Micro reads no other).
      if (opts.int32Bias && op.kind !== 'depthwise_conv_2d') {
        const v = Int32Array.from(src, (x) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(x * ratio))));
        tensors[id] = { ...b, quant, data: new Uint8Array(v.buffer) };
      } else {
        const v = BigInt64Array.from(src, (x) => BigInt(Math.round(x * ratio)));
        tensors[id] = { ...b, dtype: 'int64', quant, data: new Uint8Array(v.buffer) };
      }
    }
  }
  return { ...g, tensors };
}

/** int8 records of `g8` as int16 records of `to16x8(g8)`: the same real values, requantized. */
export function records16(g8: Graph, records: Uint8Array): Uint8Array {
  const ins = g8.inputs.map((id) => g8.tensors[id]);
  const perRecord = ins.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  const count = records.length / perRecord;
  const out = new Int16Array(records.length);
  const src = new Int8Array(records.buffer, records.byteOffset, records.length);
  let i = 0;
  for (let r = 0; r < count; r++) {
    for (const t of ins) {
      if (t.dtype !== 'int8') throw new Error(`records16: input "${t.name}" is ${t.dtype}`);
      const { scale, zeroPoint } = t.quant!;
      const s16 = scale16(scale[0], zeroPoint[0] ?? 0);
      const n = t.shape.reduce((a, b) => a * b, 1);
      for (let k = 0; k < n; k++, i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(((src[i] - (zeroPoint[0] ?? 0)) * scale[0]) / s16)));
    }
  }
  return new Uint8Array(out.buffer);
}
