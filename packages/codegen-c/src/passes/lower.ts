/**
 * lower: each remaining operator becomes one kernel call of the backend chosen for it,
 * with every constant (multipliers, shifts, folded biases, padding, activation bounds)
 * computed here, as TFLite Micro's Prepare would, so the C code only runs Eval.
 */
import { MLI } from '../backends/mli/index.js';
import { PORTABLE } from '../backends/portable/index.js';
import type { Backend, KernelCall } from '../lir.js';
import { LowerCtx, type LoweringTable } from '../lower-ctx.js';
import { constGraph, unsupported, type Module, type WorkOp } from '../module.js';

const BACKENDS: Record<Backend, LoweringTable> = { portable: PORTABLE, mli: MLI };

/** Which backend runs an operator. One per operator. */
export type BackendChooser = (m: Module, w: WorkOp) => Backend;

export const portableOnly: BackendChooser = () => 'portable';
/** What the partition pass chose (portable where it chose nothing). */
export const partitioned: BackendChooser = (_m, w) => w.backend ?? 'portable';

export function lower(m: Module, choose: BackendChooser = portableOnly): KernelCall[] {
  const graph = constGraph(m);
  const calls = m.ops.map((w) => {
    const backend = choose(m, w);
    const fn = BACKENDS[backend][w.op.kind];
    if (!fn) throw unsupported(m, w, `no ${backend} kernel for ${w.op.kind.toUpperCase()}`);
    checkAttrs(m, w);
    return fn(new LowerCtx(m, w, backend, graph));
  });
  m.passes.push('lower');
  return calls;
}

const ACTIVATIONS = new Set(['none', 'relu', 'relu_n1_to_1', 'relu6', 'tanh', 'sign_bit']);
const POSITIVE = ['strideW', 'strideH', 'dilationW', 'dilationH', 'filterW', 'filterH', 'depthMultiplier'];

/**
 * Attributes become C integers and loop bounds: a graph built through the API (not only one
 * read from a file) must not carry 1.5, NaN or 0 strides into them.
 */
function checkAttrs(m: Module, w: WorkOp): void {
  const a = w.op.attrs as Record<string, unknown>;
  for (const k of POSITIVE) {
    const v = a[k];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 0x7fffffff)) {
      throw unsupported(m, w, `${k} is ${String(v)}; it must be an integer from 1 to 2^31-1`);
    }
  }
  if (a.activation !== undefined && !ACTIVATIONS.has(a.activation as string)) throw unsupported(m, w, `unknown activation ${JSON.stringify(a.activation)}`);
  if (a.padding !== undefined && a.padding !== 'same' && a.padding !== 'valid') throw unsupported(m, w, `unknown padding ${JSON.stringify(a.padding)}`);
}
