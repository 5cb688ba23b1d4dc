/**
 * PAD with a constant: every output element outside the input's placement gets the pad
 * value, which is the output zero point for int8 (0 for int16, int32 and float32) unless a
 * constant_values input gives it.
 */
import { constView, elementCount, type DType, type Graph } from '../../graph.js';
import type { Op } from '../../ops.js';
import { prepareContext, type Buffers, type Kernel } from '../kernel.js';

/** PAD's Prepare (TFLite Micro's OpData for PAD). */
export interface PadParams {
  dtype: DType;
  /** Elements added before and after each dimension. */
  before: number[];
  after: number[];
  /** The value of every added element. */
  value: number;
}

export function padParams(g: Graph, op: Op, index: number): PadParams {
  const ctx = prepareContext(g, op, index);
  const input = ctx.input(0);
  const paddings = ctx.input(1);
  const constant = ctx.optionalInput(2);
  const output = ctx.output(0);
  const dt = input.dtype;
  if (dt !== output.dtype) throw ctx.unsupported(`input is ${dt} but output is ${output.dtype}`);
  if (dt !== 'int8' && dt !== 'int16' && dt !== 'int32' && dt !== 'float32') throw ctx.unsupported(`${dt} is not handled`);
  if (!paddings.data || (paddings.dtype !== 'int32' && paddings.dtype !== 'int64')) {
    throw ctx.unsupported('paddings must be a constant int32 or int64 tensor');
  }
  const rank = input.shape.length;
  const pv = Array.from(constView(paddings) as ArrayLike<number | bigint>, (v) => Number(v));
  if (pv.length !== rank * 2 || output.shape.length !== rank) throw ctx.unsupported(`paddings [${paddings.shape}] do not fit a rank-${rank} input`);
  for (let d = 0; d < rank; d++) {
    if (pv[2 * d] < 0 || pv[2 * d + 1] < 0) throw ctx.unsupported('negative paddings are not handled');
    if (output.shape[d] !== input.shape[d] + pv[2 * d] + pv[2 * d + 1]) {
      throw ctx.unsupported(`output [${output.shape}] is not input [${input.shape}] padded by [${pv}]`);
    }
  }
  let value = 0;
  if (constant) {
    if (constant.dtype !== dt || !constant.data || elementCount(constant.shape) !== 1) {
      throw ctx.unsupported('constant_values must be one constant value of the input dtype');
    }
    value = Number((constView(constant) as Int32Array)[0]);
  } else if (dt === 'int8') {
    value = output.quant?.zeroPoint[0] ?? 0;
  }
  return { dtype: dt, before: pv.filter((_, i) => i % 2 === 0), after: pv.filter((_, i) => i % 2 === 1), value };
}

export const pad: Kernel = {
  prepare(ctx) {
    const { before, value } = padParams(ctx.graph, ctx.op, ctx.index);
    const input = ctx.input(0);
    const output = ctx.output(0);
    const rank = input.shape.length;
    // Copy the input row by row (its innermost dimension) into its place in the output.
    const inner = rank ? input.shape[rank - 1] : 1;
    const rows = inner ? elementCount(input.shape) / inner : 0;
    const outStrides = new Array<number>(rank);
    for (let i = rank - 1, s = 1; i >= 0; i--) {
      outStrides[i] = s;
      s *= output.shape[i];
    }
    // Consecutive rows that land next to each other in the output are merged into one run.
    const runs: number[] = []; // [source start, destination start, length]
    const idx = new Array<number>(Math.max(0, rank - 1)).fill(0);
    for (let r = 0; r < rows; r++) {
      let p = rank ? before[rank - 1] : 0;
      for (let d = 0; d < rank - 1; d++) p += (idx[d] + before[d]) * outStrides[d];
      const last = runs.length - 3;
      if (last >= 0 && runs[last + 1] + runs[last + 2] === p) runs[last + 2] += inner;
      else runs.push(r * inner, p, inner);
      for (let d = rank - 2; d >= 0; d--) {
        if (++idx[d] < input.shape[d]) break;
        idx[d] = 0;
      }
    }
    const run = Int32Array.from(runs);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array;
      const out = buffers[outId] as Int8Array;
      out.fill(value);
      for (let i = 0; i < run.length; i += 3) out.set(x.subarray(run[i], run[i] + run[i + 2]), run[i + 1]);
    };
  },
  macs() {
    return 0;
  },
};
