/**
 * mli_krn_fully_connected_sa8_sa8_sa32: out[o] from the int32 sum of (x[i] - input_zero_point)
 * * w[i][o], then MLI's requantization (requant.ts). Weights are read in the model's [out][in].
 */
import type { Buffers, Kernel } from '@mliflow/ir';
import type { MliFullyConnectedPlan } from '../plan.js';
import type { MliVariant } from '../params.js';
import { biasData, makeRequant, requantize } from './requant.js';

export function fullyConnectedKernel(plan: MliFullyConnectedPlan, v: MliVariant): Kernel {
  return {
    prepare(ctx) {
      const filter = ctx.input(1);
      const biasT = plan.bias.tensor >= 0 ? ctx.graph.tensors[plan.bias.tensor] : null;
      const [n] = plan.input.shape;
      const [m] = plan.output.shape;
      const w = new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.byteLength);
      const rq = makeRequant(plan.input.params, plan.weights.params, plan.output.params, m, biasData(biasT?.data ?? null, m), plan.reluBounds, v);
      const zp = plan.input.params.zeroPoint[0];
      const inId = plan.input.tensor;
      const outId = plan.output.tensor;
      const xs = new Int32Array(n);
      return (buffers: Buffers) => {
        const x = buffers[inId] as Int8Array;
        const out = buffers[outId] as Int8Array;
        for (let i = 0; i < n; i++) xs[i] = x[i] - zp;
        for (let o = 0; o < m; o++) {
          let acc = 0;
          const base = o * n;
          for (let i = 0; i < n; i++) acc += xs[i] * w[base + i];
          out[o] = requantize(rq, acc, o);
        }
      };
    },
    macs() {
      return plan.input.shape[0] * plan.output.shape[0];
    },
  };
}
