/**
 * RELU. float32: max(x, 0). int8/int16: requantize with M, shift =
 * QuantizeMultiplier(double(float(in_scale / out_scale))), then clamp below at the output
 * zero point (the quantized 0.0) and to the dtype's range:
 *   out = clamp(out_zp + MultiplyByQuantizedMultiplier(x - in_zp, M, shift), out_zp, max).
 */
import { elementCount } from '../../graph.js';
import { dtypeRange, f32, multiplyByQuantizedMultiplier, quantizeMultiplier, quantizeValue } from '../../quant.js';
import type { Buffers, Kernel } from '../kernel.js';

export const relu: Kernel = {
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
        for (let i = 0; i < n; i++) out[i] = x[i] < 0 ? 0 : x[i];
      };
    }
    if (dt !== 'int8' && dt !== 'int16') throw ctx.unsupported(`${dt} is not handled (int8, int16 or float32)`);
    const qi = input.quant;
    const qo = output.quant;
    if (!qi || !qo || qi.scale.length !== 1 || qo.scale.length !== 1) throw ctx.unsupported('needs per-tensor quantization');
    if (dt === 'int16' && (qi.zeroPoint[0] !== 0 || qo.zeroPoint[0] !== 0)) throw ctx.unsupported('int16 needs zero points of 0');
    const { multiplier, shift } = quantizeMultiplier(f32(qi.scale[0] / qo.scale[0]));
    const [tmin, hi] = dtypeRange(dt);
    const lo = Math.max(tmin, quantizeValue(0, qo.scale[0], qo.zeroPoint[0]));
    const inZp = qi.zeroPoint[0];
    const outZp = qo.zeroPoint[0];
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array | Int16Array;
      const out = buffers[outId] as Int8Array | Int16Array;
      for (let i = 0; i < n; i++) {
        const v = outZp + multiplyByQuantizedMultiplier(x[i] - inZp, multiplier, shift);
        out[i] = v < lo ? lo : v > hi ? hi : v;
      }
    };
  },
  macs() {
    return 0;
  },
};
