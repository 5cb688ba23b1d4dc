/**
 * Helpers shared by the portable lowerings. The operators' parameters themselves come from
 * @mliflow/ir's <op>Params (TFLite Micro's Prepare, shared with the golden kernels).
 */
import { convParams, depthwiseParams, isKind, type ConvParams, type DepthwiseParams, type Op, type Window } from '@mliflow/ir';
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

/** Activations of one type in and out, symmetric int8 filters. */
export function requireTypes(ctx: LowerCtx, act: 'int8' | 'int16', inId: number, fId: number, outId: number): void {
  ctx.requireDtype(inId, 'the input', act);
  ctx.requireDtype(outId, 'the output', act);
  ctx.requireDtype(fId, 'the filter', 'int8');
  requireSymmetricFilter(ctx, fId);
}

/** What lowerConv and lowerConv16x8 both check and derive before choosing their kernel. */
export interface ConvOperands {
  op: Op<'conv_2d'> | Op<'depthwise_conv_2d'>;
  depthwise: boolean;
  inId: number;
  fId: number;
  /** -1 when the model omits the bias. */
  bId: number;
  outId: number;
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  p: ConvParams | DepthwiseParams;
  /** The window's padding plus a folded PAD's rows and columns in front. */
  padTop: number;
  padLeft: number;
  /** The geometry fields that lead both C parameter structs (mlf_conv_params, mlf_conv16x8_params), in their order. */
  cFields: Record<string, number>;
  /** Multiply-accumulates of one inference. */
  macs: number;
}

/**
 * The operand and shape checks of a conv or depthwise with `act` activations and int8
 * filters, and its parameters. With a folded PAD, the conv's own padding is defined against
 * the padded tensor (the original op's input); the folded rows and columns are added in front.
 */
export function convOperands(ctx: LowerCtx, act: 'int8' | 'int16'): ConvOperands {
  const op = ctx.w.op;
  if (!isKind(op, 'conv_2d') && !isKind(op, 'depthwise_conv_2d')) throw ctx.fail('not a convolution');
  const depthwise = op.kind === 'depthwise_conv_2d';
  const inId = ctx.input(0);
  const fId = ctx.input(1);
  const bId = ctx.optionalInput(2);
  const outId = ctx.output(0);
  requireTypes(ctx, act, inId, fId, outId);
  // 16x8 biases may be int32 or int64: convParams checks them.
  if (act === 'int8' && bId >= 0) ctx.requireDtype(bId, 'the bias', 'int32');
  const inShape = ctx.shape(inId);
  if (inShape.length !== 4) throw ctx.fail('expected a 4-D input');
  const [batches, inH, inW, inC] = inShape;
  const fused = ctx.w.padFusion;
  const source = fused ? ctx.graph.ops[ctx.w.index] : op;
  const p = depthwise ? ctx.params(depthwiseParams, source) : ctx.params(convParams, source);
  if ('filterC' in p && p.filterC !== inC) throw ctx.fail(`grouped convolution (filter depth ${p.filterC}, input depth ${inC}) is not supported`);
  const padTop = p.window.padTop + (fused ? fused.top : 0);
  const padLeft = p.window.padLeft + (fused ? fused.left : 0);
  const { outH, outW, kH, kW } = p.window;
  const a = op.attrs;
  const cFields = {
    batches,
    in_h: inH,
    in_w: inW,
    in_c: inC,
    out_h: outH,
    out_w: outW,
    out_c: p.outC,
    k_h: kH,
    k_w: kW,
    stride_h: a.strideH,
    stride_w: a.strideW,
    dil_h: a.dilationH,
    dil_w: a.dilationW,
    pad_top: padTop,
    pad_left: padLeft,
    depth_mult: 'depthMultiplier' in p ? p.depthMultiplier : 1,
  };
  const macs = batches * outH * outW * p.outC * kH * kW * (depthwise ? 1 : inC);
  return { op, depthwise, inId, fId, bId, outId, batches, inH, inW, inC, p, padTop, padLeft, cFields, macs };
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
