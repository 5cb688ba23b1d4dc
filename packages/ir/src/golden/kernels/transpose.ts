/** TRANSPOSE: output dimension i is input dimension perm[i]; a permutation of elements. */
import { constView, elementCount } from '../../graph.js';
import type { Buffers, Kernel } from '../kernel.js';

export const transpose: Kernel = {
  prepare(ctx) {
    const input = ctx.input(0);
    const permT = ctx.input(1);
    const output = ctx.output(0);
    if (input.dtype !== output.dtype) throw ctx.unsupported(`input is ${input.dtype} but output is ${output.dtype}`);
    if (input.dtype === 'int64') throw ctx.unsupported('int64 is not handled');
    if (!permT.data || permT.dtype !== 'int32') throw ctx.unsupported('perm must be a constant int32 tensor');
    const perm = Array.from(constView(permT) as Int32Array);
    const rank = input.shape.length;
    if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      throw ctx.unsupported(`perm [${perm}] is not a permutation of ${rank} dimensions`);
    }
    if (output.shape.length !== rank || perm.some((p, i) => output.shape[i] !== input.shape[p])) {
      throw ctx.unsupported(`output [${output.shape}] is not input [${input.shape}] permuted by [${perm}]`);
    }
    const inStrides = new Array<number>(rank);
    for (let i = rank - 1, s = 1; i >= 0; i--) {
      inStrides[i] = s;
      s *= input.shape[i];
    }
    const n = elementCount(output.shape);
    const src = new Int32Array(n);
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < n; i++) {
      let p = 0;
      for (let d = 0; d < rank; d++) p += idx[d] * inStrides[perm[d]];
      src[i] = p;
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < output.shape[d]) break;
        idx[d] = 0;
      }
    }
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array;
      const out = buffers[outId] as Int8Array;
      for (let i = 0; i < n; i++) out[i] = x[src[i]];
    };
  },
  macs() {
    return 0;
  },
};
