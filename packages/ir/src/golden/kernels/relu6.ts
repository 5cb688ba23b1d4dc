/**
 * RELU6. float32: min(max(x, 0), 6). int8/int16: no requantization, whatever the output's
 * quantization (as TFLite Micro): clamp between the input zero point and
 * clamp(round(6 / scale) + zero point) in the input's quantization.
 */
import { elementCount } from '../../graph.js';
import { clampTo, quantizeValue } from '../../quant.js';
import type { Buffers, Kernel } from '../kernel.js';

export const relu6: Kernel = {
  prepare(ctx) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    const dt = input.dtype;
    if (dt !== output.dtype) throw ctx.unsupported(`input is ${dt} but output is ${output.dtype}`);
    const n = elementCount(input.shape);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    if (dt === 'float32') {
      return (buffers: Buffers) => {
        const x = buffers[inId] as Float32Array;
        const out = buffers[outId] as Float32Array;
        for (let i = 0; i < n; i++) out[i] = x[i] > 6 ? 6 : x[i] < 0 ? 0 : x[i];
      };
    }
    if (dt !== 'int8' && dt !== 'int16') throw ctx.unsupported(`${dt} is not handled (int8, int16 or float32)`);
    const qi = input.quant;
    if (!qi || qi.scale.length !== 1) throw ctx.unsupported('needs per-tensor quantization');
    const lo = qi.zeroPoint[0];
    const six = clampTo(dt, quantizeValue(6, qi.scale[0], qi.zeroPoint[0]));
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array | Int16Array;
      const out = buffers[outId] as Int8Array | Int16Array;
      for (let i = 0; i < n; i++) out[i] = x[i] > six ? six : x[i] < lo ? lo : x[i];
    };
  },
  macs() {
    return 0;
  },
};
