/** RESHAPE: the bytes are unchanged; only the shape differs. Dtypes and counts must match. */
import { byteSize } from '../../graph.js';
import type { Buffers, Kernel } from '../kernel.js';

export const reshape: Kernel = {
  prepare(ctx) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (input.dtype !== output.dtype) throw ctx.unsupported(`input is ${input.dtype} but output is ${output.dtype}`);
    if (byteSize(input) !== byteSize(output)) throw ctx.unsupported(`input [${input.shape}] and output [${output.shape}] differ in size`);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    if (inId === outId) return () => {};
    return (buffers: Buffers) => {
      (buffers[outId] as Int8Array).set(buffers[inId] as Int8Array);
    };
  },
  macs() {
    return 0;
  },
};
