/** DEQUANTIZE: float32(double(scale) * (q - zero_point)) for int8, int16 and uint8 input. */
import { elementCount } from '../../graph.js';
import type { Buffers, Kernel } from '../kernel.js';

export const dequantize: Kernel = {
  prepare(ctx) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (input.dtype !== 'int8' && input.dtype !== 'int16' && input.dtype !== 'uint8') throw ctx.unsupported(`${input.dtype} input is not handled (int8, int16 or uint8)`);
    if (output.dtype !== 'float32') throw ctx.unsupported(`output must be float32, not ${output.dtype}`);
    const q = input.quant;
    if (!q || q.scale.length !== 1) throw ctx.unsupported('input needs per-tensor quantization');
    const scale = q.scale[0];
    const zp = q.zeroPoint[0] ?? 0;
    const n = elementCount(input.shape);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array | Int16Array | Uint8Array;
      const out = buffers[outId] as Float32Array;
      for (let i = 0; i < n; i++) out[i] = scale * (x[i] - zp);
    };
  },
  macs() {
    return 0;
  },
};
