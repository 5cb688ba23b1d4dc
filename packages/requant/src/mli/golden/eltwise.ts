/**
 * mli_krn_eltwise_add_sa8, element by element:
 *   a_i = round((x_i - zero_point_i) * scale16_i / 2^preShift_i)    (int32, eltwiseAddOperand)
 *   out = sat8(sat16(sat16(a_1 + a_2) + output_zero_point))
 * then, for a fused ReLU, the clamp mli_krn_relu_sa8 applies with the output's params.
 */
import type { Buffers, Kernel } from '@mliflow/ir';
import { addSat32, asrRnd, clamp, INT16_MAX, INT16_MIN } from '../math.js';
import { eltwiseAddOperand, type MliVariant } from '../params.js';
import type { MliEltwisePlan } from '../plan.js';

export function eltwiseKernel(plan: MliEltwisePlan, v: MliVariant): Kernel {
  return {
    prepare() {
      const [a, b] = plan.inputs;
      const opA = eltwiseAddOperand(a.params, plan.output.params, v.roundMode);
      const opB = eltwiseAddOperand(b.params, plan.output.params, v.roundMode);
      const zpA = a.params.zeroPoint[0];
      const zpB = b.params.zeroPoint[0];
      const zpOut = plan.output.params.zeroPoint[0];
      const [lo, hi] = plan.reluBounds;
      const n = plan.output.shape.reduce((x, y) => x * y, 1);
      const mode = v.roundMode;
      return (buffers: Buffers) => {
        const x = buffers[a.tensor] as Int8Array;
        const y = buffers[b.tensor] as Int8Array;
        const out = buffers[plan.output.tensor] as Int8Array;
        for (let i = 0; i < n; i++) {
          const p = asrRnd((x[i] - zpA) * opA.scale16, opA.preShift, mode);
          const q = asrRnd((y[i] - zpB) * opB.scale16, opB.preShift, mode);
          const s = clamp(addSat32(p, q), INT16_MIN, INT16_MAX);
          const o = clamp(clamp(s + zpOut, INT16_MIN, INT16_MAX), -128, 127);
          out[i] = o < lo ? lo : o > hi ? hi : o;
        }
      };
    },
  };
}
