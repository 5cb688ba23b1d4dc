/**
 * QUANTIZE, TFLite Micro's reference arithmetic.
 *
 * float32 -> int8/int16: clamp(round_half_away(float32(x / scale)) + zero_point).
 * Integer -> integer requantization (int8, int16, int32 in; int8, int16, int32 out, in the
 * pairs TFLite Micro accepts): with M, shift = QuantizeMultiplier(double(in_scale) /
 * double(out_scale)),
 *   out = clamp(MultiplyByQuantizedMultiplier(x - in_zero_point, M, shift) + out_zero_point).
 */
import { elementCount, type DType, type Graph } from '../../graph.js';
import type { Op } from '../../ops.js';
import { dtypeRange, multiplyByQuantizedMultiplier, quantizeMultiplier, quantizeValue } from '../../quant.js';
import { prepareContext, type Buffers, type Kernel } from '../kernel.js';
import { perTensorQuant } from './prepare.js';

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

/** QUANTIZE's Prepare (TFLite Micro's OpDataQuantizeReference). */
export interface QuantizeParams {
  inputDtype: DType;
  outputDtype: DType;
  size: number;
  outputScale: number;
  outputZeroPoint: number;
  /** Integer input only (zero for float32): M, shift of in_scale / out_scale. */
  inputZeroPoint: number;
  multiplier: number;
  shift: number;
}

export function quantizeParams(g: Graph, op: Op, index: number): QuantizeParams {
  const ctx = prepareContext(g, op, index);
  const input = ctx.input(0);
  const output = ctx.output(0);
  const qo = perTensorQuant(ctx, output, 'output');
  if (elementCount(input.shape) !== elementCount(output.shape)) throw ctx.unsupported('input and output sizes differ');
  const base = { inputDtype: input.dtype, outputDtype: output.dtype, size: elementCount(output.shape), outputScale: qo.scale, outputZeroPoint: qo.zeroPoint };
  if (input.dtype === 'float32') {
    if (output.dtype !== 'int8' && output.dtype !== 'int16') throw ctx.unsupported(`float32 to ${output.dtype} is not handled (int8 or int16)`);
    return { ...base, inputZeroPoint: 0, multiplier: 0, shift: 0 };
  }
  if (!REQUANTIZE_PAIRS.has(`${input.dtype}>${output.dtype}`)) throw ctx.unsupported(`${input.dtype} to ${output.dtype} is not handled`);
  const qi = perTensorQuant(ctx, input, 'input');
  const { multiplier, shift } = quantizeMultiplier(qi.scale / qo.scale);
  return { ...base, inputZeroPoint: qi.zeroPoint, multiplier, shift };
}

export const quantize: Kernel = {
  prepare(ctx) {
    const { inputDtype, outputDtype, size: n, outputScale: scale, outputZeroPoint: zp, inputZeroPoint: inZp, multiplier, shift } = quantizeParams(
      ctx.graph,
      ctx.op,
      ctx.index,
    );
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    const [lo, hi] = dtypeRange(outputDtype);

    if (inputDtype === 'float32') {
      return (buffers: Buffers) => {
        const x = buffers[inId] as Float32Array;
        const out = buffers[outId] as Int8Array | Int16Array;
        for (let i = 0; i < n; i++) {
          const v = quantizeValue(x[i], scale, zp);
          out[i] = v < lo ? lo : v > hi ? hi : v;
        }
      };
    }
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
