/** Helpers shared by the portable lowerings: TFLite Micro's Prepare arithmetic. */
import { activationRangeQuantized, elementCount, quantizeMultiplier, type Activation, type DType, type Padding } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../passes/lower.js';

export const HEADER = 'mlf_kernels.h';

/** TFLite's ComputePaddingHeightWidth for one dimension: output size and leading pad. */
export function windowGeometry(padding: Padding, inSize: number, k: number, stride: number, dilation: number): { out: number; pad: number } {
  const eff = (k - 1) * dilation + 1;
  const out = padding === 'same' ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - eff) / stride);
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  return { out, pad: Math.floor(total / 2) };
}

/** QuantizeMultiplier over per-channel real multipliers. */
export function multipliers(reals: number[]): { mult: Int32Array; shift: Int32Array } {
  const mult = new Int32Array(reals.length);
  const shift = new Int32Array(reals.length);
  reals.forEach((r, i) => {
    const q = quantizeMultiplier(r);
    mult[i] = q.multiplier;
    shift[i] = q.shift;
  });
  return { mult, shift };
}

export function actRange(ctx: LowerCtx, act: Activation, dtype: DType, outId: number): [number, number] {
  if (act !== 'none' && act !== 'relu' && act !== 'relu6' && act !== 'relu_n1_to_1') {
    throw ctx.fail(`fused activation ${act} is not supported on quantized outputs`);
  }
  return activationRangeQuantized(act, dtype, ctx.tensor(outId).quant);
}

/** Wrap to int32 the way the C accumulators do. */
export function wrap32(x: number): number {
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(x))));
}

/** The filter's quantization: scales (one or per channel), zero points all zero. */
export function filterScales(ctx: LowerCtx, id: number, channels: number): number[] {
  const q = ctx.tensor(id).quant;
  if (!q || q.scale.length === 0) throw ctx.fail('the filter has no quantization parameters');
  if (q.zeroPoint.some((z) => z !== 0)) throw ctx.fail('the filter has a nonzero zero point; int8 filters must be symmetric');
  if (q.scale.length !== 1 && q.scale.length !== channels) {
    throw ctx.fail(`the filter has ${q.scale.length} scales for ${channels} output channels`);
  }
  return q.scale.length === 1 ? new Array<number>(channels).fill(q.scale[0]) : q.scale.slice();
}

/** A call with the fields every lowering fills the same way. */
export function call(ctx: LowerCtx, c: Omit<KernelCall, 'index' | 'kind' | 'backend' | 'headers'> & { headers?: string[] }): KernelCall {
  return {
    index: ctx.w.index,
    kind: ctx.kind,
    backend: ctx.backend,
    headers: c.headers ?? [HEADER],
    ...c,
  };
}

export function count(shape: number[]): number {
  return elementCount(shape);
}
