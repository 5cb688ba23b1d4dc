/**
 * QUANTIZE, TFLite Micro's reference arithmetic.
 *
 * float32 -> int8/int16: clamp(round_half_away(float32(x / scale)) + zero_point).
 * Integer -> integer requantization (int8, int16, int32 in; int8, int16, int32 out, in the
 * pairs TFLite Micro accepts): with M, shift = QuantizeMultiplier(double(in_scale) /
 * double(out_scale)),
 *   out = clamp(MultiplyByQuantizedMultiplier(x - in_zero_point, M, shift) + out_zero_point).
 */
import { elementCount, type DType } from '../../graph.js';
import { dtypeRange, multiplyByQuantizedMultiplier, quantizeMultiplier, quantizeValue } from '../../quant.js';
import type { Buffers, Kernel } from '../kernel.js';

const REQUANTIZE_PAIRS = new Set([
  'int16>int8',
  'int8>int8',
  'int8>uint8',
  'uint8>int8',
  'int8>int16',
  'int8>int32',
  'int16>int16',
  'int16>int32',
  'int32>int8',
  'int32>int16',
]);

export const quantize: Kernel = {
  prepare(ctx) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    const qo = output.quant;
    if (!qo || qo.scale.length !== 1) throw ctx.unsupported('output needs per-tensor quantization');
    if (elementCount(input.shape) !== elementCount(output.shape)) throw ctx.unsupported('input and output sizes differ');
    const n = elementCount(output.shape);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    const outDt: DType = output.dtype;
    const [lo, hi] = dtypeRange(outDt);
    const scale = qo.scale[0];
    const zp = qo.zeroPoint[0] ?? 0;

    if (input.dtype === 'float32') {
      if (outDt !== 'int8' && outDt !== 'int16') throw ctx.unsupported(`float32 to ${outDt} is not handled (int8 or int16)`);
      return (buffers: Buffers) => {
        const x = buffers[inId] as Float32Array;
        const out = buffers[outId] as Int8Array | Int16Array;
        for (let i = 0; i < n; i++) {
          const v = quantizeValue(x[i], scale, zp);
          out[i] = v < lo ? lo : v > hi ? hi : v;
        }
      };
    }
    if (!REQUANTIZE_PAIRS.has(`${input.dtype}>${outDt}`)) throw ctx.unsupported(`${input.dtype} to ${outDt} is not handled`);
    const qi = input.quant;
    if (!qi || qi.scale.length !== 1) throw ctx.unsupported('input needs per-tensor quantization');
    const { multiplier, shift } = quantizeMultiplier(qi.scale[0] / scale);
    const inZp = qi.zeroPoint[0] ?? 0;
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array | Int16Array | Int32Array | Uint8Array;
      const out = buffers[outId] as Int8Array | Int16Array | Int32Array | Uint8Array;
      for (let i = 0; i < n; i++) {
        const v = multiplyByQuantizedMultiplier((x[i] - inZp) | 0, multiplier, shift) + zp;
        out[i] = v < lo ? lo : v > hi ? hi : v;
      }
    };
  },
  macs() {
    return 0;
  },
};
