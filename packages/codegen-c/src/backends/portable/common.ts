/**
 * Helpers shared by the portable lowerings. The operators' parameters themselves come from
 * @mliflow/ir's <op>Params (TFLite Micro's Prepare, shared with the golden kernels).
 */
import type { Window } from '@mliflow/ir';
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';

export const HEADER = 'mlf_kernels.h';

/** Wrap to int32 the way the C accumulators do. */
export function wrap32(x: number): number {
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(x))));
}

/** The C kernels have no filter offset: int8 filters must be symmetric. */
export function requireSymmetricFilter(ctx: LowerCtx, id: number): void {
  if (ctx.tensor(id).quant?.zeroPoint.some((z) => z !== 0)) throw ctx.fail('the filter has a nonzero zero point; int8 filters must be symmetric');
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

/** A window kernel's geometry: the golden kernels' Window, per image, with its output channels. */
export type WindowGeometry = Omit<Window, 'batches' | 'padH' | 'padW'> & { outC: number };

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
