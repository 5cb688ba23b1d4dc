/** mli_krn_permute_sa8: a pure reordering of elements, output dimension i = input dimension perm[i]. */
import type { Buffers, Kernel } from '@mliflow/ir';
import type { MliPermutePlan } from '../plan.js';

export function permuteKernel(plan: MliPermutePlan): Kernel {
  return {
    prepare() {
      const { perm } = plan;
      const inShape = plan.input.shape;
      const outShape = perm.map((p) => inShape[p]);
      const rank = perm.length;
      const inStrides = new Array<number>(rank);
      for (let i = rank - 1, s = 1; i >= 0; i--) {
        inStrides[i] = s;
        s *= inShape[i];
      }
      const n = outShape.reduce((a, b) => a * b, 1);
      const src = new Int32Array(n);
      const idx = new Array<number>(rank).fill(0);
      for (let i = 0; i < n; i++) {
        let p = 0;
        for (let d = 0; d < rank; d++) p += idx[d] * inStrides[perm[d]];
        src[i] = p;
        for (let d = rank - 1; d >= 0; d--) {
          if (++idx[d] < outShape[d]) break;
          idx[d] = 0;
        }
      }
      const inId = plan.input.tensor;
      const outId = plan.output.tensor;
      return (buffers: Buffers) => {
        const x = buffers[inId] as Int8Array;
        const out = buffers[outId] as Int8Array;
        for (let i = 0; i < n; i++) out[i] = x[src[i]];
      };
    },
  };
}
