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

export interface WindowGeometry {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
}

/**
 * Smallest delta such that an int8 window kernel that walks output pixels in raster
 * order (at most two at a time) may write its output starting `delta` bytes before its
 * input: at every step, the bytes written so far (this pixel and the next) end before
 * the first input byte that this or any later pixel still reads.
 */
export function slideDelta(w: WindowGeometry): number {
  const n = w.outH * w.outW;
  const readMin = new Float64Array(n);
  for (let oy = 0; oy < w.outH; oy++) {
    const iy0 = oy * w.strideH - w.padTop;
    let ky = 0;
    while (ky < w.kH && iy0 + ky * w.dilH < 0) ky++;
    const iy = iy0 + ky * w.dilH;
    for (let ox = 0; ox < w.outW; ox++) {
      const ix0 = ox * w.strideW - w.padLeft;
      let kx = 0;
      while (kx < w.kW && ix0 + kx * w.dilW < 0) kx++;
      const ix = ix0 + kx * w.dilW;
      readMin[oy * w.outW + ox] = ky < w.kH && kx < w.kW && iy < w.inH && ix < w.inW ? (iy * w.inW + ix) * w.inC : Infinity;
    }
  }
  let delta = -Infinity;
  let sufMin = Infinity;
  for (let j = n - 1; j >= 0; j--) {
    sufMin = Math.min(sufMin, readMin[j]);
    const writeEnd = Math.min(j + 2, n) * w.outC;
    if (sufMin !== Infinity) delta = Math.max(delta, writeEnd - sufMin);
  }
  return delta === -Infinity ? 0 : delta;
}
