/**
 * MAX_POOL_2D, TFLite Micro's reference arithmetic: the largest in-image value of each
 * window, clamped to the fused activation's range (quantized bounds for int8/int16; input
 * and output share scale and zero point). Also holds the window geometry both pools share.
 */
import type { Graph, Tensor } from '../../graph.js';
import type { Op, PoolAttrs } from '../../ops.js';
import { computeOutSize, computePadding } from '../../quant.js';
import { prepareContext, type Buffers, type Kernel, type PrepareContext } from '../kernel.js';
import { activationBounds, perTensorQuant } from './prepare.js';

export interface PoolWindow {
  batches: number;
  inH: number;
  inW: number;
  C: number;
  outH: number;
  outW: number;
  fH: number;
  fW: number;
  sH: number;
  sW: number;
  padTop: number;
  padLeft: number;
}

/** AVERAGE_POOL_2D's and MAX_POOL_2D's Prepare (TFLite Micro's OpDataPooling). */
export interface PoolParams {
  dtype: 'float32' | 'int8' | 'int16';
  window: PoolWindow;
  /** The fused activation's bounds in the output's domain. */
  actMin: number;
  actMax: number;
}

/** Validate a pooling op (NHWC, same dtype and quantization in and out); derive padding and bounds. */
export function poolParams(g: Graph, op: Op, index: number): PoolParams {
  const ctx = prepareContext(g, op, index);
  const attrs = (ctx.op as Op<'max_pool_2d'>).attrs as PoolAttrs;
  const input = ctx.input(0);
  const output = ctx.output(0);
  const dtype = input.dtype;
  if (dtype !== output.dtype) throw ctx.unsupported(`input is ${dtype} but output is ${output.dtype}`);
  if (dtype !== 'int8' && dtype !== 'int16' && dtype !== 'float32') {
    throw ctx.unsupported(`${dtype} is not handled (int8, int16 or float32)`);
  }
  if (input.shape.length !== 4 || output.shape.length !== 4) {
    throw ctx.unsupported(`needs 4-D NHWC input and output, got [${input.shape}] and [${output.shape}]`);
  }
  if (dtype !== 'float32') {
    const qi = perTensorQuant(ctx, input, 'input');
    const qo = perTensorQuant(ctx, output, 'output');
    if (Math.abs(qi.scale - qo.scale) > 1e-6 || qi.zeroPoint !== qo.zeroPoint) {
      throw ctx.unsupported('input and output quantization differ; TFLite pooling does not requantize');
    }
  }
  const window = poolWindow(ctx, input, output, attrs);
  const [actMin, actMax] = activationBounds(ctx, attrs.activation, output);
  return { dtype, window, actMin, actMax };
}

export function poolWindow(ctx: PrepareContext, input: Tensor, output: Tensor, attrs: PoolAttrs): PoolWindow {
  const [batches, inH, inW, C] = input.shape;
  const { filterH: fH, filterW: fW, strideH: sH, strideW: sW } = attrs;
  if (fH < 1 || fW < 1 || sH < 1 || sW < 1) throw ctx.unsupported(`bad filter ${fH}x${fW} or stride ${sH}x${sW}`);
  const outH = computeOutSize(attrs.padding, inH, fH, sH, 1);
  const outW = computeOutSize(attrs.padding, inW, fW, sW, 1);
  if (output.shape[0] !== batches || output.shape[1] !== outH || output.shape[2] !== outW || output.shape[3] !== C) {
    throw ctx.unsupported(`output shape [${output.shape}] does not match ${attrs.padding} pooling of [${input.shape}]`);
  }
  const padTop = computePadding(sH, 1, inH, fH, outH);
  const padLeft = computePadding(sW, 1, inW, fW, outW);
  return { batches, inH, inW, C, outH, outW, fH, fW, sH, sW, padTop, padLeft };
}

export const maxPool2d: Kernel = {
  prepare(ctx) {
    const { dtype, window: w, actMin: lo, actMax: hi } = poolParams(ctx.graph, ctx.op, ctx.index);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    const { batches, inH, inW, C, outH, outW, fH, fW, sH, sW, padTop, padLeft } = w;
    const isFloat = dtype === 'float32';
    const lowest = isFloat ? -Infinity : dtype === 'int8' ? -128 : -32768;
    const best = isFloat ? new Float64Array(C) : new Int32Array(C);
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array | Int16Array | Float32Array;
      const out = buffers[outId] as Int8Array | Int16Array | Float32Array;
      let o = 0;
      for (let b = 0; b < batches; b++) {
        for (let oy = 0; oy < outH; oy++) {
          const y0 = oy * sH - padTop;
          const yS = Math.max(0, y0);
          const yE = Math.min(inH, y0 + fH);
          for (let ox = 0; ox < outW; ox++) {
            const x0 = ox * sW - padLeft;
            const xS = Math.max(0, x0);
            const xE = Math.min(inW, x0 + fW);
            best.fill(lowest);
            for (let y = yS; y < yE; y++) {
              for (let xx = xS; xx < xE; xx++) {
                const base = ((b * inH + y) * inW + xx) * C;
                for (let c = 0; c < C; c++) {
                  const v = x[base + c];
                  if (v > best[c]) best[c] = v;
                }
              }
            }
            for (let c = 0; c < C; c++) {
              const v = best[c];
              out[o++] = v < lo ? lo : v > hi ? hi : v;
            }
          }
        }
      }
    };
  },
  macs() {
    return 0;
  },
};
