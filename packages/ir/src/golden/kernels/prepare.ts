/**
 * Helpers shared by the kernels' params functions (TFLite Micro's Prepare). Each operator's
 * `<op>Params(graph, op, index)` is the one place its integer parameters are derived; the
 * golden kernel and the C code generator both take them from there.
 */
import type { Tensor } from '../../graph.js';
import type { Activation } from '../../ops.js';
import { activationRangeFloat, activationRangeQuantized } from '../../quant.js';
import type { PrepareContext } from '../kernel.js';

/** The scale and zero point of a per-tensor quantized tensor. */
export function perTensorQuant(ctx: PrepareContext, t: Tensor, what: string): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length !== 1) throw ctx.unsupported(`${what} ${t.dtype} tensor "${t.name}" needs per-tensor quantization`);
  return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 };
}

/**
 * The fused activation's bounds in the output's domain: CalculateActivationRange for a
 * float32 output, CalculateActivationRangeQuantized otherwise.
 */
export function activationBounds(ctx: PrepareContext, act: Activation, output: Tensor): [number, number] {
  if (output.dtype === 'float32') return activationRangeFloat(act);
  if (act !== 'none' && act !== 'relu' && act !== 'relu6' && act !== 'relu_n1_to_1') {
    throw ctx.unsupported(`fused activation ${act} is not supported on quantized outputs`);
  }
  return activationRangeQuantized(act, output.dtype, output.quant);
}
